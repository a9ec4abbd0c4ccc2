//===- LowerDataDependent.cpp - scatters and data-sized results -----------===//
//
// Ops that write to positions read from the data (scatters) or whose result
// size depends on the data (non_zero, compress, non-max suppression). They
// are loops over tensors (LoopBuilders.h), which bufferization turns into
// in-place stores; counts are computed first so every result is allocated
// once. The ops that order their elements (top_k, unique) are in
// LowerSorting.cpp.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/LoopBuilders.h"
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "backends/linalg/SortLoops.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::lowering {
namespace {

Value normalizedIndex(OpBuilder &b, Location loc, Operation *op, Value raw,
                      Value size) {
  Value i = toIndex(b, loc, raw);
  Value zero = cIndex(b, loc, 0);
  i = arith::SelectOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, zero),
      arith::AddIOp::create(b, loc, i, size), i);
  Value ok = arith::AndIOp::create(
      b, loc, arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, i, zero),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i, size));
  runtimeCheck(b, loc, op, ok, "index out of range");
  return i;
}

/// The scatter reductions.
Value combine(OpBuilder &b, Location loc, StringRef reduction,
              const ElementKind &k, Value old, Value update) {
  if (reduction == "add")
    return addScalars(b, loc, k, old, update);
  if (reduction == "mul")
    return mulScalars(b, loc, k, old, update);
  if (reduction == "max")
    return maxScalars(b, loc, k, old, update);
  if (reduction == "min")
    return minScalars(b, loc, k, old, update);
  return update;
}

struct ScatterElementsLowering : OpConversionPattern<ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value data = adaptor.getData(), indices = adaptor.getIndices(),
          updates = adaptor.getUpdates();
    int64_t axis = op.getAxis();
    ElementKind k = kindOf(op.getType().getElementType());
    Value size = dimValue(b, loc, data, axis);
    StringRef reduction = op.getReduction();
    SmallVector<Value> r = loopNest(
        b, loc, dimValues(b, loc, indices), ValueRange{data},
        [&](OpBuilder &nb, Location nl, ValueRange ivs, ValueRange acc) {
          Value raw = tensor::ExtractOp::create(nb, nl, indices, ivs);
          SmallVector<Value> at(ivs.begin(), ivs.end());
          at[axis] = normalizedIndex(nb, nl, op, raw, size);
          Value u = tensor::ExtractOp::create(nb, nl, updates, ivs);
          Value old = tensor::ExtractOp::create(nb, nl, acc[0], at);
          Value v = combine(nb, nl, reduction, k, old, u);
          return SmallVector<Value>{
              tensor::InsertOp::create(nb, nl, v, acc[0], at).getResult()};
        });
    rewriter.replaceOp(op, castTo(b, loc, r[0], toSignless(op.getType())));
    return success();
  }
};

struct ScatterNDLowering : OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value data = adaptor.getData(), indices = adaptor.getIndices(),
          updates = adaptor.getUpdates();
    auto it = cast<RankedTensorType>(indices.getType());
    int64_t q = it.getRank(), last = it.getDimSize(q - 1);
    ElementKind k = kindOf(op.getType().getElementType());
    SmallVector<Value> dataDims = dimValues(b, loc, data);
    StringRef reduction = op.getReduction();
    // Loop over updates: the index tuple's dimensions, then the slice's.
    SmallVector<Value> r = loopNest(
        b, loc, dimValues(b, loc, updates), ValueRange{data},
        [&](OpBuilder &nb, Location nl, ValueRange ivs, ValueRange acc) {
          SmallVector<Value> tuple(ivs.begin(), ivs.begin() + (q - 1));
          SmallVector<Value> at;
          for (int64_t t = 0; t < last; ++t) {
            tuple.push_back(cIndex(nb, nl, t));
            Value raw = tensor::ExtractOp::create(nb, nl, indices, tuple);
            tuple.pop_back();
            at.push_back(normalizedIndex(nb, nl, op, raw, dataDims[t]));
          }
          at.append(ivs.begin() + (q - 1), ivs.end());
          Value u = tensor::ExtractOp::create(nb, nl, updates, ivs);
          Value old = tensor::ExtractOp::create(nb, nl, acc[0], at);
          Value v = combine(nb, nl, reduction, k, old, u);
          return SmallVector<Value>{
              tensor::InsertOp::create(nb, nl, v, acc[0], at).getResult()};
        });
    rewriter.replaceOp(op, castTo(b, loc, r[0], toSignless(op.getType())));
    return success();
  }
};


