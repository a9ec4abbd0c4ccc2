//===- FloatEvaluator.h - evaluating float kiln ops on big constants -*- C++ -*-===//
//
// The fast path of constant folding for f32 and f64 tensors of any size
// (weights: BatchNormalization folded into a convolution's filter, a
// transposed weight matrix). Works on native arrays in the op's own
// precision, so +, -, *, / and sqrt give exactly what the generated code
// computes (IEEE, no contraction); transcendental functions use the C
// library and may differ from the generated code's in the last bit.
// ConstantEvaluator (APInt/APFloat, every element type) covers the rest.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_FLOATEVALUATOR_H
#define KILN_DIALECTS_KILN_FLOATEVALUATOR_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

namespace kiln {

/// The op's single result, if the op is one the fast path knows and its
/// operands and result are f32 or f64 (integer shape operands allowed).
/// Results above `inlineElements` elements become `dense_resource` blobs.
mlir::FailureOr<mlir::ElementsAttr>
evaluateFloatOp(mlir::Operation *op, llvm::ArrayRef<mlir::ElementsAttr> operands,
                int64_t maxElements, int64_t inlineElements = 64);

/// `bytes` (little-endian elements of `type`) as a constant attribute:
/// `dense` up to `inlineElements` elements, else a `dense_resource` blob
/// named `key`.
mlir::ElementsAttr makeElementsAttr(mlir::RankedTensorType type,
                                    llvm::ArrayRef<char> bytes,
                                    llvm::StringRef key, int64_t inlineElements);

} // namespace kiln

#endif // KILN_DIALECTS_KILN_FLOATEVALUATOR_H
