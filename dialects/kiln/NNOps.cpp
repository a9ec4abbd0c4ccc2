//===- NNOps.cpp - type rules of contractions, convolution and pooling ----===//
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/InferUtils.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ShapeUtils.h"

using namespace mlir;

namespace kiln {

/// Two dimensions that must be equal: fine if either is dynamic.
static bool dimsAgree(int64_t a, int64_t b) {
  return isDynamic(a) || isDynamic(b) || a == b;
}

//===----------------------------------------------------------------------===//
// MatMul and Gemm
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto a = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto b = cast<RankedTensorType>(adaptor.getRhs().getType());
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "operand element types differ: ",
                             a.getElementType(), " vs ", b.getElementType());
  if (a.getRank() == 0 || b.getRank() == 0)
    return emitOptionalError(loc, "operands must have rank >= 1");
  SmallVector<int64_t> as(a.getShape()), bs(b.getShape());
  if (as.size() == 1)
    as.insert(as.begin(), 1);
  if (bs.size() == 1)
    bs.push_back(1);
  int64_t k1 = as.back(), k2 = bs[bs.size() - 2];
  if (!dimsAgree(k1, k2))
    return emitOptionalError(loc, "contraction dimensions differ: ", k1,
                             " vs ", k2, " (shapes ",
                             shapeToString(a.getShape()), " and ",
                             shapeToString(b.getShape()), ")");
  std::string error;
  auto batch = broadcastShapes(ArrayRef<int64_t>(as).drop_back(2),
                               ArrayRef<int64_t>(bs).drop_back(2), &error);
  if (!batch)
    return emitOptionalError(loc, "batch dimensions: ", error);
  SmallVector<int64_t> shape(*batch);
  if (a.getRank() > 1)
    shape.push_back(as[as.size() - 2]);
  if (b.getRank() > 1)
    shape.push_back(bs.back());
  results.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  auto a = cast<RankedTensorType>(adaptor.getA().getType());
  auto b = cast<RankedTensorType>(adaptor.getB().getType());
  if (a.getRank() != 2 || b.getRank() != 2)
    return emitOptionalError(loc, "A and B must be 2-D, got ranks ",
                             a.getRank(), " and ", b.getRank());
  if (a.getElementType() != b.getElementType())
    return emitOptionalError(loc, "A and B element types differ");
  bool ta = adaptor.getTransA(), tb = adaptor.getTransB();
  int64_t m = a.getDimSize(ta ? 1 : 0), ka = a.getDimSize(ta ? 0 : 1);
  int64_t kb = b.getDimSize(tb ? 1 : 0), n = b.getDimSize(tb ? 0 : 1);
  if (!dimsAgree(ka, kb))
    return emitOptionalError(loc, "contraction dimensions differ: ", ka,
                             " vs ", kb);
  if (Value c = adaptor.getC()) {
    auto ct = cast<RankedTensorType>(c.getType());
    if (ct.getElementType() != a.getElementType())
      return emitOptionalError(loc, "C element type differs from A's");
    std::string error;
    auto shape = broadcastShapes({m, n}, ct.getShape(), &error);
    if (!shape || ct.getRank() > 2)
      return emitOptionalError(loc, "C of shape ", shapeToString(ct.getShape()),
                               " does not broadcast to [M, N] = ",
                               shapeToString({m, n}));
  }
  results.push_back(RankedTensorType::get({m, n}, a.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Windows: convolution and pooling
//===----------------------------------------------------------------------===//

/// Checks the window attributes against `spatial` dimensions and computes
/// the output's spatial sizes.
static LogicalResult
inferWindow(std::optional<Location> loc, ArrayRef<int64_t> inShape,
            ArrayRef<int64_t> kernel, ArrayRef<int64_t> pads,
            ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
            bool ceilMode, StringRef autoPad, SmallVectorImpl<int64_t> &out) {
  size_t k = kernel.size();
  if (inShape.size() != k)
    return emitOptionalError(loc, "expected ", k, " spatial dimensions, got ",
                             inShape.size());
  if (pads.size() != 2 * k || strides.size() != k || dilations.size() != k)
    return emitOptionalError(
        loc, "window attributes have the wrong length for ", k,
        " spatial dimensions (pads ", pads.size(), ", strides ",
        strides.size(), ", dilations ", dilations.size(), ")");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER")
    return emitOptionalError(loc, "unknown auto_pad '", autoPad, "'");
  for (size_t i = 0; i < k; ++i) {
    if (kernel[i] <= 0 || strides[i] <= 0 || dilations[i] <= 0)
      return emitOptionalError(loc, "kernel, strides and dilations must be "
                                    "positive");
    if (pads[i] < 0 || pads[i + k] < 0)
      return emitOptionalError(loc, "pads must be non-negative");
    int64_t in = inShape[i];
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      out.push_back(isDynamic(in) ? kDynamic
                                  : (in + strides[i] - 1) / strides[i]);
      continue;
    }
    bool valid = autoPad == "VALID";
    auto size = windowOutputSize(in, kernel[i], strides[i], dilations[i],
                                 valid ? 0 : pads[i], valid ? 0 : pads[i + k],
                                 ceilMode);
    if (!size)
      return emitOptionalError(loc, "window of size ", kernel[i],
                               " (dilation ", dilations[i],
                               ") does not fit spatial dimension ", i,
                               " of size ", in, " with its padding");
    out.push_back(*size);
  }
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  auto w = cast<RankedTensorType>(adaptor.getWeight().getType());
  if (x.getRank() < 3 || w.getRank() != x.getRank())
    return emitOptionalError(loc, "input and weight must have the same rank "
                                  ">= 3, got ",
                             x.getRank(), " and ", w.getRank());
  if (x.getElementType() != w.getElementType())
    return emitOptionalError(loc, "input and weight element types differ");
  int64_t group = adaptor.getGroup();
  if (group < 1)
    return emitOptionalError(loc, "group must be >= 1, got ", group);
  bool last = adaptor.getChannelsLast();
  int64_t rank = x.getRank();
  int64_t c = x.getDimSize(last ? rank - 1 : 1), cg = w.getDimSize(1), m = w.getDimSize(0);
  if (!isDynamic(c) && !isDynamic(cg) && c != cg * group)
    return emitOptionalError(loc, "input has ", c, " channels but weight "
                             "expects ", cg, " x group ", group);
  if (!isDynamic(m) && m % group != 0)
    return emitOptionalError(loc, "output channels ", m,
                             " not divisible by group ", group);
  if (Value bias = adaptor.getBias()) {
    auto bt = cast<RankedTensorType>(bias.getType());
    if (bt.getRank() != 1 || !dimsAgree(bt.getDimSize(0), m))
      return emitOptionalError(loc, "bias must be 1-D of size ", m);
  }
  SmallVector<int64_t> kernel(w.getShape().drop_front(2));
  for (int64_t &d : kernel)
    if (isDynamic(d))
      return emitOptionalError(loc, "kernel dimensions must be static");
  SmallVector<int64_t> shape = {x.getDimSize(0)};
  if (!last)
    shape.push_back(m);
  ArrayRef<int64_t> spatial = x.getShape().drop_front(last ? 1 : 2);
  if (failed(inferWindow(loc, last ? spatial.drop_back() : spatial, kernel,
                         adaptor.getPads(), adaptor.getStrides(),
                         adaptor.getDilations(), false, adaptor.getAutoPad(),
                         shape)))
    return failure();
  if (last)
    shape.push_back(m);
  results.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult ConvTransposeOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  auto w = cast<RankedTensorType>(adaptor.getWeight().getType());
  if (x.getRank() < 3 || w.getRank() != x.getRank())
    return emitOptionalError(loc, "input and weight must have the same rank "
                                  ">= 3");
  int64_t k = x.getRank() - 2, group = adaptor.getGroup();
  ArrayRef<int64_t> pads = adaptor.getPads(), strides = adaptor.getStrides(),
                    dil = adaptor.getDilations(), op = adaptor.getOutputPadding();
  if (int64_t(pads.size()) != 2 * k || int64_t(strides.size()) != k ||
      int64_t(dil.size()) != k || int64_t(op.size()) != k || group < 1)
    return emitOptionalError(loc, "window attributes have the wrong length");
  if (llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dil, [](int64_t d) { return d < 1; }))
    return emitOptionalError(loc, "strides and dilations must be positive");
  // The lowering splits the weight into groups of static size.
  if (w.isDynamicDim(0) || w.isDynamicDim(1))
    return emitOptionalError(loc, "the weight's channel dimensions must be static");
  if (w.getDimSize(0) % group != 0)
    return emitOptionalError(loc, "group ", group, " does not divide the ",
                             w.getDimSize(0), " input channels");
  if (!x.isDynamicDim(1) && w.getDimSize(0) != x.getDimSize(1))
    return emitOptionalError(loc, "input has ", x.getDimSize(1),
                             " channels, weight expects ", w.getDimSize(0));
  SmallVector<int64_t> shape = {x.getDimSize(0), w.getDimSize(1) * group};
  for (int64_t i = 0; i < k; ++i) {
    int64_t in = x.getDimSize(2 + i), kk = w.getDimSize(2 + i);
    if (isDynamic(kk))
      return emitOptionalError(loc, "kernel dimensions must be static");
    shape.push_back(isDynamic(in) ? kDynamic
                                  : strides[i] * (in - 1) + op[i] +
                                        (kk - 1) * dil[i] + 1 - pads[i] -
                                        pads[i + k]);
    if (!isDynamic(shape.back()) && shape.back() < 1)
      return emitOptionalError(loc, "output size ", shape.back(),
                               " along spatial dimension ", i);
  }
  results.push_back(x.clone(shape));
  return success();
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  Value scales = adaptor.getScales(), sizes = adaptor.getSizes();
  if (bool(scales) == bool(sizes))
    return emitOptionalError(loc, "exactly one of scales and sizes is needed");
  StringRef mode = adaptor.getMode();
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return emitOptionalError(loc, "unknown mode '", mode, "'");
  StringRef ct = adaptor.getCoordinateTransformationMode();
  if (ct != "half_pixel" && ct != "align_corners" && ct != "asymmetric" &&
      ct != "pytorch_half_pixel" && ct != "tf_crop_and_resize" &&
      ct != "half_pixel_symmetric")
    return emitOptionalError(loc, "unknown coordinate_transformation_mode '",
                             ct, "'");
  StringRef nm = adaptor.getNearestMode();
  if (nm != "round_prefer_floor" && nm != "round_prefer_ceil" &&
      nm != "floor" && nm != "ceil")
    return emitOptionalError(loc, "unknown nearest_mode '", nm, "'");
  // scales, sizes and roi are vectors; a float one may have a length known
  // only at run time (--force-dynamic), checked there.
  auto vectorOf = [&](Value v, int64_t perDim, StringRef what) {
    int64_t entries = perDim * x.getRank();
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || t.getRank() != 1)
      return emitOptionalError(loc, what, " must be a 1-D tensor");
    if (!t.isDynamicDim(0) && t.getDimSize(0) != entries)
      return emitOptionalError(loc, what, " needs ", entries, " entries (",
                               perDim, " per dimension), not ",
                               t.getDimSize(0));
    return success();
  };
  if (failed(vectorOf(scales ? scales : sizes, 1,
                      scales ? "scales" : "sizes")))
    return failure();
  // The roi only counts (and is only read) for tf_crop_and_resize.
  Value roi = adaptor.getRoi();
  if (ct == "tf_crop_and_resize") {
    if (!roi)
      return emitOptionalError(loc, "coordinate_transformation_mode "
                                    "'tf_crop_and_resize' needs a roi");
    if (failed(vectorOf(roi, 2, "roi")))
      return failure();
  }
  SmallVector<int64_t> shape(x.getRank(), kDynamic);
  if (sizes) {
    if (auto v = getConstantIntValues(sizes))
      shape.assign(v->begin(), v->end());
  } else if (ElementsAttr attr = getConstantValue(scales)) {
    if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
      auto values = dense.getValues<APFloat>();
      for (int64_t i = 0; i < x.getRank(); ++i)
        if (!x.isDynamicDim(i))
          shape[i] = int64_t(double(x.getDimSize(i)) *
                             values[i].convertToFloat());
    }
  }
  results.push_back(x.clone(shape));
  return success();
}

