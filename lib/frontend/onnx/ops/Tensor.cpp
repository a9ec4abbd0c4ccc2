//===- Tensor.cpp - importers of shape and data-movement operators --------===//
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/ShapeUtils.h"
#include "lib/frontend/onnx/ops/Builders.h"
#include "lib/frontend/onnx/TensorImport.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {


/// Normalises `axes` against `rank`, reporting the first bad one.
LogicalResult normalizeAxes(NodeImporter &n, SmallVectorImpl<int64_t> &axes,
                            int64_t rank) {
  for (int64_t &a : axes) {
    auto norm = normalizeAxis(a, rank);
    if (!norm)
      return n.error() << "axis " << a << " out of range for rank " << rank;
    a = *norm;
  }
  SmallVector<int64_t> sorted(axes.begin(), axes.end());
  llvm::sort(sorted);
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
    return n.error() << "axes repeat an axis";
  return success();
}

LogicalResult importReshape(NodeImporter &n) {
  Value x = n.input(0), shape = n.input(1);
  if (!x || !shape)
    return failure();
  return bindResult(
      n, n.build<ReshapeOp>({x, shape},
                            {n.named("allow_zero", n.builder().getBoolAttr(
                                                       n.intAttr("allowzero", 0) != 0))}));
}

LogicalResult importTranspose(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  int64_t rank = rankOf(x);
  SmallVector<int64_t> perm;
  if (auto given = n.intsAttr("perm"))
    perm = *given;
  else
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  return bindResult(n, n.build<TransposeOp>({x}, {n.named("perm", n.i64Array(perm))}));
}

LogicalResult importFlatten(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  int64_t rank = rankOf(x), axis = n.intAttr("axis", 1);
  if (axis < -rank || axis > rank)
    return n.error() << "axis " << axis << " out of range for rank " << rank;
  if (axis < 0)
    axis += rank;
  return bindResult(n, n.build<FlattenOp>(
                           {x}, {n.named("axis", n.builder().getI64IntegerAttr(axis))}));
}

/// Squeeze/Unsqueeze axes: an attribute before opset 13, an input after.
FailureOr<std::optional<SmallVector<int64_t>>> readAxes(NodeImporter &n) {
  if (n.opset() < 13) {
    return n.intsAttr("axes");
  }
  if (!n.hasInput(1))
    return std::optional<SmallVector<int64_t>>();
  auto values = n.constantInts(1, "axes");
  if (failed(values))
    return failure();
  return std::optional<SmallVector<int64_t>>(*values);
}

/// Opset 13+ axes given as a graph input (not a constant): the operand to
/// pass as `dynamic_axes`, or null.
Value dynamicAxesInput(NodeImporter &n) {
  if (n.opset() < 13 || !n.hasInput(1) || n.maybeConstantInts(1))
    return nullptr;
  return n.input(1);
}

template <typename OpTy> LogicalResult importWithDynamicAxes(NodeImporter &n,
                                                             Value axes) {
  Value x = n.input(0);
  if (!x)
    return failure();
  auto t = cast<RankedTensorType>(axes.getType());
  if (t.getRank() != 1 || t.isDynamicDim(0))
    return n.error() << "axes of unknown length are not supported";
  return bindResult(n, n.build<OpTy>({x, axes}, {n.named("axes", n.i64Array({}))}));
}

LogicalResult importSqueeze(NodeImporter &n) {
  if (Value axes = dynamicAxesInput(n))
    return importWithDynamicAxes<SqueezeOp>(n, axes);
  Value x = n.input(0);
  auto given = readAxes(n);
  if (!x || failed(given))
    return failure();
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> axes;
  if (*given) {
    axes = **given;
    if (failed(normalizeAxes(n, axes, type.getRank())))
      return failure();
    llvm::sort(axes);
  } else {
    // No axes: every size-1 dimension, which must then be known.
    for (int64_t i = 0; i < type.getRank(); ++i) {
      if (type.isDynamicDim(i))
        return n.error() << "Squeeze without axes needs static dimensions; "
                            "dimension "
                         << i << " is dynamic";
      if (type.getDimSize(i) == 1)
        axes.push_back(i);
    }
  }
  return bindResult(n, n.build<SqueezeOp>({x}, {n.named("axes", n.i64Array(axes))}));
}

