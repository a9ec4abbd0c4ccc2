//===- SortLoops.cpp - the first k of n elements in order, as loops -------===//
#include "backends/linalg/SortLoops.h"
#include "backends/linalg/LoopBuilders.h"
#include "backends/linalg/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::lowering {
namespace {

/// Passes double the run width from 1; sizes stay below 2^56 elements
/// (ShapeUtils kMaxElements), so 57 widths cover every n. The passes past
/// n are skipped.
constexpr int64_t kMaxPasses = 57;

/// selectPrefix tests this many elements at once against the list's last
/// entry (a 512-bit vector of floats).
constexpr int64_t kSelectBlock = 16;

Value minIndex(OpBuilder &b, Location loc, Value x, Value y) {
  return arith::MinSIOp::create(b, loc, x, y);
}

/// One pass: the runs of `width` at `src` (each cut at k) merged pairwise
/// into runs of 2 * width at `dst`.
Value mergePass(OpBuilder &b, Location loc, Value buf, Value src, Value dst,
                Value width, Value n, Value k, ElementOrder precedes) {
  Value zero = cIndex(b, loc, 0), one = cIndex(b, loc, 1);
  Value pairWidth = arith::AddIOp::create(b, loc, width, width);
  Value last = arith::SubIOp::create(b, loc, n, one);
  auto pairs = scf::ForOp::create(
      b, loc, zero, n, pairWidth, ValueRange{buf},
      [&](OpBuilder &pb, Location pl, Value lo, ValueRange pa) {
        Value mid = minIndex(pb, pl, arith::AddIOp::create(pb, pl, lo, width), n);
        Value hi = minIndex(pb, pl, arith::AddIOp::create(pb, pl, lo, pairWidth), n);
        Value lenL = minIndex(pb, pl, arith::SubIOp::create(pb, pl, mid, lo), k);
        Value lenR = minIndex(pb, pl, arith::SubIOp::create(pb, pl, hi, mid), k);
        Value outLen =
            minIndex(pb, pl, arith::AddIOp::create(pb, pl, lenL, lenR), k);
        auto merge = scf::ForOp::create(
            pb, pl, zero, outLen, one, ValueRange{pa[0], zero, zero},
            [&](OpBuilder &mb, Location ml, Value o, ValueRange st) {
              Value cur = st[0], i = st[1], j = st[2];
              // Both reads stay inside the source half (clamped to its
              // last entry); a read past a run is not used. Every entry of
              // the buffer holds some element number (the fill wrote both
              // halves), so `precedes` only sees numbers in [0, n).
              auto at = [&](Value start, Value off) {
                Value pos = minIndex(mb, ml, arith::AddIOp::create(mb, ml, start, off),
                                     last);
                return tensor::ExtractOp::create(
                    mb, ml, cur, ValueRange{arith::AddIOp::create(mb, ml, src, pos)});
              };
              Value left = at(lo, i), right = at(mid, j);
              Value hasL = arith::CmpIOp::create(mb, ml, arith::CmpIPredicate::slt, i, lenL);
              Value hasR = arith::CmpIOp::create(mb, ml, arith::CmpIPredicate::slt, j, lenR);
              Value rightFirst = precedes(mb, ml, right, left);
              Value noLeft = arith::XOrIOp::create(
                  mb, ml, hasL, arith::ConstantIntOp::create(mb, ml, 1, 1));
              Value takeRight = arith::AndIOp::create(
                  mb, ml, hasR, arith::OrIOp::create(mb, ml, noLeft, rightFirst));
              Value taken = arith::SelectOp::create(mb, ml, takeRight, right, left);
              Value outPos = arith::AddIOp::create(
                  mb, ml, dst, arith::AddIOp::create(mb, ml, lo, o));
              Value next = tensor::InsertOp::create(mb, ml, taken, cur,
                                                    ValueRange{outPos});
              Value step = arith::IndexCastUIOp::create(mb, ml, mb.getIndexType(),
                                                      takeRight);
              scf::YieldOp::create(
                  mb, ml,
                  ValueRange{next,
                             arith::AddIOp::create(
                                 mb, ml, i, arith::SubIOp::create(mb, ml, one, step)),
                             arith::AddIOp::create(mb, ml, j, step)});
            });
        scf::YieldOp::create(pb, pl, merge.getResult(0));
      });
  return pairs.getResult(0);
}

} // namespace

