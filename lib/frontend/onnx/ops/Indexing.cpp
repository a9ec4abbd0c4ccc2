//===- Indexing.cpp - importers of indexing and data-dependent operators --===//
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/ShapeUtils.h"
#include "lib/frontend/onnx/ops/Builders.h"
#include "lib/frontend/onnx/TensorImport.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {


FailureOr<int64_t> normalizedAxis(NodeImporter &n, int64_t axis, int64_t rank) {
  auto a = normalizeAxis(axis, rank);
  if (!a)
    return n.error() << "axis " << axis << " out of range for rank " << rank;
  return *a;
}

NamedAttribute i64Attr(NodeImporter &n, StringRef name, int64_t v) {
  return n.named(name, n.builder().getI64IntegerAttr(v));
}
NamedAttribute boolAttr(NodeImporter &n, StringRef name, bool v) {
  return n.named(name, n.builder().getBoolAttr(v));
}

LogicalResult importExpand(NodeImporter &n) {
  auto in = n.inputs(2);
  if (failed(in))
    return failure();
  return bindResult(n, n.build<ExpandOp>(*in));
}

LogicalResult importTile(NodeImporter &n) {
  auto in = n.inputs(2);
  if (failed(in))
    return failure();
  return bindResult(n, n.build<TileOp>(*in));
}

LogicalResult importPad(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  int64_t rank = rankOf(x);
  std::string mode = n.stringAttr("mode", "constant");
  SmallVector<Value> operands = {x};
  SmallVector<int64_t> axes;
  if (n.opset() < 11) {
    auto pads = n.requiredInts(n.opset() < 2 ? "paddings" : "pads");
    if (failed(pads))
      return failure();
    auto p = n.constantI64(*pads);
    if (failed(p))
      return failure();
    operands.push_back(*p);
    float value = n.floatAttr("value", 0.0f);
    if (value != 0.0f) {
      Type element = elementOf(x);
      if (!isa<FloatType>(element))
        return n.error() << "a non-zero pad value needs a float tensor";
      auto v = n.build<ConstantOp>(
          {}, {n.named("value", DenseElementsAttr::get(
                                    RankedTensorType::get({}, element),
                                    n.builder().getFloatAttr(element, value)))});
      if (failed(v))
        return failure();
      operands.push_back(*v);
    }
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  } else {
    Value pads = n.input(1);
    if (!pads)
      return failure();
    operands.push_back(pads);
    if (n.hasInput(2))
      operands.push_back(n.input(2));
    if (n.hasInput(3)) {
      auto given = n.constantInts(3, "axes");
      if (failed(given))
        return failure();
      for (int64_t a : *given) {
        auto norm = normalizedAxis(n, a, rank);
        if (failed(norm))
          return failure();
        axes.push_back(*norm);
      }
    } else {
      for (int64_t i = 0; i < rank; ++i)
        axes.push_back(i);
    }
  }
  return bindResult(n, n.build<PadOp>(operands,
                                      {n.named("axes", n.i64Array(axes)),
                                       n.named("mode", n.builder().getStringAttr(mode))}));
}

LogicalResult importConstantOfShape(NodeImporter &n) {
  Value shape = n.input(0);
  if (!shape)
    return failure();
  TypedAttr value = n.builder().getF32FloatAttr(0.0f);
  if (const auto *a = n.attribute("value")) {
    auto t = importTensor(a->t(), n.loc(), ".", 64);
    if (failed(t))
      return failure();
    auto dense = dyn_cast<DenseElementsAttr>(*t);
    if (!dense || dense.getNumElements() != 1)
      return n.error() << "value must hold exactly one element";
    value = cast<TypedAttr>(*dense.getValues<Attribute>().begin());
  }
  return bindResult(n, n.build<ConstantOfShapeOp>({shape},
                                                  {n.named("value", value)}));
}

LogicalResult importRange(NodeImporter &n) {
  auto in = n.inputs(3);
  if (failed(in))
    return failure();
  return bindResult(n, n.build<RangeOp>(*in));
}

LogicalResult importOneHot(NodeImporter &n) {
  auto in = n.inputs(3);
  if (failed(in))
    return failure();
  auto axis = normalizedAxis(n, n.intAttr("axis", -1), rankOf((*in)[0]) + 1);
  if (failed(axis))
    return failure();
  return bindResult(n, n.build<OneHotOp>(*in, {i64Attr(n, "axis", *axis)}));
}

