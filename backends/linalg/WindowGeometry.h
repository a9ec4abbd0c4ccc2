//===- WindowGeometry.h - pads and output sizes of window ops -*- C++ -*-===//
//
// One computation of a convolution's or pooling's padding and output sizes
// (explicit pads, auto_pad, ceil_mode), static where the sizes are and
// index arithmetic where they are known only at run time. The linalg
// lowering of window ops and the CPU backend's selection of oneDNN
// convolutions (which sizes their output before the call) both use it.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_LINALG_WINDOWGEOMETRY_H
#define KILN_BACKENDS_LINALG_WINDOWGEOMETRY_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"

namespace kiln::lowering {

/// Padding and output sizes of a window op along each spatial dimension.
struct WindowGeometry {
  llvm::SmallVector<mlir::OpFoldResult> padLow, padHigh, outSizes;
};

/// ONNX's auto_pad SAME along one axis of size `in`: the padding (begin,
/// end) that makes the output ceil(in / stride); the odd pixel goes at the
/// end (`upper`, SAME_UPPER) or the beginning (SAME_LOWER).
std::pair<mlir::OpFoldResult, mlir::OpFoldResult>
samePadding(mlir::OpBuilder &b, mlir::Location loc, mlir::OpFoldResult in,
            int64_t kernel, int64_t stride, int64_t dilation, bool upper);

/// The geometry of a window of `kernel` sizes over spatial sizes `inSizes`;
/// `pads` holds all begins then all ends, and is ignored unless `autoPad`
/// is "NOTSET" (or empty). An output size known only at run time is
/// checked then not to be negative (the run fails naming `op`'s node).
WindowGeometry computeGeometry(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Operation *op,
                               llvm::ArrayRef<mlir::OpFoldResult> inSizes,
                               llvm::ArrayRef<int64_t> kernel,
                               llvm::ArrayRef<int64_t> strides,
                               llvm::ArrayRef<int64_t> dilations,
                               llvm::ArrayRef<int64_t> pads,
                               llvm::StringRef autoPad, bool ceilMode);

} // namespace kiln::lowering

#endif // KILN_BACKENDS_LINALG_WINDOWGEOMETRY_H
