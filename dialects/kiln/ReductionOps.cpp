//===- ReductionOps.cpp - type rules of reductions ------------------------===//
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ShapeUtils.h"

using namespace mlir;

namespace kiln {

template <typename Adaptor>
static LogicalResult inferReduce(std::optional<Location> loc, Adaptor adaptor,
                                 SmallVectorImpl<Type> &results) {
  auto x = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> axes = adaptor.getAxes();
  if (Value dynamic = adaptor.getDynamicAxes()) {
    auto t = cast<RankedTensorType>(dynamic.getType());
    if (t.getRank() != 1 || t.isDynamicDim(0) || !axes.empty())
      return emitOptionalError(loc, "dynamic axes must be a 1-D tensor of "
                                    "known length, with no static axes");
    int64_t k = t.getDimSize(0);
    if (k > x.getRank())
      return emitOptionalError(loc, k, " axes for rank ", x.getRank());
    int64_t rank = adaptor.getKeepdims() ? x.getRank() : x.getRank() - k;
    results.push_back(RankedTensorType::get(SmallVector<int64_t>(rank, kDynamic),
                                            x.getElementType()));
    return success();
  }
  int64_t prev = -1;
  for (int64_t a : axes) {
    if (a < 0 || a >= x.getRank())
      return emitOptionalError(loc, "axis ", a, " out of range for rank ",
                               x.getRank());
    if (a <= prev)
      return emitOptionalError(loc, "axes must be sorted and unique");
    prev = a;
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < x.getRank(); ++i) {
    bool reduced = llvm::is_contained(axes, i);
    if (!reduced)
      shape.push_back(x.getDimSize(i));
    else if (adaptor.getKeepdims())
      shape.push_back(1);
  }
  results.push_back(RankedTensorType::get(shape, x.getElementType()));
  return success();
}

#define KILN_REDUCE_INFER(Op)                                                  \
  LogicalResult Op::inferReturnTypes(MLIRContext *,                            \
                                     std::optional<Location> loc,              \
                                     Adaptor adaptor,                          \
                                     SmallVectorImpl<Type> &results) {         \
    return inferReduce(loc, adaptor, results);                                 \
  }
KILN_REDUCE_INFER(ReduceSumOp)
KILN_REDUCE_INFER(ReduceMeanOp)
KILN_REDUCE_INFER(ReduceMaxOp)
KILN_REDUCE_INFER(ReduceMinOp)
KILN_REDUCE_INFER(ReduceProdOp)
#undef KILN_REDUCE_INFER

} // namespace kiln
