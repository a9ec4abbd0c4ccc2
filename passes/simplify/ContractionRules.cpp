//===- ContractionRules.cpp - rules around Conv, Gemm and MatMul ----------===//
//
// Inference BatchNormalization is an affine map per channel, so it folds
// into the weights and bias of the convolution or Gemm before it (or
// becomes one multiply-add); additions and multiplications by per-channel
// constants after a convolution or Gemm fold the same way; transposes of
// Gemm and MatMul operands become the op's transpose flags. The new weights
// are computed here, in double precision and rounded once to the weights'
// type: this re-associates the arithmetic, nothing more.
//
//===----------------------------------------------------------------------===//
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/FloatEvaluator.h"
#include "passes/simplify/Rule.h"
#include "passes/simplify/RuleUtils.h"

#include <cmath>
#include <cstring>

using namespace mlir;

namespace kiln::simplify {
namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// The elements of an f32 or f64 constant, as doubles.
std::optional<std::vector<double>> readFloats(Value v) {
  ElementsAttr attr = getConstantValue(v);
  if (!attr)
    return std::nullopt;
  Type element = attr.getElementType();
  if (!element.isF32() && !element.isF64())
    return std::nullopt;
  std::optional<RawElements> raw = getRawElements(attr);
  if (!raw)
    return std::nullopt;
  int64_t n = attr.getNumElements(), width = element.isF32() ? 4 : 8;
  std::vector<double> out(n);
  for (int64_t i = 0; i < n; ++i) {
    const char *p = raw->bytes.data() + (raw->isSplat ? 0 : i * width);
    if (element.isF32()) {
      float f;
      std::memcpy(&f, p, 4);
      out[i] = f;
    } else {
      std::memcpy(&out[i], p, 8);
    }
  }
  return out;
}

/// A constant of `type` (f32 or f64) holding `values`.
Value floatConstant(OpBuilder &b, Location loc, RankedTensorType type,
                    ArrayRef<double> values) {
  std::string bytes;
  bool f32 = type.getElementType().isF32();
  for (double d : values) {
    if (f32) {
      float f = float(d);
      bytes.append(reinterpret_cast<const char *>(&f), 4);
    } else {
      bytes.append(reinterpret_cast<const char *>(&d), 8);
    }
  }
  return ConstantOp::create(
      b, loc, makeElementsAttr(type, ArrayRef<char>(bytes.data(), bytes.size()),
                               "folded", 64));
}

/// Per-channel values of a constant `c` broadcast against a rank-`rank`
/// tensor with `channels` channels along `axis`; nullopt unless c varies
/// only along that axis.
std::optional<std::vector<double>> perChannel(Value c, int64_t rank, int64_t axis,
                                              int64_t channels) {
  std::optional<int64_t> length = perAxisLength(c, rank, axis);
  auto values = readFloats(c);
  if (!length || !values || (*length != 1 && *length != channels))
    return std::nullopt;
  if (*length == 1)
    return std::vector<double>(channels, (*values)[0]);
  return values;
}

/// BatchNormalization as y = x * scale + shift per channel.
struct Affine {
  std::vector<double> scale, shift;
};

std::optional<Affine> batchNormAffine(BatchNormOp bn) {
  auto gamma = readFloats(bn.getScale()), beta = readFloats(bn.getBias()),
       mean = readFloats(bn.getMean()), var = readFloats(bn.getVariance());
  if (!gamma || !beta || !mean || !var)
    return std::nullopt;
  size_t c = gamma->size();
  if (beta->size() != c || mean->size() != c || var->size() != c)
    return std::nullopt;
  Affine a{std::vector<double>(c), std::vector<double>(c)};
  double eps = bn.getEpsilon().convertToDouble();
  for (size_t i = 0; i < c; ++i) {
    a.scale[i] = (*gamma)[i] / std::sqrt((*var)[i] + eps);
    a.shift[i] = (*beta)[i] - (*mean)[i] * a.scale[i];
  }
  return a;
}

/// Weights `w` with every slice along `axis` (channel k) multiplied by
/// scale[k].
Value scaleAlong(OpBuilder &b, Location loc, Value w, int64_t axis,
                 ArrayRef<double> scale) {
  auto type = typeOf(w);
  std::vector<double> values = *readFloats(w);
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < type.getRank(); ++d)
    inner *= type.getDimSize(d);
  int64_t channels = type.getDimSize(axis);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] *= scale[(i / inner) % channels];
  return floatConstant(b, loc, type, values);
}

