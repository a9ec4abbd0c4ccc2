//===- Builders.cpp - small IR-building helpers for operator importers ----===//
#include "lib/frontend/onnx/ops/Builders.h"

using namespace mlir;

namespace kiln::onnx_frontend {

FailureOr<Value> scalarConstant(NodeImporter &n, Type element, double value) {
  auto type = RankedTensorType::get({}, element);
  Attribute attr;
  if (auto f = dyn_cast<FloatType>(element))
    attr = n.builder().getFloatAttr(f, value);
  else
    attr = IntegerAttr::get(element, APInt(element.getIntOrFloatBitWidth(),
                                           int64_t(value), true));
  return n.build<ConstantOp>(
      {}, {n.named("value", DenseElementsAttr::get(type, attr))});
}

FailureOr<Value> alongAxis(NodeImporter &n, Value v, int64_t rank,
                           int64_t axis) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getRank() == 0 || (t.getRank() == 1 && t.getDimSize(0) == 1))
    return v;
  if (t.getRank() != 1)
    return n.error() << "expected a 1-D tensor, got " << t;
  if (axis < 0 || axis >= rank)
    return n.error() << "axis " << axis << " is out of range for rank "
                     << rank << " (per-axis values need an axis of the input)";
  SmallVector<int64_t> axes;
  for (int64_t i = 1; i < rank - axis; ++i)
    axes.push_back(i);
  if (axes.empty())
    return v;
  return n.build<UnsqueezeOp>({v}, {n.named("axes", n.i64Array(axes))});
}

FailureOr<Value> sliceAxis(NodeImporter &n, Value v, int64_t axis,
                           int64_t start, int64_t end, int64_t step) {
  auto s = n.constantI64({start}), e = n.constantI64({end}),
       st = n.constantI64({step});
  if (failed(s) || failed(e) || failed(st))
    return failure();
  return n.build<SliceOp>({v, *s, *e, *st}, {n.named("axes", n.i64Array({axis}))});
}

} // namespace kiln::onnx_frontend
