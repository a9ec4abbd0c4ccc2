//===- LowerSorting.cpp - ops that order their elements: top_k, unique ----===//
//
// Both put elements in a total order: by value, NaN above every number (as
// PyTorch's topk and numpy's sort place it), ties by position. Unique
// counts all NaNs as one value (numpy's equal_nan), and compares slices
// along its axis lexicographically.
//
// Two ways to order, picked per target (AxisAlgorithm, the `along-axis`
// option of kiln-convert-to-linalg):
//  * serial: per slice, a merge sort cut at k, or for TopK with small k a
//    scan keeping the best k (SortLoops.h); then linear scans. O(n log k)
//    comparisons (about n for small k), one thread: the CPU's choice.
//  * parallel: each element counts the elements before it (a parallel
//    reduction, O(n^2) comparisons), and goes to that position. A GPU runs
//    one thread per element, where a serial sort would be one thread.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/LoopBuilders.h"
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/SortLoops.h"
#include "backends/linalg/Patterns.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::lowering {
namespace {

Value isNaN(OpBuilder &b, Location loc, Value v) {
  return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, v, v);
}

/// `va < vb` in the sorting order (NaN above every number), as i1.
Value lessValue(OpBuilder &b, Location loc, const ElementKind &k, Value va,
                Value vb) {
  if (!k.isFloat)
    return arith::CmpIOp::create(
        b, loc, k.isUnsigned ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt,
        va, vb);
  Value lt = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, va, vb);
  Value numberBelowNaN = arith::AndIOp::create(
      b, loc, isNaN(b, loc, vb),
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ORD, va, va));
  return arith::OrIOp::create(b, loc, lt, numberBelowNaN);
}

/// `va` and `vb` are the same value in the sorting order (NaNs are one).
Value sameValue(OpBuilder &b, Location loc, const ElementKind &k, Value va,
                Value vb) {
  if (!k.isFloat)
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, va, vb);
  Value eq = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, va, vb);
  return arith::OrIOp::create(
      b, loc, eq,
      arith::AndIOp::create(b, loc, isNaN(b, loc, va), isNaN(b, loc, vb)));
}

/// Element (va, ia) before (vb, ib): by value (descending when `largest`),
/// ties by position, as i1.
Value precedes(OpBuilder &b, Location loc, const ElementKind &k, bool largest,
               Value va, Value ia, Value vb, Value ib) {
  Value strictly = largest ? lessValue(b, loc, k, vb, va)
                           : lessValue(b, loc, k, va, vb);
  Value earlier = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, ia, ib);
  return arith::OrIOp::create(
      b, loc, strictly,
      arith::AndIOp::create(b, loc, sameValue(b, loc, k, va, vb), earlier));
}

/// TopK, serial: per slice along the axis, the first k of the order
/// (orderedPrefix: a scan for small k, else a merge sort), then their
/// values and positions written in that order.
SmallVector<Value> topKSerial(OpBuilder &b, Location loc, TopKOp op, Value x,
                               Value kk) {
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t axis = op.getAxis();
  ElementKind k = kindOf(op.getInput().getType().getElementType());
  bool largest = op.getLargest();
  SmallVector<OpFoldResult> dims = getDims(b, loc, x);
  Value n = dimValue(b, loc, x, axis);
  SmallVector<Value> slices = dimValues(b, loc, x);
  slices[axis] = cIndex(b, loc, 1);
  SmallVector<OpFoldResult> outDims(dims);
  outDims[axis] = kk;
  Value values = emptyTensor(b, loc, outDims, xt.getElementType());
  Value indices = emptyTensor(b, loc, outDims, b.getI64Type());
  SmallVector<Value> r = loopNest(
      b, loc, slices, ValueRange{values, indices, sortScratch(b, loc, n)},
      [&](OpBuilder &nb, Location nl, ValueRange ivs, ValueRange acc) {
        auto element = [&](OpBuilder &eb, Location el, Value e) {
          SmallVector<Value> at(ivs.begin(), ivs.end());
          at[axis] = e;
          return tensor::ExtractOp::create(eb, el, x, at).getResult();
        };
        SortedPrefix sorted = orderedPrefix(
            nb, nl, acc[2], n, kk,
            [&](OpBuilder &ob, Location ol, Value a, Value c) {
              return precedes(ob, ol, k, largest, element(ob, ol, a), a,
                              element(ob, ol, c), c);
            });
        SmallVector<Value> out = loopNest(
            nb, nl, ValueRange{kk}, ValueRange{acc[0], acc[1]},
            [&](OpBuilder &ob, Location ol, ValueRange o, ValueRange st) {
              Value e = sorted.at(ob, ol, o[0]);
              SmallVector<Value> at(ivs.begin(), ivs.end());
              at[axis] = o[0];
              Value idx = arith::IndexCastOp::create(ob, ol, ob.getI64Type(), e);
              return SmallVector<Value>{
                  tensor::InsertOp::create(ob, ol, element(ob, ol, e), st[0], at),
                  tensor::InsertOp::create(ob, ol, idx, st[1], at)};
            });
        return SmallVector<Value>{out[0], out[1], sorted.buffer};
      });
  return {castTo(b, loc, r[0], toSignless(op.getType(0))),
          castTo(b, loc, r[1], toSignless(op.getType(1)))};
}