template <typename PoolOp>
static LogicalResult inferPool(std::optional<Location> loc,
                               typename PoolOp::Adaptor adaptor,
                               SmallVectorImpl<Type> &results) {
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  if (x.getRank() < 3)
    return emitOptionalError(loc, "input must have rank >= 3, got ",
                             x.getRank());
  // Channels first: [N, C, D...]; channels last: [N, D..., C].
  bool last = adaptor.getChannelsLast();
  int64_t rank = x.getRank();
  SmallVector<int64_t> shape = {x.getDimSize(0)};
  if (!last)
    shape.push_back(x.getDimSize(1));
  if (failed(inferWindow(loc, x.getShape().slice(last ? 1 : 2, rank - 2),
                         adaptor.getKernelShape(), adaptor.getPads(),
                         adaptor.getStrides(), adaptor.getDilations(),
                         adaptor.getCeilMode(), adaptor.getAutoPad(), shape)))
    return failure();
  if (last)
    shape.push_back(x.getDimSize(rank - 1));
  results.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  return inferPool<MaxPoolOp>(loc, adaptor, results);
}

LogicalResult AveragePoolOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &results) {
  return inferPool<AveragePoolOp>(loc, adaptor, results);
}

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  if (x.getRank() < 2)
    return emitOptionalError(loc, "input must have rank >= 2");
  int64_t c = x.getDimSize(1);
  for (Value v : {adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                  adaptor.getVariance()}) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 1 || !dimsAgree(t.getDimSize(0), c))
      return emitOptionalError(loc, "statistics must be 1-D of size ", c,
                               ", got ", shapeToString(t.getShape()));
    if (t.getElementType() != x.getElementType())
      return emitOptionalError(loc, "statistics element type ",
                               t.getElementType(), " differs from input's ",
                               x.getElementType());
  }
  results.push_back(x);
  return success();
}

