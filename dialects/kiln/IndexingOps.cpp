//===- IndexingOps.cpp - type rules of indexing and data-dependent ops ----===//
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/InferUtils.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ShapeUtils.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace kiln {

static Type si64(MLIRContext *ctx) {
  return IntegerType::get(ctx, 64, IntegerType::Signed);
}

static LogicalResult checkAxis(std::optional<Location> loc, int64_t axis,
                               int64_t rank) {
  if (axis < 0 || axis >= rank)
    return emitOptionalError(loc, "axis ", axis, " out of range for rank ",
                             rank);
  return success();
}

LogicalResult ExpandOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  auto n = vectorLength(loc, adaptor.getShape(), "shape");
  if (failed(n))
    return failure();
  SmallVector<int64_t> target(*n, kDynamic);
  if (auto values = getConstantIntValues(adaptor.getShape()))
    target.assign(values->begin(), values->end());
  std::string error;
  auto shape = broadcastShapes(in.getShape(), target, &error);
  if (!shape)
    return emitOptionalError(loc, error);
  results.push_back(in.clone(*shape));
  return success();
}

LogicalResult TileOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  auto n = vectorLength(loc, adaptor.getRepeats(), "repeats");
  if (failed(n))
    return failure();
  if (*n != in.getRank())
    return emitOptionalError(loc, "repeats has ", *n, " entries for rank ",
                             in.getRank());
  SmallVector<int64_t> shape(in.getRank(), kDynamic);
  if (auto r = getConstantIntValues(adaptor.getRepeats()))
    for (int64_t i = 0; i < in.getRank(); ++i)
      if (!in.isDynamicDim(i))
        shape[i] = in.getDimSize(i) * (*r)[i];
  results.push_back(in.clone(shape));
  return success();
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  ArrayRef<int64_t> axes = adaptor.getAxes();
  for (int64_t a : axes)
    if (failed(checkAxis(loc, a, in.getRank())))
      return failure();
  auto n = vectorLength(loc, adaptor.getPads(), "pads");
  if (failed(n))
    return failure();
  if (*n != 2 * int64_t(axes.size()))
    return emitOptionalError(loc, "pads has ", *n, " entries for ",
                             axes.size(), " axes");
  StringRef mode = adaptor.getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge" &&
      mode != "wrap")
    return emitOptionalError(loc, "unknown pad mode '", mode, "'");
  if (Value v = adaptor.getValue())
    if (tensorType(v).getElementType() != in.getElementType())
      return emitOptionalError(loc, "pad value has another element type");
  SmallVector<int64_t> shape(in.getShape());
  auto pads = getConstantIntValues(adaptor.getPads());
  for (auto [i, a] : llvm::enumerate(axes)) {
    if (!pads || in.isDynamicDim(a))
      shape[a] = kDynamic;
    else
      shape[a] = in.getDimSize(a) + (*pads)[i] + (*pads)[i + axes.size()];
    if (!isDynamic(shape[a]) && shape[a] < 0)
      return emitOptionalError(loc, "padding makes dimension ", a,
                               " negative");
  }
  results.push_back(in.clone(shape));
  return success();
}

LogicalResult ConstantOfShapeOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  auto n = vectorLength(loc, adaptor.getShape(), "shape");
  if (failed(n))
    return failure();
  SmallVector<int64_t> shape(*n, kDynamic);
  if (auto values = getConstantIntValues(adaptor.getShape())) {
    for (int64_t v : *values)
      if (v < 0)
        return emitOptionalError(loc, "negative dimension in shape");
    shape.assign(values->begin(), values->end());
  }
  results.push_back(RankedTensorType::get(shape, adaptor.getValue().getType()));
  return success();
}