/// The conv's bias values (zeros when it has none).
std::vector<double> convBias(ConvOp conv, int64_t channels) {
  if (conv.getBias())
    if (auto b = readFloats(conv.getBias()))
      return *b;
  return std::vector<double>(channels, 0.0);
}

/// Conv with new weight and bias constants, other attributes kept.
void rebuildConv(PatternRewriter &r, Operation *replaced, ConvOp conv,
                 Value weight, ArrayRef<double> bias) {
  auto biasType = RankedTensorType::get({int64_t(bias.size())},
                                        typeOf(conv.getWeight()).getElementType());
  Value b = floatConstant(r, conv.getLoc(), biasType, bias);
  auto newConv = ConvOp::create(r, conv.getLoc(), conv.getInput(), weight, b,
                                conv.getPadsAttr(), conv.getStridesAttr(),
                                conv.getDilationsAttr(), conv.getGroupAttr(),
                                conv.getAutoPadAttr(), conv.getChannelsLastAttr());
  replaceKeepingType(r, replaced, newConv);
}

/// A conv whose weight is a float constant and whose only user is `user`.
/// The rules read the output's channels on axis 1: channels-last
/// convolutions (kiln-layout's) are not theirs.
ConvOp foldableConv(Value v) {
  auto conv = v.getDefiningOp<ConvOp>();
  if (!conv || conv.getChannelsLast() || !v.hasOneUse() || !readFloats(conv.getWeight()) ||
      (conv.getBias() && !readFloats(conv.getBias())))
    return nullptr;
  return conv;
}

