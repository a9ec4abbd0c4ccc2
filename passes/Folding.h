//===- Folding.h - evaluating kiln ops on constants -------------*- C++ -*-===//
//
// One entry to the two evaluators (FloatEvaluator for big f32/f64 tensors,
// ConstantEvaluator for everything else, exactly), used by
// kiln-fold-constants and by rewrite rules that compute new constants
// (folded BatchNormalization weights, re-associated scales).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_FOLDING_H
#define KILN_PASSES_FOLDING_H

#include "mlir/IR/PatternMatch.h"

namespace kiln {

/// The default size limit (elements of a result) for folding.
constexpr int64_t kDefaultFoldLimit = int64_t(1) << 24;

/// The op's results, if all its operands are constants and it can be
/// evaluated with results of at most `maxElements` elements.
mlir::FailureOr<llvm::SmallVector<mlir::ElementsAttr>>
evaluateOp(mlir::Operation *op, int64_t maxElements);

/// Replaces the single-result `op` by a kiln.constant of its value when it
/// can be evaluated; returns the constant, or op's result unchanged.
mlir::Value foldNow(mlir::RewriterBase &rewriter, mlir::Operation *op,
                    int64_t maxElements = kDefaultFoldLimit);

} // namespace kiln

#endif // KILN_PASSES_FOLDING_H