/// Unique's input as rows [N, R]: the elements (or the slices along the
/// axis) are the rows. `fromRows` undoes it for the unique values.
struct UniqueRows {
  Value rows;
  OpFoldResult n, r;
  SmallVector<int64_t> perm; // the transpose that put the axis first
  SmallVector<OpFoldResult> permDims;
  SmallVector<ReassociationIndices> groups;
};

UniqueRows toRows(OpBuilder &b, Location loc, Value x,
                  std::optional<int64_t> axisAttr) {
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t rank = xt.getRank();
  UniqueRows u;
  SmallVector<OpFoldResult> dims = getDims(b, loc, x);
  if (!axisAttr) {
    u.n = productOf(b, loc, dims);
    u.r = b.getIndexAttr(1);
    u.rows = reshapeTo(b, loc, x, {u.n, u.r});
    return u;
  }
  int64_t axis = *axisAttr;
  u.perm = {axis};
  for (int64_t i = 0; i < rank; ++i)
    if (i != axis)
      u.perm.push_back(i);
  for (int64_t p : u.perm)
    u.permDims.push_back(dims[p]);
  Value moved = linalg::TransposeOp::create(
                    b, loc, x, emptyTensor(b, loc, u.permDims, xt.getElementType()),
                    u.perm)
                    .getResult()[0];
  u.n = u.permDims[0];
  u.r = productOf(b, loc, ArrayRef<OpFoldResult>(u.permDims).drop_front());
  u.groups = {{0}, {}};
  for (int64_t i = 1; i < rank; ++i)
    u.groups[1].push_back(i);
  u.rows = rank > 1 ? reshapeTo(b, loc, moved, {u.n, u.r}, u.groups)
                    : reshapeTo(b, loc, moved, {u.n, b.getIndexAttr(1)});
  return u;
}

/// The unique rows [U, R] back in the input's layout.
Value fromRows(OpBuilder &b, Location loc, const UniqueRows &u, Value out,
               Value numUnique) {
  auto elementType = cast<RankedTensorType>(out.getType()).getElementType();
  SmallVector<ReassociationIndices> oneDim = {{0, 1}};
  if (u.perm.empty())
    return reshapeTo(b, loc, out, {OpFoldResult(numUnique)}, oneDim);
  int64_t rank = u.perm.size();
  SmallVector<OpFoldResult> uDims(u.permDims);
  uDims[0] = numUnique;
  Value moved = rank > 1 ? reshapeTo(b, loc, out, uDims, u.groups)
                         : reshapeTo(b, loc, out, {OpFoldResult(numUnique)}, oneDim);
  SmallVector<int64_t> inverse(rank);
  for (int64_t i = 0; i < rank; ++i)
    inverse[u.perm[i]] = i;
  SmallVector<OpFoldResult> backDims;
  for (int64_t i = 0; i < rank; ++i)
    backDims.push_back(uDims[inverse[i]]);
  return linalg::TransposeOp::create(b, loc, moved,
                                     emptyTensor(b, loc, backDims, elementType),
                                     inverse)
      .getResult()[0];
}

/// Row `a` against row `c`, lexicographically: -1, 0 or 1 (i64).
Value compareRows(OpBuilder &b, Location loc, const ElementKind &k, Value rows,
                  Value r, Value a, Value c) {
  Type i64 = b.getI64Type();
  SmallVector<Value> st = loopNest(
      b, loc, ValueRange{r}, ValueRange{scalarConstant(b, loc, i64, 0)},
      [&](OpBuilder &rb, Location rl, ValueRange j, ValueRange acc) {
        Value pa = tensor::ExtractOp::create(rb, rl, rows, ValueRange{a, j[0]});
        Value pc = tensor::ExtractOp::create(rb, rl, rows, ValueRange{c, j[0]});
        Value undecided = arith::CmpIOp::create(
            rb, rl, arith::CmpIPredicate::eq, acc[0], scalarConstant(rb, rl, i64, 0));
        Value now = arith::SelectOp::create(
            rb, rl, lessValue(rb, rl, k, pa, pc), scalarConstant(rb, rl, i64, -1),
            arith::SelectOp::create(rb, rl, lessValue(rb, rl, k, pc, pa),
                                    scalarConstant(rb, rl, i64, 1),
                                    scalarConstant(rb, rl, i64, 0)));
        return SmallVector<Value>{
            arith::SelectOp::create(rb, rl, undecided, now, acc[0])};
      });
  return st[0];
}