/// The length of a signed-integer range whose bounds are constants,
/// max(ceil((limit - start) / delta), 0) as the lowering computes it;
/// dynamic otherwise (floats, a zero delta, which fails at run time, or a
/// difference that wraps in the element type). Shape computations (the
/// windows of torchvision's Swin) build such ranges from folded sizes, and
/// their length is then known before any device runs them.
static int64_t staticRangeLength(Value start, Value limit, Value delta) {
  auto type = dyn_cast<IntegerType>(tensorType(start).getElementType());
  if (!type || type.isUnsigned())
    return kDynamic;
  // A named array: an ArrayRef of a braced list in the range-for would
  // outlive the list it points to.
  Value bounds[] = {start, limit, delta};
  int64_t v[3];
  for (auto [i, x] : llvm::enumerate(bounds)) {
    auto values = getConstantIntValues(x);
    if (!values || values->size() != 1)
      return kDynamic;
    v[i] = values->front();
  }
  int64_t first = v[0], last = v[1], step = v[2];
  if (step == 0 || llvm::SubOverflow(last, first, last) ||
      !llvm::isIntN(type.getWidth(), last))
    return kDynamic;
  return std::max<int64_t>(llvm::divideCeilSigned(last, step), 0);
}

LogicalResult RangeOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  Type element = tensorType(adaptor.getStart()).getElementType();
  for (Value v : {adaptor.getStart(), adaptor.getLimit(), adaptor.getDelta()})
    if (tensorType(v).getRank() != 0 || tensorType(v).getElementType() != element)
      return emitOptionalError(loc, "start, limit and delta must be scalars of "
                                    "one type");
  results.push_back(RankedTensorType::get(
      {staticRangeLength(adaptor.getStart(), adaptor.getLimit(),
                         adaptor.getDelta())},
      element));
  return success();
}

LogicalResult OneHotOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  RankedTensorType indices = tensorType(adaptor.getIndices());
  RankedTensorType values = tensorType(adaptor.getValues());
  if (values.getRank() != 1 || (!values.isDynamicDim(0) && values.getDimSize(0) != 2))
    return emitOptionalError(loc, "values must hold [off, on]");
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis > indices.getRank())
    return emitOptionalError(loc, "axis ", axis, " out of range");
  int64_t depth = kDynamic;
  if (auto d = getConstantValue(adaptor.getDepth())) {
    auto dense = dyn_cast<DenseElementsAttr>(d);
    if (dense && dense.getNumElements() == 1) {
      Attribute v = *dense.getValues<Attribute>().begin();
      if (auto f = dyn_cast<FloatAttr>(v))
        depth = int64_t(f.getValueAsDouble());
      else if (auto i = dyn_cast<IntegerAttr>(v))
        depth = i.getValue().getSExtValue();
    }
  }
  SmallVector<int64_t> shape(indices.getShape());
  shape.insert(shape.begin() + axis, depth);
  results.push_back(RankedTensorType::get(shape, values.getElementType()));
  return success();
}

LogicalResult TriluOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  if (in.getRank() < 2)
    return emitOptionalError(loc, "input must have rank >= 2");
  results.push_back(in);
  return success();
}

LogicalResult CumSumOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  if (!adaptor.getDynamicAxis() &&
      failed(checkAxis(loc, adaptor.getAxis(), in.getRank())))
    return failure();
  results.push_back(in);
  return success();
}

/// GatherElements and ScatterElements address the data at the indices'
/// positions in every dimension but `axis`, so there the indices may not be
/// larger than the data (checked where both sizes are known).
static LogicalResult checkElementsIndices(std::optional<Location> loc,
                                          RankedTensorType data,
                                          RankedTensorType indices,
                                          int64_t axis) {
  if (axis < 0)
    axis += data.getRank();
  for (int64_t d = 0; d < data.getRank(); ++d)
    if (d != axis && !data.isDynamicDim(d) && !indices.isDynamicDim(d) &&
        indices.getDimSize(d) > data.getDimSize(d))
      return emitOptionalError(loc, "indices have ", indices.getDimSize(d),
                               " entries in dimension ", d, ", the data only ",
                               data.getDimSize(d));
  return success();
}

LogicalResult GatherElementsOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  RankedTensorType data = tensorType(adaptor.getData());
  RankedTensorType indices = tensorType(adaptor.getIndices());
  if (indices.getRank() != data.getRank())
    return emitOptionalError(loc, "indices must have the data's rank");
  if (failed(checkAxis(loc, adaptor.getAxis(), data.getRank())) ||
      failed(checkElementsIndices(loc, data, indices, adaptor.getAxis())))
    return failure();
  results.push_back(indices.clone(data.getElementType()));
  return success();
}