Value isNonZero(OpBuilder &b, Location loc, Value v) {
  if (isa<FloatType>(v.getType()))
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v,
                                 scalarConstant(b, loc, v.getType(), 0));
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v,
                               scalarConstant(b, loc, v.getType(), 0));
}

struct NonZeroLowering : OpConversionPattern<NonZeroOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(NonZeroOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    Value n = countWhere(b, loc, x, isNonZero);
    Value out = emptyTensor(b, loc, {b.getIndexAttr(rank), n}, b.getI64Type());
    SmallVector<Value> r = loopNest(
        b, loc, dimValues(b, loc, x), ValueRange{out, cIndex(b, loc, 0)},
        [&](OpBuilder &nb, Location nl, ValueRange ivs, ValueRange acc) {
          Value v = tensor::ExtractOp::create(nb, nl, x, ivs);
          return ifThen(nb, nl, isNonZero(nb, nl, v), acc,
                        [&](OpBuilder &tb, Location tl) {
                          Value o = acc[0];
                          for (int64_t d = 0; d < rank; ++d) {
                            Value coord = arith::IndexCastOp::create(
                                tb, tl, tb.getI64Type(), ivs[d]);
                            o = tensor::InsertOp::create(
                                tb, tl, coord, o,
                                ValueRange{cIndex(tb, tl, d), acc[1]});
                          }
                          Value next = arith::AddIOp::create(
                              tb, tl, acc[1], cIndex(tb, tl, 1));
                          return SmallVector<Value>{o, next};
                        });
        });
    rewriter.replaceOp(op, castTo(b, loc, r[0], toSignless(op.getType())));
    return success();
  }
};

struct CompressLowering : OpConversionPattern<CompressOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(CompressOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput(), cond = adaptor.getCondition();
    int64_t axis = op.getAxis();
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t rank = xt.getRank();
    Value limit = arith::MinSIOp::create(b, loc, dimValue(b, loc, cond, 0),
                                         dimValue(b, loc, x, axis));
    // Count the true entries within the dimension.
    SmallVector<Value> counted = loopNest(
        b, loc, ValueRange{limit}, ValueRange{cIndex(b, loc, 0)},
        [&](OpBuilder &nb, Location nl, ValueRange ivs, ValueRange acc) {
          Value c = tensor::ExtractOp::create(nb, nl, cond, ivs);
          Value one = toIndex(nb, nl, arith::ExtUIOp::create(nb, nl, nb.getI64Type(), c));
          return SmallVector<Value>{arith::AddIOp::create(nb, nl, acc[0], one)};
        });
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    dims[axis] = counted[0];
    Value out = emptyTensor(b, loc, dims, xt.getElementType());
    SmallVector<Value> r = loopNest(
        b, loc, ValueRange{limit}, ValueRange{out, cIndex(b, loc, 0)},
        [&](OpBuilder &nb, Location nl, ValueRange ivs, ValueRange acc) {
          Value c = tensor::ExtractOp::create(nb, nl, cond, ivs);
          return ifThen(nb, nl, c, acc, [&](OpBuilder &tb, Location tl) {
            SmallVector<OpFoldResult> offsets(rank, tb.getIndexAttr(0));
            SmallVector<OpFoldResult> sizes = getDims(tb, tl, x);
            SmallVector<OpFoldResult> strides(rank, tb.getIndexAttr(1));
            offsets[axis] = ivs[0];
            sizes[axis] = tb.getIndexAttr(1);
            Value slice = tensor::ExtractSliceOp::create(tb, tl, x, offsets,
                                                         sizes, strides);
            offsets[axis] = acc[1];
            Value o = tensor::InsertSliceOp::create(tb, tl, slice, acc[0],
                                                    offsets, sizes, strides);
            return SmallVector<Value>{
                o, arith::AddIOp::create(tb, tl, acc[1], cIndex(tb, tl, 1))};
          });
        });
    rewriter.replaceOp(op, castTo(b, loc, r[0], toSignless(op.getType())));
    return success();
  }
};


