//===- Elementwise.cpp - importers of elementwise ONNX operators ----------===//
#include "dialects/kiln/ConstantUtils.h"
#include "lib/frontend/onnx/NodeImporter.h"
#include "lib/frontend/onnx/TensorImport.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

LogicalResult bindResult(NodeImporter &n, FailureOr<Value> v) {
  if (failed(v))
    return failure();
  n.setOutput(0, *v);
  return success();
}

template <typename OpTy> LogicalResult importUnary(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  return bindResult(n, n.build<OpTy>({x}));
}

template <typename OpTy> LogicalResult importBinary(NodeImporter &n) {
  Value a = n.input(0), b = n.input(1);
  if (!a || !b)
    return failure();
  return bindResult(n, n.build<OpTy>({a, b}));
}

LogicalResult importLeakyRelu(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  return bindResult(n, n.build<LeakyReluOp>(
                           {x}, {n.named("alpha", n.builder().getF32FloatAttr(
                                                      n.floatAttr("alpha", 0.01f)))}));
}

/// A scalar bound of element type `element` from a constant input, or null.
TypedAttr scalarBound(Value v, Type element) {
  ElementsAttr attr = getConstantValue(v);
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() != 1 || dense.getElementType() != element)
    return nullptr;
  return cast<TypedAttr>(*dense.getValues<Attribute>().begin());
}

LogicalResult importClip(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  Type element = cast<RankedTensorType>(x.getType()).getElementType();
  SmallVector<NamedAttribute> attrs;
  OpBuilder &b = n.builder();
  if (n.opset() < 11) {
    float lo = n.floatAttr("min", -INFINITY), hi = n.floatAttr("max", INFINITY);
    if (!isa<FloatType>(element))
      return n.error() << "Clip before opset 11 takes float tensors only";
    if (!std::isinf(lo))
      attrs.push_back(n.named("min", b.getFloatAttr(element, lo)));
    if (!std::isinf(hi))
      attrs.push_back(n.named("max", b.getFloatAttr(element, hi)));
    return bindResult(n, n.build<ClipOp>({x}, attrs));
  }
  // Opset 11+: optional scalar inputs. Constants become attributes; bounds
  // computed at run time become max/min ops.
  Value result = x;
  Value dynamicMin, dynamicMax;
  for (auto [i, name] : {std::pair<size_t, StringRef>{1, "min"}, {2, "max"}}) {
    if (!n.hasInput(i))
      continue;
    Value v = n.input(i);
    if (!v)
      return failure();
    if (TypedAttr bound = scalarBound(v, element))
      attrs.push_back(n.named(name, bound));
    else
      (i == 1 ? dynamicMin : dynamicMax) = v;
  }
  if (!attrs.empty()) {
    auto clipped = n.build<ClipOp>({result}, attrs);
    if (failed(clipped))
      return failure();
    result = *clipped;
  }
  if (dynamicMin) {
    auto r = n.build<MaxOp>({result, dynamicMin});
    if (failed(r))
      return failure();
    result = *r;
  }
  if (dynamicMax) {
    auto r = n.build<MinOp>({result, dynamicMax});
    if (failed(r))
      return failure();
    result = *r;
  }
  n.setOutput(0, result);
  return success();
}

/// kiln.cast to `element`. ONNX 1.12's backend tests (Cast-13, CastLike-15)
/// make a float bfloat16 by dropping the low 16 bits of its f32 value;
/// from opset 19 on (and in later ONNX releases' tests) it rounds to
/// nearest even like every other float conversion.
FailureOr<Value> buildCast(NodeImporter &n, Value x, Type element) {
  SmallVector<NamedAttribute> attrs = {n.named("to", TypeAttr::get(element))};
  if (n.opset() < 19 && element.isBF16() && isa<FloatType>(cast<RankedTensorType>(x.getType()).getElementType()))
    attrs.push_back(n.named("truncate_bf16", n.builder().getUnitAttr()));
  return n.build<CastOp>({x}, attrs);
}

