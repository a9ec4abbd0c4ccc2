//===- ConstantEvaluator.h - evaluating kiln ops on constants ------*- C++ -*-===//
//
// Computes the result of a kiln op whose operands are all constants, in the
// op's own element types: integers with wrap-around and the op's
// signedness (bit-exact with the generated code), floats with IEEE
// rounding in their own format (APFloat). Covers the ops that shape
// computations and small constant expressions use; returns failure for
// anything else or for results above `maxElements`, leaving the op alone.
//
// Used by the importer (so that types become static as the graph is read)
// and by constant folding.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_CONSTANTEVALUATOR_H
#define KILN_DIALECTS_KILN_CONSTANTEVALUATOR_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

namespace kiln {

/// The op's results as `dense` attributes, if it can be evaluated.
mlir::FailureOr<llvm::SmallVector<mlir::DenseElementsAttr>>
evaluateConstantOp(mlir::Operation *op,
                   llvm::ArrayRef<mlir::ElementsAttr> operands,
                   int64_t maxElements);

} // namespace kiln

#endif // KILN_DIALECTS_KILN_CONSTANTEVALUATOR_H