void addBatchNormRules(RewritePatternSet &p) {
  // BN(conv(x, w, b)) -> conv(x, w * s, (b - mean) * s + beta).
  addRule<BatchNormOp>(p, "batchnorm-into-conv", [](BatchNormOp bn, PatternRewriter &r) {
    ConvOp conv = foldableConv(bn.getInput());
    auto affine = batchNormAffine(bn);
    if (!conv || !affine)
      return failure();
    int64_t m = typeOf(conv.getWeight()).getDimSize(0);
    if (int64_t(affine->scale.size()) != m)
      return failure();
    Value w = scaleAlong(r, conv.getLoc(), conv.getWeight(), 0, affine->scale);
    std::vector<double> bias = convBias(conv, m);
    for (int64_t k = 0; k < m; ++k)
      bias[k] = bias[k] * affine->scale[k] + affine->shift[k];
    rebuildConv(r, bn, conv, w, bias);
    return success();
  }, /*benefit=*/2);
  // BN(gemm(a, b, c)) over the output columns -> gemm(a, b * s, c').
  addRule<BatchNormOp>(p, "batchnorm-into-gemm", [](BatchNormOp bn, PatternRewriter &r) {
    auto gemm = bn.getInput().getDefiningOp<GemmOp>();
    auto affine = batchNormAffine(bn);
    if (!gemm || !affine || !bn.getInput().hasOneUse() || !readFloats(gemm.getB()))
      return failure();
    int64_t m = typeOf(gemm).getDimSize(1);
    if (int64_t(affine->scale.size()) != m)
      return failure();
    std::vector<double> c(m, 0.0);
    if (gemm.getC()) {
      auto given = perChannel(gemm.getC(), 2, 1, m);
      if (!given)
        return failure();
      c = *given;
    }
    double beta = gemm.getBeta().convertToDouble();
    for (int64_t k = 0; k < m; ++k)
      c[k] = (beta * c[k]) * affine->scale[k] + affine->shift[k];
    Value b = scaleAlong(r, gemm.getLoc(), gemm.getB(), gemm.getTransB() ? 0 : 1,
                         affine->scale);
    Value cv = floatConstant(r, gemm.getLoc(),
                             RankedTensorType::get({m}, typeOf(gemm).getElementType()), c);
    auto g = GemmOp::create(r, gemm.getLoc(), gemm.getA(), b, cv, gemm.getAlphaAttr(),
                            r.getF32FloatAttr(1.0f), gemm.getTransAAttr(),
                            gemm.getTransBAttr());
    replaceKeepingType(r, bn, g);
    return success();
  }, /*benefit=*/2);
  // Any other inference BN -> x * s + t with per-channel constants.
  addRule<BatchNormOp>(p, "batchnorm-to-affine", [](BatchNormOp bn, PatternRewriter &r) {
    auto affine = batchNormAffine(bn);
    auto type = typeOf(bn);
    if (!affine || type.getRank() < 2)
      return failure();
    SmallVector<int64_t> shape(type.getRank() - 1, 1);
    shape[0] = int64_t(affine->scale.size());
    auto constType = RankedTensorType::get(shape, type.getElementType());
    Value s = floatConstant(r, bn.getLoc(), constType, affine->scale);
    Value t = floatConstant(r, bn.getLoc(), constType, affine->shift);
    Value y = MulOp::create(r, bn.getLoc(), bn.getInput(), s);
    replaceKeepingType(r, bn, AddOp::create(r, bn.getLoc(), y, t));
    return success();
  });
  // BN(matmul(x [N,K], w [K,M])) over M -> matmul(x, w * s) + t.
  addRule<BatchNormOp>(p, "batchnorm-into-matmul", [](BatchNormOp bn, PatternRewriter &r) {
    auto mm = bn.getInput().getDefiningOp<MatMulOp>();
    auto affine = batchNormAffine(bn);
    if (!mm || !affine || !bn.getInput().hasOneUse() || typeOf(mm).getRank() != 2 ||
        typeOf(mm.getRhs()).getRank() != 2 || !readFloats(mm.getRhs()))
      return failure();
    int64_t m = typeOf(mm).getDimSize(1);
    if (int64_t(affine->scale.size()) != m)
      return failure();
    Value w = scaleAlong(r, mm.getLoc(), mm.getRhs(), 1, affine->scale);
    Value t = floatConstant(r, bn.getLoc(),
                            RankedTensorType::get({m}, typeOf(bn).getElementType()),
                            affine->shift);
    Value y = MatMulOp::create(r, mm.getLoc(), mm.getLhs(), w);
    replaceKeepingType(r, bn, AddOp::create(r, bn.getLoc(), y, t));
    return success();
  }, /*benefit=*/2);
}