/// Greedy NMS. Pass 1, per (batch, class): the boxes above the score
/// threshold go into a heap by score (ties by index; SortLoops.h), and are
/// taken best first, each selected unless its IoU with a box already
/// selected is above the threshold, until the output limit: O(n) plus
/// O(log n) and one IoU per selected box for each box taken, where a full
/// ordering would be O(n log n) and a test against every box O(n^2).
/// Pass 2 writes the selections in that same order.
struct NonMaxSuppressionLowering : OpConversionPattern<NonMaxSuppressionOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(NonMaxSuppressionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value boxes = adaptor.getBoxes(), scores = adaptor.getScores();
    Type t = cast<RankedTensorType>(boxes.getType()).getElementType();
    Type i64 = b.getI64Type();
    Value nb = dimValue(b, loc, scores, 0), nc = dimValue(b, loc, scores, 1),
          nn = dimValue(b, loc, scores, 2);
    auto scalarOf = [&](Value v) -> Value {
      auto vt = cast<RankedTensorType>(v.getType());
      if (vt.getNumElements() == 0)
        return nullptr;
      return extractScalar(b, loc, v);
    };
    Value maxOutRaw = scalarOf(adaptor.getMaxOutputBoxesPerClass());
    Value maxOut = maxOutRaw ? toIndex(b, loc, maxOutRaw) : cIndex(b, loc, 0);
    Value iouT = scalarOf(adaptor.getIouThreshold());
    if (!iouT)
      iouT = scalarConstant(b, loc, t, 0);
    Value scoreT = scalarOf(adaptor.getScoreThreshold());
    bool center = op.getCenterPointBox();
    Value zero = cIndex(b, loc, 0), one = cIndex(b, loc, 1);
    auto fcmp = [&](OpBuilder &xb, Location xl, arith::CmpFPredicate p, Value a,
                    Value c) {
      return arith::CmpFOp::create(xb, xl, p, a, c).getResult();
    };
    auto sub = [](OpBuilder &xb, Location xl, Value a, Value c) {
      return arith::SubFOp::create(xb, xl, a, c).getResult();
    };
    auto mul = [](OpBuilder &xb, Location xl, Value a, Value c) {
      return arith::MulFOp::create(xb, xl, a, c).getResult();
    };
    // Corners (y1, x1, y2, x2), ordered, of box i of batch bi.
    auto corners = [&](OpBuilder &xb, Location xl, Value bi, Value i) {
      SmallVector<Value> v;
      for (int k = 0; k < 4; ++k)
        v.push_back(tensor::ExtractOp::create(xb, xl, boxes,
                                              ValueRange{bi, i, cIndex(xb, xl, k)}));
      auto add = [&](Value a, Value c) { return arith::AddFOp::create(xb, xl, a, c).getResult(); };
      auto half = [&](Value a) { return mul(xb, xl, a, scalarConstant(xb, xl, t, 0.5)); };
      Value y1, x1, y2, x2;
      if (center) {
        x1 = sub(xb, xl, v[0], half(v[2]));
        x2 = add(v[0], half(v[2]));
        y1 = sub(xb, xl, v[1], half(v[3]));
        y2 = add(v[1], half(v[3]));
      } else {
        y1 = arith::MinimumFOp::create(xb, xl, v[0], v[2]);
        y2 = arith::MaximumFOp::create(xb, xl, v[0], v[2]);
        x1 = arith::MinimumFOp::create(xb, xl, v[1], v[3]);
        x2 = arith::MaximumFOp::create(xb, xl, v[1], v[3]);
      }
      return SmallVector<Value>{y1, x1, y2, x2};
    };
    auto area = [&](OpBuilder &xb, Location xl, ArrayRef<Value> p) {
      return mul(xb, xl, sub(xb, xl, p[2], p[0]), sub(xb, xl, p[3], p[1]));
    };
    // Whether boxes p and q (corners, areas) overlap by more than the
    // threshold.
    auto iouAbove = [&](OpBuilder &xb, Location xl, ArrayRef<Value> p, Value ap,
                        ArrayRef<Value> q, Value aq) {
      auto mx = [&](Value a, Value c) { return arith::MaximumFOp::create(xb, xl, a, c).getResult(); };
      auto mn = [&](Value a, Value c) { return arith::MinimumFOp::create(xb, xl, a, c).getResult(); };
      Value zeroF = scalarConstant(xb, xl, t, 0);
      Value ih = mx(sub(xb, xl, mn(p[2], q[2]), mx(p[0], q[0])), zeroF);
      Value iw = mx(sub(xb, xl, mn(p[3], q[3]), mx(p[1], q[1])), zeroF);
      Value inter = mul(xb, xl, ih, iw);
      Value uni = sub(xb, xl, arith::AddFOp::create(xb, xl, ap, aq), inter);
      Value positive = fcmp(xb, xl, arith::CmpFPredicate::OGT, uni, zeroF);
      Value iou = arith::DivFOp::create(xb, xl, inter, uni);
      Value above = fcmp(xb, xl, arith::CmpFPredicate::OGT, iou, iouT);
      return arith::AndIOp::create(xb, xl, positive, above).getResult();
    };
    Type indexType = b.getIndexType();
    // Per (batch, class): the boxes selected, in order, and how many.
    Value chosenInit = emptyTensor(b, loc, {nb, nc, nn}, indexType);
    Value countsInit = emptyTensor(b, loc, {nb, nc}, indexType);
    Value heapInit = emptyTensor(b, loc, {OpFoldResult(nn)}, indexType);
    // The selected boxes of the current (batch, class), one row per
    // quantity (y1, x1, y2, x2, area): the test of a candidate against them
    // reads five contiguous rows (vector loads), where reading the boxes
    // through the selected indices would gather and redo the corners.
    Value selectedInit = emptyTensor(b, loc, {b.getIndexAttr(5), OpFoldResult(nn)}, t);
    SmallVector<Value> pass1 = loopNest(
        b, loc, ValueRange{nb, nc},
        ValueRange{chosenInit, countsInit, zero, heapInit, selectedInit},
        [&](OpBuilder &pb, Location pl, ValueRange bc, ValueRange acc) {
          auto score = [&](OpBuilder &sb, Location sl, Value i) {
            return tensor::ExtractOp::create(sb, sl, scores,
                                             ValueRange{bc[0], bc[1], i})
                .getResult();
          };
          // The candidates: boxes above the score threshold.
          SmallVector<Value> cand = loopNest(
              pb, pl, ValueRange{nn}, ValueRange{acc[3], zero},
              [&](OpBuilder &cb, Location cl, ValueRange i, ValueRange st) {
                auto append = [&](OpBuilder &tb, Location tl) {
                  return SmallVector<Value>{
                      tensor::InsertOp::create(tb, tl, i[0], st[0], ValueRange{st[1]}),
                      arith::AddIOp::create(tb, tl, st[1], one)};
                };
                if (!scoreT)
                  return append(cb, cl);
                Value above = fcmp(cb, cl, arith::CmpFPredicate::OGT,
                                   score(cb, cl, i[0]), scoreT);
                return ifThen(cb, cl, above, st, append);
              });
          // Highest score first, ties by index.
          auto better = [&](OpBuilder &ob, Location ol, Value i, Value j) {
            Value si = score(ob, ol, i), sj = score(ob, ol, j);
            return arith::OrIOp::create(
                       ob, ol, fcmp(ob, ol, arith::CmpFPredicate::OGT, si, sj),
                       arith::AndIOp::create(
                           ob, ol, fcmp(ob, ol, arith::CmpFPredicate::OEQ, si, sj),
                           arith::CmpIOp::create(ob, ol, arith::CmpIPredicate::slt, i,
                                                 j)))
                .getResult();
          };
          Value heap = heapify(pb, pl, cand[0], cand[1], better);
          // Take candidates best first until none is left or maxOut are
          // selected; a candidate is selected unless its IoU with one
          // already selected is above the threshold.
          auto walk = scf::WhileOp::create(
              pb, pl,
              TypeRange{heap.getType(), indexType, indexType, acc[0].getType(),
                        acc[4].getType()},
              ValueRange{heap, cand[1], zero, acc[0], acc[4]},
              [&](OpBuilder &wb, Location wl, ValueRange w) {
                Value go = arith::AndIOp::create(
                    wb, wl,
                    arith::CmpIOp::create(wb, wl, arith::CmpIPredicate::sgt, w[1], zero),
                    arith::CmpIOp::create(wb, wl, arith::CmpIPredicate::slt, w[2], maxOut));
                scf::ConditionOp::create(wb, wl, go, w);
              },
              [&](OpBuilder &wb, Location wl, ValueRange w) {
                auto [rest, i] = heapPop(wb, wl, w[0], w[1], better);
                SmallVector<Value> p = corners(wb, wl, bc[0], i);
                Value ap = area(wb, wl, p);
                Value suppressed = loopNest(
                    wb, wl, ValueRange{w[2]},
                    ValueRange{arith::ConstantIntOp::create(wb, wl, 0, 1)},
                    [&](OpBuilder &jb, Location jl, ValueRange q, ValueRange f) {
                      SmallVector<Value> row;
                      for (int k = 0; k < 5; ++k)
                        row.push_back(tensor::ExtractOp::create(
                            jb, jl, w[4], ValueRange{cIndex(jb, jl, k), q[0]}));
                      Value hit = iouAbove(jb, jl, p, ap, ArrayRef(row).take_front(4),
                                           row[4]);
                      return SmallVector<Value>{arith::OrIOp::create(jb, jl, f[0], hit)};
                    })[0];
                SmallVector<Value> kept = ifThen(
                    wb, wl,
                    arith::XOrIOp::create(wb, wl, suppressed,
                                          arith::ConstantIntOp::create(wb, wl, 1, 1)),
                    ValueRange{w[2], w[3], w[4]}, [&](OpBuilder &tb, Location tl) {
                      Value sel = w[4];
                      Value quantities[5] = {p[0], p[1], p[2], p[3], ap};
                      for (int k = 0; k < 5; ++k)
                        sel = tensor::InsertOp::create(
                            tb, tl, quantities[k], sel, ValueRange{cIndex(tb, tl, k), w[2]});
                      return SmallVector<Value>{
                          arith::AddIOp::create(tb, tl, w[2], one),
                          tensor::InsertOp::create(tb, tl, i, w[3],
                                                   ValueRange{bc[0], bc[1], w[2]}),
                          sel};
                    });
                scf::YieldOp::create(
                    wb, wl,
                    ValueRange{rest, arith::SubIOp::create(wb, wl, w[1], one), kept[0],
                               kept[1], kept[2]});
              });
          Value count = walk.getResult(2);
          return SmallVector<Value>{
              walk.getResult(3),
              tensor::InsertOp::create(pb, pl, count, acc[1], bc),
              arith::AddIOp::create(pb, pl, acc[2], count), walk.getResult(0),
              walk.getResult(4)};
        });
    Value chosen = pass1[0], counts = pass1[1], total = pass1[2];
    Value out = emptyTensor(b, loc, {OpFoldResult(total), b.getIndexAttr(3)}, i64);
    SmallVector<Value> pass2 = loopNest(
        b, loc, ValueRange{nb, nc}, ValueRange{out, zero},
        [&](OpBuilder &pb, Location pl, ValueRange bc, ValueRange acc) {
          Value count = tensor::ExtractOp::create(pb, pl, counts, bc);
          return loopNest(
              pb, pl, ValueRange{count}, acc,
              [&](OpBuilder &tb, Location tl, ValueRange p, ValueRange st) {
                Value i = tensor::ExtractOp::create(tb, tl, chosen,
                                                    ValueRange{bc[0], bc[1], p[0]});
                Value o = st[0];
                Value cols[3] = {bc[0], bc[1], i};
                for (int k = 0; k < 3; ++k)
                  o = tensor::InsertOp::create(
                      tb, tl, arith::IndexCastOp::create(tb, tl, i64, cols[k]), o,
                      ValueRange{st[1], cIndex(tb, tl, k)});
                return SmallVector<Value>{o, arith::AddIOp::create(tb, tl, st[1], one)};
              });
        });
    rewriter.replaceOp(op, castTo(b, loc, pass2[0], toSignless(op.getType())));
    return success();
  }
};


