//===- Builders.h - small IR-building helpers for operator importers -*- C++ -*-===//
//
// Decompositions (an ONNX operator imported as several kiln ops) use these
// to stay short; every helper reports errors at the node and returns
// failure rather than asserting.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_FRONTEND_ONNX_OPS_BUILDERS_H
#define KILN_LIB_FRONTEND_ONNX_OPS_BUILDERS_H

#include "lib/frontend/onnx/NodeImporter.h"

namespace kiln::onnx_frontend {

/// Binds output 0 of the node to `v` if it was built.
inline mlir::LogicalResult bindResult(NodeImporter &n,
                                      mlir::FailureOr<mlir::Value> v) {
  if (mlir::failed(v))
    return mlir::failure();
  n.setOutput(0, *v);
  return mlir::success();
}

inline mlir::Type elementOf(mlir::Value v) {
  return mlir::cast<mlir::RankedTensorType>(v.getType()).getElementType();
}

inline int64_t rankOf(mlir::Value v) {
  return mlir::cast<mlir::RankedTensorType>(v.getType()).getRank();
}

/// A 0-d constant of `element` (float or integer).
mlir::FailureOr<mlir::Value> scalarConstant(NodeImporter &n,
                                            mlir::Type element, double value);

/// `v` ([C]) reshaped to broadcast along dimension `axis` of a rank-`rank`
/// tensor: [C, 1, ..., 1] with rank - axis - 1 trailing ones. Scalars and
/// one-element vectors are returned unchanged.
mlir::FailureOr<mlir::Value> alongAxis(NodeImporter &n, mlir::Value v,
                                       int64_t rank, int64_t axis);

/// An integer input minus its zero point (if any, broadcast along `axis`),
/// in si32 (ops/NN.cpp).
mlir::FailureOr<mlir::Value> shiftedInt32(NodeImporter &n, mlir::Value v,
                                          mlir::Value zeroPoint, int64_t axis);

/// The si32 convolution of ConvInteger, QLinearConv and dequantized
/// convolutions, with the node's window attributes (ops/NN.cpp).
mlir::FailureOr<mlir::Value> integerConv(NodeImporter &n, mlir::Value x,
                                         mlir::Value xZero, mlir::Value w,
                                         mlir::Value wZero);

/// A Conv / MatMul node whose operands are both DequantizeLinear results,
/// as an integer product scaled back to float (ops/QdqProducts.cpp); null
/// where the node is not one.
mlir::FailureOr<mlir::Value> dequantizedConv(NodeImporter &n);
mlir::FailureOr<mlir::Value> dequantizedMatMul(NodeImporter &n);

/// kiln.slice of one axis with constant bounds.
mlir::FailureOr<mlir::Value> sliceAxis(NodeImporter &n, mlir::Value v,
                                       int64_t axis, int64_t start,
                                       int64_t end, int64_t step = 1);

/// round(acc * scale) + zero point, saturated to the zero point's type
/// (uint8 without one); `scale` and the zero point broadcast along `axis`.
mlir::FailureOr<mlir::Value> requantize(NodeImporter &n, mlir::Value acc,
                                        mlir::Value scale,
                                        mlir::Value zeroPoint, int64_t axis);

} // namespace kiln::onnx_frontend

#endif // KILN_LIB_FRONTEND_ONNX_OPS_BUILDERS_H
