//===- NN.cpp - importers of contraction, window and normalisation ops ----===//
#include "dialects/kiln/ShapeUtils.h"
#include "lib/frontend/onnx/ops/Builders.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

LogicalResult importMatMul(NodeImporter &n) {
  Value a = n.input(0), b = n.input(1);
  if (!a || !b)
    return failure();
  FailureOr<Value> quantized = dequantizedMatMul(n);
  if (failed(quantized) || *quantized)
    return bindResult(n, quantized);
  return bindResult(n, n.build<MatMulOp>({a, b}));
}

LogicalResult importGemm(NodeImporter &n) {
  Value a = n.input(0), b = n.input(1);
  if (!a || !b)
    return failure();
  SmallVector<Value> operands = {a, b};
  if (n.hasInput(2))
    operands.push_back(n.input(2));
  OpBuilder &bld = n.builder();
  return bindResult(
      n, n.build<GemmOp>(
             operands,
             {n.named("alpha", bld.getF32FloatAttr(n.floatAttr("alpha", 1.0f))),
              n.named("beta", bld.getF32FloatAttr(n.floatAttr("beta", 1.0f))),
              n.named("trans_a", bld.getBoolAttr(n.intAttr("transA", 0) != 0)),
              n.named("trans_b", bld.getBoolAttr(n.intAttr("transB", 0) != 0))}));
}

/// Window attributes with ONNX defaults, and auto_pad turned into explicit
/// pads where the input's spatial sizes are known.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, pads;
  std::string autoPad;
};

/// Window attributes as ONNX allows them: kernel sizes, strides and
/// dilations of at least 1, pads of at least 0, none so large that the
/// window arithmetic could overflow. An empty list is not checked.
LogicalResult checkWindowValues(NodeImporter &n, ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> dilations,
                                ArrayRef<int64_t> pads) {
  constexpr int64_t kLimit = int64_t(1) << 31;
  auto check = [&](ArrayRef<int64_t> values, int64_t least,
                   const char *what) -> LogicalResult {
    for (int64_t v : values)
      if (v < least || v > kLimit) {
        InFlightDiagnostic d = n.error() << what << " [";
        llvm::interleaveComma(values, d);
        return d << "]: each must be in [" << least << ", 2^31]";
      }
    return success();
  };
  return success(succeeded(check(kernel, 1, "kernel sizes")) &&
                 succeeded(check(strides, 1, "strides")) &&
                 succeeded(check(dilations, 1, "dilations")) &&
                 succeeded(check(pads, 0, "pads")));
}

/// A convolution filter's spatial sizes ([M, C/group, k1, ...] less its
/// first two dimensions), which must be known at compile time.
FailureOr<SmallVector<int64_t>> filterKernel(NodeImporter &n, Value filter) {
  auto t = cast<RankedTensorType>(filter.getType());
  if (t.getRank() < 3)
    return n.error() << "the filter has rank " << t.getRank()
                     << ", expected [M, C/group, k1, ...] (rank 3 or more)";
  SmallVector<int64_t> kernel(t.getShape().drop_front(2));
  if (llvm::any_of(kernel, isDynamic))
    return n.error() << "the filter's spatial sizes " << shapeToString(kernel)
                     << " must be known at compile time";
  return kernel;
}

