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
  return bindResult(n, n.build<CastOp>({x}, {n.named("to", TypeAttr::get(element))}));
}

LogicalResult importIdentity(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  n.setOutput(0, x);
  return success();
}

/// Inference Dropout is the identity; its mask is all true.
LogicalResult importDropout(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  if (n.hasInput(2)) {
    auto training = n.constantInts(2, "training_mode");
    if (failed(training))
      return failure();
    if (!training->empty() && (*training)[0] != 0)
      return n.error() << "training-mode Dropout is not supported (its "
                          "output is random)";
  }
  n.setOutput(0, x);
  if (n.wantsOutput(1)) {
    auto type = cast<RankedTensorType>(x.getType());
    if (!type.hasStaticShape())
      return n.error() << "Dropout's mask output needs a static shape";
    auto maskType = type.clone(n.builder().getI1Type());
    auto mask = n.build<ConstantOp>(
        {}, {n.named("value", DenseElementsAttr::get(maskType, true))});
    if (failed(mask))
      return failure();
    n.setOutput(1, *mask);
  }
  return success();
}

const OpImporter kImporters[] = {
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