/// Unique, serial: rows merge-sorted (ties by position, so each group of
/// equal rows starts with its first occurrence), then linear scans: the
/// groups, their order (by value, or by first occurrence), the results.
SmallVector<Value> uniqueSerial(OpBuilder &b, Location loc, UniqueOp op,
                                 Value x) {
  ElementKind k = kindOf(op.getInput().getType().getElementType());
  auto xt = cast<RankedTensorType>(x.getType());
  Type i64 = b.getI64Type(), index = b.getIndexType();
  UniqueRows u = toRows(b, loc, x, op.getAxis());
  Value rows = u.rows;
  Value n = indexValue(b, loc, u.n), r = indexValue(b, loc, u.r);
  Value zero = cIndex(b, loc, 0), one = cIndex(b, loc, 1);
  auto cmp = [&](OpBuilder &cb, Location cl, Value a, Value c) {
    return compareRows(cb, cl, k, rows, r, a, c);
  };
  SortedPrefix sorted = sortPrefix(
      b, loc, sortScratch(b, loc, n), n, n, [&](OpBuilder &ob, Location ol, Value a, Value c) {
        Value s = cmp(ob, ol, a, c);
        Value z = scalarConstant(ob, ol, i64, 0);
        Value lt = arith::CmpIOp::create(ob, ol, arith::CmpIPredicate::slt, s, z);
        Value eq = arith::CmpIOp::create(ob, ol, arith::CmpIPredicate::eq, s, z);
        Value earlier = arith::CmpIOp::create(ob, ol, arith::CmpIPredicate::slt, a, c);
        return arith::OrIOp::create(ob, ol, lt,
                                    arith::AndIOp::create(ob, ol, eq, earlier))
            .getResult();
      });
  // Groups of equal rows, in sorted order: each row's group, each group's
  // first row (its first occurrence) and size.
  auto vec = [&] { return emptyTensor(b, loc, {u.n}, index); };
  SmallVector<Value> g = loopNest(
      b, loc, ValueRange{n},
      ValueRange{vec(), vec(), filledTensor(b, loc, {u.n}, zero), zero},
      [&](OpBuilder &sb, Location sl, ValueRange s, ValueRange acc) {
        Value e = sorted.at(sb, sl, s[0]);
        Value prev = sorted.at(
            sb, sl, arith::MaxSIOp::create(sb, sl, arith::SubIOp::create(sb, sl, s[0], one),
                                           zero));
        Value differs = arith::CmpIOp::create(sb, sl, arith::CmpIPredicate::ne,
                                              cmp(sb, sl, prev, e),
                                              scalarConstant(sb, sl, i64, 0));
        Value isNew = arith::OrIOp::create(
            sb, sl, arith::CmpIOp::create(sb, sl, arith::CmpIPredicate::eq, s[0], zero),
            differs);
        Value groups = arith::AddIOp::create(
            sb, sl, acc[3], arith::IndexCastUIOp::create(sb, sl, index, isNew));
        Value grp = arith::SubIOp::create(sb, sl, groups, one);
        Value groupOf = tensor::InsertOp::create(sb, sl, grp, acc[0], ValueRange{e});
        Value firstOf = ifThen(sb, sl, isNew, ValueRange{acc[1]},
                               [&](OpBuilder &tb, Location tl) {
                                 return SmallVector<Value>{tensor::InsertOp::create(
                                     tb, tl, e, acc[1], ValueRange{grp})};
                               })[0];
        Value size = arith::AddIOp::create(
            sb, sl, tensor::ExtractOp::create(sb, sl, acc[2], ValueRange{grp}), one);
        Value sizes = tensor::InsertOp::create(sb, sl, size, acc[2], ValueRange{grp});
        return SmallVector<Value>{groupOf, firstOf, sizes, groups};
      });
  Value groupOf = g[0], firstOf = g[1], sizes = g[2], numUnique = g[3];
  // Each group's place in the results: its rank by value (the sorted
  // order), or by first occurrence (a scan over positions).
  std::function<Value(OpBuilder &, Location, Value)> slot =
      [](OpBuilder &, Location, Value grp) { return grp; };
  Value orderOf;
  if (!op.getSorted()) {
    orderOf = loopNest(
        b, loc, ValueRange{n}, ValueRange{vec(), zero},
        [&](OpBuilder &sb, Location sl, ValueRange e, ValueRange acc) {
          Value grp = tensor::ExtractOp::create(sb, sl, groupOf, e);
          Value first = tensor::ExtractOp::create(sb, sl, firstOf, ValueRange{grp});
          Value isFirst = arith::CmpIOp::create(sb, sl, arith::CmpIPredicate::eq,
                                                first, e[0]);
          return ifThen(sb, sl, isFirst, acc, [&](OpBuilder &tb, Location tl) {
            return SmallVector<Value>{
                tensor::InsertOp::create(tb, tl, acc[1], acc[0], ValueRange{grp}),
                arith::AddIOp::create(tb, tl, acc[1], one)};
          });
        })[0];
    slot = [&](OpBuilder &sb, Location sl, Value grp) {
      return tensor::ExtractOp::create(sb, sl, orderOf, ValueRange{grp}).getResult();
    };
  }
  auto asI64 = [&](OpBuilder &xb, Location xl, Value v) {
    return arith::IndexCastOp::create(xb, xl, i64, v).getResult();
  };
  Value outRows = emptyTensor(b, loc, {OpFoldResult(numUnique), u.r},
                              xt.getElementType());
  Value outIndices = emptyTensor(b, loc, {OpFoldResult(numUnique)}, i64);
  Value outCounts = emptyTensor(b, loc, {OpFoldResult(numUnique)}, i64);
  SmallVector<Value> res = loopNest(
      b, loc, ValueRange{numUnique}, ValueRange{outRows, outIndices, outCounts},
      [&](OpBuilder &gb, Location gl, ValueRange grp, ValueRange acc) {
        Value o = slot(gb, gl, grp[0]);
        Value f = tensor::ExtractOp::create(gb, gl, firstOf, grp);
        Value c = tensor::ExtractOp::create(gb, gl, sizes, grp);
        SmallVector<OpFoldResult> unit = {gb.getIndexAttr(1), gb.getIndexAttr(1)};
        Value row = tensor::ExtractSliceOp::create(
            gb, gl, rows, ArrayRef<OpFoldResult>{f, gb.getIndexAttr(0)},
            ArrayRef<OpFoldResult>{gb.getIndexAttr(1), u.r}, unit);
        return SmallVector<Value>{
            tensor::InsertSliceOp::create(
                gb, gl, row, acc[0], ArrayRef<OpFoldResult>{o, gb.getIndexAttr(0)},
                ArrayRef<OpFoldResult>{gb.getIndexAttr(1), u.r}, unit),
            tensor::InsertOp::create(gb, gl, asI64(gb, gl, f), acc[1], ValueRange{o}),
            tensor::InsertOp::create(gb, gl, asI64(gb, gl, c), acc[2], ValueRange{o})};
      });
  Value inverse = loopNest(
      b, loc, ValueRange{n}, ValueRange{emptyTensor(b, loc, {u.n}, i64)},
      [&](OpBuilder &eb, Location el, ValueRange e, ValueRange acc) {
        Value grp = tensor::ExtractOp::create(eb, el, groupOf, e);
        return SmallVector<Value>{tensor::InsertOp::create(
            eb, el, asI64(eb, el, slot(eb, el, grp)), acc[0], e)};
      })[0];
  Value values = fromRows(b, loc, u, res[0], numUnique);
  return {castTo(b, loc, values, toSignless(op.getResult(0).getType())),
          castTo(b, loc, res[1], toSignless(op.getResult(1).getType())),
          castTo(b, loc, inverse, toSignless(op.getResult(2).getType())),
          castTo(b, loc, res[2], toSignless(op.getResult(3).getType()))};
}