LogicalResult GatherNDOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  RankedTensorType data = tensorType(adaptor.getData());
  RankedTensorType indices = tensorType(adaptor.getIndices());
  int64_t b = adaptor.getBatchDims(), q = indices.getRank(), r = data.getRank();
  if (q < 1 || b < 0 || b >= std::min(q, r))
    return emitOptionalError(loc, "batch_dims ", b, " out of range");
  int64_t last = indices.getDimSize(q - 1);
  if (isDynamic(last))
    return emitOptionalError(loc, "the last dimension of indices must be "
                                  "known");
  if (last < 1 || b + last > r)
    return emitOptionalError(loc, "index tuples of ", last,
                             " entries do not fit data of rank ", r);
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  llvm::append_range(shape, data.getShape().drop_front(b + last));
  results.push_back(RankedTensorType::get(shape, data.getElementType()));
  return success();
}

static LogicalResult checkReduction(std::optional<Location> loc, StringRef r) {
  if (r != "none" && r != "add" && r != "mul" && r != "max" && r != "min")
    return emitOptionalError(loc, "unknown reduction '", r, "'");
  return success();
}

LogicalResult ScatterElementsOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  RankedTensorType data = tensorType(adaptor.getData());
  if (tensorType(adaptor.getIndices()).getRank() != data.getRank() ||
      tensorType(adaptor.getUpdates()).getRank() != data.getRank())
    return emitOptionalError(loc, "indices and updates must have the data's "
                                  "rank");
  if (failed(checkAxis(loc, adaptor.getAxis(), data.getRank())) ||
      failed(checkReduction(loc, adaptor.getReduction())) ||
      failed(checkElementsIndices(loc, data,
                                  tensorType(adaptor.getIndices()),
                                  adaptor.getAxis())))
    return failure();
  results.push_back(data);
  return success();
}

LogicalResult ScatterNDOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  RankedTensorType data = tensorType(adaptor.getData());
  RankedTensorType indices = tensorType(adaptor.getIndices());
  if (indices.getRank() < 1 || indices.isDynamicDim(indices.getRank() - 1))
    return emitOptionalError(loc, "the last dimension of indices must be "
                                  "known");
  int64_t last = indices.getDimSize(indices.getRank() - 1);
  if (last < 1 || last > data.getRank())
    return emitOptionalError(loc, "index tuples of ", last,
                             " entries do not fit data of rank ",
                             data.getRank());
  if (failed(checkReduction(loc, adaptor.getReduction())))
    return failure();
  results.push_back(data);
  return success();
}

LogicalResult CompressOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  if (tensorType(adaptor.getCondition()).getRank() != 1)
    return emitOptionalError(loc, "condition must be 1-D");
  if (failed(checkAxis(loc, adaptor.getAxis(), in.getRank())))
    return failure();
  SmallVector<int64_t> shape(in.getShape());
  shape[adaptor.getAxis()] = kDynamic;
  results.push_back(in.clone(shape));
  return success();
}

LogicalResult NonZeroOp::inferReturnTypes(MLIRContext *ctx,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  results.push_back(RankedTensorType::get(
      {tensorType(adaptor.getInput()).getRank(), kDynamic}, si64(ctx)));
  return success();
}

LogicalResult TopKOp::inferReturnTypes(MLIRContext *ctx,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  if (failed(checkAxis(loc, adaptor.getAxis(), in.getRank())))
    return failure();
  auto n = vectorLength(loc, adaptor.getK(), "k");
  if (failed(n) || *n != 1)
    return emitOptionalError(loc, "k must hold one value");
  SmallVector<int64_t> shape(in.getShape());
  shape[adaptor.getAxis()] = kDynamic;
  if (auto k = getConstantIntValues(adaptor.getK())) {
    int64_t dim = in.getDimSize(adaptor.getAxis());
    if ((*k)[0] < 0 || (!isDynamic(dim) && (*k)[0] > dim))
      return emitOptionalError(loc, "k = ", (*k)[0], " out of range for ",
                               "dimension of size ", dim);
    shape[adaptor.getAxis()] = (*k)[0];
  }
  results.push_back(in.clone(shape));
  results.push_back(RankedTensorType::get(shape, si64(ctx)));
  return success();
}