FailureOr<Window> readWindow(NodeImporter &n, RankedTensorType input,
                             ArrayRef<int64_t> kernel) {
  Window w;
  int64_t k = kernel.size();
  if (input.getRank() != k + 2)
    return n.error() << "input has rank " << input.getRank() << ", expected "
                     << k + 2 << " for a " << k << "-d window";
  w.kernel.assign(kernel.begin(), kernel.end());
  w.strides = n.intsAttr("strides").value_or(SmallVector<int64_t>(k, 1));
  w.dilations = n.intsAttr("dilations").value_or(SmallVector<int64_t>(k, 1));
  w.pads = n.intsAttr("pads").value_or(SmallVector<int64_t>(2 * k, 0));
  w.autoPad = n.stringAttr("auto_pad", "NOTSET");
  if (w.autoPad.empty())
    w.autoPad = "NOTSET";
  if (int64_t(w.strides.size()) != k || int64_t(w.dilations.size()) != k ||
      int64_t(w.pads.size()) != 2 * k)
    return n.error() << "strides, dilations and pads must have " << k << ", "
                     << k << " and " << 2 * k << " entries";
  if (failed(checkWindowValues(n, w.kernel, w.strides, w.dilations, w.pads)))
    return failure();
  if (w.autoPad == "VALID") {
    w.pads.assign(2 * k, 0);
    w.autoPad = "NOTSET";
  } else if (w.autoPad == "SAME_UPPER" || w.autoPad == "SAME_LOWER") {
    // The output is ceil(in / stride) and the total padding what the last
    // window needs beyond the input: with stride 1 that is span - 1 whatever
    // the size, so only a strided axis of unknown size keeps auto_pad (its
    // padding is computed at run time).
    ArrayRef<int64_t> spatial = input.getShape().drop_front(2);
    bool resolvable = true;
    for (int64_t i = 0; i < k; ++i)
      resolvable &= !isDynamic(spatial[i]) || w.strides[i] == 1;
    if (resolvable) {
      for (int64_t i = 0; i < k; ++i) {
        int64_t s = w.strides[i];
        int64_t span = (w.kernel[i] - 1) * w.dilations[i] + 1;
        int64_t total = span - 1;
        if (s != 1) {
          int64_t in = spatial[i], out = (in + s - 1) / s;
          total = std::max<int64_t>(0, (out - 1) * s + span - in);
        }
        int64_t small = total / 2, large = total - small;
        bool upper = w.autoPad == "SAME_UPPER";
        w.pads[i] = upper ? small : large;
        w.pads[i + k] = upper ? large : small;
      }
      w.autoPad = "NOTSET";
    }
  } else if (w.autoPad != "NOTSET") {
    return n.error() << "unknown auto_pad '" << w.autoPad << "'";
  }
  return w;
}

SmallVector<NamedAttribute> windowAttrs(NodeImporter &n, const Window &w,
                                        bool withKernel) {
  SmallVector<NamedAttribute> attrs = {
      n.named("pads", n.i64Array(w.pads)),
      n.named("strides", n.i64Array(w.strides)),
      n.named("dilations", n.i64Array(w.dilations)),
      n.named("auto_pad", n.builder().getStringAttr(w.autoPad))};
  if (withKernel)
    attrs.push_back(n.named("kernel_shape", n.i64Array(w.kernel)));
  return attrs;
}

LogicalResult importConv(NodeImporter &n) {
  Value x = n.input(0), wt = n.input(1);
  if (!x || !wt)
    return failure();
  FailureOr<SmallVector<int64_t>> kernel = filterKernel(n, wt);
  if (failed(kernel))
    return failure();
  if (auto given = n.intsAttr("kernel_shape"))
    if (*given != *kernel)
      return n.error() << "kernel_shape " << shapeToString(*given)
                       << " differs from the weight's "
                       << shapeToString(*kernel);
  FailureOr<Value> quantized = dequantizedConv(n);
  if (failed(quantized) || *quantized)
    return bindResult(n, quantized);
  auto w = readWindow(n, cast<RankedTensorType>(x.getType()), *kernel);
  if (failed(w))
    return failure();
  SmallVector<Value> operands = {x, wt};
  if (n.hasInput(2))
    operands.push_back(n.input(2));
  SmallVector<NamedAttribute> attrs = windowAttrs(n, *w, false);
  attrs.push_back(
      n.named("group", n.builder().getI64IntegerAttr(n.intAttr("group", 1))));
  return bindResult(n, n.build<ConvOp>(operands, attrs));
}