void addEpilogueRules(RewritePatternSet &p) {
  // conv(x, w, b) + c, c per output channel -> conv(x, w, b + c).
  addRule<AddOp>(p, "conv-add-into-bias", [](AddOp op, PatternRewriter &r) {
    for (auto [v, c] : {std::pair(op.getLhs(), op.getRhs()), {op.getRhs(), op.getLhs()}}) {
      ConvOp conv = foldableConv(v);
      if (!conv || typeOf(op) != typeOf(conv))
        continue;
      int64_t m = typeOf(conv.getWeight()).getDimSize(0);
      auto add = perChannel(c, typeOf(conv).getRank(), 1, m);
      if (!add)
        continue;
      std::vector<double> bias = convBias(conv, m);
      for (int64_t k = 0; k < m; ++k)
        bias[k] += (*add)[k];
      rebuildConv(r, op, conv, conv.getWeight(), bias);
      return success();
    }
    return failure();
  });
  // conv(x, w, b) * c, c per output channel -> conv(x, w * c, b * c).
  addRule<MulOp>(p, "conv-mul-into-weights", [](MulOp op, PatternRewriter &r) {
    for (auto [v, c] : {std::pair(op.getLhs(), op.getRhs()), {op.getRhs(), op.getLhs()}}) {
      ConvOp conv = foldableConv(v);
      if (!conv || typeOf(op) != typeOf(conv))
        continue;
      int64_t m = typeOf(conv.getWeight()).getDimSize(0);
      auto scale = perChannel(c, typeOf(conv).getRank(), 1, m);
      if (!scale)
        continue;
      Value w = scaleAlong(r, conv.getLoc(), conv.getWeight(), 0, *scale);
      std::vector<double> bias = convBias(conv, m);
      for (int64_t k = 0; k < m; ++k)
        bias[k] *= (*scale)[k];
      rebuildConv(r, op, conv, w, bias);
      return success();
    }
    return failure();
  });
  // gemm(a, b) + c (no C yet) -> gemm(a, b, c) with beta 1.
  addRule<AddOp>(p, "gemm-add-into-c", [](AddOp op, PatternRewriter &r) {
    for (auto [v, c] : {std::pair(op.getLhs(), op.getRhs()), {op.getRhs(), op.getLhs()}}) {
      auto gemm = v.getDefiningOp<GemmOp>();
      if (!gemm || gemm.getC() || !v.hasOneUse() || typeOf(op) != typeOf(gemm) ||
          typeOf(c).getRank() > 2 || typeOf(c).getElementType() != typeOf(op).getElementType())
        continue;
      auto g = GemmOp::create(r, gemm.getLoc(), gemm.getA(), gemm.getB(), c,
                              gemm.getAlphaAttr(), r.getF32FloatAttr(1.0f),
                              gemm.getTransAAttr(), gemm.getTransBAttr());
      replaceKeepingType(r, op, g);
      return success();
    }
    return failure();
  });
  // matmul(a, b) + c with 2-D operands -> gemm(a, b, c): one kernel.
  addRule<AddOp>(p, "matmul-add-to-gemm", [](AddOp op, PatternRewriter &r) {
    for (auto [v, c] : {std::pair(op.getLhs(), op.getRhs()), {op.getRhs(), op.getLhs()}}) {
      auto mm = v.getDefiningOp<MatMulOp>();
      if (!mm || !v.hasOneUse() || typeOf(mm).getRank() != 2 ||
          typeOf(mm.getLhs()).getRank() != 2 || typeOf(mm.getRhs()).getRank() != 2 ||
          typeOf(op) != typeOf(mm) || typeOf(c).getRank() > 2 ||
          !isa<FloatType>(typeOf(op).getElementType()))
        continue;
      auto g = GemmOp::create(r, mm.getLoc(), mm.getLhs(), mm.getRhs(), c,
                              r.getF32FloatAttr(1.0f), r.getF32FloatAttr(1.0f),
                              r.getBoolAttr(false), r.getBoolAttr(false));
      replaceKeepingType(r, op, g);
      return success();
    }
    return failure();
  });
  // gemm(...) * s for a scalar constant s -> alpha * s, beta * s.
  addRule<MulOp>(p, "gemm-mul-into-alpha", [](MulOp op, PatternRewriter &r) {
    for (auto [v, c] : {std::pair(op.getLhs(), op.getRhs()), {op.getRhs(), op.getLhs()}}) {
      auto gemm = v.getDefiningOp<GemmOp>();
      std::optional<double> s = splatValue(c);
      if (!gemm || !s || !v.hasOneUse() || typeOf(op) != typeOf(gemm) ||
          !isa<FloatType>(typeOf(op).getElementType()))
        continue;
      r.modifyOpInPlace(gemm, [&] {
        gemm.setAlphaAttr(r.getF32FloatAttr(float(gemm.getAlpha().convertToDouble() * *s)));
        gemm.setBetaAttr(r.getF32FloatAttr(float(gemm.getBeta().convertToDouble() * *s)));
      });
      r.replaceOp(op, gemm.getResult());
      return success();
    }
    return failure();
  });
  // matmul(x, w) * s, w and s constant, s a scalar -> matmul(x, w * s).
  addRule<MulOp>(p, "matmul-mul-into-weights", [](MulOp op, PatternRewriter &r) {
    for (auto [v, c] : {std::pair(op.getLhs(), op.getRhs()), {op.getRhs(), op.getLhs()}}) {
      auto mm = v.getDefiningOp<MatMulOp>();
      std::optional<double> s = splatValue(c);
      if (!mm || !s || !v.hasOneUse() || typeOf(op) != typeOf(mm) ||
          !readFloats(mm.getRhs()))
        continue;
      std::vector<double> w = *readFloats(mm.getRhs());
      for (double &x : w)
        x *= *s;
      Value nw = floatConstant(r, mm.getLoc(), typeOf(mm.getRhs()), w);
      replaceKeepingType(r, op, MatMulOp::create(r, mm.getLoc(), mm.getLhs(), nw));
      return success();
    }
    return failure();
  });
}

