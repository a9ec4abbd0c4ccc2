//===- CompositeOps.cpp - type rules of recognised composite ops ----------===//
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ShapeUtils.h"

using namespace mlir;

namespace kiln {

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= std::max<int64_t>(x.getRank(), 1))
    return emitOptionalError(loc, "axis ", axis, " out of range for rank ",
                             x.getRank());
  for (Value v : {adaptor.getScale(), adaptor.getBias()}) {
    if (!v)
      continue;
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getElementType() != x.getElementType())
      return emitOptionalError(loc, "scale and bias must have the input's "
                                    "element type");
    // They broadcast against the normalised dimensions only.
    if (t.getRank() > x.getRank() - axis)
      return emitOptionalError(loc, "scale and bias must not have more than ",
                               x.getRank() - axis, " dimensions");
    std::string error;
    if (!broadcastShapes(x.getShape().drop_front(axis), t.getShape(), &error))
      return emitOptionalError(loc, error);
  }
  results.push_back(x);
  return success();
}

LogicalResult LayerNormOp::verify() {
  if (getEpsilon().isNegative())
    return emitOpError() << "epsilon must not be negative";
  return success();
}

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto q = cast<RankedTensorType>(adaptor.getQ().getType());
  auto k = cast<RankedTensorType>(adaptor.getK().getType());
  auto v = cast<RankedTensorType>(adaptor.getV().getType());
  int64_t heads = adaptor.getNumHeads();
  if (q.getRank() != 3 || k.getRank() != 3 || v.getRank() != 3)
    return emitOptionalError(loc, "q, k and v must be [batch, sequence, "
                                  "heads * head size]");
  if (heads <= 0)
    return emitOptionalError(loc, "num_heads must be positive");
  auto agree = [](int64_t a, int64_t b) { return isDynamic(a) || isDynamic(b) || a == b; };
  if (!agree(q.getDimSize(0), k.getDimSize(0)) || !agree(q.getDimSize(0), v.getDimSize(0)))
    return emitOptionalError(loc, "q, k and v differ in batch size");
  if (!agree(k.getDimSize(1), v.getDimSize(1)))
    return emitOptionalError(loc, "k and v differ in sequence length");
  if (!agree(q.getDimSize(2), k.getDimSize(2)))
    return emitOptionalError(loc, "q and k differ in their last dimension");
  for (auto t : {q, v})
    if (!isDynamic(t.getDimSize(2)) && t.getDimSize(2) % heads != 0)
      return emitOptionalError(loc, "last dimension ", t.getDimSize(2),
                               " is not a multiple of num_heads ", heads);
  if (Value m = adaptor.getMask()) {
    auto mt = cast<RankedTensorType>(m.getType());
    SmallVector<int64_t> scores = {q.getDimSize(0), heads, q.getDimSize(1),
                                   k.getDimSize(1)};
    std::string error;
    if (mt.getRank() > 4 || !broadcastShapes(scores, mt.getShape(), &error))
      return emitOptionalError(loc, "mask does not broadcast against the "
                                    "scores [batch, heads, S, T]");
  }
  results.push_back(RankedTensorType::get(
      {q.getDimSize(0), q.getDimSize(1), v.getDimSize(2)}, q.getElementType()));
  return success();
}

} // namespace kiln