static LogicalResult verifyAxis(Operation *op, int64_t axis, Type type) {
  int64_t rank = cast<RankedTensorType>(type).getRank();
  if (axis < 0 || axis >= rank)
    return op->emitOpError() << "axis " << axis << " out of range for rank "
                             << rank;
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getType());
}
LogicalResult LogSoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getType());
}
LogicalResult HardmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getType());
}

LogicalResult MaxPoolIndicesOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  if (x.getRank() < 3)
    return emitOptionalError(loc, "input must have rank >= 3");
  SmallVector<int64_t> shape = {x.getDimSize(0), x.getDimSize(1)};
  if (failed(inferWindow(loc, x.getShape().drop_front(2),
                         adaptor.getKernelShape(), adaptor.getPads(),
                         adaptor.getStrides(), adaptor.getDilations(),
                         adaptor.getCeilMode(), adaptor.getAutoPad(), shape)))
    return failure();
  results.push_back(RankedTensorType::get(
      shape, IntegerType::get(ctx, 64, IntegerType::Signed)));
  return success();
}

LogicalResult MaxUnpoolOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  FailureOr<int64_t> entries =
      vectorLength(loc, adaptor.getOutputShape(), "output_shape");
  if (failed(entries))
    return failure();
  if (*entries != x.getRank())
    return emitOptionalError(loc, "output_shape must have one entry per "
                                  "dimension");
  SmallVector<int64_t> shape(x.getRank(), kDynamic);
  if (auto values = getConstantIntValues(adaptor.getOutputShape()))
    shape.assign(values->begin(), values->end());
  results.push_back(x.clone(shape));
  return success();
}

} // namespace kiln

