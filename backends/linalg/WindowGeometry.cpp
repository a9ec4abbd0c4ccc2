//===- WindowGeometry.cpp - pads and output sizes of window ops ----------===//
#include "backends/linalg/WindowGeometry.h"
#include "backends/linalg/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <algorithm>
#include <functional>
#include <optional>

using namespace mlir;

namespace kiln::lowering {
namespace {

/// Integer arithmetic on OpFoldResults that stays static when it can.
struct IndexMath {
  OpBuilder &b;
  Location loc;
  OpFoldResult c(int64_t v) { return b.getIndexAttr(v); }
  template <typename F, typename OpTy>
  OpFoldResult apply(OpFoldResult x, OpFoldResult y, F f) {
    auto cx = getConstantIntValue(x), cy = getConstantIntValue(y);
    if (cx && cy)
      return c(f(*cx, *cy));
    return OpTy::create(b, loc, indexValue(b, loc, x), indexValue(b, loc, y))
        .getResult();
  }
  // Identities (x + 0, x * 1, x / 1) build nothing: a window's sizes are
  // mostly such terms (no padding, stride 1). `unit` is the op's identity,
  // on either side when the op commutes, else on the right only.
  std::optional<OpFoldResult> identity(OpFoldResult x, OpFoldResult y,
                                       int64_t unit, bool commutes) {
    auto is = [&](OpFoldResult v) {
      auto c = getConstantIntValue(v);
      return c && *c == unit;
    };
    if (is(y))
      return x;
    if (commutes && is(x))
      return y;
    return std::nullopt;
  }
  OpFoldResult add(OpFoldResult x, OpFoldResult y) {
    if (auto same = identity(x, y, 0, true))
      return *same;
    return apply<std::plus<int64_t>, arith::AddIOp>(x, y, {});
  }
  OpFoldResult sub(OpFoldResult x, OpFoldResult y) {
    if (auto same = identity(x, y, 0, false))
      return *same;
    return apply<std::minus<int64_t>, arith::SubIOp>(x, y, {});
  }
  OpFoldResult mul(OpFoldResult x, OpFoldResult y) {
    if (auto same = identity(x, y, 1, true))
      return *same;
    return apply<std::multiplies<int64_t>, arith::MulIOp>(x, y, {});
  }
  OpFoldResult floorDiv(OpFoldResult x, OpFoldResult y) {
    if (auto same = identity(x, y, 1, false))
      return *same;
    auto f = [](int64_t p, int64_t q) {
      return p >= 0 ? p / q : -((-p + q - 1) / q);
    };
    return apply<decltype(f), arith::FloorDivSIOp>(x, y, f);
  }
  OpFoldResult ceilDiv(OpFoldResult x, OpFoldResult y) {
    if (auto same = identity(x, y, 1, false))
      return *same;
    auto f = [](int64_t p, int64_t q) {
      return p >= 0 ? (p + q - 1) / q : -(-p / q);
    };
    return apply<decltype(f), arith::CeilDivSIOp>(x, y, f);
  }
  OpFoldResult max(OpFoldResult x, OpFoldResult y) {
    auto f = [](int64_t p, int64_t q) { return std::max(p, q); };
    return apply<decltype(f), arith::MaxSIOp>(x, y, f);
  }
  OpFoldResult min(OpFoldResult x, OpFoldResult y) {
    auto f = [](int64_t p, int64_t q) { return std::min(p, q); };
    return apply<decltype(f), arith::MinSIOp>(x, y, f);
  }
};

} // namespace

std::pair<OpFoldResult, OpFoldResult>
samePadding(OpBuilder &b, Location loc, OpFoldResult in, int64_t kernel,
            int64_t stride, int64_t dilation, bool upper) {
  IndexMath m{b, loc};
  OpFoldResult s = m.c(stride);
  OpFoldResult span = m.c((kernel - 1) * dilation + 1);
  // The last of ceil(in / s) windows starts at (out - 1) * s and reads
  // `span` pixels; what it reads past the input is the padding.
  OpFoldResult out = m.ceilDiv(in, s);
  OpFoldResult total = m.max(
      m.c(0), m.sub(m.add(m.mul(m.sub(out, m.c(1)), s), span), in));
  OpFoldResult half = m.floorDiv(total, m.c(2));
  OpFoldResult rest = m.sub(total, half);
  return upper ? std::make_pair(half, rest) : std::make_pair(rest, half);
}

WindowGeometry computeGeometry(OpBuilder &b, Location loc, Operation *op,
                               ArrayRef<OpFoldResult> inSizes,
                               ArrayRef<int64_t> kernel,
                               ArrayRef<int64_t> strides,
                               ArrayRef<int64_t> dilations,
                               ArrayRef<int64_t> pads, StringRef autoPad,
                               bool ceilMode) {
  IndexMath m{b, loc};
  WindowGeometry g;
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  size_t k = kernel.size();
  for (size_t i = 0; i < k; ++i) {
    OpFoldResult in = inSizes[i];
    OpFoldResult s = m.c(strides[i]);
    OpFoldResult span = m.c((kernel[i] - 1) * dilations[i] + 1);
    OpFoldResult low, high, out;
    OpFoldResult room = m.c(0); // padded input less the window (not SAME)
    if (same) {
      out = m.ceilDiv(in, s);
      std::tie(low, high) = samePadding(b, loc, in, kernel[i], strides[i],
                                        dilations[i], autoPad == "SAME_UPPER");
    } else {
      bool valid = autoPad == "VALID";
      low = m.c(valid ? 0 : pads[i]);
      high = m.c(valid ? 0 : pads[i + k]);
      room = m.sub(m.add(m.add(in, low), high), span);
      out = m.add(ceilMode ? m.ceilDiv(room, s) : m.floorDiv(room, s), m.c(1));
      if (ceilMode) {
        // Drop a last window that would start in the end padding.
        OpFoldResult lastStart = m.mul(m.sub(out, m.c(1)), s);
        OpFoldResult limit = m.add(in, low);
        auto cs = getConstantIntValue(lastStart), cl = getConstantIntValue(limit);
        if (cs && cl) {
          if (*cs >= *cl)
            out = m.sub(out, m.c(1));
        } else {
          Value ge = arith::CmpIOp::create(
              b, loc, arith::CmpIPredicate::sge, indexValue(b, loc, lastStart),
              indexValue(b, loc, limit));
          Value dec = arith::SubIOp::create(
              b, loc, indexValue(b, loc, out),
              arith::ConstantIndexOp::create(b, loc, 1));
          out = arith::SelectOp::create(b, loc, ge, dec,
                                        indexValue(b, loc, out))
                    .getResult();
        }
        // Pad the end so that every window's reads stay in the buffer.
        OpFoldResult needed = m.add(m.mul(m.sub(out, m.c(1)), s), span);
        high = m.max(high, m.sub(needed, m.add(in, low)));
      }
    }
    // A window larger than the padded input has no output (a static one is
    // refused when the op is verified). Rounding down, that is checked on
    // the room itself: the output size would round a shortfall of up to a
    // stride to 0 or 1. Rounding up (ceil_mode), a window that starts in
    // the input may reach past its end: there must be one. SAME always
    // has its ceil(in / s) outputs.
    Value toCheck = dyn_cast<Value>(ceilMode ? out : room);
    if (toCheck && !same) {
      Value fits = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::sge, toCheck,
          arith::ConstantIndexOp::create(b, loc, ceilMode ? 1 : 0));
      runtimeCheck(b, loc, op, fits,
                   "the input is smaller than the window along spatial axis " +
                       std::to_string(i));
    }
    g.padLow.push_back(low);
    g.padHigh.push_back(high);
    g.outSizes.push_back(out);
  }
  return g;
}

} // namespace kiln::lowering
