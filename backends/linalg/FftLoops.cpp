//===- FftLoops.cpp - FFTs of one transform, as loops ----------------------===//
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

constexpr double kPi = 3.14159265358979323846264338327950;
constexpr double kTwoPi = 2 * kPi;

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

namespace {

/// (ar + i ai) (br + i bi).
std::pair<Value, Value> complexMul(F64Arith &f, Value ar, Value ai, Value br,
                                   Value bi) {
  return {f.sub(f.mul(ar, br), f.mul(ai, bi)), f.add(f.mul(ar, bi), f.mul(ai, br))};
}

/// Entries `at` and `at + 1` of a tensor<?xf64>: one complex number.
std::pair<Value, Value> readPair(OpBuilder &b, Location loc, Value t, Value at) {
  Value next = arith::AddIOp::create(b, loc, at, cIndex(b, loc, 1));
  return {tensor::ExtractOp::create(b, loc, t, ValueRange{at}),
          tensor::ExtractOp::create(b, loc, t, ValueRange{next})};
}

/// `t` with entries 2i and 2i + 1 set to (re, im).
Value writePair(OpBuilder &b, Location loc, Value t, Value i, Value re, Value im) {
  Value at = arith::AddIOp::create(b, loc, i, i);
  Value next = arith::AddIOp::create(b, loc, at, cIndex(b, loc, 1));
  Value r = tensor::InsertOp::create(b, loc, re, t, ValueRange{at});
  return tensor::InsertOp::create(b, loc, im, r, ValueRange{next});
}

/// The least power of two >= v (v >= 1), as an index.
Value powerOfTwoAtLeast(OpBuilder &b, Location loc, Value v) {
  Value zero = cIndex(b, loc, 0), one = cIndex(b, loc, 1);
  return loopNest(b, loc, ValueRange{cIndex(b, loc, kMaxBits)}, ValueRange{zero},
                  [&](OpBuilder &lb, Location ll, ValueRange i, ValueRange acc) {
                    Value p = arith::ShLIOp::create(lb, ll, one, i[0]);
                    Value first = arith::AndIOp::create(
                        lb, ll,
                        arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::eq,
                                              acc[0], zero),
                        arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::uge, p, v));
                    return SmallVector<Value>{
                        arith::SelectOp::create(lb, ll, first, p, acc[0])};
                  })[0];
}

/// c_m = exp(-+ i pi m^2 / length) for m in [0, length), interleaved. The
/// exponent m^2 is kept mod 2 length, stepped by 2m + 1, so the angle is
/// exact in integers and never overflows.
Value chirpTable(OpBuilder &b, Location loc, Value length, bool inverse) {
  Value twoL = arith::AddIOp::create(b, loc, length, length);
  Value table = emptyTensor(b, loc, {OpFoldResult(twoL)}, b.getF64Type());
  return loopNest(
      b, loc, ValueRange{length}, ValueRange{table, cIndex(b, loc, 0)},
      [&](OpBuilder &lb, Location ll, ValueRange m, ValueRange acc) {
        F64Arith f{lb, ll};
        Value square = acc[1];
        Value theta = f.div(f.mul(f.c(kPi), f.fromIndex(square)), f.fromIndex(length));
        Value sin = math::SinOp::create(lb, ll, theta);
        Value t = writePair(lb, ll, acc[0], m[0], math::CosOp::create(lb, ll, theta),
                            inverse ? sin : (Value)arith::NegFOp::create(lb, ll, sin));
        Value step = arith::AddIOp::create(
            lb, ll, square,
            arith::AddIOp::create(lb, ll, arith::AddIOp::create(lb, ll, m[0], m[0]),
                                  cIndex(lb, ll, 1)));
        Value wraps = arith::CmpIOp::create(lb, ll, arith::CmpIPredicate::uge, step, twoL);
        Value next = arith::SelectOp::create(
            lb, ll, wraps, arith::SubIOp::create(lb, ll, step, twoL), step);
        return SmallVector<Value>{t, next};
      })[0];
}

} // namespace

