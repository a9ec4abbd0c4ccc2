//===- TypeRefinement.h - re-inferring an op's result types ------*- C++ -*-===//
//
// Shared by kiln-infer-shapes and the passes that make operands constant
// (folding), so that sizes become static as soon as they are known.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_TYPEREFINEMENT_H
#define KILN_PASSES_TYPEREFINEMENT_H

#include "mlir/IR/Operation.h"

namespace kiln {

/// The result types `op`'s type inference computes for its current operands
/// and attributes. Fails, without a message, for ops without inference or
/// when inference fails.
mlir::LogicalResult inferResultTypes(mlir::Operation *op,
                                     llvm::SmallVectorImpl<mlir::Type> &types);

/// Re-infers `op`'s result types and keeps, per dimension, the more precise
/// of the inferred and current types. Fails (with an error on the op) when
/// inference fails or contradicts the current type.
mlir::LogicalResult refineResultTypes(mlir::Operation *op);

/// Makes every function's result types those of the values it returns
/// (after the types of those values were refined).
void updateFunctionResultTypes(mlir::Operation *root);

} // namespace kiln

#endif // KILN_PASSES_TYPEREFINEMENT_H