/// Determinants by Gaussian elimination with partial pivoting, matrix by
/// matrix.
struct DetLowering : OpConversionPattern<DetOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DetOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t rank = xt.getRank();
    Type t = xt.getElementType();
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    OpFoldResult nOfr = dims[rank - 1];
    Value n = indexValue(b, loc, nOfr);
    OpFoldResult batchOfr =
        productOf(b, loc, ArrayRef<OpFoldResult>(dims).drop_back(2));
    Value batch = indexValue(b, loc, batchOfr);
    Value flat = reshapeTo(b, loc, x, {batchOfr, nOfr, nOfr});
    Value out = emptyTensor(b, loc, {batchOfr}, t);
    auto fabs = [&](OpBuilder &ob, Location ol, Value v) {
      return math::AbsFOp::create(ob, ol, v).getResult();
    };
    SmallVector<Value> r = loopNest(
        b, loc, ValueRange{batch}, ValueRange{out},
        [&](OpBuilder &nb, Location nl, ValueRange bi, ValueRange acc) {
          Value m = tensor::ExtractSliceOp::create(
              nb, nl, flat,
              ArrayRef<OpFoldResult>{bi[0], nb.getIndexAttr(0), nb.getIndexAttr(0)},
              ArrayRef<OpFoldResult>{nb.getIndexAttr(1), n, n},
              ArrayRef<OpFoldResult>{nb.getIndexAttr(1), nb.getIndexAttr(1),
                                     nb.getIndexAttr(1)});
          m = reshapeTo(nb, nl, m, {nOfr, nOfr});
          // Work on a private copy of the matrix.
          Value work = emptyTensor(nb, nl, {nOfr, nOfr}, t);
          work = linalg::CopyOp::create(nb, nl, m, work).getResult(0);
          SmallVector<Value> state = loopNest(
              nb, nl, ValueRange{n},
              ValueRange{work, scalarConstant(nb, nl, t, 1)},
              [&](OpBuilder &cb, Location cl, ValueRange col, ValueRange s) {
                Value c = col[0];
                Value mm = s[0], det = s[1];
                // The pivot row: the largest |m[r, c]| for r >= c.
                SmallVector<Value> piv = loopNest(
                    cb, cl, ValueRange{n}, ValueRange{c},
                    [&](OpBuilder &pb, Location pl, ValueRange rr, ValueRange best) {
                      Value below = arith::CmpIOp::create(
                          pb, pl, arith::CmpIPredicate::sgt, rr[0], c);
                      Value vr = fabs(pb, pl,
                                      tensor::ExtractOp::create(pb, pl, mm,
                                                                ValueRange{rr[0], c}));
                      Value vb = fabs(pb, pl,
                                      tensor::ExtractOp::create(pb, pl, mm,
                                                                ValueRange{best[0], c}));
                      Value better = arith::AndIOp::create(
                          pb, pl, below,
                          arith::CmpFOp::create(pb, pl, arith::CmpFPredicate::OGT,
                                                vr, vb));
                      return SmallVector<Value>{
                          arith::SelectOp::create(pb, pl, better, rr[0], best[0])};
                    });
                Value p = piv[0];
                Value swap = arith::CmpIOp::create(cb, cl, arith::CmpIPredicate::ne,
                                                   p, c);
                SmallVector<Value> swapped = ifThen(
                    cb, cl, swap, ValueRange{mm, det},
                    [&](OpBuilder &tb, Location tl) {
                      SmallVector<Value> rows = loopNest(
                          tb, tl, ValueRange{n}, ValueRange{mm},
                          [&](OpBuilder &sb, Location sl, ValueRange k2,
                              ValueRange w) {
                            Value a = tensor::ExtractOp::create(sb, sl, w[0],
                                                                ValueRange{c, k2[0]});
                            Value z = tensor::ExtractOp::create(sb, sl, w[0],
                                                                ValueRange{p, k2[0]});
                            Value w1 = tensor::InsertOp::create(sb, sl, z, w[0],
                                                                ValueRange{c, k2[0]});
                            return SmallVector<Value>{tensor::InsertOp::create(
                                sb, sl, a, w1, ValueRange{p, k2[0]})};
                          });
                      return SmallVector<Value>{
                          rows[0], arith::NegFOp::create(tb, tl, det)};
                    });
                mm = swapped[0];
                det = swapped[1];
                Value pivot = tensor::ExtractOp::create(cb, cl, mm, ValueRange{c, c});
                det = arith::MulFOp::create(cb, cl, det, pivot);
                // Eliminate below the pivot (rows r > c).
                SmallVector<Value> elim = loopNest(
                    cb, cl, ValueRange{n}, ValueRange{mm},
                    [&](OpBuilder &eb, Location el, ValueRange rr, ValueRange w) {
                      Value below = arith::CmpIOp::create(
                          eb, el, arith::CmpIPredicate::sgt, rr[0], c);
                      Value nz = arith::CmpFOp::create(eb, el, arith::CmpFPredicate::UNE,
                                                       pivot,
                                                       scalarConstant(eb, el, t, 0));
                      return ifThen(
                          eb, el, arith::AndIOp::create(eb, el, below, nz), w,
                          [&](OpBuilder &tb, Location tl) {
                            Value f = arith::DivFOp::create(
                                tb, tl,
                                tensor::ExtractOp::create(tb, tl, w[0],
                                                          ValueRange{rr[0], c}),
                                pivot);
                            return loopNest(
                                tb, tl, ValueRange{n}, w,
                                [&](OpBuilder &kb, Location kl, ValueRange cc,
                                    ValueRange ww) {
                                  Value top = tensor::ExtractOp::create(
                                      kb, kl, ww[0], ValueRange{c, cc[0]});
                                  Value cur = tensor::ExtractOp::create(
                                      kb, kl, ww[0], ValueRange{rr[0], cc[0]});
                                  Value nv = arith::SubFOp::create(
                                      kb, kl, cur, arith::MulFOp::create(kb, kl, f, top));
                                  return SmallVector<Value>{tensor::InsertOp::create(
                                      kb, kl, nv, ww[0], ValueRange{rr[0], cc[0]})};
                                });
                          });
                    });
                return SmallVector<Value>{elim[0], det};
              });
          return SmallVector<Value>{
              tensor::InsertOp::create(nb, nl, state[1], acc[0], bi)};
        });
    SmallVector<OpFoldResult> outDims(dims.begin(), dims.end() - 2);
    Value result = reshapeTo(b, loc, r[0], outDims);
    rewriter.replaceOp(op, castTo(b, loc, result, toSignless(op.getType())));
    return success();
  }
};