/// TopK. By rank: each element's rank along the axis (how many precede
/// it), then the first k ranks are scattered to their places.
struct TopKLowering : AxisAlgorithmPattern<TopKOp> {
  using AxisAlgorithmPattern::AxisAlgorithmPattern;

  LogicalResult
  matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t rank = xt.getRank(), axis = op.getAxis();
    ElementKind k = kindOf(op.getInput().getType().getElementType());
    bool largest = op.getLargest();
    Value kk = extractIndex(b, loc, adaptor.getK(), 0);
    Value n = dimValue(b, loc, x, axis);
    Value ok = arith::AndIOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, kk, cIndex(b, loc, 0)),
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, kk, n));
    runtimeCheck(b, loc, op, ok, "k out of range");
    if (algorithm == AxisAlgorithm::Serial) {
      rewriter.replaceOp(op, topKSerial(b, loc, op, x, kk));
      return success();
    }
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineExpr> other, self;
    for (int64_t i = 0; i < rank; ++i) {
      other.push_back(getAffineDimExpr(i == axis ? rank : i, ctx));
      self.push_back(getAffineDimExpr(i, ctx));
    }
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    Value rankInit = filledTensor(b, loc, dims, cIndex(b, loc, 0));
    Value ranks =
        linalg::GenericOp::create(
            b, loc, TypeRange{rankInit.getType()}, ValueRange{x, x},
            ValueRange{rankInit},
            ArrayRef<AffineMap>{AffineMap::get(rank + 1, 0, other, ctx),
                                AffineMap::get(rank + 1, 0, self, ctx),
                                AffineMap::get(rank + 1, 0, self, ctx)},
            iters,
            [&](OpBuilder &gb, Location gl, ValueRange a) {
              Value j = linalg::IndexOp::create(gb, gl, rank);
              Value i = linalg::IndexOp::create(gb, gl, axis);
              Value before = precedes(gb, gl, k, largest, a[0], j, a[1], i);
              Value one = toIndex(
                  gb, gl, arith::ExtUIOp::create(gb, gl, gb.getI64Type(), before));
              linalg::YieldOp::create(gb, gl,
                                      arith::AddIOp::create(gb, gl, a[2], one).getResult());
            })
            .getResult(0);
    SmallVector<OpFoldResult> outDims(dims);
    outDims[axis] = kk;
    Value values = emptyTensor(b, loc, outDims, xt.getElementType());
    Value indices = emptyTensor(b, loc, outDims, b.getI64Type());
    SmallVector<Value> r = loopNest(
        b, loc, dimValues(b, loc, x), ValueRange{values, indices},
        [&](OpBuilder &nb, Location nl, ValueRange ivs, ValueRange acc) {
          Value rk = tensor::ExtractOp::create(nb, nl, ranks, ivs);
          Value inTop = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt,
                                              rk, kk);
          return ifThen(nb, nl, inTop, acc, [&](OpBuilder &tb, Location tl) {
            SmallVector<Value> at(ivs.begin(), ivs.end());
            at[axis] = rk;
            Value v = tensor::ExtractOp::create(tb, tl, x, ivs);
            Value idx = arith::IndexCastOp::create(tb, tl, tb.getI64Type(),
                                                   ivs[axis]);
            return SmallVector<Value>{
                tensor::InsertOp::create(tb, tl, v, acc[0], at),
                tensor::InsertOp::create(tb, tl, idx, acc[1], at)};
          });
        });
    rewriter.replaceOp(op, {castTo(b, loc, r[0], toSignless(op.getType(0))),
                            castTo(b, loc, r[1], toSignless(op.getType(1)))});
    return success();
  }
};