namespace kiln {

LogicalResult RecurrentOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  auto w = cast<RankedTensorType>(adaptor.getW().getType());
  StringRef cell = adaptor.getCell();
  int64_t gates = cell == "lstm" ? 4 : cell == "gru" ? 3 : cell == "rnn" ? 1 : 0;
  if (!gates)
    return emitOptionalError(loc, "unknown cell '", cell, "'");
  if (x.getRank() != 3 || w.getRank() != 3)
    return emitOptionalError(loc, "input must be [S, B, I] and W [D, G*H, I]");
  StringRef dir = adaptor.getDirection();
  int64_t dirs = dir == "bidirectional" ? 2 : 1;
  if (dir != "forward" && dir != "reverse" && dir != "bidirectional")
    return emitOptionalError(loc, "unknown direction '", dir, "'");
  int64_t h = adaptor.getHiddenSize();
  if (!isDynamic(w.getDimSize(0)) && w.getDimSize(0) != dirs)
    return emitOptionalError(loc, "W has ", w.getDimSize(0), " directions, ",
                             dir, " needs ", dirs);
  if (!isDynamic(w.getDimSize(1)) && w.getDimSize(1) != gates * h)
    return emitOptionalError(loc, "W has ", w.getDimSize(1), " rows, ",
                             gates, " gates of ", h, " need ", gates * h);
  Type t = x.getElementType();
  results.push_back(RankedTensorType::get(
      {x.getDimSize(0), dirs, x.getDimSize(1), h}, t));
  results.push_back(RankedTensorType::get({dirs, x.getDimSize(1), h}, t));
  results.push_back(RankedTensorType::get({dirs, x.getDimSize(1), h}, t));
  return success();
}

} // namespace kiln
