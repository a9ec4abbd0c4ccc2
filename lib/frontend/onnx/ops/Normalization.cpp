//===- Normalization.cpp - importers of normalisation operators -----------===//
//
// InstanceNormalization and LRN are decompositions into kiln ops.
//
//===----------------------------------------------------------------------===//
#include "dialects/kiln/ShapeUtils.h"
#include "lib/frontend/onnx/ops/Builders.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

/// (x - mean) / sqrt(var + epsilon) * scale + bias over the spatial axes.
LogicalResult importInstanceNorm(NodeImporter &n) {
  Value x = n.input(0), scale = n.input(1), bias = n.input(2);
  if (!x || !scale || !bias)
    return failure();
  int64_t rank = rankOf(x);
  if (rank < 3)
    return n.error() << "input must have rank >= 3";
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < rank; ++i)
    axes.push_back(i);
  OpBuilder &b = n.builder();
  auto reduceAttrs = [&] {
    return SmallVector<NamedAttribute>{n.named("axes", n.i64Array(axes)),
                                       n.named("keepdims", b.getBoolAttr(true))};
  };
  auto mean = n.build<ReduceMeanOp>({x}, reduceAttrs());
  if (failed(mean))
    return failure();
  auto d = n.build<SubOp>({x, *mean});
  if (failed(d))
    return failure();
  auto sq = n.build<MulOp>({*d, *d});
  if (failed(sq))
    return failure();
  auto var = n.build<ReduceMeanOp>({*sq}, reduceAttrs());
  auto eps = scalarConstant(n, elementOf(x), n.floatAttr("epsilon", 1e-5f));
  if (failed(var) || failed(eps))
    return failure();
  auto ve = n.build<AddOp>({*var, *eps});
  if (failed(ve))
    return failure();
  auto sd = n.build<SqrtOp>({*ve});
  if (failed(sd))
    return failure();
  auto normalized = n.build<DivOp>({*d, *sd});
  auto s = alongAxis(n, scale, rank, 1), bb = alongAxis(n, bias, rank, 1);
  if (failed(normalized) || failed(s) || failed(bb))
    return failure();
  auto scaled = n.build<MulOp>({*normalized, *s});
  if (failed(scaled))
    return failure();
  return bindResult(n, n.build<AddOp>({*scaled, *bb}));
}

/// The largest LRN size imported when the channels are not known: one
/// slice and add per offset.
constexpr int64_t kLrnDynamicLimit = 1024;

/// y = x / (bias + alpha / size * sum of x^2 over a window of channels)^beta.
LogicalResult importLRN(NodeImporter &n) {
  Value x = n.input(0);
  auto size = n.requiredInt("size");
  if (!x || failed(size))
    return failure();
  if (*size < 1)
    return n.error() << "size must be >= 1";
  auto xt = dyn_cast<RankedTensorType>(x.getType());
  if (!xt || xt.getRank() < 2)
    return n.error() << "the input must have rank 2 or more (N, C, ...)";
  // The window is one slice per channel offset; those beyond C - 1 on
  // either side read only padding, so a static channel count bounds them.
  int64_t before = (*size - 1) / 2, after = *size - 1 - before;
  if (!xt.isDynamicDim(1)) {
    int64_t reach = std::max<int64_t>(xt.getDimSize(1) - 1, 0);
    before = std::min(before, reach);
    after = std::min(after, reach);
  } else if (*size > kLrnDynamicLimit) {
    return n.error() << "size " << *size << " is larger than "
                     << kLrnDynamicLimit
                     << " with a channel count known only at run time";
  }
  Type t = elementOf(x);
  auto sq = n.build<MulOp>({x, x});
  if (failed(sq))
    return failure();
  auto pads = n.constantI64({before, after});
  if (failed(pads))
    return failure();
  auto padded = n.build<PadOp>({*sq, *pads}, {n.named("axes", n.i64Array({1}))});
  if (failed(padded))
    return failure();
  Value sum;
  int64_t window = before + 1 + after;
  for (int64_t i = 0; i < window; ++i) {
    int64_t fromEnd = window - 1 - i;
    auto window = sliceAxis(n, *padded, 1, i,
                            fromEnd == 0 ? INT64_MAX : -fromEnd);
    if (failed(window))
      return failure();
    if (!sum) {
      sum = *window;
      continue;
    }
    auto s = n.build<AddOp>({sum, *window});
    if (failed(s))
      return failure();
    sum = *s;
  }
  auto alpha = scalarConstant(n, t, n.floatAttr("alpha", 1e-4f) / float(*size));
  auto bias = scalarConstant(n, t, n.floatAttr("bias", 1.0f));
  auto beta = scalarConstant(n, t, n.floatAttr("beta", 0.75f));
  if (failed(alpha) || failed(bias) || failed(beta))
    return failure();
  auto scaled = n.build<MulOp>({sum, *alpha});
  if (failed(scaled))
    return failure();
  auto base = n.build<AddOp>({*bias, *scaled});
  if (failed(base))
    return failure();
  auto denom = n.build<PowOp>({*base, *beta});
  if (failed(denom))
    return failure();
  return bindResult(n, n.build<DivOp>({x, *denom}));
}