/// MaxUnpool: zeros, then each value written at its flat index.
struct MaxUnpoolLowering : OpConversionPattern<MaxUnpoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxUnpoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput(), indices = adaptor.getIndices();
    RankedTensorType type = op.getType();
    Type t = toSignless(type.getElementType());
    SmallVector<OpFoldResult> outDims;
    Value total = cIndex(b, loc, 1);
    for (int64_t i = 0; i < type.getRank(); ++i) {
      Value d = extractIndex(b, loc, adaptor.getOutputShape(), i);
      outDims.push_back(d);
      total = arith::MulIOp::create(b, loc, total, d);
    }
    Value flat = filledTensor(b, loc, {OpFoldResult(total)},
                              scalarConstant(b, loc, t, 0));
    SmallVector<Value> r = loopNest(
        b, loc, dimValues(b, loc, x), ValueRange{flat},
        [&](OpBuilder &nb, Location nl, ValueRange ivs, ValueRange acc) {
          Value raw = tensor::ExtractOp::create(nb, nl, indices, ivs);
          Value i = toIndex(nb, nl, raw);
          Value ok = arith::AndIOp::create(
              nb, nl,
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, i,
                                    cIndex(nb, nl, 0)),
              arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt, i, total));
          runtimeCheck(nb, nl, op, ok, "index out of range");
          Value v = tensor::ExtractOp::create(nb, nl, x, ivs);
          return SmallVector<Value>{
              tensor::InsertOp::create(nb, nl, v, acc[0], ValueRange{i})};
        });
    Value out = reshapeTo(b, loc, r[0], outDims);
    rewriter.replaceOp(op, castTo(b, loc, out, toSignless(type)));
    return success();
  }
};

} // namespace

void populateDataDependentLowering(TypeConverter &converter,
                                   RewritePatternSet &patterns) {
  patterns.add<ScatterElementsLowering, ScatterNDLowering, NonZeroLowering,
               CompressLowering, DetLowering,
               MaxUnpoolLowering, NonMaxSuppressionLowering>(
      converter, patterns.getContext());
}

} // namespace kiln::lowering