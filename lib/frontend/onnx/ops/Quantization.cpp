//===- Quantization.cpp - importers of quantization operators -------------===//
//
// Linear quantization as kiln arithmetic: integer products accumulate in
// si32 exactly, scaling happens in float with round-half-to-even, and the
// result saturates to the zero point's type, as the ONNX reference does.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/GraphImporter.h"
#include "lib/frontend/onnx/ops/Builders.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_frontend {

FailureOr<Value> requantize(NodeImporter &n, Value acc, Value scale,
                            Value zeroPoint, int64_t axis) {
  Type f32 = n.builder().getF32Type();
  Type target = zeroPoint
                    ? elementOf(zeroPoint)
                    : IntegerType::get(n.context(), 8, IntegerType::Unsigned);
  auto accF = n.build<CastOp>({acc}, {n.named("to", TypeAttr::get(f32))});
  auto s = alongAxis(n, scale, rankOf(acc), axis);
  if (failed(accF) || failed(s))
    return failure();
  auto scaled = n.build<MulOp>({*accF, *s});
  if (failed(scaled))
    return failure();
  auto rounded = n.build<RoundOp>({*scaled});
  if (failed(rounded))
    return failure();
  Value q = *rounded;
  if (zeroPoint) {
    auto zp = n.build<CastOp>({zeroPoint}, {n.named("to", TypeAttr::get(f32))});
    if (failed(zp))
      return failure();
    auto zpa = alongAxis(n, *zp, rankOf(acc), axis);
    if (failed(zpa))
      return failure();
    auto shifted = n.build<AddOp>({q, *zpa});
    if (failed(shifted))
      return failure();
    q = *shifted;
  }
  auto it = cast<IntegerType>(target);
  unsigned w = it.getWidth();
  double lo = it.isUnsigned() ? 0 : -std::ldexp(1.0, w - 1);
  double hi = it.isUnsigned() ? std::ldexp(1.0, w) - 1 : std::ldexp(1.0, w - 1) - 1;
  OpBuilder &b = n.builder();
  auto clipped = n.build<ClipOp>({q}, {n.named("min", b.getF32FloatAttr(lo)),
                                       n.named("max", b.getF32FloatAttr(hi))});
  if (failed(clipped))
    return failure();
  return n.build<CastOp>({*clipped}, {n.named("to", TypeAttr::get(target))});
}