template <typename OpTy> LogicalResult importPool(NodeImporter &n) {
  Value x = n.input(0);
  auto kernel = n.requiredInts("kernel_shape");
  if (!x || failed(kernel))
    return failure();
  auto w = readWindow(n, cast<RankedTensorType>(x.getType()), *kernel);
  if (failed(w))
    return failure();
  SmallVector<NamedAttribute> attrs = windowAttrs(n, *w, true);
  OpBuilder &b = n.builder();
  attrs.push_back(
      n.named("ceil_mode", b.getBoolAttr(n.intAttr("ceil_mode", 0) != 0)));
  if (std::is_same_v<OpTy, AveragePoolOp>)
    attrs.push_back(n.named("count_include_pad",
                            b.getBoolAttr(n.intAttr("count_include_pad", 0) != 0)));
  if (std::is_same_v<OpTy, MaxPoolOp> && n.wantsOutput(1)) {
    SmallVector<NamedAttribute> indexAttrs(attrs);
    indexAttrs.push_back(n.named(
        "column_major", b.getBoolAttr(n.intAttr("storage_order", 0) != 0)));
    auto indices = n.build<MaxPoolIndicesOp>({x}, indexAttrs);
    if (failed(indices))
      return failure();
    n.setOutput(1, *indices);
  }
  return bindResult(n, n.build<OpTy>({x}, attrs));
}

/// MaxUnpool: the output shape is given, or that of the pooling's input.
LogicalResult importMaxUnpool(NodeImporter &n) {
  Value x = n.input(0), indices = n.input(1);
  auto kernel = n.requiredInts("kernel_shape");
  if (!x || !indices || failed(kernel))
    return failure();
  Value shape;
  {
    // Indices address the shape the pooling's input had (inferred from the
    // window); a given output_shape pads that at the end.
    auto xt = cast<RankedTensorType>(x.getType());
    if (!xt.hasStaticShape())
      return n.error() << "MaxUnpool needs static shapes";
    int64_t k = kernel->size();
    SmallVector<int64_t> strides =
        n.intsAttr("strides").value_or(SmallVector<int64_t>(k, 1));
    SmallVector<int64_t> pads =
        n.intsAttr("pads").value_or(SmallVector<int64_t>(2 * k, 0));
    if (xt.getRank() != k + 2 || int64_t(strides.size()) != k ||
        int64_t(pads.size()) != 2 * k)
      return n.error() << "for a " << k << "-d kernel the input needs rank "
                       << k + 2 << ", strides " << k << " and pads " << 2 * k
                       << " entries";
    if (failed(checkWindowValues(n, *kernel, strides, {}, pads)))
      return failure();
    SmallVector<int64_t> dims = {xt.getDimSize(0), xt.getDimSize(1)};
    for (int64_t i = 0; i < k; ++i)
      dims.push_back((xt.getDimSize(2 + i) - 1) * strides[i] + (*kernel)[i] -
                     pads[i] - pads[i + k]);
    auto c = n.constantI64(dims);
    if (failed(c))
      return failure();
    shape = *c;
    if (n.hasInput(2)) {
      auto unpooled = n.build<MaxUnpoolOp>({x, indices, shape});
      if (failed(unpooled))
        return failure();
      auto extra = n.build<SubOp>({n.input(2), shape});
      auto zeros = n.constantI64(SmallVector<int64_t>(dims.size(), 0));
      if (failed(extra) || failed(zeros))
        return failure();
      auto pads = n.build<ConcatOp>({*zeros, *extra},
                                    {n.named("axis", n.builder().getI64IntegerAttr(0))});
      if (failed(pads))
        return failure();
      SmallVector<int64_t> axes;
      for (size_t i = 0; i < dims.size(); ++i)
        axes.push_back(i);
      return bindResult(n, n.build<PadOp>({*unpooled, *pads},
                                          {n.named("axes", n.i64Array(axes))}));
    }
  }
  return bindResult(n, n.build<MaxUnpoolOp>({x, indices, shape}));
}

/// GlobalAveragePool / GlobalMaxPool: a reduction over the spatial axes.
template <typename ReduceOpTy> LogicalResult importGlobalPool(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  if (rank < 3)
    return n.error() << "input must have rank >= 3";
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < rank; ++i)
    axes.push_back(i);
  return bindResult(n, n.build<ReduceOpTy>(
                           {x}, {n.named("axes", n.i64Array(axes)),
                                 n.named("keepdims", n.builder().getBoolAttr(true))}));
}