BluesteinPlan bluesteinPlan(OpBuilder &b, Location loc, Value length,
                            bool inverse) {
  Value one = cIndex(b, loc, 1);
  Value least = arith::SubIOp::create(
      b, loc, arith::AddIOp::create(b, loc, length, length), one);
  FftPlan fft = fftPlan(b, loc, powerOfTwoAtLeast(b, loc, least));
  Value size = fft.length;
  Value chirp = chirpTable(b, loc, length, inverse);
  // conj(c_j) at m = j and at m = M - j (j in [1, length)): the chirp's
  // values at k - n for every k - n in (-length, length), wrapped mod M.
  // M >= 2 length - 1 keeps the two ranges apart.
  Value scratch = emptyTensor(
      b, loc, {OpFoldResult(arith::AddIOp::create(b, loc, size, size).getResult())},
      b.getF64Type());
  Value filter = fftInto(
      b, loc, scratch, fft, size, /*inverse=*/false,
      [&](OpBuilder &rb, Location rl, Value m) {
        F64Arith f{rb, rl};
        Value mirrored = arith::SubIOp::create(rb, rl, size, m);
        Value low = arith::CmpIOp::create(rb, rl, arith::CmpIPredicate::ult, m, length);
        Value high = arith::CmpIOp::create(rb, rl, arith::CmpIPredicate::ult,
                                           mirrored, length);
        Value j = arith::SelectOp::create(
            rb, rl, low, m,
            arith::SelectOp::create(rb, rl, high, mirrored, cIndex(rb, rl, 0)));
        auto [re, im] = readPair(rb, rl, chirp, arith::AddIOp::create(rb, rl, j, j));
        Value present = arith::OrIOp::create(rb, rl, low, high);
        return std::make_pair(f.select(present, re, f.c(0)),
                              f.select(present, arith::NegFOp::create(rb, rl, im).getResult(),
                                       f.c(0)));
      });
  return {length, fft, chirp, filter};
}

std::pair<Value, Value> bluesteinInto(OpBuilder &b, Location loc, Value scratch,
                                      Value work, const BluesteinPlan &plan,
                                      Value count, ReadSample read) {
  const FftPlan &fft = plan.fft;
  auto chirpAt = [&](OpBuilder &rb, Location rl, Value i) {
    return readPair(rb, rl, plan.chirp, arith::AddIOp::create(rb, rl, i, i));
  };
  // a_n = x_n c_n, zeros after `count`; its spectrum.
  Value spectrum = fftInto(
      b, loc, scratch, fft, count, /*inverse=*/false,
      [&](OpBuilder &rb, Location rl, Value n) {
        F64Arith f{rb, rl};
        auto [xr, xi] = read(rb, rl, n);
        auto [cr, ci] = chirpAt(rb, rl, n);
        return complexMul(f, xr, xi, cr, ci);
      });
  // The convolution with the filter, times M (the inverse FFT is unscaled).
  Value convolved = fftInto(
      b, loc, work, fft, fft.length, /*inverse=*/true,
      [&](OpBuilder &rb, Location rl, Value m) {
        F64Arith f{rb, rl};
        Value at = arith::AddIOp::create(rb, rl, m, m);
        auto [ar, ai] = readPair(rb, rl, spectrum, at);
        auto [br, bi] = readPair(rb, rl, plan.filter, at);
        return complexMul(f, ar, ai, br, bi);
      });
  // X_k = c_k conv_k / M, into the first scratch (read through; no longer
  // needed).
  F64Arith g{b, loc};
  Value scale = g.div(g.c(1), g.fromIndex(fft.length));
  Value bins = loopNest(
      b, loc, ValueRange{plan.length}, ValueRange{spectrum},
      [&](OpBuilder &lb, Location ll, ValueRange k, ValueRange acc) {
        F64Arith f{lb, ll};
        auto [vr, vi] = readPair(lb, ll, convolved, arith::AddIOp::create(lb, ll, k[0], k[0]));
        auto [cr, ci] = chirpAt(lb, ll, k[0]);
        auto [xr, xi] = complexMul(f, vr, vi, cr, ci);
        return SmallVector<Value>{
            writePair(lb, ll, acc[0], k[0], f.mul(xr, scale), f.mul(xi, scale))};
      })[0];
  return {bins, convolved};
}

} // namespace kiln::lowering
