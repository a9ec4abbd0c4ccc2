//===- QdqProducts.cpp - products of dequantized values as integer ones ---===//
//
// A statically quantized model in the QDQ format (what onnxruntime's
// quantize_static writes by default) computes each convolution and matrix
// product in float between DequantizeLinear and QuantizeLinear nodes:
//
//   Conv(DQ(x_q, sx, zx), DQ(w_q, sw, zw), bias) -> QuantizeLinear
//
// Since DQ(v) = (v - z) * s, with a scale that is one value for x and one
// per output channel (or one) for w, the product is exactly
//
//   float(ConvInteger(x_q - zx, w_q - zw)) * (sx * sw) + bias
//
// which is what runtimes execute for such a model (onnxruntime fuses the
// pattern into QLinearConv): the si32 accumulation is exact where the float
// one rounds, so results differ from the float graph's only by that
// rounding. The integer product then runs on the CPU's int8 units
// (backends/cpu/SelectIntegerProducts.cpp). MatMul likewise, with a scale
// that is one value for A and one per column (or one) for B. The
// DequantizeLinear importer records what each result dequantized
// (GraphImporter::noteDequantized), which still holds once a weight's
// dequantization has folded into a float constant.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/GraphImporter.h"
#include "lib/frontend/onnx/ops/Builders.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

using Dequantized = GraphImporter::Dequantized;

int64_t elementsOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getNumElements();
}

/// `v`'s dequantization when it is one of 8-bit values with f32 scales,
/// whose scale and zero point (of static shapes) are single values or, when
/// `perAxis` >= 0, vary only along that axis of the quantized tensor (of a
/// static size). The quantized tensor's other sizes may be known only at
/// run time (a batch, a sequence, an image size).
const Dequantized *eightBitDequantized(NodeImporter &n, Value v,
                                       int64_t perAxis) {
  const Dequantized *d = n.graph().dequantized(v);
  if (!d)
    return nullptr;
  auto q = dyn_cast<RankedTensorType>(d->quantized.getType());
  auto e = q ? dyn_cast<IntegerType>(q.getElementType()) : IntegerType();
  if (!e || e.getWidth() != 8 || !elementOf(d->scale).isF32())
    return nullptr;
  for (Value p : {d->scale, d->zeroPoint}) {
    if (!p)
      continue;
    auto pt = dyn_cast<RankedTensorType>(p.getType());
    if (!pt || !pt.hasStaticShape())
      return nullptr;
    int64_t count = elementsOf(p);
    if (count != 1 &&
        (perAxis < 0 || d->axis != perAxis || q.isDynamicDim(perAxis) ||
         count != q.getDimSize(perAxis)))
      return nullptr;
  }
  return d;
}

/// float(acc) * (sa * sb), the combined scale broadcast along `axis` of
/// the result.
FailureOr<Value> scaled(NodeImporter &n, FailureOr<Value> acc, Value sa,
                        Value sb, int64_t axis) {
  if (failed(acc))
    return failure();
  auto accF = n.build<CastOp>(
      {*acc}, {n.named("to", TypeAttr::get(n.builder().getF32Type()))});
  auto scale = n.build<MulOp>({sa, sb});
  if (failed(accF) || failed(scale))
    return failure();
  auto along = alongAxis(n, *scale, rankOf(*acc), axis);
  if (failed(along))
    return failure();
  return n.build<MulOp>({*accF, *along});
}

} // namespace

FailureOr<Value> dequantizedConv(NodeImporter &n) {
  // 2-D: the int8 library path's (others stay float, for oneDNN's or
  // generated float code, faster than generated 32-bit integer loops).
  if (rankOf(n.input(0)) != 4)
    return Value();
  const Dequantized *x = eightBitDequantized(n, n.input(0), -1);
  const Dequantized *w = eightBitDequantized(n, n.input(1), 0);
  if (!x || !w)
    return Value();
  auto acc = integerConv(n, x->quantized, x->zeroPoint, w->quantized,
                         w->zeroPoint);
  auto y = scaled(n, acc, x->scale, w->scale, 1);
  if (failed(y) || !n.hasInput(2))
    return y;
  auto bias = alongAxis(n, n.input(2), rankOf(*y), 1);
  if (failed(bias))
    return failure();
  return n.build<AddOp>({*y, *bias});
}

FailureOr<Value> dequantizedMatMul(NodeImporter &n) {
  Value av = n.input(0), bv = n.input(1);
  // Right operands of rank 2 (weights): a scale per column is along axis 1.
  if (rankOf(av) < 2 || rankOf(bv) < 2)
    return Value();
  const Dequantized *a = eightBitDequantized(n, av, -1);
  const Dequantized *b =
      eightBitDequantized(n, bv, rankOf(bv) == 2 ? 1 : -1);
  if (!a || !b)
    return Value();
  auto as = shiftedInt32(n, a->quantized, a->zeroPoint, 0);
  auto bs = shiftedInt32(n, b->quantized, b->zeroPoint, rankOf(bv) - 1);
  if (failed(as) || failed(bs))
    return failure();
  auto acc = n.build<MatMulOp>({*as, *bs});
  if (failed(acc))
    return failure();
  return scaled(n, acc, a->scale, b->scale, rankOf(*acc) - 1);
}

} // namespace kiln::onnx_frontend