LogicalResult importBatchNorm(NodeImporter &n) {
  if (n.intAttr("training_mode", 0) != 0)
    return n.error() << "training-mode BatchNormalization is not supported";
  if (n.opset() < 9 && n.intAttr("spatial", 1) == 0)
    return n.error() << "BatchNormalization with spatial=0 is not supported";
  for (size_t i = 1; i < n.numOutputs(); ++i)
    if (n.wantsOutput(i))
      return n.error() << "BatchNormalization's running statistics outputs "
                          "are training outputs, not supported";
  FailureOr<SmallVector<Value>> operandsOr = n.inputs(5);
  if (failed(operandsOr))
    return failure();
  SmallVector<Value> &operands = *operandsOr;
  return bindResult(
      n, n.build<BatchNormOp>(operands,
                              {n.named("epsilon", n.builder().getF32FloatAttr(
                                                      n.floatAttr("epsilon", 1e-5f)))}));
}

/// Softmax and LogSoftmax. Before opset 13 the input is coerced to 2-D at
/// `axis` (default 1) and normalised over the second dimension; from 13 on
/// `axis` (default -1) is the one normalised axis.
template <typename OpTy> LogicalResult importSoftmax(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  int64_t axis = n.intAttr("axis", n.opset() < 13 ? 1 : -1);
  auto norm = normalizeAxis(axis, std::max<int64_t>(rank, 1));
  if (!norm || rank == 0)
    return n.error() << "axis " << axis << " out of range for rank " << rank;
  OpBuilder &b = n.builder();
  if (n.opset() >= 13 || *norm == rank - 1) {
    return bindResult(n, n.build<OpTy>({x}, {n.named("axis",
                                                     b.getI64IntegerAttr(*norm))}));
  }
  auto flat = n.build<FlattenOp>({x}, {n.named("axis", b.getI64IntegerAttr(*norm))});
  if (failed(flat))
    return failure();
  auto soft = n.build<OpTy>({*flat}, {n.named("axis", b.getI64IntegerAttr(1))});
  if (failed(soft))
    return failure();
  auto shape = type.hasStaticShape()
                   ? n.constantI64(type.getShape())
                   : n.build<ShapeOp>({x}, {n.named("start", b.getI64IntegerAttr(0)),
                                            n.named("end", b.getI64IntegerAttr(rank))});
  if (failed(shape))
    return failure();
  return bindResult(n, n.build<ReshapeOp>({*soft, *shape}));
}

} // namespace

FailureOr<Value> shiftedInt32(NodeImporter &n, Value v, Value zeroPoint,
                              int64_t axis) {
  Type si32 = IntegerType::get(n.context(), 32, IntegerType::Signed);
  auto wide = n.build<CastOp>({v}, {n.named("to", TypeAttr::get(si32))});
  if (failed(wide) || !zeroPoint)
    return wide;
  auto zp = n.build<CastOp>({zeroPoint}, {n.named("to", TypeAttr::get(si32))});
  if (failed(zp))
    return failure();
  auto along = alongAxis(n, *zp, rankOf(v), axis);
  if (failed(along))
    return failure();
  return n.build<SubOp>({*wide, *along});
}

FailureOr<Value> integerConv(NodeImporter &n, Value x, Value xZero, Value w,
                             Value wZero) {
  auto xs = shiftedInt32(n, x, xZero, 1);
  auto ws = shiftedInt32(n, w, wZero, 0);
  if (failed(xs) || failed(ws))
    return failure();
  FailureOr<SmallVector<int64_t>> kernel = filterKernel(n, w);
  if (failed(kernel))
    return failure();
  auto win = readWindow(n, cast<RankedTensorType>(x.getType()), *kernel);
  if (failed(win))
    return failure();
  SmallVector<NamedAttribute> attrs = windowAttrs(n, *win, false);
  attrs.push_back(
      n.named("group", n.builder().getI64IntegerAttr(n.intAttr("group", 1))));
  return n.build<ConvOp>({*xs, *ws}, attrs);
}

