//===- FftLoops.cpp - a radix-2 FFT of one transform, as loops ------------===//
#include "backends/linalg/FftLoops.h"
#include "backends/linalg/F64Arith.h"
#include "backends/linalg/LoopBuilders.h"
#include "backends/linalg/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::lowering {
namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

/// Index sizes stay below 2^63: 63 candidate exponents.
constexpr int64_t kMaxBits = 63;

} // namespace

Value isPowerOfTwo(OpBuilder &b, Location loc, Value length) {
  Value zero = cIndex(b, loc, 0);
  Value lowBits = arith::AndIOp::create(
      b, loc, length, arith::SubIOp::create(b, loc, length, cIndex(b, loc, 1)));
  return arith::AndIOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, length, zero),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lowBits, zero));
}

namespace {

/// log2 of a power of two, as an index.
Value log2Index(OpBuilder &b, Location loc, Value length) {
  Value one = cIndex(b, loc, 1);
  return loopNest(b, loc, ValueRange{cIndex(b, loc, kMaxBits)},
                  ValueRange{cIndex(b, loc, 0)},
                  [&](OpBuilder &lb, Location ll, ValueRange i, ValueRange acc) {
                    Value hit = arith::CmpIOp::create(
                        lb, ll, arith::CmpIPredicate::eq,
                        arith::ShLIOp::create(lb, ll, one, i[0]), length);
                    return SmallVector<Value>{
                        arith::SelectOp::create(lb, ll, hit, i[0], acc[0])};
                  })[0];
}

} // namespace

Value twiddleTable(OpBuilder &b, Location loc, Value length) {
  Value entries = arith::AddIOp::create(b, loc, length, length);
  Value table = emptyTensor(b, loc, {OpFoldResult(entries)}, b.getF64Type());
  return loopNest(b, loc, ValueRange{length}, ValueRange{table},
                  [&](OpBuilder &lb, Location ll, ValueRange m, ValueRange acc) {
                    F64Arith f{lb, ll};
                    Value theta = f.div(f.mul(f.c(kTwoPi), f.fromIndex(m[0])),
                                        f.fromIndex(length));
                    Value at = arith::AddIOp::create(lb, ll, m[0], m[0]);
                    Value t = tensor::InsertOp::create(
                        lb, ll, math::CosOp::create(lb, ll, theta), acc[0],
                        ValueRange{at});
                    return SmallVector<Value>{tensor::InsertOp::create(
                        lb, ll, math::SinOp::create(lb, ll, theta), t,
                        ValueRange{arith::AddIOp::create(lb, ll, at, cIndex(lb, ll, 1))})};
                  })[0];
}

FftPlan fftPlan(OpBuilder &b, Location loc, Value length) {
  Value zero = cIndex(b, loc, 0), one = cIndex(b, loc, 1);
  Value bits = log2Index(b, loc, length);
  Value reversal = loopNest(
      b, loc, ValueRange{length},
      ValueRange{emptyTensor(b, loc, {OpFoldResult(length)}, b.getIndexType())},
      [&](OpBuilder &lb, Location ll, ValueRange n, ValueRange acc) {
        Value reversed = loopNest(
            lb, ll, ValueRange{bits}, ValueRange{zero},
            [&](OpBuilder &rb, Location rl, ValueRange i, ValueRange r) {
              Value bit = arith::AndIOp::create(
                  rb, rl, arith::ShRUIOp::create(rb, rl, n[0], i[0]), one);
              return SmallVector<Value>{arith::OrIOp::create(
                  rb, rl, arith::ShLIOp::create(rb, rl, r[0], one), bit)};
            })[0];
        return SmallVector<Value>{
            tensor::InsertOp::create(lb, ll, reversed, acc[0], n)};
      })[0];
  return {length, bits, twiddleTable(b, loc, length), reversal};
}

