//===- SignalOps.cpp - type rules of the spectral ops ----------------------===//
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/InferUtils.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ShapeUtils.h"

using namespace mlir;

namespace kiln {

/// The value of a scalar integer operand when it is a constant.
static std::optional<int64_t> constantScalar(Value v) {
  auto values = getConstantIntValues(v);
  if (!values || values->size() != 1)
    return std::nullopt;
  return values->front();
}

static bool isScalar(Value v) { return tensorType(v).getNumElements() == 1; }

/// Frequencies kept of an `length`-point transform.
static int64_t binsOf(int64_t length, bool onesided) {
  if (isDynamic(length))
    return kDynamic;
  return onesided ? length / 2 + 1 : length;
}

LogicalResult DftOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> loc,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  RankedTensorType in = tensorType(adaptor.getInput());
  int64_t rank = in.getRank();
  int64_t axis = adaptor.getAxis();
  if (rank < 2)
    return emitOptionalError(loc, "input must have rank >= 2 (the last "
                                  "dimension holds the complex parts)");
  int64_t parts = in.getDimSize(rank - 1);
  if (!isDynamic(parts) && parts != 1 && parts != 2)
    return emitOptionalError(loc, "the last dimension must be 1 (real) or 2 "
                                  "(complex), got ", parts);
  if (axis < 0 || axis > rank - 2)
    return emitOptionalError(loc, "axis ", axis, " out of range [0, ",
                             rank - 2, "]");
  int64_t length = in.getDimSize(axis);
  if (auto l = adaptor.getLength()) {
    if (*l < 1)
      return emitOptionalError(loc, "dft_length must be positive, got ", *l);
    length = *l;
  }
  SmallVector<int64_t> shape(in.getShape());
  shape[axis] = binsOf(length, adaptor.getOnesided());
  shape[rank - 1] = 2;
  results.push_back(in.clone(shape));
  return success();
}

LogicalResult StftOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  RankedTensorType signal = tensorType(adaptor.getSignal());
  RankedTensorType window = tensorType(adaptor.getWindow());
  if (signal.getRank() != 3)
    return emitOptionalError(loc, "signal must be [batch, length, 1 or 2]");
  int64_t parts = signal.getDimSize(2);
  if (!isDynamic(parts) && parts != 1 && parts != 2)
    return emitOptionalError(loc, "the signal's last dimension must be 1 "
                                  "(real) or 2 (complex), got ", parts);
  if (window.getRank() != 1)
    return emitOptionalError(loc, "window must be 1-D");
  if (window.getElementType() != signal.getElementType())
    return emitOptionalError(loc, "window and signal element types differ");
  if (!isScalar(adaptor.getFrameStep()))
    return emitOptionalError(loc, "frame_step must be a scalar");
  int64_t length = window.getDimSize(0), total = signal.getDimSize(1);
  std::optional<int64_t> step = constantScalar(adaptor.getFrameStep());
  if (step && *step < 1)
    return emitOptionalError(loc, "frame_step must be positive, got ", *step);
  if (!isDynamic(length) && length < 1)
    return emitOptionalError(loc, "the frame length must be positive");
  if (!isDynamic(length) && !isDynamic(total) && length > total)
    return emitOptionalError(loc, "frame length ", length,
                             " exceeds the signal length ", total);
  int64_t frames = kDynamic;
  if (step && !isDynamic(length) && !isDynamic(total))
    frames = (total - length) / *step + 1;
  results.push_back(signal.clone(
      {signal.getDimSize(0), frames, binsOf(length, adaptor.getOnesided()), 2}));
  return success();
}

LogicalResult MelWeightMatrixOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  for (Value v : {adaptor.getNumMelBins(), adaptor.getDftLength(),
                  adaptor.getSampleRate(), adaptor.getLowerEdgeHertz(),
                  adaptor.getUpperEdgeHertz()})
    if (!isScalar(v))
      return emitOptionalError(loc, "every operand must be a scalar");
  Type element = adaptor.getOutputType();
  if (!isa<FloatType, IntegerType>(element))
    return emitOptionalError(loc, "output_type must be a number type");
  int64_t rows = kDynamic, cols = kDynamic;
  if (auto d = constantScalar(adaptor.getDftLength())) {
    if (*d < 1)
      return emitOptionalError(loc, "dft_length must be positive, got ", *d);
    rows = *d / 2 + 1;
  }
  if (auto m = constantScalar(adaptor.getNumMelBins())) {
    if (*m < 1)
      return emitOptionalError(loc, "num_mel_bins must be positive, got ", *m);
    cols = *m;
  }
  results.push_back(RankedTensorType::get({rows, cols}, element));
  return success();
}

} // namespace kiln