LogicalResult importUnsqueeze(NodeImporter &n) {
  if (Value axes = dynamicAxesInput(n))
    return importWithDynamicAxes<UnsqueezeOp>(n, axes);
  Value x = n.input(0);
  auto given = readAxes(n);
  if (!x || failed(given))
    return failure();
  if (!*given)
    return n.error() << "axes are required";
  SmallVector<int64_t> axes = **given;
  if (failed(normalizeAxes(n, axes, rankOf(x) + int64_t(axes.size()))))
    return failure();
  llvm::sort(axes);
  return bindResult(n, n.build<UnsqueezeOp>({x}, {n.named("axes", n.i64Array(axes))}));
}

LogicalResult importConcat(NodeImporter &n) {
  SmallVector<Value> inputs;
  for (size_t i = 0; i < n.numInputs(); ++i) {
    Value v = n.input(i);
    if (!v)
      return failure();
    inputs.push_back(v);
  }
  auto axis = n.requiredInt("axis");
  if (failed(axis) || inputs.empty())
    return n.error() << "needs at least one input and an axis";
  auto norm = normalizeAxis(*axis, rankOf(inputs.front()));
  if (!norm)
    return n.error() << "axis " << *axis << " out of range";
  return bindResult(n, n.build<ConcatOp>(
                           inputs, {n.named("axis", n.builder().getI64IntegerAttr(*norm))}));
}

LogicalResult importGather(NodeImporter &n) {
  Value data = n.input(0), indices = n.input(1);
  if (!data || !indices)
    return failure();
  int64_t axis = n.intAttr("axis", 0);
  auto norm = normalizeAxis(axis, rankOf(data));
  if (!norm)
    return n.error() << "axis " << axis << " out of range for rank "
                     << rankOf(data);
  return bindResult(n, n.build<GatherOp>(
                           {data, indices},
                           {n.named("axis", n.builder().getI64IntegerAttr(*norm))}));
}

LogicalResult importSlice(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  int64_t rank = rankOf(x);
  Value starts, ends, steps;
  SmallVector<int64_t> axes;
  if (n.opset() < 10) {
    auto s = n.requiredInts("starts"), e = n.requiredInts("ends");
    if (failed(s) || failed(e))
      return failure();
    if (auto a = n.intsAttr("axes"))
      axes = *a;
    else
      for (int64_t i = 0; i < int64_t(s->size()); ++i)
        axes.push_back(i);
    auto sv = n.constantI64(*s), ev = n.constantI64(*e);
    auto one = n.constantI64(SmallVector<int64_t>(s->size(), 1));
    if (failed(sv) || failed(ev) || failed(one))
      return failure();
    starts = *sv;
    ends = *ev;
    steps = *one;
  } else {
    starts = n.input(1);
    ends = n.input(2);
    if (!starts || !ends)
      return failure();
    auto startsType = cast<RankedTensorType>(starts.getType());
    if (startsType.getRank() != 1 || startsType.isDynamicDim(0))
      return n.error() << "starts must be a 1-D tensor of known length";
    int64_t count = startsType.getDimSize(0);
    if (n.hasInput(3) && !n.maybeConstantInts(3)) {
      // Axes known only at run time.
      Value dynamicAxes = n.input(3);
      Value stepsValue = n.hasInput(4) ? n.input(4) : nullptr;
      if (!stepsValue) {
        auto one = n.constantI64(SmallVector<int64_t>(count, 1));
        if (failed(one))
          return failure();
        stepsValue = *one;
      }
      return bindResult(n, n.build<SliceOp>(
                               {x, starts, ends, stepsValue, dynamicAxes},
                               {n.named("axes", n.i64Array({}))}));
    }
    if (n.hasInput(3)) {
      axes = *n.maybeConstantInts(3);
    } else {
      for (int64_t i = 0; i < count; ++i)
        axes.push_back(i);
    }
    if (n.hasInput(4)) {
      steps = n.input(4);
    } else {
      auto one = n.constantI64(SmallVector<int64_t>(count, 1));
      if (failed(one))
        return failure();
      steps = *one;
    }
  }
  if (failed(normalizeAxes(n, axes, rank)))
    return failure();
  return bindResult(n, n.build<SliceOp>({x, starts, ends, steps},
                                        {n.named("axes", n.i64Array(axes))}));
}