LogicalResult importCast(NodeImporter &n) {
  Value x = n.input(0);
  auto to = n.requiredInt("to");
  if (!x || failed(to))
    return failure();
  Type element = elementTypeFromOnnx(n.context(), int(*to));
  if (!element)
    return n.error() << "casting to " << onnxTypeName(int(*to))
                     << " is not supported";
  auto type = cast<RankedTensorType>(x.getType());
  if (type.getElementType() == element) {
    n.setOutput(0, x);
    return success();
  }
  return bindResult(n, buildCast(n, x, element));
}

LogicalResult importIdentity(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  n.setOutput(0, x);
  return success();
}

/// Whether a training-mode Dropout drops nothing: its ratio input is a
/// constant 0. The spec's default ratio is 0.5.
bool dropsNothing(NodeImporter &n) {
  if (!n.hasInput(1))
    return false;
  ElementsAttr ratio = getConstantValue(n.input(1));
  if (!ratio)
    return false;
  auto values = getNumericValues(ratio);
  return values && values->size() == 1 && (*values)[0] == 0.0;
}

/// Inference Dropout is the identity; its mask is all true. So is Dropout
/// with ratio 0 in either mode (y = x * mask / (1 - 0), every mask element
/// true): PyTorch exports `F.dropout(p=0.0, training=...)` that way, with
/// training_mode true (torchvision's Swin attention).
LogicalResult importDropout(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  if (n.hasInput(2) && !dropsNothing(n)) {
    auto training = n.maybeConstantInts(2);
    if (!training)
      return n.error() << "Dropout whose training_mode is only known at run "
                          "time is not supported (training mode is random)";
    if (!training->empty() && (*training)[0] != 0)
      return n.error() << "training-mode Dropout with a ratio other than a "
                          "constant 0 is not supported (its output is random)";
  }
  n.setOutput(0, x);
  if (n.wantsOutput(1)) {
    auto type = cast<RankedTensorType>(x.getType());
    auto shape = n.build<ShapeOp>(
        {x}, {n.named("start", n.builder().getI64IntegerAttr(0)),
              n.named("end", n.builder().getI64IntegerAttr(type.getRank()))});
    if (failed(shape))
      return failure();
    auto mask = n.build<ConstantOfShapeOp>(
        {*shape}, {n.named("value", n.builder().getBoolAttr(true))});
    if (failed(mask))
      return failure();
    n.setOutput(1, *mask);
  }
  return success();
}

/// A unary op with float attributes: (attribute, ONNX name, default).
struct FloatParam {
  const char *kilnName;
  const char *onnxName;
  float fallback;
};
template <typename OpTy>
LogicalResult importParamUnary(NodeImporter &n,
                               std::initializer_list<FloatParam> params) {
  Value x = n.input(0);
  if (!x)
    return failure();
  SmallVector<NamedAttribute> attrs;
  for (const FloatParam &p : params)
    attrs.push_back(n.named(p.kilnName, n.builder().getF32FloatAttr(
                                            n.floatAttr(p.onnxName, p.fallback))));
  return bindResult(n, n.build<OpTy>({x}, attrs));
}

LogicalResult importElu(NodeImporter &n) {
  return importParamUnary<EluOp>(n, {{"alpha", "alpha", 1.0f}});
}
LogicalResult importSelu(NodeImporter &n) {
  return importParamUnary<SeluOp>(
      n, {{"alpha", "alpha", 1.67326319217681884765625f},
          {"gamma", "gamma", 1.05070102214813232421875f}});
}
LogicalResult importCelu(NodeImporter &n) {
  return importParamUnary<CeluOp>(n, {{"alpha", "alpha", 1.0f}});
}
LogicalResult importHardSigmoid(NodeImporter &n) {
  return importParamUnary<HardSigmoidOp>(
      n, {{"alpha", "alpha", 0.2f}, {"beta", "beta", 0.5f}});
}
LogicalResult importThresholdedRelu(NodeImporter &n) {
  return importParamUnary<ThresholdedReluOp>(n, {{"alpha", "alpha", 1.0f}});
}
LogicalResult importShrink(NodeImporter &n) {
  return importParamUnary<ShrinkOp>(
      n, {{"bias", "bias", 0.0f}, {"lambd", "lambd", 0.5f}});
}