bool isMatrixTranspose(Value v) {
  auto t = v.getDefiningOp<TransposeOp>();
  return t && t.getPerm().size() == 2 && t.getPerm()[0] == 1;
}

void addConcatRules(RewritePatternSet &p) {
  // conv(concat(x_1..x_n) along channels, w, b)
  //   -> conv(x_1, w_1, b) + conv(x_2, w_2) + ... + conv(x_n, w_n),
  // w_i the slice of w's input channels that x_i fills. The concat was a
  // copy of every x_i (its bytes read and written); each part after the
  // first costs a call and a pass over the output (oneDNN's `sum` reads
  // what the convolution before it wrote, in place). So only where
  //   (parts - 1) * (2 * output bytes + kCallBytes) < 2 * input bytes,
  // as after SqueezeNet's Fire modules (two parts, 8x fewer outputs than
  // inputs); not where the output is wider, nor for many thin parts. A
  // convolution's sum over channels has no defined order: summing it in
  // parts is one of the orders any implementation may take.
  addRule<ConvOp>(p, "conv-split-concat-input", [](ConvOp op, PatternRewriter &r) {
    auto concat = op.getInput().getDefiningOp<ConcatOp>();
    if (!concat || !op.getInput().hasOneUse() || op.getGroup() != 1 ||
        concat.getInputs().size() < 2)
      return failure();
    auto in = typeOf(op.getInput()), wType = typeOf(op.getWeight());
    int64_t rank = in.getRank();
    int64_t axis = concat.getAxis() < 0 ? concat.getAxis() + rank : concat.getAxis();
    if (rank < 3 || !in.hasStaticShape() || !wType.hasStaticShape() ||
        axis != (op.getChannelsLast() ? rank - 1 : 1))
      return failure();
    int64_t cin = in.getDimSize(axis), cout = wType.getDimSize(0);
    auto out = typeOf(op.getResult());
    // A call's fixed cost as bytes moved (about 5 us at 13 GB/s).
    constexpr int64_t kCallBytes = 64 << 10;
    int64_t parts = concat.getInputs().size();
    int64_t bytes = elementStorageBytes(in.getElementType());
    if (wType.getDimSize(1) != cin || !out.hasStaticShape() ||
        (parts - 1) * (2 * out.getNumElements() * bytes + kCallBytes) >=
            2 * in.getNumElements() * bytes)
      return failure();
    for (Value x : concat.getInputs())
      if (typeOf(x).isDynamicDim(axis))
        return failure();
    auto w = readFloats(op.getWeight());
    if (!w)
      return failure();
    int64_t window = wType.getNumElements() / (cout * cin);
    Value sum;
    int64_t first = 0;
    for (Value x : concat.getInputs()) {
      int64_t c = typeOf(x).getDimSize(axis);
      SmallVector<int64_t> shape(wType.getShape());
      shape[1] = c;
      std::vector<double> part;
      part.reserve(cout * c * window);
      for (int64_t m = 0; m < cout; ++m) {
        auto from = w->begin() + (m * cin + first) * window;
        part.insert(part.end(), from, from + c * window);
      }
      first += c;
      Value wi = floatConstant(r, op.getLoc(),
                               RankedTensorType::get(shape, wType.getElementType()), part);
      Value conv = ConvOp::create(r, op.getLoc(), x, wi, sum ? Value() : op.getBias(),
                                  op.getPadsAttr(), op.getStridesAttr(),
                                  op.getDilationsAttr(), op.getGroupAttr(),
                                  op.getAutoPadAttr(), op.getChannelsLastAttr());
      sum = sum ? AddOp::create(r, op.getLoc(), sum, conv).getResult() : conv;
    }
    replaceKeepingType(r, op, sum);
    return success();
  });
}