Value SortedPrefix::at(OpBuilder &b, Location loc, Value i) const {
  return tensor::ExtractOp::create(
      b, loc, buffer, ValueRange{arith::AddIOp::create(b, loc, offset, i)});
}

Value sortScratch(OpBuilder &b, Location loc, Value n) {
  return emptyTensor(
      b, loc, {OpFoldResult(arith::AddIOp::create(b, loc, n, n).getResult())},
      b.getIndexType());
}

SortedPrefix sortPrefix(OpBuilder &b, Location loc, Value scratch, Value n,
                        Value k, ElementOrder precedes) {
  Value zero = cIndex(b, loc, 0), one = cIndex(b, loc, 1);
  // Both halves start as 0..n-1 (see mergePass).
  SmallVector<Value> filled = loopNest(
      b, loc, ValueRange{n}, ValueRange{scratch},
      [&](OpBuilder &lb, Location ll, ValueRange e, ValueRange acc) {
        Value t = tensor::InsertOp::create(lb, ll, e[0], acc[0], e);
        Value upper = arith::AddIOp::create(lb, ll, e[0], n);
        return SmallVector<Value>{
            tensor::InsertOp::create(lb, ll, e[0], t, ValueRange{upper})};
      });
  auto passes = scf::ForOp::create(
      b, loc, zero, cIndex(b, loc, kMaxPasses), one, ValueRange{filled[0], zero},
      [&](OpBuilder &pb, Location pl, Value p, ValueRange st) {
        Value width = arith::ShLIOp::create(pb, pl, one, p);
        Value active = arith::CmpIOp::create(pb, pl, arith::CmpIPredicate::slt,
                                             width, n);
        SmallVector<Value> next = ifThen(
            pb, pl, active, st, [&](OpBuilder &ib, Location il) {
              Value dst = arith::SubIOp::create(ib, il, n, st[1]);
              return SmallVector<Value>{
                  mergePass(ib, il, st[0], st[1], dst, width, n, k, precedes),
                  dst};
            });
        scf::YieldOp::create(pb, pl, next);
      });
  return {passes.getResult(0), passes.getResult(1)};
}

