//===- Signal.cpp - importers of the spectral operators --------------------===//
//
// DFT, STFT and MelWeightMatrix. Parameters that type the result (the DFT
// axis and length) must be constants and become attributes; STFT's frame
// step and MelWeightMatrix's scalars may be known only at run time and stay
// operands.
//
//===----------------------------------------------------------------------===//
#include "dialects/kiln/ShapeUtils.h"
#include "lib/frontend/onnx/TensorImport.h"
#include "lib/frontend/onnx/ops/Builders.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

/// The value of optional scalar input `i` (nullopt when absent); an error
/// when it is given but not a constant.
FailureOr<std::optional<int64_t>> constantScalarInput(NodeImporter &n, size_t i,
                                                      StringRef what) {
  if (!n.hasInput(i))
    return std::optional<int64_t>();
  auto v = n.constantInts(i, what);
  if (failed(v))
    return failure();
  if (v->size() != 1)
    return n.error() << what << " must be a scalar";
  return std::optional<int64_t>(v->front());
}

/// DFT: opset 17 has the axis as an attribute (default 1), opset 20 as
/// input 2 (default -2); both count the trailing complex dimension, so the
/// signal axis is in [0, rank - 2] once made non-negative.
LogicalResult importDft(NodeImporter &n) {
  Value x = n.input(0);
  if (!x)
    return failure();
  int64_t rank = rankOf(x);
  auto length = constantScalarInput(n, 1, "dft_length");
  if (failed(length))
    return failure();
  int64_t axis = n.intAttr("axis", 1);
  if (n.opset() >= 20) {
    auto given = constantScalarInput(n, 2, "axis");
    if (failed(given))
      return failure();
    axis = given->value_or(-2);
  }
  int64_t given = axis;
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis > rank - 2)
    return n.error() << "axis " << given
                     << " out of range for an input of rank " << rank
                     << " (the last dimension holds the complex parts)";
  OpBuilder &b = n.builder();
  SmallVector<NamedAttribute> attrs = {
      n.named("axis", b.getI64IntegerAttr(axis)),
      n.named("inverse", b.getBoolAttr(n.intAttr("inverse", 0) != 0)),
      n.named("onesided", b.getBoolAttr(n.intAttr("onesided", 0) != 0))};
  if (*length)
    attrs.push_back(n.named("length", b.getI64IntegerAttr(**length)));
  return bindResult(n, n.build<DftOp>({x}, attrs));
}

/// The all-ones window of `frame_length` samples, for an STFT without one.
FailureOr<Value> rectangularWindow(NodeImporter &n, Value frameLength,
                                   Type element) {
  if (auto l = n.maybeConstantInts(3)) {
    if (l->size() != 1 || l->front() < 1)
      return n.error() << "frame_length must be a positive scalar";
    SmallVector<int64_t> shape = {l->front()};
    auto type = RankedTensorType::get(shape, element);
    return n.build<ConstantOp>(
        {}, {n.named("value", DenseElementsAttr::get(
                                  type, n.builder().getFloatAttr(element, 1.0)))});
  }
  // Known only at run time: ConstantOfShape([frame_length]).
  Type si64 = IntegerType::get(n.context(), 64, IntegerType::Signed);
  Value len = frameLength;
  if (elementOf(len) != si64) {
    auto c = n.build<CastOp>({len}, {n.named("to", TypeAttr::get(si64))});
    if (failed(c))
      return failure();
    len = *c;
  }
  if (rankOf(len) != 0)
    return n.error() << "frame_length must be a scalar";
  auto shape = n.build<UnsqueezeOp>({len}, {n.named("axes", n.i64Array({0}))});
  if (failed(shape))
    return failure();
  return n.build<ConstantOfShapeOp>(
      {*shape}, {n.named("value", n.builder().getFloatAttr(element, 1.0))});
}

/// STFT (opset 17): signal, frame_step, optional window, optional
/// frame_length (one of the last two is needed).
LogicalResult importStft(NodeImporter &n) {
  Value signal = n.input(0), step = n.input(1);
  if (!signal || !step)
    return failure();
  Value window = n.optionalInput(2);
  if (window && n.hasInput(3)) {
    auto l = n.maybeConstantInts(3);
    auto w = cast<RankedTensorType>(window.getType());
    if (l && l->size() == 1 && w.getRank() == 1 && !w.isDynamicDim(0) &&
        w.getDimSize(0) != l->front())
      return n.error() << "frame_length " << l->front()
                       << " differs from the window's length "
                       << w.getDimSize(0);
  }
  if (!window) {
    if (!n.hasInput(3))
      return n.error() << "needs a window or a frame_length";
    Value frameLength = n.input(3);
    if (!frameLength)
      return failure();
    auto w = rectangularWindow(n, frameLength, elementOf(signal));
    if (failed(w))
      return failure();
    window = *w;
  }
  return bindResult(
      n, n.build<StftOp>({signal, step, window},
                         {n.named("onesided", n.builder().getBoolAttr(
                                                  n.intAttr("onesided", 1) != 0))}));
}

LogicalResult importMelWeightMatrix(NodeImporter &n) {
  FailureOr<SmallVector<Value>> operandsOr = n.inputs(5);
  if (failed(operandsOr))
    return failure();
  SmallVector<Value> &operands = *operandsOr;
  int64_t dtype = n.intAttr("output_datatype", 1);
  Type element = elementTypeFromOnnx(n.context(), int(dtype));
  if (!element || !isa<FloatType, IntegerType>(element) ||
      element.isInteger(1))
    return n.error() << "output_datatype " << onnxTypeName(int(dtype))
                     << " is not a number type";
  return bindResult(n, n.build<MelWeightMatrixOp>(
                           operands, {n.named("output_type", TypeAttr::get(element))}));
}

const OpImporter kImporters[] = {
    {"DFT", importDft},
    {"STFT", importStft},
    {"MelWeightMatrix", importMelWeightMatrix},
};

} // namespace

ArrayRef<OpImporter> signalImporters() { return kImporters; }

} // namespace kiln::onnx_frontend