LogicalResult importShape(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  int64_t rank = rankOf(x);
  auto clamp = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::max<int64_t>(0, std::min(rank, v));
  };
  int64_t start = clamp(n.intAttr("start", 0));
  int64_t end = std::max(start, clamp(n.intAttr("end", rank)));
  OpBuilder &b = n.builder();
  return bindResult(n, n.build<ShapeOp>({x}, {n.named("start", b.getI64IntegerAttr(start)),
                                             n.named("end", b.getI64IntegerAttr(end))}));
}

LogicalResult importConstant(NodeImporter &n) {
  OpBuilder &b = n.builder();
  ElementsAttr value;
  if (const auto *a = n.attribute("value")) {
    auto imported = importTensor(a->t(), n.loc(), ".", 64);
    if (failed(imported))
      return failure();
    value = *imported;
  } else if (const auto *a = n.attribute("value_float")) {
    value = DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                   a->f());
  } else if (auto floats = n.floatsAttr("value_floats")) {
    value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(floats->size())}, b.getF32Type()),
        ArrayRef<float>(*floats));
  } else if (const auto *a = n.attribute("value_int")) {
    auto type = RankedTensorType::get(
        {}, IntegerType::get(n.context(), 64, IntegerType::Signed));
    value = DenseElementsAttr::get(type, APInt(64, a->i(), true));
  } else if (auto ints = n.intsAttr("value_ints")) {
    auto c = n.constantI64(*ints);
    return bindResult(n, c);
  } else {
    return n.error() << "only tensor, float and int constants are supported "
                        "(not sparse or string ones)";
  }
  return bindResult(n, n.build<ConstantOp>({}, {n.named("value", value)}));
}