/// Unique. By rank, over the flattened input: first occurrences, their
/// order (by value or by position), then one pass writing all four results.
struct UniqueLowering : AxisAlgorithmPattern<UniqueOp> {
  using AxisAlgorithmPattern::AxisAlgorithmPattern;

  LogicalResult
  matchAndRewrite(UniqueOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (algorithm == AxisAlgorithm::Serial) {
      rewriter.replaceOp(op, uniqueSerial(rewriter, op.getLoc(), op,
                                           adaptor.getInput()));
      return success();
    }
    if (op.getAxis())
      return rewriteAlongAxis(op, adaptor, rewriter);
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    ElementKind k = kindOf(op.getInput().getType().getElementType());
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    Value total = cIndex(b, loc, 1);
    for (OpFoldResult d : dims)
      total = arith::MulIOp::create(b, loc, total, indexValue(b, loc, d));
    Value flat = reshapeTo(b, loc, x, {OpFoldResult(total)});
    MLIRContext *ctx = b.getContext();
    AffineMap e = AffineMap::get(2, 0, {getAffineDimExpr(0, ctx)}, ctx);
    AffineMap j = AffineMap::get(2, 0, {getAffineDimExpr(1, ctx)}, ctx);
    SmallVector<utils::IteratorType> iters = {utils::IteratorType::parallel,
                                              utils::IteratorType::reduction};
    auto equal = [&](OpBuilder &gb, Location gl, Value p, Value q) {
      return sameValue(gb, gl, k, p, q);
    };
    // Reduce over j into an index per e.
    auto perElement = [&](Value init, ValueRange extra,
                          function_ref<Value(OpBuilder &, Location, ValueRange,
                                             Value, Value, Value)> step) {
      SmallVector<Value> ins = {flat, flat};
      SmallVector<AffineMap> maps = {e, j};
      for (Value v : extra) {
        ins.push_back(v);
        maps.push_back(j);
      }
      maps.push_back(e);
      return linalg::GenericOp::create(
                 b, loc, TypeRange{init.getType()}, ins, ValueRange{init}, maps,
                 iters,
                 [&](OpBuilder &gb, Location gl, ValueRange a) {
                   Value ie = linalg::IndexOp::create(gb, gl, 0);
                   Value ij = linalg::IndexOp::create(gb, gl, 1);
                   linalg::YieldOp::create(
                       gb, gl, step(gb, gl, a, ie, ij, a.back()));
                 })
          .getResult(0);
    };
    Value first = perElement(
        filledTensor(b, loc, {OpFoldResult(total)}, total), {},
        [&](OpBuilder &gb, Location gl, ValueRange a, Value, Value ij, Value acc) {
          Value same = equal(gb, gl, a[0], a[1]);
          return arith::SelectOp::create(gb, gl, same,
                                         arith::MinSIOp::create(gb, gl, acc, ij),
                                         acc)
              .getResult();
        });
    Value zeroIdx = cIndex(b, loc, 0);
    Value isFirst = generateTensor(
        b, loc, {OpFoldResult(total)}, b.getI1Type(),
        [&](OpBuilder &gb, Location gl, ValueRange i) {
          Value f = tensor::ExtractOp::create(gb, gl, first, i);
          return arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::eq, f, i[0])
              .getResult();
        });
    bool sorted = op.getSorted();
    auto one = [&](OpBuilder &gb, Location gl, Value c) {
      return toIndex(gb, gl, arith::ExtUIOp::create(gb, gl, gb.getI64Type(), c));
    };
    Value order = perElement(
        filledTensor(b, loc, {OpFoldResult(total)}, zeroIdx), {isFirst},
        [&](OpBuilder &gb, Location gl, ValueRange a, Value ie, Value ij,
            Value acc) {
          Value before;
          if (sorted) {
            before = lessValue(gb, gl, k, a[1], a[0]);
          } else {
            before = arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::slt,
                                           ij, ie);
          }
          Value counted = arith::AndIOp::create(gb, gl, a[2], before);
          return arith::AddIOp::create(gb, gl, acc, one(gb, gl, counted))
              .getResult();
        });
    Value counts = perElement(
        filledTensor(b, loc, {OpFoldResult(total)}, zeroIdx), {},
        [&](OpBuilder &gb, Location gl, ValueRange a, Value, Value, Value acc) {
          return arith::AddIOp::create(gb, gl, acc,
                                       one(gb, gl, equal(gb, gl, a[0], a[1])))
              .getResult();
        });
    Value numUnique = countWhere(b, loc, isFirst, [](OpBuilder &, Location,
                                                     Value v) { return v; });
    Type i64 = b.getI64Type();
    Value outValues = emptyTensor(b, loc, {OpFoldResult(numUnique)},
                                  xt.getElementType());
    Value outIndices = emptyTensor(b, loc, {OpFoldResult(numUnique)}, i64);
    Value outInverse = emptyTensor(b, loc, {OpFoldResult(total)}, i64);
    Value outCounts = emptyTensor(b, loc, {OpFoldResult(numUnique)}, i64);
    SmallVector<Value> r = loopNest(
        b, loc, ValueRange{total},
        ValueRange{outValues, outIndices, outInverse, outCounts},
        [&](OpBuilder &nb, Location nl, ValueRange ivs, ValueRange acc) {
          Value ei = ivs[0];
          Value f = tensor::ExtractOp::create(nb, nl, first, ValueRange{ei});
          Value o = tensor::ExtractOp::create(nb, nl, order, ValueRange{f});
          auto asI64 = [&](OpBuilder &xb, Location xl, Value v) {
            return arith::IndexCastOp::create(xb, xl, i64, v).getResult();
          };
          Value inverse = tensor::InsertOp::create(nb, nl, asI64(nb, nl, o),
                                                   acc[2], ValueRange{ei});
          SmallVector<Value> current = {acc[0], acc[1], inverse, acc[3]};
          Value firstHere = tensor::ExtractOp::create(nb, nl, isFirst, ValueRange{ei});
          return ifThen(nb, nl, firstHere, current, [&](OpBuilder &tb, Location tl) {
            Value v = tensor::ExtractOp::create(tb, tl, flat, ValueRange{ei});
            Value c = tensor::ExtractOp::create(tb, tl, counts, ValueRange{ei});
            return SmallVector<Value>{
                tensor::InsertOp::create(tb, tl, v, acc[0], ValueRange{o}),
                tensor::InsertOp::create(tb, tl, asI64(tb, tl, ei), acc[1],
                                         ValueRange{o}),
                inverse,
                tensor::InsertOp::create(tb, tl, asI64(tb, tl, c), acc[3],
                                         ValueRange{o})};
          });
        });
    SmallVector<Value> results;
    for (int i = 0; i < 4; ++i)
      results.push_back(castTo(b, loc, r[i], toSignless(op.getResult(i).getType())));
    rewriter.replaceOp(op, results);
    return success();
  }

  LogicalResult rewriteAlongAxis(UniqueOp op, UniqueOp::Adaptor adaptor,
                                 ConversionPatternRewriter &rewriter) const;
};