LogicalResult importGelu(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  std::string approx = n.stringAttr("approximate", "none");
  if (approx != "none" && approx != "tanh")
    return n.error() << "unknown approximate '" << approx << "'";
  return bindResult(n, n.build<GeluOp>(
                           {x}, {n.named("tanh_approximation",
                                         n.builder().getBoolAttr(approx == "tanh"))}));
}

LogicalResult importIsInf(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  OpBuilder &b = n.builder();
  return bindResult(
      n, n.build<IsInfOp>(
             {x}, {n.named("detect_positive",
                           b.getBoolAttr(n.intAttr("detect_positive", 1) != 0)),
                   n.named("detect_negative",
                           b.getBoolAttr(n.intAttr("detect_negative", 1) != 0))}));
}

LogicalResult importMod(NodeImporter &n) {
  Value a = n.input(0), b = n.input(1);
  if (!a || !b)
    return failure();
  bool fmod = n.intAttr("fmod", 0) != 0;
  if (!fmod && isa<FloatType>(cast<RankedTensorType>(a.getType()).getElementType()))
    return n.error() << "Mod of floats requires fmod=1";
  return bindResult(n, n.build<ModOp>(
                           {a, b}, {n.named("fmod", n.builder().getBoolAttr(fmod))}));
}

LogicalResult importBitShift(NodeImporter &n) {
  Value a = n.input(0), b = n.input(1);
  if (!a || !b)
    return failure();
  std::string direction = n.stringAttr("direction", "");
  if (direction != "LEFT" && direction != "RIGHT")
    return n.error() << "direction must be LEFT or RIGHT, got '" << direction
                     << "'";
  return bindResult(n, n.build<BitShiftOp>(
                           {a, b}, {n.named("right", n.builder().getBoolAttr(
                                                         direction == "RIGHT"))}));
}

LogicalResult importWhere(NodeImporter &n) {
  Value c = n.input(0), a = n.input(1), b = n.input(2);
  if (!c || !a || !b)
    return failure();
  return bindResult(n, n.build<WhereOp>({c, a, b}));
}

/// Min, Max, Sum (and Mean) over any number of inputs, as a chain of
/// binary ops.
template <typename OpTy, bool mean = false>
LogicalResult importVariadic(NodeImporter &n) {
  if (n.numInputs() == 0)
    return n.error() << "needs at least one input";
  Value acc = n.input(0);
  if (!acc)
    return failure();
  for (size_t i = 1; i < n.numInputs(); ++i) {
    Value v = n.input(i);
    if (!v)
      return failure();
    auto r = n.build<OpTy>({acc, v});
    if (failed(r))
      return failure();
    acc = *r;
  }
  if (mean && n.numInputs() > 1) {
    Type element = cast<RankedTensorType>(acc.getType()).getElementType();
    auto type = RankedTensorType::get({}, element);
    auto count = n.build<ConstantOp>(
        {}, {n.named("value", DenseElementsAttr::get(
                                  type, n.builder().getFloatAttr(
                                            element, double(n.numInputs()))))});
    if (failed(count))
      return failure();
    auto r = n.build<DivOp>({acc, *count});
    if (failed(r))
      return failure();
    acc = *r;
  }
  n.setOutput(0, acc);
  return success();
}