/// Split: each output is a slice along `axis`. Sizes come from the `split`
/// attribute (opset < 13) or input, else the dimension is divided evenly
/// (from opset 18, the last part may be smaller).
LogicalResult importSplit(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  auto type = cast<RankedTensorType>(x.getType());
  auto axis = normalizeAxis(n.intAttr("axis", 0), type.getRank());
  if (!axis)
    return n.error() << "axis out of range";
  int64_t parts = n.numOutputs();
  if (n.opset() >= 18 && n.hasAttribute("num_outputs")) {
    int64_t given = n.intAttr("num_outputs", 0);
    if (n.hasInput(1))
      return n.error() << "num_outputs and the split input are exclusive";
    if (given != parts)
      return n.error() << "num_outputs is " << given << " but the node has "
                       << parts << " outputs";
  }
  SmallVector<int64_t> sizes;
  if (n.opset() < 13) {
    if (auto s = n.intsAttr("split"))
      sizes = *s;
  } else if (n.hasInput(1)) {
    auto s = n.maybeConstantInts(1);
    if (!s) {
      // Sizes known only at run time: start_i = sum(split[:i]).
      Value split = n.input(1);
      auto zero = n.constantI64({0});
      if (failed(zero))
        return failure();
      Value start = *zero;
      for (int64_t i = 0; i < parts; ++i) {
        auto size = sliceAxis(n, split, 0, i, i + 1);
        if (failed(size))
          return failure();
        auto end = n.build<AddOp>({start, *size});
        if (failed(end))
          return failure();
        auto one = n.constantI64({1});
        if (failed(one))
          return failure();
        auto r = n.build<SliceOp>({x, start, *end, *one},
                                  {n.named("axes", n.i64Array({*axis}))});
        if (failed(r))
          return failure();
        n.setOutput(i, *r);
        start = *end;
      }
      return success();
    }
    sizes = *s;
  }
  int64_t dim = type.getDimSize(*axis);
  auto bound = [&](int64_t v) { return v; };
  OpBuilder &b = n.builder();
  auto slice = [&](Value start, Value end) {
    auto one = n.constantI64({1});
    if (failed(one))
      return FailureOr<Value>(failure());
    return n.build<SliceOp>({x, start, end, *one},
                            {n.named("axes", n.i64Array({*axis}))});
  };
  if (sizes.empty() && isDynamic(dim)) {
    // Even parts of a size known only at run time: chunk = ceil(dim / n).
    auto shape = n.build<ShapeOp>({x}, {n.named("start", b.getI64IntegerAttr(*axis)),
                                        n.named("end", b.getI64IntegerAttr(*axis + 1))});
    auto count = n.constantI64({parts}), minus1 = n.constantI64({parts - 1});
    if (failed(shape) || failed(count) || failed(minus1))
      return failure();
    auto padded = n.build<AddOp>({*shape, *minus1});
    if (failed(padded))
      return failure();
    auto chunk = n.build<DivOp>({*padded, *count});
    if (failed(chunk))
      return failure();
    for (int64_t i = 0; i < parts; ++i) {
      auto ci = n.constantI64({i}), cj = n.constantI64({i + 1});
      if (failed(ci) || failed(cj))
        return failure();
      auto start = n.build<MulOp>({*chunk, *ci});
      auto end = n.build<MulOp>({*chunk, *cj});
      if (failed(start) || failed(end))
        return failure();
      auto r = slice(*start, *end);
      if (failed(r))
        return failure();
      n.setOutput(i, *r);
    }
    return success();
  }
  if (sizes.empty()) {
    int64_t chunk = (dim + parts - 1) / parts;
    if (n.opset() < 18 && dim % parts != 0)
      return n.error() << "cannot split dimension of size " << dim << " into "
                       << parts << " equal parts";
    for (int64_t i = 0; i < parts; ++i)
      sizes.push_back(std::min(chunk, std::max<int64_t>(0, dim - i * chunk)));
  }
  if (int64_t(sizes.size()) != parts)
    return n.error() << "split gives " << sizes.size() << " sizes for "
                     << parts << " outputs";
  int64_t start = 0;
  for (int64_t i = 0; i < parts; ++i) {
    auto s = n.constantI64({bound(start)}), e = n.constantI64({start + sizes[i]});
    if (failed(s) || failed(e))
      return failure();
    auto r = slice(*s, *e);
    if (failed(r))
      return failure();
    n.setOutput(i, *r);
    start += sizes[i];
  }
  if (!isDynamic(dim) && start != dim)
    return n.error() << "split sizes add up to " << start
                     << ", the dimension is " << dim;
  return success();
}