LogicalResult UniqueOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  SmallVector<int64_t> values = {kDynamic};
  int64_t count = staticProduct(in.getShape());
  if (auto axis = adaptor.getAxis()) {
    if (failed(checkAxis(loc, *axis, in.getRank())))
      return failure();
    values.assign(in.getShape().begin(), in.getShape().end());
    values[*axis] = kDynamic;
    count = in.getDimSize(*axis);
  }
  results.push_back(in.clone(values));
  results.push_back(RankedTensorType::get({kDynamic}, si64(ctx)));
  results.push_back(RankedTensorType::get({count}, si64(ctx)));
  results.push_back(RankedTensorType::get({kDynamic}, si64(ctx)));
  return success();
}

LogicalResult ReverseSequenceOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  int64_t b = adaptor.getBatchAxis(), t = adaptor.getTimeAxis();
  if (in.getRank() < 2 || failed(checkAxis(loc, b, 2)) ||
      failed(checkAxis(loc, t, 2)) || b == t)
    return emitOptionalError(loc, "batch_axis and time_axis must be 0 and 1");
  results.push_back(in);
  return success();
}

LogicalResult DepthToSpaceOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  int64_t bs = adaptor.getBlocksize();
  if (in.getRank() != 4 || bs < 1)
    return emitOptionalError(loc, "needs a 4-D input and blocksize >= 1");
  int64_t c = in.getDimSize(1);
  if (!isDynamic(c) && c % (bs * bs) != 0)
    return emitOptionalError(loc, "channels ", c, " not divisible by ",
                             bs * bs);
  auto mul = [&](int64_t d) { return isDynamic(d) ? kDynamic : d * bs; };
  results.push_back(in.clone({in.getDimSize(0),
                              isDynamic(c) ? kDynamic : c / (bs * bs),
                              mul(in.getDimSize(2)), mul(in.getDimSize(3))}));
  return success();
}

LogicalResult SpaceToDepthOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  int64_t bs = adaptor.getBlocksize();
  if (in.getRank() != 4 || bs < 1)
    return emitOptionalError(loc, "needs a 4-D input and blocksize >= 1");
  for (int64_t i : {2, 3})
    if (!in.isDynamicDim(i) && in.getDimSize(i) % bs != 0)
      return emitOptionalError(loc, "spatial size ", in.getDimSize(i),
                               " not divisible by ", bs);
  auto div = [&](int64_t d) { return isDynamic(d) ? kDynamic : d / bs; };
  int64_t c = in.getDimSize(1);
  results.push_back(in.clone({in.getDimSize(0),
                              isDynamic(c) ? kDynamic : c * bs * bs,
                              div(in.getDimSize(2)), div(in.getDimSize(3))}));
  return success();
}

LogicalResult EyeLikeOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  if (in.getRank() != 2)
    return emitOptionalError(loc, "input must be 2-D");
  results.push_back(in.clone(adaptor.getDtype()));
  return success();
}

template <typename Adaptor>
static LogicalResult inferArg(MLIRContext *ctx, std::optional<Location> loc,
                              Adaptor adaptor, SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(loc, axis, in.getRank())))
    return failure();
  SmallVector<int64_t> shape(in.getShape());
  if (adaptor.getKeepdims())
    shape[axis] = 1;
  else
    shape.erase(shape.begin() + axis);
  results.push_back(RankedTensorType::get(shape, si64(ctx)));
  return success();
}

LogicalResult ArgMaxOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  return inferArg(ctx, loc, adaptor, results);
}
LogicalResult ArgMinOp::inferReturnTypes(MLIRContext *ctx,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  return inferArg(ctx, loc, adaptor, results);
}

LogicalResult GridSampleOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> loc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &results) {
  RankedTensorType x = tensorType(adaptor.getInput());
  RankedTensorType g = tensorType(adaptor.getGrid());
  if (x.getRank() != 4 || g.getRank() != 4 ||
      (!g.isDynamicDim(3) && g.getDimSize(3) != 2))
    return emitOptionalError(loc, "expected [N, C, H, W] input and [N, Ho, Wo, 2] "
                                  "grid");
  StringRef m = adaptor.getMode(), p = adaptor.getPaddingMode();
  if ((m != "bilinear" && m != "nearest" && m != "bicubic") ||
      (p != "zeros" && p != "border" && p != "reflection"))
    return emitOptionalError(loc, "unknown mode or padding_mode");
  results.push_back(x.clone({x.getDimSize(0), x.getDimSize(1), g.getDimSize(1),
                             g.getDimSize(2)}));
  return success();
}