void addConv3dRules(RewritePatternSet &p) {
  // conv(x [N, C, D, H, W], w [K, C/g, T, R, S]) with a constant filter
  //   -> transpose the depth next to the batch, [N * D, C, H, W]; per
  //      filter depth t a 2-D conv with w[:, :, t], reshaped back to
  //      [N, D, K, Ho, Wo]; output depth o reads input depth
  //      o * stride + t * dilation - pad: a strided slice of the depths that
  //      fall inside, padded with zeros to Do; the T parts summed, the
  //      bias added, transposed back to [N, K, Do, Ho, Wo].
  // The 2-D convolutions take every path a 2-D one has (oneDNN, cuDNN,
  // the channels-last layout); a 3-D one had only generated loops (9
  // GFLOP/s against ORT's 60 on a 16 -> 32 channel 3x3x3 layer). The same
  // products, summed over the filter's depth in another order, which a
  // convolution leaves open.
  addRule<ConvOp>(p, "conv3d-as-conv2d", [](ConvOp op, PatternRewriter &r) {
    auto in = typeOf(op.getInput()), wType = typeOf(op.getWeight());
    auto out = typeOf(op.getResult());
    if (in.getRank() != 5 || op.getChannelsLast() || op.getAutoPad() != "NOTSET" ||
        !in.hasStaticShape() || !wType.hasStaticShape() || !out.hasStaticShape() ||
        !isa<FloatType>(in.getElementType()))
      return failure();
    auto w = readFloats(op.getWeight());
    if (!w)
      return failure();
    ArrayRef<int64_t> pads = op.getPads(), strides = op.getStrides(),
                      dilations = op.getDilations();
    if (pads.size() != 6 || strides.size() != 3 || dilations.size() != 3)
      return failure();
    Location loc = op.getLoc();
    Type e = in.getElementType();
    int64_t n = in.getDimSize(0), c = in.getDimSize(1), d = in.getDimSize(2),
            h = in.getDimSize(3), wd = in.getDimSize(4);
    int64_t k = wType.getDimSize(0), cg = wType.getDimSize(1),
            taps = wType.getDimSize(2), rr = wType.getDimSize(3),
            ss = wType.getDimSize(4);
    int64_t od = out.getDimSize(2), oh = out.getDimSize(3), ow = out.getDimSize(4);
    int64_t sd = strides[0], dd = dilations[0], pd = pads[0];
    Value x = TransposeOp::create(r, loc, op.getInput(),
                                  ArrayRef<int64_t>{0, 2, 1, 3, 4});
    x = reshapeTo(r, loc, x, {n * d, c, h, wd});
    auto planes = RankedTensorType::get({n, od, k, oh, ow}, e);
    Value sum;
    for (int64_t t = 0; t < taps; ++t) {
      // Output depths whose input depth o * sd + t * dd - pd is inside.
      int64_t lo = 0;
      while (lo < od && lo * sd + t * dd - pd < 0)
        ++lo;
      int64_t hi = od - 1;
      while (hi >= lo && hi * sd + t * dd - pd >= d)
        --hi;
      if (hi < lo)
        continue;
      std::vector<double> part;
      part.reserve(k * cg * rr * ss);
      for (int64_t m = 0; m < k * cg; ++m) {
        auto from = w->begin() + (m * taps + t) * rr * ss;
        part.insert(part.end(), from, from + rr * ss);
      }
      Value wt = floatConstant(r, loc, RankedTensorType::get({k, cg, rr, ss}, wType.getElementType()),
                               part);
      Value z = ConvOp::create(
          r, loc, RankedTensorType::get({n * d, k, oh, ow}, e), x, wt, Value(),
          r.getDenseI64ArrayAttr({pads[1], pads[2], pads[4], pads[5]}),
          r.getDenseI64ArrayAttr({strides[1], strides[2]}),
          r.getDenseI64ArrayAttr({dilations[1], dilations[2]}), op.getGroupAttr(),
          op.getAutoPadAttr(), op.getChannelsLastAttr());
      z = reshapeTo(r, loc, z, {n, d, k, oh, ow});
      int64_t first = lo * sd + t * dd - pd, count = hi - lo + 1;
      if (first != 0 || sd != 1 || count != d)
        z = SliceOp::create(
            r, loc, RankedTensorType::get({n, count, k, oh, ow}, e), z,
            i64Constant(r, loc, {first}),
            i64Constant(r, loc, {first + (count - 1) * sd + 1}),
            i64Constant(r, loc, {sd}), Value(), ArrayRef<int64_t>{1});
      if (lo != 0 || count != od)
        z = PadOp::create(r, loc, planes, z, i64Constant(r, loc, {lo, od - 1 - hi}),
                          Value(), ArrayRef<int64_t>{1}, "constant");
      sum = sum ? AddOp::create(r, loc, planes, sum, z).getResult() : z;
    }
    if (!sum)
      return failure(); // every tap falls in the padding: leave it as it is
    Value y = TransposeOp::create(r, loc, out, sum, ArrayRef<int64_t>{0, 2, 1, 3, 4});
    if (Value b = op.getBias())
      y = AddOp::create(r, loc, out, y, reshapeTo(r, loc, b, {k, 1, 1, 1}));
    replaceKeepingType(r, op, y);
    return success();
  });
}