SortedPrefix selectPrefix(OpBuilder &b, Location loc, Value scratch, Value n,
                          Value k, ElementOrder precedes) {
  Value zero = cIndex(b, loc, 0), one = cIndex(b, loc, 1);
  Type indexType = b.getIndexType();
  // The list's entries are read before they are all written (the clamped
  // read below): start them as element 0, a number `precedes` accepts.
  Value list = loopNest(b, loc, ValueRange{k}, ValueRange{scratch},
                        [&](OpBuilder &lb, Location ll, ValueRange p,
                            ValueRange acc) {
                          return SmallVector<Value>{
                              tensor::InsertOp::create(lb, ll, zero, acc[0], p)};
                        })[0];
  Value last = arith::MaxSIOp::create(b, loc, arith::SubIOp::create(b, loc, k, one),
                                      zero);
  // With k = 0 nothing enters the list.
  Value scanned = arith::SelectOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sgt, k, zero), n,
      zero);
  // One element: it enters the list if the list is not full or it
  // precedes the list's last entry.
  auto visit = [&](OpBuilder &sb, Location sl, Value e,
                   ValueRange st) -> SmallVector<Value> {
    Value cur = st[0], count = st[1];
    Value full = arith::CmpIOp::create(sb, sl, arith::CmpIPredicate::eq, count, k);
    Value worst = tensor::ExtractOp::create(sb, sl, cur, ValueRange{last});
    Value enters = arith::OrIOp::create(
        sb, sl,
        arith::XOrIOp::create(sb, sl, full, arith::ConstantIntOp::create(sb, sl, 1, 1)),
        precedes(sb, sl, e, worst));
    return ifThen(sb, sl, enters, st, [&](OpBuilder &ib, Location il) {
      Value length = arith::SelectOp::create(
          ib, il, full, k, arith::AddIOp::create(ib, il, count, one));
      // Shift the entries that e precedes one place down, from the end; e
      // goes into the gap.
      Value start = arith::SubIOp::create(ib, il, length, one);
      auto shift = scf::WhileOp::create(
          ib, il, TypeRange{cur.getType(), indexType}, ValueRange{cur, start},
          [&](OpBuilder &wb, Location wl, ValueRange w) {
            Value p = w[1];
            Value above = tensor::ExtractOp::create(
                wb, wl, w[0],
                ValueRange{arith::MaxSIOp::create(
                    wb, wl, arith::SubIOp::create(wb, wl, p, one), zero)});
            Value go = arith::AndIOp::create(
                wb, wl, arith::CmpIOp::create(wb, wl, arith::CmpIPredicate::sgt, p, zero),
                precedes(wb, wl, e, above));
            scf::ConditionOp::create(wb, wl, go, w);
          },
          [&](OpBuilder &wb, Location wl, ValueRange w) {
            Value p = w[1];
            Value pm1 = arith::SubIOp::create(wb, wl, p, one);
            Value above = tensor::ExtractOp::create(wb, wl, w[0], ValueRange{pm1});
            scf::YieldOp::create(
                wb, wl,
                ValueRange{tensor::InsertOp::create(wb, wl, above, w[0], ValueRange{p}),
                           pm1});
          });
      Value placed = tensor::InsertOp::create(ib, il, e, shift.getResult(0),
                                              ValueRange{shift.getResult(1)});
      return SmallVector<Value>{placed, length};
    });
  };
  auto visitRange = [&](OpBuilder &rb, Location rl, Value from, Value to,
                        ValueRange st) {
    auto loop = scf::ForOp::create(
        rb, rl, from, to, one, st,
        [&](OpBuilder &sb, Location sl, Value e, ValueRange acc) {
          scf::YieldOp::create(sb, sl, visit(sb, sl, e, acc));
        });
    return SmallVector<Value>(loop.getResults().begin(), loop.getResults().end());
  };
  // Blocks of kSelectBlock elements first: once the list is full, a block
  // is only visited element by element if one of its elements precedes the
  // last entry, a test without stores that LLVM vectorises. Then the tail.
  Value block = cIndex(b, loc, kSelectBlock);
  Value blocked = arith::MulIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, scanned, block), block);
  auto blocks = scf::ForOp::create(
      b, loc, zero, blocked, block, ValueRange{list, zero},
      [&](OpBuilder &bb, Location bl, Value base, ValueRange st) {
        Value full = arith::CmpIOp::create(bb, bl, arith::CmpIPredicate::eq, st[1], k);
        Value worst = tensor::ExtractOp::create(bb, bl, st[0], ValueRange{last});
        Value anyEnters = loopNest(
            bb, bl, ValueRange{block},
            ValueRange{arith::XOrIOp::create(
                bb, bl, full, arith::ConstantIntOp::create(bb, bl, 1, 1))},
            [&](OpBuilder &jb, Location jl, ValueRange j, ValueRange acc) {
              Value e = arith::AddIOp::create(jb, jl, base, j[0]);
              return SmallVector<Value>{
                  arith::OrIOp::create(jb, jl, acc[0], precedes(jb, jl, e, worst))};
            })[0];
        SmallVector<Value> next =
            ifThen(bb, bl, anyEnters, st, [&](OpBuilder &vb, Location vl) {
              return visitRange(vb, vl, base,
                                arith::AddIOp::create(vb, vl, base, block), st);
            });
        scf::YieldOp::create(bb, bl, next);
      });
  SmallVector<Value> scan =
      visitRange(b, loc, blocked, scanned,
                 ValueRange{blocks.getResult(0), blocks.getResult(1)});
  return {scan[0], zero};
}

SortedPrefix orderedPrefix(OpBuilder &b, Location loc, Value scratch, Value n,
                           Value k, ElementOrder precedes) {
  Value small = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, k,
                                      cIndex(b, loc, kSelectMaxK));
  auto choice = scf::IfOp::create(
      b, loc, small,
      [&](OpBuilder &tb, Location tl) {
        SortedPrefix s = selectPrefix(tb, tl, scratch, n, k, precedes);
        scf::YieldOp::create(tb, tl, ValueRange{s.buffer, s.offset});
      },
      [&](OpBuilder &eb, Location el) {
        SortedPrefix s = sortPrefix(eb, el, scratch, n, k, precedes);
        scf::YieldOp::create(eb, el, ValueRange{s.buffer, s.offset});
      });
  return {choice.getResult(0), choice.getResult(1)};
}