namespace {

/// The axis counted from 0; one out of range stays as given (alongAxis
/// refuses it, naming it, where the parameters are per axis).
int64_t quantAxis(NodeImporter &n, Value x) {
  int64_t axis = n.intAttr("axis", 1), rank = rankOf(x);
  int64_t from0 = axis < 0 ? axis + rank : axis;
  return from0 >= 0 && from0 < rank ? from0 : axis;
}

/// y = (x - zero_point) * scale, along `axis` for per-channel parameters.
LogicalResult importDequantizeLinear(NodeImporter &n) {
  Value x = n.input(0), scale = n.input(1);
  if (!x || !scale)
    return failure();
  int64_t axis = quantAxis(n, x);
  Type t = elementOf(scale);
  auto xf = n.build<CastOp>({x}, {n.named("to", TypeAttr::get(t))});
  if (failed(xf))
    return failure();
  Value v = *xf;
  if (Value zp = n.optionalInput(2)) {
    auto zf = n.build<CastOp>({zp}, {n.named("to", TypeAttr::get(t))});
    if (failed(zf))
      return failure();
    auto za = alongAxis(n, *zf, rankOf(x), axis);
    if (failed(za))
      return failure();
    auto d = n.build<SubOp>({v, *za});
    if (failed(d))
      return failure();
    v = *d;
  }
  auto s = alongAxis(n, scale, rankOf(x), axis);
  if (failed(s))
    return failure();
  auto y = n.build<MulOp>({v, *s});
  if (succeeded(y))
    n.graph().noteDequantized(*y, {x, scale, n.optionalInput(2), axis});
  return bindResult(n, y);
}

/// y = saturate(round(x / scale) + zero_point).
LogicalResult importQuantizeLinear(NodeImporter &n) {
  Value x = n.input(0), scale = n.input(1);
  if (!x || !scale)
    return failure();
  int64_t axis = quantAxis(n, x);
  Type f32 = n.builder().getF32Type();
  auto xf = n.build<CastOp>({x}, {n.named("to", TypeAttr::get(f32))});
  auto sf = n.build<CastOp>({scale}, {n.named("to", TypeAttr::get(f32))});
  if (failed(xf) || failed(sf))
    return failure();
  auto sa = alongAxis(n, *sf, rankOf(x), axis);
  if (failed(sa))
    return failure();
  auto divided = n.build<DivOp>({*xf, *sa});
  auto one = scalarConstant(n, f32, 1.0);
  if (failed(divided) || failed(one))
    return failure();
  // requantize multiplies by its scale: pass 1 and the quotient.
  return bindResult(n, requantize(n, *divided, *one, n.optionalInput(2), axis));
}

/// MatMulInteger: (A - a_zp) x (B - b_zp) in si32; a_zp is per row of A.
LogicalResult importMatMulInteger(NodeImporter &n) {
  Value a = n.input(0), b = n.input(1);
  if (!a || !b)
    return failure();
  Type si32 = IntegerType::get(n.context(), 32, IntegerType::Signed);
  auto shifted = [&](Value v, Value zp, bool rows) -> FailureOr<Value> {
    auto wide = n.build<CastOp>({v}, {n.named("to", TypeAttr::get(si32))});
    if (failed(wide) || !zp)
      return wide;
    auto z = n.build<CastOp>({zp}, {n.named("to", TypeAttr::get(si32))});
    if (failed(z))
      return failure();
    Value zz = *z;
    if (rows) {
      auto r = alongAxis(n, zz, rankOf(v), rankOf(v) - 2);
      if (failed(r))
        return failure();
      zz = *r;
    }
    return n.build<SubOp>({*wide, zz});
  };
  auto as = shifted(a, n.optionalInput(2), true);
  auto bs = shifted(b, n.optionalInput(3), false);
  if (failed(as) || failed(bs))
    return failure();
  return bindResult(n, n.build<MatMulOp>({*as, *bs}));
}

/// QLinearMatMul: MatMulInteger, then requantized by a_scale * b_scale /
/// y_scale.
LogicalResult importQLinearMatMul(NodeImporter &n) {
  FailureOr<SmallVector<Value>> inOr = n.inputs(8);
  if (failed(inOr))
    return failure();
  SmallVector<Value> &in = *inOr;
  Type si32 = IntegerType::get(n.context(), 32, IntegerType::Signed);
  auto cast32 = [&](Value v) {
    return n.build<CastOp>({v}, {n.named("to", TypeAttr::get(si32))});
  };
  auto a = cast32(in[0]), az = cast32(in[2]), b = cast32(in[3]),
       bz = cast32(in[5]);
  if (failed(a) || failed(az) || failed(b) || failed(bz))
    return failure();
  auto azr = alongAxis(n, *az, rankOf(in[0]), rankOf(in[0]) - 2);
  if (failed(azr))
    return failure();
  auto as = n.build<SubOp>({*a, *azr});
  auto bs = n.build<SubOp>({*b, *bz});
  if (failed(as) || failed(bs))
    return failure();
  auto acc = n.build<MatMulOp>({*as, *bs});
  if (failed(acc))
    return failure();
  auto ab = n.build<MulOp>({in[1], in[4]});
  if (failed(ab))
    return failure();
  auto scale = n.build<DivOp>({*ab, in[6]});
  if (failed(scale))
    return failure();
  return bindResult(n, requantize(n, *acc, *scale, in[7], rankOf(*acc) - 1));
}

const OpImporter kImporters[] = {
    {"DequantizeLinear", importDequantizeLinear},
    {"QuantizeLinear", importQuantizeLinear},
    {"MatMulInteger", importMatMulInteger},
    {"QLinearMatMul", importQLinearMatMul},
};

} // namespace

ArrayRef<OpImporter> quantizationImporters() { return kImporters; }

} // namespace kiln::onnx_frontend