/// Unique along an axis: the slices along the axis are the elements,
/// compared element by element (lexicographically when sorting).
LogicalResult UniqueLowering::rewriteAlongAxis(
    UniqueOp op, UniqueOp::Adaptor adaptor,
    ConversionPatternRewriter &rewriter) const {
  Location loc = op.getLoc();
  OpBuilder &b = rewriter;
  Value x = adaptor.getInput();
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t axis = *op.getAxis();
  ElementKind k = kindOf(op.getInput().getType().getElementType());
  Type i64 = b.getI64Type();
  // [N, R]: the axis first, everything else flattened.
  UniqueRows rowsView = toRows(b, loc, x, axis);
  Value flat = rowsView.rows;
  OpFoldResult n = rowsView.n, r = rowsView.r;
  Value nv = indexValue(b, loc, n), rv = indexValue(b, loc, r);
  // cmp[e][j]: -1 if slice j < slice e, 0 if equal, 1 if greater.
  Value cmpInit = emptyTensor(b, loc, {n, n}, i64);
  SmallVector<Value> cmpR = loopNest(
      b, loc, ValueRange{nv, nv}, ValueRange{cmpInit},
      [&](OpBuilder &nb, Location nl, ValueRange ivs, ValueRange acc) {
        Value c = compareRows(nb, nl, k, flat, rv, ivs[1], ivs[0]);
        return SmallVector<Value>{tensor::InsertOp::create(nb, nl, c, acc[0], ivs)};
      });
  Value cmp = cmpR[0];
  bool sorted = op.getSorted();
  // first[e], order[e] (rank among unique slices), count[e].
  Value zero = cIndex(b, loc, 0), one = cIndex(b, loc, 1);
  Value vec = emptyTensor(b, loc, {n}, b.getIndexType());
  SmallVector<Value> firstR = loopNest(
      b, loc, ValueRange{nv}, ValueRange{vec, vec},
      [&](OpBuilder &nb, Location nl, ValueRange e, ValueRange acc) {
        SmallVector<Value> fc = loopNest(
            nb, nl, ValueRange{nv}, ValueRange{nv, zero},
            [&](OpBuilder &jb, Location jl, ValueRange j, ValueRange st) {
              Value c = tensor::ExtractOp::create(jb, jl, cmp, ValueRange{e[0], j[0]});
              Value same = arith::CmpIOp::create(jb, jl, arith::CmpIPredicate::eq, c,
                                                 scalarConstant(jb, jl, i64, 0));
              Value f = arith::SelectOp::create(
                  jb, jl, same, arith::MinSIOp::create(jb, jl, st[0], j[0]), st[0]);
              Value cnt = arith::SelectOp::create(
                  jb, jl, same, arith::AddIOp::create(jb, jl, st[1], one), st[1]);
              return SmallVector<Value>{f, cnt};
            });
        return SmallVector<Value>{
            tensor::InsertOp::create(nb, nl, fc[0], acc[0], e),
            tensor::InsertOp::create(nb, nl, fc[1], acc[1], e)};
      });
  Value first = firstR[0], counts = firstR[1];
  SmallVector<Value> orderR = loopNest(
      b, loc, ValueRange{nv}, ValueRange{vec, zero},
      [&](OpBuilder &nb, Location nl, ValueRange e, ValueRange acc) {
        SmallVector<Value> o = loopNest(
            nb, nl, ValueRange{nv}, ValueRange{zero},
            [&](OpBuilder &jb, Location jl, ValueRange j, ValueRange st) {
              Value fj = tensor::ExtractOp::create(jb, jl, first, j);
              Value isFirst = arith::CmpIOp::create(jb, jl, arith::CmpIPredicate::eq,
                                                    fj, j[0]);
              Value before;
              if (sorted) {
                Value c = tensor::ExtractOp::create(jb, jl, cmp, ValueRange{e[0], j[0]});
                before = arith::CmpIOp::create(jb, jl, arith::CmpIPredicate::slt, c,
                                               scalarConstant(jb, jl, i64, 0));
              } else {
                before = arith::CmpIOp::create(jb, jl, arith::CmpIPredicate::slt,
                                               j[0], e[0]);
              }
              Value counted = arith::AndIOp::create(jb, jl, isFirst, before);
              return SmallVector<Value>{arith::SelectOp::create(
                  jb, jl, counted, arith::AddIOp::create(jb, jl, st[0], one), st[0])};
            });
        Value fe = tensor::ExtractOp::create(nb, nl, first, e);
        Value isFirst = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, fe, e[0]);
        Value total = arith::SelectOp::create(
            nb, nl, isFirst, arith::AddIOp::create(nb, nl, acc[1], one), acc[1]);
        return SmallVector<Value>{tensor::InsertOp::create(nb, nl, o[0], acc[0], e),
                                  total};
      });
  Value order = orderR[0], numUnique = orderR[1];
  Value outFlat = emptyTensor(b, loc, {numUnique, r}, xt.getElementType());
  Value outIndices = emptyTensor(b, loc, {OpFoldResult(numUnique)}, i64);
  Value outInverse = emptyTensor(b, loc, {n}, i64);
  Value outCounts = emptyTensor(b, loc, {OpFoldResult(numUnique)}, i64);
  auto asI64 = [&](OpBuilder &xb, Location xl, Value v) {
    return arith::IndexCastOp::create(xb, xl, i64, v).getResult();
  };
  SmallVector<Value> res = loopNest(
      b, loc, ValueRange{nv}, ValueRange{outFlat, outIndices, outInverse, outCounts},
      [&](OpBuilder &nb, Location nl, ValueRange e, ValueRange acc) {
        Value f = tensor::ExtractOp::create(nb, nl, first, e);
        Value o = tensor::ExtractOp::create(nb, nl, order, ValueRange{f});
        Value inverse = tensor::InsertOp::create(nb, nl, asI64(nb, nl, o), acc[2], e);
        Value isFirst = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::eq, f, e[0]);
        SmallVector<Value> current = {acc[0], acc[1], inverse, acc[3]};
        return ifThen(nb, nl, isFirst, current, [&](OpBuilder &tb, Location tl) {
          Value row = tensor::ExtractSliceOp::create(
              tb, tl, flat, ArrayRef<OpFoldResult>{e[0], tb.getIndexAttr(0)},
              ArrayRef<OpFoldResult>{tb.getIndexAttr(1), r},
              ArrayRef<OpFoldResult>{tb.getIndexAttr(1), tb.getIndexAttr(1)});
          Value values = tensor::InsertSliceOp::create(
              tb, tl, row, acc[0], ArrayRef<OpFoldResult>{o, tb.getIndexAttr(0)},
              ArrayRef<OpFoldResult>{tb.getIndexAttr(1), r},
              ArrayRef<OpFoldResult>{tb.getIndexAttr(1), tb.getIndexAttr(1)});
          Value c = tensor::ExtractOp::create(tb, tl, counts, e);
          return SmallVector<Value>{
              values, tensor::InsertOp::create(tb, tl, asI64(tb, tl, e[0]), acc[1], ValueRange{o}),
              inverse, tensor::InsertOp::create(tb, tl, asI64(tb, tl, c), acc[3], ValueRange{o})};
        });
      });
  // Back to the input's layout: [U, rest...] with the axis in place.
  Value values = fromRows(b, loc, rowsView, res[0], numUnique);
  rewriter.replaceOp(
      op, {castTo(b, loc, values, toSignless(op.getResult(0).getType())),
           castTo(b, loc, res[1], toSignless(op.getResult(1).getType())),
           castTo(b, loc, res[2], toSignless(op.getResult(2).getType())),
           castTo(b, loc, res[3], toSignless(op.getResult(3).getType()))});
  return success();
}

} // namespace

void populateSortingLowering(TypeConverter &converter,
                             RewritePatternSet &patterns,
                             AxisAlgorithm algorithm) {
  patterns.add<TopKLowering, UniqueLowering>(converter, patterns.getContext(),
                                             algorithm);
}

} // namespace kiln::lowering