namespace {

/// Moves entry `start` of the heap [0, size) down until neither child
/// precedes it.
Value siftDown(OpBuilder &b, Location loc, Value heap, Value start, Value size,
               ElementOrder precedes) {
  Value zero = cIndex(b, loc, 0), one = cIndex(b, loc, 1);
  Value two = cIndex(b, loc, 2);
  // Reads are clamped into the heap (or entry 0, which holds an element
  // number whenever a heap was built); a clamped read is not used.
  Value lastEntry = arith::MaxSIOp::create(b, loc, arith::SubIOp::create(b, loc, size, one),
                                           zero);
  auto at = [&](OpBuilder &ab, Location al, Value t, Value pos) {
    return tensor::ExtractOp::create(
               ab, al, t, ValueRange{arith::MinSIOp::create(ab, al, pos, lastEntry)})
        .getResult();
  };
  Type indexType = b.getIndexType();
  // Before: (heap, node) -> condition (heap, node, child); after: the swap.
  auto loop = scf::WhileOp::create(
      b, loc, TypeRange{heap.getType(), indexType, indexType},
      ValueRange{heap, start},
      [&](OpBuilder &wb, Location wl, ValueRange w) {
        Value node = w[1];
        Value left = arith::AddIOp::create(
            wb, wl, arith::MulIOp::create(wb, wl, node, two), one);
        Value right = arith::AddIOp::create(wb, wl, left, one);
        Value hasLeft = arith::CmpIOp::create(wb, wl, arith::CmpIPredicate::slt, left, size);
        Value hasRight = arith::CmpIOp::create(wb, wl, arith::CmpIPredicate::slt, right, size);
        Value l = at(wb, wl, w[0], left), r = at(wb, wl, w[0], right);
        Value pickRight = arith::AndIOp::create(wb, wl, hasRight, precedes(wb, wl, r, l));
        Value child = arith::SelectOp::create(wb, wl, pickRight, right, left);
        Value c = arith::SelectOp::create(wb, wl, pickRight, r, l);
        Value go = arith::AndIOp::create(
            wb, wl, hasLeft, precedes(wb, wl, c, at(wb, wl, w[0], node)));
        scf::ConditionOp::create(wb, wl, go, ValueRange{w[0], node, child});
      },
      [&](OpBuilder &wb, Location wl, ValueRange w) {
        Value node = w[1], child = w[2];
        Value up = tensor::ExtractOp::create(wb, wl, w[0], ValueRange{child});
        Value down = tensor::ExtractOp::create(wb, wl, w[0], ValueRange{node});
        Value t = tensor::InsertOp::create(wb, wl, up, w[0], ValueRange{node});
        t = tensor::InsertOp::create(wb, wl, down, t, ValueRange{child});
        scf::YieldOp::create(wb, wl, ValueRange{t, child});
      });
  return loop.getResult(0);
}

} // namespace

Value heapify(OpBuilder &b, Location loc, Value heap, Value size,
              ElementOrder precedes) {
  Value one = cIndex(b, loc, 1);
  Value parents = arith::DivUIOp::create(b, loc, size, cIndex(b, loc, 2));
  // The parents from the last one back to the root.
  return loopNest(b, loc, ValueRange{parents}, ValueRange{heap},
                  [&](OpBuilder &lb, Location ll, ValueRange q, ValueRange acc) {
                    Value node = arith::SubIOp::create(
                        lb, ll, arith::SubIOp::create(lb, ll, parents, q[0]), one);
                    return SmallVector<Value>{
                        siftDown(lb, ll, acc[0], node, size, precedes)};
                  })[0];
}

std::pair<Value, Value> heapPop(OpBuilder &b, Location loc, Value heap,
                                Value size, ElementOrder precedes) {
  Value zero = cIndex(b, loc, 0), one = cIndex(b, loc, 1);
  Value top = tensor::ExtractOp::create(b, loc, heap, ValueRange{zero});
  Value rest = arith::SubIOp::create(b, loc, size, one);
  Value last = tensor::ExtractOp::create(b, loc, heap, ValueRange{rest});
  Value t = tensor::InsertOp::create(b, loc, last, heap, ValueRange{zero});
  return {siftDown(b, loc, t, zero, rest, precedes), top};
}

} // namespace kiln::lowering