LogicalResult importTrilu(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  SmallVector<Value> operands = {x};
  if (n.hasInput(1))
    operands.push_back(n.input(1));
  return bindResult(n, n.build<TriluOp>(operands,
                                        {boolAttr(n, "upper", n.intAttr("upper", 1) != 0)}));
}

LogicalResult importCumSum(NodeImporter &n) {
  Value x = n.input(0);
  if (!x || !n.input(1))
    return failure();
  SmallVector<NamedAttribute> flags = {
      boolAttr(n, "exclusive", n.intAttr("exclusive", 0) != 0),
      boolAttr(n, "reverse", n.intAttr("reverse", 0) != 0)};
  auto axisValues = n.maybeConstantInts(1);
  if (!axisValues) {
    flags.push_back(i64Attr(n, "axis", 0));
    return bindResult(n, n.build<CumSumOp>({x, n.input(1)}, flags));
  }
  if (axisValues->size() != 1)
    return n.error() << "axis must hold one value";
  auto axis = normalizedAxis(n, (*axisValues)[0], rankOf(x));
  if (failed(axis))
    return failure();
  flags.push_back(i64Attr(n, "axis", *axis));
  return bindResult(n, n.build<CumSumOp>({x}, flags));
}

template <typename OpTy> LogicalResult importWithAxis(NodeImporter &n,
                                                      size_t numInputs) {
  auto in = n.inputs(numInputs);
  if (failed(in))
    return failure();
  auto axis = normalizedAxis(n, n.intAttr("axis", 0), rankOf((*in)[0]));
  if (failed(axis))
    return failure();
  SmallVector<NamedAttribute> attrs = {i64Attr(n, "axis", *axis)};
  if (std::is_same_v<OpTy, ScatterElementsOp>)
    attrs.push_back(n.named("reduction", n.builder().getStringAttr(
                                             n.stringAttr("reduction", "none"))));
  return bindResult(n, n.build<OpTy>(*in, attrs));
}

LogicalResult importGatherElements(NodeImporter &n) {
  return importWithAxis<GatherElementsOp>(n, 2);
}
LogicalResult importScatterElements(NodeImporter &n) {
  return importWithAxis<ScatterElementsOp>(n, 3);
}

LogicalResult importGatherND(NodeImporter &n) {
  auto in = n.inputs(2);
  if (failed(in))
    return failure();
  return bindResult(n, n.build<GatherNDOp>(
                           *in, {i64Attr(n, "batch_dims", n.intAttr("batch_dims", 0))}));
}

LogicalResult importScatterND(NodeImporter &n) {
  auto in = n.inputs(3);
  if (failed(in))
    return failure();
  return bindResult(n, n.build<ScatterNDOp>(
                           *in, {n.named("reduction", n.builder().getStringAttr(
                                                          n.stringAttr("reduction", "none")))}));
}

LogicalResult importCompress(NodeImporter &n) {
  auto in = n.inputs(2);
  if (failed(in))
    return failure();
  Value x = (*in)[0];
  int64_t axis = 0;
  if (n.hasAttribute("axis")) {
    auto a = normalizedAxis(n, n.intAttr("axis", 0), rankOf(x));
    if (failed(a))
      return failure();
    axis = *a;
  } else {
    auto flat = n.constantI64({-1});
    if (failed(flat))
      return failure();
    auto r = n.build<ReshapeOp>({x, *flat});
    if (failed(r))
      return failure();
    x = *r;
  }
  return bindResult(n, n.build<CompressOp>({x, (*in)[1]}, {i64Attr(n, "axis", axis)}));
}

LogicalResult importNonZero(NodeImporter &n) {
  auto in = n.inputs(1);
  if (failed(in))
    return failure();
  return bindResult(n, n.build<NonZeroOp>(*in));
}

LogicalResult importTopK(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  Value k;
  if (n.opset() < 10) {
    auto kv = n.requiredInt("k");
    if (failed(kv))
      return failure();
    auto c = n.constantI64({*kv});
    if (failed(c))
      return failure();
    k = *c;
  } else {
    k = n.input(1);
    if (!k)
      return failure();
  }
  auto axis = normalizedAxis(n, n.intAttr("axis", -1), rankOf(x));
  if (failed(axis))
    return failure();
  auto r = n.buildMulti<TopKOp>(
      {x, k}, {i64Attr(n, "axis", *axis),
               boolAttr(n, "largest", n.intAttr("largest", 1) != 0)},
      2);
  if (failed(r))
    return failure();
  n.setOutput(0, (*r)[0]);
  n.setOutput(1, (*r)[1]);
  return success();
}