Value fftInto(OpBuilder &b, Location loc, Value scratch, const FftPlan &plan,
              Value count, bool inverse, ReadSample read) {
  Value zero = cIndex(b, loc, 0), one = cIndex(b, loc, 1);
  Value length = plan.length, twiddles = plan.twiddles;
  // Sample n goes to the bit reversal of n.
  Value loaded = loopNest(
      b, loc, ValueRange{length}, ValueRange{scratch},
      [&](OpBuilder &lb, Location ll, ValueRange n, ValueRange acc) {
        Value reversed = tensor::ExtractOp::create(lb, ll, plan.reversal, n);
        Value present =
            arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::slt, n[0], count);
        auto ifOp = scf::IfOp::create(
            lb, ll, present,
            [&](OpBuilder &tb, Location tl) {
              auto [re, im] = read(tb, tl, n[0]);
              scf::YieldOp::create(tb, tl, ValueRange{re, im});
            },
            [&](OpBuilder &eb, Location el) {
              F64Arith g{eb, el};
              scf::YieldOp::create(eb, el, ValueRange{g.c(0), g.c(0)});
            });
        Value at = arith::AddIOp::create(lb, ll, reversed, reversed);
        Value t = tensor::InsertOp::create(lb, ll, ifOp.getResult(0), acc[0],
                                           ValueRange{at});
        return SmallVector<Value>{tensor::InsertOp::create(
            lb, ll, ifOp.getResult(1), t,
            ValueRange{arith::AddIOp::create(lb, ll, at, one)})};
      })[0];
  // Stage s merges transforms of `half` points into ones of 2 * half; the
  // twiddle of butterfly j is exp(-+ 2 pi i j / (2 half)), entry
  // j * length / (2 half) of the table.
  return loopNest(
      b, loc, ValueRange{plan.bits}, ValueRange{loaded},
      [&](OpBuilder &sb, Location sl, ValueRange s, ValueRange acc) {
        Value half = arith::ShLIOp::create(sb, sl, one, s[0]);
        Value span = arith::AddIOp::create(sb, sl, half, half);
        Value stride = arith::DivUIOp::create(sb, sl, length, span);
        auto groups = scf::ForOp::create(
            sb, sl, zero, length, span, ValueRange{acc[0]},
            [&](OpBuilder &gb, Location gl, Value start, ValueRange gacc) {
              Value out = loopNest(
                  gb, gl, ValueRange{half}, gacc,
                  [&](OpBuilder &bb, Location bl, ValueRange j, ValueRange t) {
                    F64Arith f{bb, bl};
                    auto get = [&](Value from, Value i) {
                      return tensor::ExtractOp::create(bb, bl, from, ValueRange{i})
                          .getResult();
                    };
                    auto plus1 = [&](Value i) {
                      return arith::AddIOp::create(bb, bl, i, one).getResult();
                    };
                    auto twice = [&](Value i) {
                      return arith::AddIOp::create(bb, bl, i, i).getResult();
                    };
                    Value m2 = twice(arith::MulIOp::create(bb, bl, j[0], stride));
                    Value wr = get(twiddles, m2), ws = get(twiddles, plus1(m2));
                    // exp(-i theta) forward, exp(+i theta) inverse.
                    Value wi = inverse ? ws : (Value)arith::NegFOp::create(bb, bl, ws);
                    Value p = arith::AddIOp::create(bb, bl, start, j[0]);
                    Value p2 = twice(p);
                    Value q2 = twice(arith::AddIOp::create(bb, bl, p, half));
                    Value ar = get(t[0], p2), ai = get(t[0], plus1(p2));
                    Value br = get(t[0], q2), bi = get(t[0], plus1(q2));
                    Value tr = f.sub(f.mul(wr, br), f.mul(wi, bi));
                    Value ti = f.add(f.mul(wr, bi), f.mul(wi, br));
                    Value o = tensor::InsertOp::create(bb, bl, f.add(ar, tr), t[0],
                                                       ValueRange{p2});
                    o = tensor::InsertOp::create(bb, bl, f.add(ai, ti), o,
                                                 ValueRange{plus1(p2)});
                    o = tensor::InsertOp::create(bb, bl, f.sub(ar, tr), o,
                                                 ValueRange{q2});
                    o = tensor::InsertOp::create(bb, bl, f.sub(ai, ti), o,
                                                 ValueRange{plus1(q2)});
                    return SmallVector<Value>{o};
                  })[0];
              scf::YieldOp::create(gb, gl, out);
            });
        return SmallVector<Value>{groups.getResult(0)};
      })[0];
}

} // namespace kiln::lowering