LogicalResult RoiAlignOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  RankedTensorType x = tensorType(adaptor.getInput());
  RankedTensorType rois = tensorType(adaptor.getRois());
  RankedTensorType indices = tensorType(adaptor.getBatchIndices());
  if (x.getRank() != 4)
    return emitOptionalError(loc, "input must be [N, C, H, W]");
  if (rois.getRank() != 2 || (!rois.isDynamicDim(1) && rois.getDimSize(1) != 4))
    return emitOptionalError(loc, "rois must be [num_rois, 4]");
  if (rois.getElementType() != x.getElementType())
    return emitOptionalError(loc, "rois and input element types differ");
  if (indices.getRank() != 1)
    return emitOptionalError(loc, "batch_indices must be 1-D");
  int64_t r = rois.getDimSize(0), ri = indices.getDimSize(0);
  if (!isDynamic(r) && !isDynamic(ri) && r != ri)
    return emitOptionalError(loc, "rois has ", r, " regions but batch_indices ",
                             ri);
  if (adaptor.getMode() != "avg" && adaptor.getMode() != "max")
    return emitOptionalError(loc, "mode must be avg or max, got '",
                             adaptor.getMode(), "'");
  int64_t h = adaptor.getOutputHeight(), w = adaptor.getOutputWidth();
  if (h < 1 || w < 1)
    return emitOptionalError(loc, "output_height and output_width must be "
                                  "positive, got ", h, " and ", w);
  if (adaptor.getSamplingRatio() < 0)
    return emitOptionalError(loc, "sampling_ratio must not be negative");
  if (isDynamic(r))
    r = ri;
  results.push_back(x.clone({r, x.getDimSize(1), h, w}));
  return success();
}

LogicalResult NonMaxSuppressionOp::inferReturnTypes(
    MLIRContext *ctx, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  RankedTensorType boxes = tensorType(adaptor.getBoxes());
  RankedTensorType scores = tensorType(adaptor.getScores());
  if (boxes.getRank() != 3 || scores.getRank() != 3)
    return emitOptionalError(loc, "boxes and scores must be 3-D");
  results.push_back(RankedTensorType::get({kDynamic, 3}, si64(ctx)));
  return success();
}

LogicalResult DetOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  if (in.getRank() < 2)
    return emitOptionalError(loc, "input must have rank >= 2");
  int64_t n = in.getDimSize(in.getRank() - 1), m = in.getDimSize(in.getRank() - 2);
  if (!isDynamic(n) && !isDynamic(m) && n != m)
    return emitOptionalError(loc, "matrices must be square, got ", m, "x", n);
  results.push_back(in.clone(in.getShape().drop_back(2)));
  return success();
}

} // namespace kiln

#include "dialects/kiln/EinsumEquation.h"

namespace kiln {

LogicalResult EinsumOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "needs at least one input");
  SmallVector<int64_t> ranks;
  Type element = tensorType(adaptor.getInputs().front()).getElementType();
  for (Value v : adaptor.getInputs()) {
    ranks.push_back(tensorType(v).getRank());
    if (tensorType(v).getElementType() != element)
      return emitOptionalError(loc, "inputs differ in element type");
  }
  std::string error;
  auto eq = EinsumEquation::parse(adaptor.getEquation(), ranks, error);
  if (!eq)
    return emitOptionalError(loc, "equation '", adaptor.getEquation(),
                             "': ", error);
  // Each label's size: static if any operand knows it (1 broadcasts).
  llvm::DenseMap<int, int64_t> sizes;
  for (auto [labels, v] : llvm::zip(eq->inputs, adaptor.getInputs())) {
    for (auto [l, d] : llvm::zip(labels, tensorType(v).getShape())) {
      auto it = sizes.find(l);
      if (it == sizes.end() || isDynamic(it->second) || it->second == 1)
        sizes[l] = d;
      else if (!isDynamic(d) && d != 1 && d != it->second)
        return emitOptionalError(loc, "label sizes disagree: ", it->second,
                                 " vs ", d);
    }
  }
  SmallVector<int64_t> shape;
  for (int l : eq->output)
    shape.push_back(sizes.lookup(l));
  results.push_back(RankedTensorType::get(shape, element));
  return success();
}

} // namespace kiln