LogicalResult importUnique(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  SmallVector<NamedAttribute> attrs = {
      boolAttr(n, "sorted", n.intAttr("sorted", 1) != 0)};
  if (n.hasAttribute("axis")) {
    auto a = normalizedAxis(n, n.intAttr("axis", 0), rankOf(x));
    if (failed(a))
      return failure();
    attrs.push_back(i64Attr(n, "axis", *a));
  }
  auto r = n.buildMulti<UniqueOp>({x}, attrs, 4);
  if (failed(r))
    return failure();
  for (int i = 0; i < 4; ++i)
    n.setOutput(i, (*r)[i]);
  return success();
}

LogicalResult importReverseSequence(NodeImporter &n) {
  auto in = n.inputs(2);
  if (failed(in))
    return failure();
  return bindResult(n, n.build<ReverseSequenceOp>(
                           *in, {i64Attr(n, "batch_axis", n.intAttr("batch_axis", 1)),
                                 i64Attr(n, "time_axis", n.intAttr("time_axis", 0))}));
}

LogicalResult importDepthToSpace(NodeImporter &n) {
  auto in = n.inputs(1);
  auto bs = n.requiredInt("blocksize");
  if (failed(in) || failed(bs))
    return failure();
  std::string mode = n.stringAttr("mode", "DCR");
  if (mode != "DCR" && mode != "CRD")
    return n.error() << "unknown mode '" << mode << "'";
  return bindResult(n, n.build<DepthToSpaceOp>(
                           *in, {i64Attr(n, "blocksize", *bs),
                                 boolAttr(n, "column_major", mode == "CRD")}));
}

LogicalResult importSpaceToDepth(NodeImporter &n) {
  auto in = n.inputs(1);
  auto bs = n.requiredInt("blocksize");
  if (failed(in) || failed(bs))
    return failure();
  return bindResult(n, n.build<SpaceToDepthOp>(*in, {i64Attr(n, "blocksize", *bs)}));
}

LogicalResult importEyeLike(NodeImporter &n) {
  auto in = n.inputs(1);
  if (failed(in))
    return failure();
  Type dtype = elementOf((*in)[0]);
  if (n.hasAttribute("dtype")) {
    dtype = elementTypeFromOnnx(n.context(), int(n.intAttr("dtype", 1)));
    if (!dtype)
      return n.error() << "unsupported dtype";
  }
  return bindResult(n, n.build<EyeLikeOp>(
                           *in, {i64Attr(n, "k", n.intAttr("k", 0)),
                                 n.named("dtype", TypeAttr::get(dtype))}));
}

LogicalResult importSize(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  auto type = cast<RankedTensorType>(x.getType());
  auto scalar = RankedTensorType::get(
      {}, IntegerType::get(n.context(), 64, IntegerType::Signed));
  if (type.hasStaticShape())
    return bindResult(n, n.build<ConstantOp>(
                             {}, {n.named("value", DenseElementsAttr::get(
                                                       scalar, APInt(64, type.getNumElements(), true)))}));
  auto shape = n.build<ShapeOp>({x}, {i64Attr(n, "start", 0),
                                      i64Attr(n, "end", type.getRank())});
  if (failed(shape))
    return failure();
  return bindResult(n, n.build<ReduceProdOp>(
                           {*shape}, {n.named("axes", n.i64Array({0})),
                                      boolAttr(n, "keepdims", false)}));
}

template <typename OpTy> LogicalResult importArg(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  auto axis = normalizedAxis(n, n.intAttr("axis", 0), rankOf(x));
  if (failed(axis))
    return failure();
  return bindResult(
      n, n.build<OpTy>({x}, {i64Attr(n, "axis", *axis),
                             boolAttr(n, "keepdims", n.intAttr("keepdims", 1) != 0),
                             boolAttr(n, "select_last_index",
                                      n.intAttr("select_last_index", 0) != 0)}));
}

LogicalResult importEinsum(NodeImporter &n) {
  auto in = n.inputs(n.numInputs());
  if (failed(in))
    return failure();
  std::string equation = n.stringAttr("equation", "");
  return bindResult(n, n.build<EinsumOp>(
                           *in, {n.named("equation", n.builder().getStringAttr(equation))}));
}

LogicalResult importDet(NodeImporter &n) {
  auto in = n.inputs(1);
  if (failed(in))
    return failure();
  return bindResult(n, n.build<DetOp>(*in));
}