namespace {

LogicalResult importConvInteger(NodeImporter &n) {
  Value x = n.input(0), w = n.input(1);
  if (!x || !w)
    return failure();
  return bindResult(n, integerConv(n, x, n.optionalInput(2), w,
                                   n.optionalInput(3)));
}

/// QLinearConv: integer convolution, int32 bias, requantized.
LogicalResult importQLinearConv(NodeImporter &n) {
  FailureOr<SmallVector<Value>> inOr = n.inputs(8);
  if (failed(inOr))
    return failure();
  SmallVector<Value> &in = *inOr;
  auto acc = integerConv(n, in[0], in[2], in[3], in[5]);
  if (failed(acc))
    return failure();
  if (n.hasInput(8)) {
    auto bias = alongAxis(n, n.input(8), rankOf(*acc), 1);
    if (failed(bias))
      return failure();
    acc = n.build<AddOp>({*acc, *bias});
    if (failed(acc))
      return failure();
  }
  // scale = x_scale * w_scale / y_scale, per output channel if w_scale is.
  auto xw = n.build<MulOp>({in[1], in[4]});
  if (failed(xw))
    return failure();
  auto scale = n.build<DivOp>({*xw, in[6]});
  if (failed(scale))
    return failure();
  return bindResult(n, requantize(n, *acc, *scale, in[7], 1));
}

/// ConvTranspose: ONNX's output_shape and auto_pad become explicit pads.
LogicalResult importConvTranspose(NodeImporter &n) {
  Value x = n.input(0), w = n.input(1);
  if (!x || !w)
    return failure();
  auto xt = cast<RankedTensorType>(x.getType());
  auto wt = cast<RankedTensorType>(w.getType());
  if (wt.getRank() < 3 || xt.getRank() != wt.getRank())
    return n.error() << "input and weight must have the same rank >= 3";
  int64_t k = wt.getRank() - 2;
  SmallVector<int64_t> kernel(wt.getShape().drop_front(2));
  SmallVector<int64_t> strides =
      n.intsAttr("strides").value_or(SmallVector<int64_t>(k, 1));
  SmallVector<int64_t> dil =
      n.intsAttr("dilations").value_or(SmallVector<int64_t>(k, 1));
  SmallVector<int64_t> outPad =
      n.intsAttr("output_padding").value_or(SmallVector<int64_t>(k, 0));
  SmallVector<int64_t> pads =
      n.intsAttr("pads").value_or(SmallVector<int64_t>(2 * k, 0));
  std::string autoPad = n.stringAttr("auto_pad", "NOTSET");
  if (int64_t(strides.size()) != k || int64_t(dil.size()) != k ||
      int64_t(outPad.size()) != k || int64_t(pads.size()) != 2 * k)
    return n.error() << "window attributes have the wrong length";
  if (failed(checkWindowValues(n, kernel, strides, dil, pads)))
    return failure();
  for (auto [p, s, d] : llvm::zip(outPad, strides, dil))
    if (p < 0 || (p >= s && p >= d))
      return n.error() << "output_padding " << shapeToString(outPad)
                       << " must be non-negative and smaller than the "
                          "stride or the dilation";
  auto outputShape = n.intsAttr("output_shape");
  if (outputShape && int64_t(outputShape->size()) == k + 2)
    outputShape = SmallVector<int64_t>(outputShape->begin() + 2, outputShape->end());
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  if (autoPad == "VALID") {
    pads.assign(2 * k, 0);
  } else if (outputShape || same) {
    for (int64_t i = 0; i < k; ++i) {
      int64_t in = xt.getDimSize(2 + i);
      if (outputShape && isDynamic(in))
        return n.error() << "output_shape needs static spatial sizes";
      // SAME makes the output in * stride, which cancels the input size:
      // its padding is static even where the size is not.
      int64_t span = (kernel[i] - 1) * dil[i] + 1;
      int64_t total = outputShape ? strides[i] * (in - 1) + outPad[i] + span -
                                        (*outputShape)[i]
                                  : outPad[i] + span - strides[i];
      // A negative total makes the output larger than the data reaches
      // (the extra positions hold the bias).
      bool upper = autoPad != "SAME_LOWER";
      int64_t half = total >= 0 ? total / 2 : -((-total) / 2);
      pads[i] = upper ? half : total - half;
      pads[i + k] = total - pads[i];
    }
  }
  SmallVector<Value> operands = {x, w};
  if (n.hasInput(2))
    operands.push_back(n.input(2));
  return bindResult(
      n, n.build<ConvTransposeOp>(
             operands, {n.named("pads", n.i64Array(pads)),
                        n.named("strides", n.i64Array(strides)),
                        n.named("dilations", n.i64Array(dil)),
                        n.named("output_padding", n.i64Array(outPad)),
                        n.named("group", n.builder().getI64IntegerAttr(
                                             n.intAttr("group", 1)))}));
}

/// Resize's `axes` (opset 18) lists the axes that roi, scales and sizes
/// describe; the others keep their size (scale 1, roi [0, 1]). Rewrites the
/// three operands to full rank by concatenating slices of the given values
/// with those defaults, so run-time operands work as constant ones do.
LogicalResult expandResizeAxes(NodeImporter &n, Value x, ArrayRef<int64_t> given,
                               Value &roi, Value &scales, Value &sizes) {
  int64_t rank = rankOf(x);
  SmallVector<int64_t> axes;
  for (int64_t a : given) {
    auto norm = normalizeAxis(a, rank);
    if (!norm)
      return n.error() << "axis " << a << " out of range for rank " << rank;
    if (llvm::is_contained(axes, *norm))
      return n.error() << "axes repeat axis " << *norm;
    axes.push_back(*norm);
  }
  int64_t k = axes.size();
  OpBuilder &b = n.builder();
  // Concatenates, for each axis, `pick(j)` when it is listed (j-th), else
  // `fallback(i)`.
  auto assemble = [&](Value v, int64_t expected, int64_t offset,
                      function_ref<FailureOr<Value>(int64_t)> fallback)
      -> FailureOr<Value> {
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getRank() != 1 ||
        (!type.isDynamicDim(0) && type.getDimSize(0) != expected))
      return n.error() << "with axes, roi, scales and sizes need "
                       << expected << " entries";
    SmallVector<Value> parts;
    for (int64_t i = 0; i < rank; ++i) {
      const auto *it = llvm::find(axes, i);
      FailureOr<Value> part =
          it != axes.end() ? sliceAxis(n, v, 0, offset + (it - axes.begin()),
                                       offset + (it - axes.begin()) + 1)
                           : fallback(i);
      if (failed(part))
        return failure();
      parts.push_back(*part);
    }
    return n.build<ConcatOp>(parts, {n.named("axis", b.getI64IntegerAttr(0))});
  };
  auto constantOf = [&](Value like, double value) -> FailureOr<Value> {
    Type element = elementOf(like);
    auto type = RankedTensorType::get({1}, element);
    return n.build<ConstantOp>(
        {}, {n.named("value", DenseElementsAttr::get(
                                  type, b.getFloatAttr(element, value)))});
  };
  if (scales) {
    auto full = assemble(scales, k, 0, [&](int64_t) { return constantOf(scales, 1.0); });
    if (failed(full))
      return failure();
    scales = *full;
  }
  if (sizes) {
    auto full = assemble(sizes, k, 0, [&](int64_t i) {
      return n.build<ShapeOp>({x}, {n.named("start", b.getI64IntegerAttr(i)),
                                    n.named("end", b.getI64IntegerAttr(i + 1))});
    });
    if (failed(full))
      return failure();
    sizes = *full;
  }
  if (roi) {
    if (!isa<FloatType>(elementOf(roi)))
      return n.error() << "roi must be a float tensor";
    auto starts = assemble(roi, 2 * k, 0, [&](int64_t) { return constantOf(roi, 0.0); });
    auto ends = assemble(roi, 2 * k, k, [&](int64_t) { return constantOf(roi, 1.0); });
    if (failed(starts) || failed(ends))
      return failure();
    auto full = n.build<ConcatOp>({*starts, *ends},
                                  {n.named("axis", b.getI64IntegerAttr(0))});
    if (failed(full))
      return failure();
    roi = *full;
  }
  return success();
}