LogicalResult importCastLike(NodeImporter &n) {
  Value x = n.input(0), like = n.input(1);
  if (!x || !like)
    return failure();
  Type element = cast<RankedTensorType>(like.getType()).getElementType();
  if (cast<RankedTensorType>(x.getType()).getElementType() == element) {
    n.setOutput(0, x);
    return success();
  }
  return bindResult(n, buildCast(n, x, element));
}

const OpImporter kImporters[] = {
    {"Ceil", importUnary<CeilOp>},
    {"Floor", importUnary<FloorOp>},
    {"Round", importUnary<RoundOp>},
    {"Sin", importUnary<SinOp>},
    {"Cos", importUnary<CosOp>},
    {"Tan", importUnary<TanOp>},
    {"Asin", importUnary<AsinOp>},
    {"Acos", importUnary<AcosOp>},
    {"Atan", importUnary<AtanOp>},
    {"Sinh", importUnary<SinhOp>},
    {"Cosh", importUnary<CoshOp>},
    {"Asinh", importUnary<AsinhOp>},
    {"Acosh", importUnary<AcoshOp>},
    {"Atanh", importUnary<AtanhOp>},
    {"Reciprocal", importUnary<ReciprocalOp>},
    {"Softplus", importUnary<SoftplusOp>},
    {"Softsign", importUnary<SoftsignOp>},
    {"HardSwish", importUnary<HardSwishOp>},
    {"Mish", importUnary<MishOp>},
    {"Sign", importUnary<SignOp>},
    {"Not", importUnary<NotOp>},
    {"BitwiseNot", importUnary<BitwiseNotOp>},
    {"IsNaN", importUnary<IsNaNOp>},
    {"IsInf", importIsInf},
    {"Elu", importElu},
    {"Selu", importSelu},
    {"Celu", importCelu},
    {"HardSigmoid", importHardSigmoid},
    {"ThresholdedRelu", importThresholdedRelu},
    {"Shrink", importShrink},
    {"Gelu", importGelu},
    {"Mod", importMod},
    {"PRelu", importBinary<PReluOp>},
    {"And", importBinary<AndOp>},
    {"Or", importBinary<OrOp>},
    {"Xor", importBinary<XorOp>},
    {"BitwiseAnd", importBinary<BitwiseAndOp>},
    {"BitwiseOr", importBinary<BitwiseOrOp>},
    {"BitwiseXor", importBinary<BitwiseXorOp>},
    {"BitShift", importBitShift},
    {"Equal", importBinary<EqualOp>},
    {"Less", importBinary<LessOp>},
    {"LessOrEqual", importBinary<LessEqualOp>},
    {"Greater", importBinary<GreaterOp>},
    {"GreaterOrEqual", importBinary<GreaterEqualOp>},
    {"Where", importWhere},
    {"Min", importVariadic<MinOp>},
    {"Max", importVariadic<MaxOp>},
    {"Sum", importVariadic<AddOp>},
    {"Mean", importVariadic<AddOp, true>},
    {"CastLike", importCastLike},
    {"Add", importBinary<AddOp>},
    {"Sub", importBinary<SubOp>},
    {"Mul", importBinary<MulOp>},
    {"Div", importBinary<DivOp>},
    {"Pow", importBinary<PowOp>},
    {"Relu", importUnary<ReluOp>},
    {"Sigmoid", importUnary<SigmoidOp>},
    {"Tanh", importUnary<TanhOp>},
    {"Exp", importUnary<ExpOp>},
    {"Log", importUnary<LogOp>},
    {"Sqrt", importUnary<SqrtOp>},
    {"Neg", importUnary<NegOp>},
    {"Abs", importUnary<AbsOp>},
    {"Erf", importUnary<ErfOp>},
    {"LeakyRelu", importLeakyRelu},
    {"Clip", importClip},
    {"Cast", importCast},
    {"Identity", importIdentity},
    {"Dropout", importDropout},
};

} // namespace

ArrayRef<OpImporter> elementwiseImporters() { return kImporters; }

} // namespace kiln::onnx_frontend