LogicalResult importGridSample(NodeImporter &n) {
  auto in = n.inputs(2);
  if (failed(in))
    return failure();
  OpBuilder &b = n.builder();
  return bindResult(n, n.build<GridSampleOp>(
                           *in, {n.named("mode", b.getStringAttr(n.stringAttr("mode", "bilinear"))),
                                 n.named("padding_mode", b.getStringAttr(
                                                             n.stringAttr("padding_mode", "zeros"))),
                                 boolAttr(n, "align_corners", n.intAttr("align_corners", 0) != 0)}));
}

/// RoiAlign: opset 10 places sample points without the half-pixel shift
/// (what opset 16 calls "output_half_pixel"); opset 16 shifts by default.
LogicalResult importRoiAlign(NodeImporter &n) {
  auto in = n.inputs(3);
  if (failed(in))
    return failure();
  std::string ct = n.opset() < 16 ? "output_half_pixel"
                                  : n.stringAttr("coordinate_transformation_mode",
                                                 "half_pixel");
  if (ct != "half_pixel" && ct != "output_half_pixel")
    return n.error() << "coordinate_transformation_mode '" << ct
                     << "' is not half_pixel or output_half_pixel";
  std::string mode = n.stringAttr("mode", "avg");
  if (mode != "avg" && mode != "max")
    return n.error() << "mode '" << mode << "' is not avg or max";
  OpBuilder &b = n.builder();
  return bindResult(
      n, n.build<RoiAlignOp>(
             *in, {n.named("mode", b.getStringAttr(mode)),
                   i64Attr(n, "output_height", n.intAttr("output_height", 1)),
                   i64Attr(n, "output_width", n.intAttr("output_width", 1)),
                   i64Attr(n, "sampling_ratio", n.intAttr("sampling_ratio", 0)),
                   n.named("spatial_scale",
                           b.getF32FloatAttr(n.floatAttr("spatial_scale", 1.0f))),
                   boolAttr(n, "half_pixel", ct == "half_pixel")}));
}

/// NonMaxSuppression: absent limits mean no boxes (max 0), IoU threshold 0
/// and no score threshold.
LogicalResult importNonMaxSuppression(NodeImporter &n) {
  auto in = n.inputs(2);
  if (failed(in))
    return failure();
  Type f = elementOf((*in)[0]);
  SmallVector<Value> operands(*in);
  auto optionalOr = [&](size_t i, FailureOr<Value> fallback) -> FailureOr<Value> {
    if (n.hasInput(i))
      return n.input(i);
    return fallback;
  };
  auto empty = [&](Type t) {
    return n.build<ConstantOp>(
        {}, {n.named("value", DenseElementsAttr::get(RankedTensorType::get({0}, t),
                                                     ArrayRef<Attribute>{}))});
  };
  auto maxOut = optionalOr(2, n.constantI64({0}));
  auto iou = optionalOr(3, scalarConstant(n, f, 0.0));
  auto score = optionalOr(4, empty(f));
  if (failed(maxOut) || failed(iou) || failed(score))
    return failure();
  operands.push_back(*maxOut);
  operands.push_back(*iou);
  operands.push_back(*score);
  return bindResult(n, n.build<NonMaxSuppressionOp>(
                           operands, {boolAttr(n, "center_point_box",
                                               n.intAttr("center_point_box", 0) != 0)}));
}

const OpImporter kImporters[] = {
    {"GridSample", importGridSample},
    {"RoiAlign", importRoiAlign},
    {"NonMaxSuppression", importNonMaxSuppression},
    {"Expand", importExpand},
    {"Tile", importTile},
    {"Pad", importPad},
    {"ConstantOfShape", importConstantOfShape},
    {"Range", importRange},
    {"OneHot", importOneHot},
    {"Trilu", importTrilu},
    {"CumSum", importCumSum},
    {"GatherElements", importGatherElements},
    {"GatherND", importGatherND},
    {"ScatterElements", importScatterElements},
    {"Scatter", importScatterElements},
    {"ScatterND", importScatterND},
    {"Compress", importCompress},
    {"NonZero", importNonZero},
    {"TopK", importTopK},
    {"Unique", importUnique},
    {"ReverseSequence", importReverseSequence},
    {"DepthToSpace", importDepthToSpace},
    {"SpaceToDepth", importSpaceToDepth},
    {"EyeLike", importEyeLike},
    {"Size", importSize},
    {"ArgMax", importArg<ArgMaxOp>},
    {"ArgMin", importArg<ArgMinOp>},
    {"Einsum", importEinsum},
    {"Det", importDet},
};

} // namespace

ArrayRef<OpImporter> indexingImporters() { return kImporters; }

} // namespace kiln::onnx_frontend