/// GroupNormalization (opset 18+): statistics per (batch, group) over the
/// group's channels and all spatial positions. Opset 18 scales per group,
/// opset 21 per channel.
LogicalResult importGroupNorm(NodeImporter &n) {
  Value x = n.input(0), scale = n.input(1), bias = n.input(2);
  auto groups = n.requiredInt("num_groups");
  if (!x || !scale || !bias || failed(groups))
    return failure();
  int64_t rank = rankOf(x);
  if (rank < 3)
    return n.error() << "input must have rank >= 3";
  if (*groups <= 0)
    return n.error() << "num_groups must be positive, got " << *groups;
  int64_t channels = cast<RankedTensorType>(x.getType()).getDimSize(1);
  if (!isDynamic(channels) && channels % *groups != 0)
    return n.error() << "num_groups " << *groups << " does not divide the "
                     << channels << " channels";
  // Opset 18 scales per group, 21 per channel.
  int64_t scaleSize = n.opset() < 21 ? *groups : channels;
  for (Value v : {scale, bias}) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() != 1 ||
        (!t.isDynamicDim(0) && !isDynamic(scaleSize) && t.getDimSize(0) != scaleSize))
      return n.error() << "scale and bias must have " << scaleSize
                       << " entries (num_groups " << *groups << ", opset "
                       << n.opset() << ")";
  }
  OpBuilder &b = n.builder();
  auto grouped = n.constantI64({0, *groups, -1});
  if (failed(grouped))
    return failure();
  auto g = n.build<ReshapeOp>({x, *grouped});
  if (failed(g))
    return failure();
  auto reduceAttrs = SmallVector<NamedAttribute>{n.named("axes", n.i64Array({2})),
                                                 n.named("keepdims", b.getBoolAttr(true))};
  auto mean = n.build<ReduceMeanOp>({*g}, reduceAttrs);
  if (failed(mean))
    return failure();
  auto d = n.build<SubOp>({*g, *mean});
  if (failed(d))
    return failure();
  auto sq = n.build<MulOp>({*d, *d});
  auto eps = scalarConstant(n, elementOf(x), n.floatAttr("epsilon", 1e-5f));
  if (failed(sq) || failed(eps))
    return failure();
  auto var = n.build<ReduceMeanOp>({*sq}, reduceAttrs);
  if (failed(var))
    return failure();
  auto ve = n.build<AddOp>({*var, *eps});
  if (failed(ve))
    return failure();
  auto sd = n.build<SqrtOp>({*ve});
  if (failed(sd))
    return failure();
  auto normalized = n.build<DivOp>({*d, *sd});
  if (failed(normalized))
    return failure();
  Value y = *normalized;
  bool perGroup = n.opset() < 21;
  if (perGroup) {
    auto s = alongAxis(n, scale, 3, 1), bb = alongAxis(n, bias, 3, 1);
    if (failed(s) || failed(bb))
      return failure();
    auto scaled = n.build<MulOp>({y, *s});
    if (failed(scaled))
      return failure();
    auto shifted = n.build<AddOp>({*scaled, *bb});
    if (failed(shifted))
      return failure();
    y = *shifted;
  }
  auto shape = n.build<ShapeOp>({x}, {n.named("start", b.getI64IntegerAttr(0)),
                                      n.named("end", b.getI64IntegerAttr(rank))});
  if (failed(shape))
    return failure();
  auto back = n.build<ReshapeOp>({y, *shape});
  if (failed(back) || perGroup)
    return bindResult(n, back);
  auto s = alongAxis(n, scale, rank, 1), bb = alongAxis(n, bias, rank, 1);
  if (failed(s) || failed(bb))
    return failure();
  auto scaled = n.build<MulOp>({*back, *s});
  if (failed(scaled))
    return failure();
  return bindResult(n, n.build<AddOp>({*scaled, *bb}));
}