void addTransposeRules(RewritePatternSet &p) {
  // gemm(transpose(a), b) -> gemm(a, b, trans_a = !trans_a); same for b.
  addRule<GemmOp>(p, "gemm-absorb-transpose", [](GemmOp op, PatternRewriter &r) {
    bool ta = isMatrixTranspose(op.getA()), tb = isMatrixTranspose(op.getB());
    if (!ta && !tb)
      return failure();
    Value a = ta ? op.getA().getDefiningOp<TransposeOp>().getInput() : op.getA();
    Value b = tb ? op.getB().getDefiningOp<TransposeOp>().getInput() : op.getB();
    auto g = GemmOp::create(r, op.getLoc(), a, b, op.getC(), op.getAlphaAttr(),
                            op.getBetaAttr(),
                            r.getBoolAttr(op.getTransA() != ta),
                            r.getBoolAttr(op.getTransB() != tb));
    replaceKeepingType(r, op, g);
    return success();
  });
  // matmul(a, transpose(b)) on matrices -> gemm(a, b, trans_b).
  addRule<MatMulOp>(p, "matmul-absorb-transpose", [](MatMulOp op, PatternRewriter &r) {
    bool ta = isMatrixTranspose(op.getLhs()), tb = isMatrixTranspose(op.getRhs());
    if ((!ta && !tb) || typeOf(op.getLhs()).getRank() != 2 ||
        typeOf(op.getRhs()).getRank() != 2 ||
        !isa<FloatType>(typeOf(op).getElementType()))
      return failure();
    Value a = ta ? op.getLhs().getDefiningOp<TransposeOp>().getInput() : op.getLhs();
    Value b = tb ? op.getRhs().getDefiningOp<TransposeOp>().getInput() : op.getRhs();
    auto g = GemmOp::create(r, op.getLoc(), a, b, Value(), r.getF32FloatAttr(1.0f),
                            r.getF32FloatAttr(1.0f), r.getBoolAttr(ta),
                            r.getBoolAttr(tb));
    replaceKeepingType(r, op, g);
    return success();
  });
}

} // namespace

void populateContractionRules(RewritePatternSet &patterns) {
  addBatchNormRules(patterns);
  addEpilogueRules(patterns);
  addConcatRules(patterns);
  addConv3dRules(patterns);
  addTransposeRules(patterns);
}

} // namespace kiln::simplify