/// One axis of CenterCropPad whose size is known only at run time: slice
/// [max(d - size, 0) / 2, + min(d, size)), then pad max(size - d, 0) split
/// as evenly as possible (the larger half after). Both steps are no-ops
/// when they do not apply.
FailureOr<Value> centerCropPadDynamic(NodeImporter &n, Value v, int64_t axis,
                                      int64_t size) {
  OpBuilder &b = n.builder();
  auto d = n.build<ShapeOp>({v}, {n.named("start", b.getI64IntegerAttr(axis)),
                                  n.named("end", b.getI64IntegerAttr(axis + 1))});
  auto target = n.constantI64({size}), zero = n.constantI64({0}),
       two = n.constantI64({2}), one = n.constantI64({1});
  if (failed(d) || failed(target) || failed(zero) || failed(two) || failed(one))
    return failure();
  auto diff = n.build<SubOp>({*d, *target});
  if (failed(diff))
    return failure();
  auto excess = n.build<MaxOp>({*diff, *zero});
  auto kept = n.build<MinOp>({*d, *target});
  if (failed(excess) || failed(kept))
    return failure();
  auto start = n.build<DivOp>({*excess, *two});
  if (failed(start))
    return failure();
  auto end = n.build<AddOp>({*start, *kept});
  if (failed(end))
    return failure();
  auto cropped = n.build<SliceOp>({v, *start, *end, *one},
                                  {n.named("axes", n.i64Array({axis}))});
  if (failed(cropped))
    return failure();
  auto negDiff = n.build<NegOp>({*diff});
  if (failed(negDiff))
    return failure();
  auto deficit = n.build<MaxOp>({*negDiff, *zero});
  if (failed(deficit))
    return failure();
  auto before = n.build<DivOp>({*deficit, *two});
  if (failed(before))
    return failure();
  auto after = n.build<SubOp>({*deficit, *before});
  if (failed(after))
    return failure();
  auto pads = n.build<ConcatOp>({*before, *after},
                                {n.named("axis", b.getI64IntegerAttr(0))});
  if (failed(pads))
    return failure();
  return n.build<PadOp>({*cropped, *pads}, {n.named("axes", n.i64Array({axis}))});
}

/// CenterCropPad (opset 18): crop or pad each listed axis to the target
/// size, centred (extra padding at the end, extra cropping at the start).
/// The target sizes must be constants: they fix the output's shape.
LogicalResult importCenterCropPad(NodeImporter &n) {
  Value x = n.input(0);
  auto target = n.constantInts(1, "shape");
  if (!x || failed(target))
    return failure();
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> axes;
  if (auto a = n.intsAttr("axes"))
    axes = *a;
  else
    for (int64_t i = 0; i < type.getRank(); ++i)
      axes.push_back(i);
  if (axes.size() != target->size())
    return n.error() << "shape needs one entry per axis";
  if (failed(normalizeAxes(n, axes, type.getRank())))
    return failure();
  Value v = x;
  for (auto [axis, size] : llvm::zip(axes, *target)) {
    int64_t dim = type.getDimSize(axis);
    if (isDynamic(dim)) {
      auto r = centerCropPadDynamic(n, v, axis, size);
      if (failed(r))
        return failure();
      v = *r;
      continue;
    }
    if (size < dim) {
      int64_t start = (dim - size) / 2;
      auto r = sliceAxis(n, v, axis, start, start + size);
      if (failed(r))
        return failure();
      v = *r;
    } else if (size > dim) {
      int64_t before = (size - dim) / 2, after = size - dim - before;
      auto pads = n.constantI64({before, after});
      if (failed(pads))
        return failure();
      auto r = n.build<PadOp>({v, *pads}, {n.named("axes", n.i64Array({axis}))});
      if (failed(r))
        return failure();
      v = *r;
    }
  }
  n.setOutput(0, v);
  return success();
}

const OpImporter kImporters[] = {
    {"CenterCropPad", importCenterCropPad},
    {"Split", importSplit},
    {"Reshape", importReshape},     {"Transpose", importTranspose},
    {"Flatten", importFlatten},     {"Squeeze", importSqueeze},
    {"Unsqueeze", importUnsqueeze}, {"Concat", importConcat},
    {"Gather", importGather},       {"Slice", importSlice},
    {"Shape", importShape},         {"Constant", importConstant},
};

} // namespace

ArrayRef<OpImporter> tensorImporters() { return kImporters; }

} // namespace kiln::onnx_frontend