/// LayerNormalization (opset 17) as kiln.layer_norm, computed in the
/// stash type (float32 by default) as ONNX specifies. The optional Mean
/// and InvStdDev outputs are computed alongside when the model uses them.
LogicalResult importLayerNorm(NodeImporter &n) {
  Value x = n.input(0), scale = n.input(1);
  if (!x || !scale)
    return failure();
  Value bias = n.optionalInput(2);
  int64_t rank = rankOf(x);
  auto axis = normalizeAxis(n.intAttr("axis", -1), std::max<int64_t>(rank, 1));
  if (!axis || rank == 0)
    return n.error() << "axis out of range for rank " << rank;
  OpBuilder &b = n.builder();
  Type element = elementOf(x);
  Type stash = n.intAttr("stash_type", 1) == 1 ? Type(b.getF32Type()) : element;
  float epsilon = n.floatAttr("epsilon", 1e-5f);
  auto castTo = [&](Value v, Type t) -> FailureOr<Value> {
    if (!v || elementOf(v) == t)
      return v;
    return n.build<CastOp>({v}, {n.named("to", TypeAttr::get(t))});
  };
  auto xs = castTo(x, stash), ss = castTo(scale, stash), bs = castTo(bias, stash);
  if (failed(xs) || failed(ss) || failed(bs))
    return failure();
  SmallVector<Value> operands = {*xs, *ss};
  if (*bs)
    operands.push_back(*bs);
  auto y = n.build<LayerNormOp>(
      operands, {n.named("axis", b.getI64IntegerAttr(*axis)),
                 n.named("epsilon", b.getF32FloatAttr(epsilon)),
                 n.named("operandSegmentSizes",
                         b.getDenseI32ArrayAttr({1, 1, *bs ? 1 : 0}))});
  if (failed(y))
    return failure();
  auto out = castTo(*y, element);
  if (failed(out))
    return failure();
  n.setOutput(0, *out);
  bool wantMean = n.numOutputs() > 1 && !n.node().output(1).empty();
  bool wantInvStd = n.numOutputs() > 2 && !n.node().output(2).empty();
  if (!wantMean && !wantInvStd)
    return success();
  SmallVector<int64_t> axes;
  for (int64_t a = *axis; a < rank; ++a)
    axes.push_back(a);
  SmallVector<NamedAttribute> reduce = {n.named("axes", n.i64Array(axes)),
                                        n.named("keepdims", b.getBoolAttr(true))};
  auto mean = n.build<ReduceMeanOp>({*xs}, reduce);
  if (failed(mean))
    return failure();
  if (wantMean)
    n.setOutput(1, *mean);
  if (!wantInvStd)
    return success();
  auto d = n.build<SubOp>({*xs, *mean});
  if (failed(d))
    return failure();
  auto sq = n.build<MulOp>({*d, *d});
  if (failed(sq))
    return failure();
  auto var = n.build<ReduceMeanOp>({*sq}, reduce);
  auto eps = scalarConstant(n, stash, epsilon);
  if (failed(var) || failed(eps))
    return failure();
  auto ve = n.build<AddOp>({*var, *eps});
  if (failed(ve))
    return failure();
  auto sd = n.build<SqrtOp>({*ve});
  if (failed(sd))
    return failure();
  auto inv = n.build<ReciprocalOp>({*sd});
  if (failed(inv))
    return failure();
  n.setOutput(2, *inv);
  return success();
}

const OpImporter kImporters[] = {
    {"LayerNormalization", importLayerNorm},
    {"GroupNormalization", importGroupNorm},
    {"InstanceNormalization", importInstanceNorm},
    {"LRN", importLRN},
};

} // namespace

ArrayRef<OpImporter> normalizationImporters() { return kImporters; }

} // namespace kiln::onnx_frontend