/// Resize (and the older Upsample): scales or sizes, with ONNX's
/// interpolation attributes; before opset 11 coordinates are asymmetric and
/// nearest rounds down.
LogicalResult importResize(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  bool old = n.opset() < 11 || n.node().op_type() == "Upsample";
  Value roi, scales, sizes;
  if (old) {
    if (n.hasInput(1)) {
      scales = n.input(1);
    } else if (auto s = n.floatsAttr("scales")) {
      auto type = RankedTensorType::get({int64_t(s->size())},
                                        n.builder().getF32Type());
      auto c = n.build<ConstantOp>(
          {}, {n.named("value", DenseElementsAttr::get(type, ArrayRef<float>(*s)))});
      if (failed(c))
        return failure();
      scales = *c;
    }
  } else {
    if (n.hasInput(1))
      roi = n.input(1);
    auto nonEmpty = [&](size_t i) -> Value {
      if (!n.hasInput(i))
        return nullptr;
      Value v = n.input(i);
      auto t = cast<RankedTensorType>(v.getType());
      return t.getRank() == 1 && t.getDimSize(0) == 0 ? Value() : v;
    };
    scales = nonEmpty(2);
    sizes = nonEmpty(3);
    if (roi) {
      auto t = cast<RankedTensorType>(roi.getType());
      if (t.getRank() == 1 && t.getDimSize(0) == 0)
        roi = nullptr;
    }
  }
  if (n.intAttr("antialias", 0) != 0)
    return n.error() << "Resize with antialias is not supported";
  std::string policy = n.stringAttr("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch")
    return n.error() << "Resize with keep_aspect_ratio_policy '" << policy
                     << "' is not supported";
  if (bool(scales) == bool(sizes))
    return n.error() << "exactly one of scales and sizes must be given";
  if (auto axes = n.intsAttr("axes")) {
    if (failed(expandResizeAxes(n, x, *axes, roi, scales, sizes)))
      return failure();
  }
  if (scales && !elementOf(scales).isF32()) {
    auto c = n.build<CastOp>({scales}, {n.named("to", TypeAttr::get(
                                                          n.builder().getF32Type()))});
    if (failed(c))
      return failure();
    scales = *c;
  }
  OpBuilder &b = n.builder();
  std::string mode = n.stringAttr("mode", "nearest");
  SmallVector<NamedAttribute> attrs = {
      n.named("mode", b.getStringAttr(mode)),
      n.named("coordinate_transformation_mode",
              b.getStringAttr(old ? "asymmetric"
                                  : n.stringAttr("coordinate_transformation_mode",
                                                 "half_pixel"))),
      n.named("nearest_mode",
              b.getStringAttr(old ? "floor"
                                  : n.stringAttr("nearest_mode",
                                                 "round_prefer_floor"))),
      n.named("cubic_coeff_a", b.getF32FloatAttr(n.floatAttr("cubic_coeff_a", -0.75f))),
      n.named("exclude_outside", b.getBoolAttr(n.intAttr("exclude_outside", 0) != 0)),
      n.named("extrapolation_value",
              b.getF32FloatAttr(n.floatAttr("extrapolation_value", 0.0f))),
      n.named("operandSegmentSizes",
              b.getDenseI32ArrayAttr({1, roi ? 1 : 0, scales ? 1 : 0,
                                      sizes ? 1 : 0}))};
  SmallVector<Value> operands = {x};
  for (Value v : {roi, scales, sizes})
    if (v)
      operands.push_back(v);
  return bindResult(n, n.build<ResizeOp>(operands, attrs));
}

const OpImporter kImporters[] = {
    {"ConvTranspose", importConvTranspose},
    {"Resize", importResize},
    {"Upsample", importResize},
    {"ConvInteger", importConvInteger},
    {"QLinearConv", importQLinearConv},
    {"MatMul", importMatMul},
    {"Gemm", importGemm},
    {"Conv", importConv},
    {"MaxPool", importPool<MaxPoolOp>},
    {"AveragePool", importPool<AveragePoolOp>},
    {"GlobalAveragePool", importGlobalPool<ReduceMeanOp>},
    {"GlobalMaxPool", importGlobalPool<ReduceMaxOp>},
    {"BatchNormalization", importBatchNorm},
    {"Softmax", importSoftmax<SoftmaxOp>},
    {"LogSoftmax", importSoftmax<LogSoftmaxOp>},
    {"Hardmax", importSoftmax<HardmaxOp>},
    {"MaxUnpool", importMaxUnpool},
};

} // namespace

ArrayRef<OpImporter> nnImporters() { return kImporters; }

} // namespace kiln::onnx_frontend
