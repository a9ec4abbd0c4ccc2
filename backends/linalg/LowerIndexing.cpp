//===- LowerIndexing.cpp - broadcasting, padding, gathers, arg-reductions --===//
//
// Ops whose every output element is computed from its own index: each is
// one linalg.generic (or a few) whose body computes source coordinates and
// reads them with tensor.extract.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/LoopBuilders.h"
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "dialects/kiln/EinsumEquation.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::lowering {
namespace {

/// Index arithmetic shorthands inside a body.
struct Ix {
  OpBuilder &b;
  Location loc;
  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value div(Value x, Value y) { return arith::DivSIOp::create(b, loc, x, y); }
  Value rem(Value x, Value y) { return arith::RemSIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value max(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value select(Value c, Value x, Value y) {
    return arith::SelectOp::create(b, loc, c, x, y);
  }
  /// The non-negative remainder of x / y (y > 0).
  Value mod(Value x, Value y) { return rem(add(rem(x, y), y), y); }
  Value clamp(Value x, Value lo, Value hi) { return min(max(x, lo), hi); }
  Value toIndex(Value v) {
    if (isa<FloatType>(v.getType()))
      v = arith::FPToSIOp::create(b, loc, b.getI64Type(), v);
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
  }
};

Type signlessElement(Type t) {
  return toSignless(cast<RankedTensorType>(t).getElementType());
}

struct ExpandLowering : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    int64_t n = cast<RankedTensorType>(adaptor.getShape().getType()).getDimSize(0);
    SmallVector<OpFoldResult> target;
    for (int64_t i = 0; i < n; ++i)
      target.push_back(extractIndex(b, loc, adaptor.getShape(), i));
    SmallVector<OpFoldResult> outDims = broadcastDimLists(
        b, loc, op, {getDims(b, loc, x), target}, op.getType().getShape());
    checkSizes(b, loc, op, outDims);
    Value r = broadcastTo(b, loc, x, outDims);
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

struct TileLowering : OpConversionPattern<TileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Ix ix{b, loc};
    Value x = adaptor.getInput();
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    SmallVector<OpFoldResult> out;
    SmallVector<Value> sizes;
    for (size_t i = 0; i < dims.size(); ++i) {
      Value d = indexValue(b, loc, dims[i]);
      sizes.push_back(d);
      Value r = extractIndex(b, loc, adaptor.getRepeats(), i);
      runtimeCheck(b, loc, op, ix.cmp(arith::CmpIPredicate::sge, r, ix.c(0)),
                   "negative repeat count");
      out.push_back(ix.mul(d, r));
    }
    checkSizes(b, loc, op, out);
    Value r = generateTensor(b, loc, out, signlessElement(x.getType()),
                             [&](OpBuilder &gb, Location gl, ValueRange idx) {
                               Ix g{gb, gl};
                               SmallVector<Value> src;
                               for (size_t i = 0; i < idx.size(); ++i)
                                 src.push_back(g.rem(idx[i], sizes[i]));
                               return tensor::ExtractOp::create(gb, gl, x, src)
                                   .getResult();
                             });
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Ix ix{b, loc};
    Value x = adaptor.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    ArrayRef<int64_t> axes = op.getAxes();
    SmallVector<Value> begin(rank, ix.c(0)), end(rank, ix.c(0));
    for (auto [i, a] : llvm::enumerate(axes)) {
      begin[a] = extractIndex(b, loc, adaptor.getPads(), i);
      end[a] = extractIndex(b, loc, adaptor.getPads(), i + axes.size());
    }
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    Type element = signlessElement(x.getType());
    StringRef mode = op.getMode();
    Value result;
    if (mode == "constant") {
      // Crop (negative pads) with a slice, then pad with tensor.pad.
      SmallVector<OpFoldResult> offsets, sizes, strides, low, high, padded;
      for (int64_t d = 0; d < rank; ++d) {
        Value dim = indexValue(b, loc, dims[d]);
        Value cropBegin = ix.max(ix.sub(ix.c(0), begin[d]), ix.c(0));
        Value cropEnd = ix.max(ix.sub(ix.c(0), end[d]), ix.c(0));
        Value size = ix.sub(ix.sub(dim, cropBegin), cropEnd);
        runtimeCheck(b, loc, op, ix.cmp(arith::CmpIPredicate::sge, size, ix.c(0)),
                     "negative pads remove more than the dimension");
        offsets.push_back(cropBegin);
        sizes.push_back(size);
        strides.push_back(b.getIndexAttr(1));
        low.push_back(ix.max(begin[d], ix.c(0)));
        high.push_back(ix.max(end[d], ix.c(0)));
        padded.push_back(ix.add(ix.add(size, ix.max(begin[d], ix.c(0))),
                                ix.max(end[d], ix.c(0))));
      }
      checkSizes(b, loc, op, padded);
      Value cropped =
          tensor::ExtractSliceOp::create(b, loc, x, offsets, sizes, strides);
      Value value = adaptor.getValue() ? extractScalar(b, loc, adaptor.getValue())
                                       : scalarConstant(b, loc, element, 0);
      result = tensor::PadOp::create(b, loc, Type(), cropped, low, high, value);
    } else {
      SmallVector<OpFoldResult> out;
      SmallVector<Value> sizes;
      for (int64_t d = 0; d < rank; ++d) {
        Value dim = indexValue(b, loc, dims[d]);
        sizes.push_back(dim);
        Value size = ix.add(ix.add(dim, begin[d]), end[d]);
        runtimeCheck(b, loc, op, ix.cmp(arith::CmpIPredicate::sge, size, ix.c(0)),
                     "negative pads remove more than the dimension");
        if (llvm::is_contained(axes, d))
          runtimeCheck(b, loc, op, ix.cmp(arith::CmpIPredicate::sgt, dim, ix.c(0)),
                       "cannot pad an empty dimension in mode " + mode.str());
        out.push_back(size);
      }
      checkSizes(b, loc, op, out);
      result = generateTensor(
          b, loc, out, element, [&](OpBuilder &gb, Location gl, ValueRange idx) {
            Ix g{gb, gl};
            SmallVector<Value> src;
            for (int64_t d = 0; d < rank; ++d) {
              Value s = g.sub(idx[d], begin[d]);
              Value n = sizes[d];
              if (mode == "edge") {
                s = g.clamp(s, g.c(0), g.sub(n, g.c(1)));
              } else if (mode == "wrap") {
                s = g.mod(s, n);
              } else { // reflect: period 2(n-1), mirrored
                Value period = g.max(g.mul(g.c(2), g.sub(n, g.c(1))), g.c(1));
                Value m = g.mod(s, period);
                s = g.select(g.cmp(arith::CmpIPredicate::slt, m, n), m,
                             g.sub(period, m));
              }
              src.push_back(s);
            }
            return tensor::ExtractOp::create(gb, gl, x, src).getResult();
          });
    }
    rewriter.replaceOp(op, castTo(b, loc, result, toSignless(op.getType())));
    return success();
  }
};

struct ConstantOfShapeLowering : OpConversionPattern<ConstantOfShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOfShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    RankedTensorType type = op.getType();
    SmallVector<OpFoldResult> dims;
    for (int64_t i = 0; i < type.getRank(); ++i)
      dims.push_back(type.isDynamicDim(i)
                         ? OpFoldResult(extractIndex(b, loc, adaptor.getShape(), i))
                         : b.getIndexAttr(type.getDimSize(i)));
    checkSizes(b, loc, op, dims);
    TypedAttr value = op.getValue();
    Type t = toSignless(value.getType());
    Value scalar;
    if (auto i = dyn_cast<IntegerAttr>(value))
      scalar = arith::ConstantOp::create(b, loc, b.getIntegerAttr(t, i.getValue()));
    else
      scalar = arith::ConstantOp::create(b, loc, value);
    Value r = filledTensor(b, loc, dims, scalar);
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(type)));
    return success();
  }
};

struct RangeLowering : OpConversionPattern<RangeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(RangeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Ix ix{b, loc};
    ElementKind k = kindOf(op.getType().getElementType());
    Value start = extractScalar(b, loc, adaptor.getStart());
    Value limit = extractScalar(b, loc, adaptor.getLimit());
    Value delta = extractScalar(b, loc, adaptor.getDelta());
    Type t = start.getType();
    Value count;
    if (k.isFloat) {
      Value span = arith::DivFOp::create(
          b, loc, arith::SubFOp::create(b, loc, limit, start), delta);
      Value n = math::CeilOp::create(b, loc, span);
      count = ix.toIndex(n);
    } else {
      Value nonzero = ix.cmp(arith::CmpIPredicate::ne, ix.toIndex(delta), ix.c(0));
      runtimeCheck(b, loc, op, nonzero, "range delta is 0");
      count = arith::CeilDivSIOp::create(
          b, loc, ix.toIndex(arith::SubIOp::create(b, loc, limit, start)),
          ix.toIndex(delta));
    }
    count = ix.max(count, ix.c(0));
    checkSizes(b, loc, op, {OpFoldResult(count)});
    Value r = generateTensor(
        b, loc, {count}, t, [&](OpBuilder &gb, Location gl, ValueRange idx) {
          Value i = indexToElement(gb, gl, idx[0], t, k);
          return addScalars(gb, gl, k, start, mulScalars(gb, gl, k, i, delta));
        });
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

struct OneHotLowering : OpConversionPattern<OneHotOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OneHotOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Ix ix{b, loc};
    Value indices = adaptor.getIndices();
    int64_t axis = op.getAxis();
    Value depth = ix.toIndex(extractScalar(b, loc, adaptor.getDepth()));
    Value off = tensor::ExtractOp::create(b, loc, adaptor.getValues(),
                                          ValueRange{ix.c(0)});
    Value on = tensor::ExtractOp::create(b, loc, adaptor.getValues(),
                                         ValueRange{ix.c(1)});
    SmallVector<OpFoldResult> dims = getDims(b, loc, indices);
    dims.insert(dims.begin() + axis, depth);
    Value r = generateTensor(
        b, loc, dims, off.getType(), [&](OpBuilder &gb, Location gl, ValueRange idx) {
          Ix g{gb, gl};
          SmallVector<Value> at(idx.begin(), idx.end());
          Value pos = at[axis];
          at.erase(at.begin() + axis);
          Value i = g.toIndex(tensor::ExtractOp::create(gb, gl, indices, at));
          i = g.select(g.cmp(arith::CmpIPredicate::slt, i, g.c(0)),
                       g.add(i, depth), i);
          return g.select(g.cmp(arith::CmpIPredicate::eq, i, pos), on, off);
        });
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

struct TriluLowering : OpConversionPattern<TriluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TriluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Ix ix{b, loc};
    Value x = adaptor.getInput();
    Value k = adaptor.getK() ? ix.toIndex(extractScalar(b, loc, adaptor.getK()))
                             : ix.c(0);
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    Type t = signlessElement(x.getType());
    bool upper = op.getUpper();
    Value r = generateTensor(
        b, loc, getDims(b, loc, x), t,
        [&](OpBuilder &gb, Location gl, ValueRange idx) {
          Ix g{gb, gl};
          Value diff = g.sub(idx[rank - 1], idx[rank - 2]);
          Value keep = g.cmp(upper ? arith::CmpIPredicate::sge
                                   : arith::CmpIPredicate::sle,
                             diff, k);
          Value v = tensor::ExtractOp::create(gb, gl, x, idx);
          return g.select(keep, v, scalarConstant(gb, gl, t, 0));
        });
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

/// Running sums as a serial loop along the axis (AxisAlgorithm::Serial):
/// each position adds to the previous position's sum, O(n), in the
/// reference's order. The loop nest keeps the dimensions after the axis
/// innermost, so their reads and writes stay contiguous.
Value cumSumSerial(OpBuilder &b, Location loc, Value x, int64_t axis,
                   bool exclusive, bool reverse, const ElementKind &k) {
  auto type = cast<RankedTensorType>(x.getType());
  Ix ix{b, loc};
  Value n = dimValue(b, loc, x, axis);
  Value last = ix.max(ix.sub(n, ix.c(1)), ix.c(0));
  Value zero = scalarConstant(b, loc, type.getElementType(), 0);
  // Filled, so that the (unused) read before the first position is defined.
  Value init = filledTensor(b, loc, getDims(b, loc, x), zero);
  return loopNest(
      b, loc, dimValues(b, loc, x), ValueRange{init},
      [&](OpBuilder &nb, Location nl, ValueRange ivs, ValueRange acc) {
        Ix g{nb, nl};
        Value p = ivs[axis];
        Value i = reverse ? g.sub(last, p) : p;
        Value prev = reverse ? g.min(g.add(i, g.c(1)), last)
                             : g.max(g.sub(i, g.c(1)), g.c(0));
        SmallVector<Value> at(ivs.begin(), ivs.end()), before(at);
        at[axis] = i;
        before[axis] = prev;
        Value carried = tensor::ExtractOp::create(nb, nl, acc[0], before);
        if (exclusive)
          carried = addScalars(nb, nl, k, carried,
                               tensor::ExtractOp::create(nb, nl, x, before));
        Value sum = g.select(g.cmp(arith::CmpIPredicate::eq, p, g.c(0)), zero,
                             carried);
        if (!exclusive)
          sum = addScalars(nb, nl, k, sum, tensor::ExtractOp::create(nb, nl, x, at));
        return SmallVector<Value>{tensor::InsertOp::create(nb, nl, sum, acc[0], at)};
      })[0];
}

/// Running sums as a reduction over a second index along the axis
/// (AxisAlgorithm::Parallel): O(n^2) in the axis length, every sum on its
/// own (a GPU thread each). In the reference's order as built; a GPU
/// mapping that splits long reductions adds in another.
Value cumSumParallel(OpBuilder &b, Location loc, Value x, int64_t axis,
                     bool exclusive, bool reverse, const ElementKind &k) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> in, out;
  for (int64_t i = 0; i < rank; ++i) {
    in.push_back(getAffineDimExpr(i == axis ? rank : i, ctx));
    out.push_back(getAffineDimExpr(i, ctx));
  }
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  iters.push_back(utils::IteratorType::reduction);
  Value init = filledTensor(b, loc, getDims(b, loc, x),
                            scalarConstant(b, loc, type.getElementType(), 0));
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{x}, ValueRange{init},
             ArrayRef<AffineMap>{AffineMap::get(rank + 1, 0, in, ctx),
                                 AffineMap::get(rank + 1, 0, out, ctx)},
             iters,
             [&](OpBuilder &gb, Location gl, ValueRange a) {
               Ix g{gb, gl};
               Value i = linalg::IndexOp::create(gb, gl, axis);
               Value j = linalg::IndexOp::create(gb, gl, rank);
               auto pred = reverse ? (exclusive ? arith::CmpIPredicate::sgt
                                                : arith::CmpIPredicate::sge)
                                   : (exclusive ? arith::CmpIPredicate::slt
                                                : arith::CmpIPredicate::sle);
               Value take = g.cmp(pred, j, i);
               Value v = g.select(take, a[0],
                                  scalarConstant(gb, gl, a[0].getType(), 0));
               linalg::YieldOp::create(gb, gl, addScalars(gb, gl, k, a[1], v));
             })
      .getResult(0);
}

struct CumSumLowering : AxisAlgorithmPattern<CumSumOp> {
  using AxisAlgorithmPattern::AxisAlgorithmPattern;

  Value cumSumAlong(OpBuilder &b, Location loc, Value x, int64_t axis,
                    bool exclusive, bool reverse, const ElementKind &k) const {
    return algorithm == AxisAlgorithm::Serial
               ? cumSumSerial(b, loc, x, axis, exclusive, reverse, k)
               : cumSumParallel(b, loc, x, axis, exclusive, reverse, k);
  }

  LogicalResult
  matchAndRewrite(CumSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    ElementKind k = kindOf(op.getType().getElementType());
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    Value r;
    if (Value dyn = adaptor.getDynamicAxis()) {
      // One branch per possible axis.
      Ix ix{b, loc};
      int64_t rank = type.getRank();
      Value axis = ix.toIndex(extractScalar(b, loc, dyn));
      axis = ix.select(ix.cmp(arith::CmpIPredicate::slt, axis, ix.c(0)),
                       ix.add(axis, ix.c(rank)), axis);
      Value ok = arith::AndIOp::create(
          b, loc, ix.cmp(arith::CmpIPredicate::sge, axis, ix.c(0)),
          ix.cmp(arith::CmpIPredicate::slt, axis, ix.c(rank)));
      runtimeCheck(b, loc, op, ok, "axis out of range");
      r = x;
      for (int64_t d = 0; d < rank; ++d) {
        Value here = ix.cmp(arith::CmpIPredicate::eq, axis, ix.c(d));
        auto ifOp = scf::IfOp::create(
            b, loc, here,
            [&](OpBuilder &tb, Location tl) {
              scf::YieldOp::create(
                  tb, tl, castTo(tb, tl, cumSumAlong(tb, tl, x, d, exclusive,
                                                     reverse, k),
                                 type));
            },
            [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, r); });
        r = ifOp.getResult(0);
      }
    } else {
      r = cumSumAlong(b, loc, x, op.getAxis(), exclusive, reverse, k);
    }
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

/// A possibly negative index made non-negative and checked against `size`.
Value checkedIndex(OpBuilder &b, Location loc, Operation *op, Value raw,
                   Value size) {
  Ix g{b, loc};
  Value i = g.toIndex(raw);
  i = g.select(g.cmp(arith::CmpIPredicate::slt, i, g.c(0)), g.add(i, size), i);
  Value ok = arith::AndIOp::create(b, loc,
                                   g.cmp(arith::CmpIPredicate::sge, i, g.c(0)),
                                   g.cmp(arith::CmpIPredicate::slt, i, size));
  runtimeCheck(b, loc, op, ok, "index out of range");
  return i;
}

struct GatherElementsLowering : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    int64_t axis = op.getAxis();
    Value size = dimValue(b, loc, data, axis);
    Value r = generateTensor(
        b, loc, getDims(b, loc, indices), signlessElement(data.getType()),
        [&](OpBuilder &gb, Location gl, ValueRange idx) {
          Value raw = tensor::ExtractOp::create(gb, gl, indices, idx);
          SmallVector<Value> at(idx.begin(), idx.end());
          at[axis] = checkedIndex(gb, gl, op, raw, size);
          return tensor::ExtractOp::create(gb, gl, data, at).getResult();
        });
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

struct GatherNDLowering : OpConversionPattern<GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    auto it = cast<RankedTensorType>(indices.getType());
    int64_t q = it.getRank(), bd = op.getBatchDims();
    int64_t last = it.getDimSize(q - 1);
    SmallVector<OpFoldResult> dataDims = getDims(b, loc, data);
    SmallVector<OpFoldResult> out = getDims(b, loc, indices);
    out.pop_back();
    out.append(dataDims.begin() + bd + last, dataDims.end());
    Value r = generateTensor(
        b, loc, out, signlessElement(data.getType()),
        [&](OpBuilder &gb, Location gl, ValueRange idx) {
          Ix g{gb, gl};
          SmallVector<Value> at(idx.begin(), idx.begin() + bd);
          SmallVector<Value> tuple(idx.begin(), idx.begin() + (q - 1));
          for (int64_t t = 0; t < last; ++t) {
            tuple.push_back(g.c(t));
            Value raw = tensor::ExtractOp::create(gb, gl, indices, tuple);
            tuple.pop_back();
            at.push_back(checkedIndex(gb, gl, op, raw,
                                      indexValue(gb, gl, dataDims[bd + t])));
          }
          at.append(idx.begin() + (q - 1), idx.end());
          return tensor::ExtractOp::create(gb, gl, data, at).getResult();
        });
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

struct ReverseSequenceLowering : OpConversionPattern<ReverseSequenceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReverseSequenceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput(), lengths = adaptor.getLengths();
    int64_t ba = op.getBatchAxis(), ta = op.getTimeAxis();
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    // A length past the time axis would read outside the input. Checked
    // once per batch entry, before the copy, which then has no check inside
    // and can run on threads.
    Value steps = indexValue(b, loc, dims[ta]);
    Ix ix{b, loc};
    scf::ForOp::create(
        b, loc, ix.c(0), indexValue(b, loc, dims[ba]), ix.c(1), ValueRange{},
        [&](OpBuilder &lb, Location ll, Value i, ValueRange) {
          Ix g{lb, ll};
          Value len = g.toIndex(
              tensor::ExtractOp::create(lb, ll, lengths, ValueRange{i}));
          runtimeCheck(lb, ll, op,
                       arith::AndIOp::create(
                           lb, ll, g.cmp(arith::CmpIPredicate::sge, len, g.c(0)),
                           g.cmp(arith::CmpIPredicate::sle, len, steps)),
                       "sequence length out of range");
          scf::YieldOp::create(lb, ll);
        });
    Value r = generateTensor(
        b, loc, dims, signlessElement(x.getType()),
        [&](OpBuilder &gb, Location gl, ValueRange idx) {
          Ix g{gb, gl};
          Value len = g.toIndex(
              tensor::ExtractOp::create(gb, gl, lengths, ValueRange{idx[ba]}));
          Value t = idx[ta];
          Value inside = g.cmp(arith::CmpIPredicate::slt, t, len);
          SmallVector<Value> at(idx.begin(), idx.end());
          at[ta] = g.select(inside, g.sub(g.sub(len, g.c(1)), t), t);
          return tensor::ExtractOp::create(gb, gl, x, at).getResult();
        });
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

struct DepthToSpaceLowering : OpConversionPattern<DepthToSpaceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(DepthToSpaceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Ix ix{b, loc};
    Value x = adaptor.getInput();
    int64_t bs = op.getBlocksize();
    SmallVector<OpFoldResult> d = getDims(b, loc, x);
    Value c = ix.div(indexValue(b, loc, d[1]), ix.c(bs * bs));
    SmallVector<OpFoldResult> out = {d[0], c, ix.mul(indexValue(b, loc, d[2]), ix.c(bs)),
                                     ix.mul(indexValue(b, loc, d[3]), ix.c(bs))};
    bool crd = op.getColumnMajor();
    Value r = generateTensor(
        b, loc, out, signlessElement(x.getType()),
        [&](OpBuilder &gb, Location gl, ValueRange i) {
          Ix g{gb, gl};
          Value bh = g.rem(i[2], g.c(bs)), bw = g.rem(i[3], g.c(bs));
          Value block = g.add(g.mul(bh, g.c(bs)), bw);
          Value ch = crd ? g.add(g.mul(i[1], g.c(bs * bs)), block)
                         : g.add(g.mul(block, c), i[1]);
          Value at[4] = {i[0], ch, g.div(i[2], g.c(bs)), g.div(i[3], g.c(bs))};
          return tensor::ExtractOp::create(gb, gl, x, at).getResult();
        });
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

struct SpaceToDepthLowering : OpConversionPattern<SpaceToDepthOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SpaceToDepthOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Ix ix{b, loc};
    Value x = adaptor.getInput();
    int64_t bs = op.getBlocksize();
    SmallVector<OpFoldResult> d = getDims(b, loc, x);
    Value c = indexValue(b, loc, d[1]);
    SmallVector<OpFoldResult> out = {d[0], ix.mul(c, ix.c(bs * bs)),
                                     ix.div(indexValue(b, loc, d[2]), ix.c(bs)),
                                     ix.div(indexValue(b, loc, d[3]), ix.c(bs))};
    Value r = generateTensor(
        b, loc, out, signlessElement(x.getType()),
        [&](OpBuilder &gb, Location gl, ValueRange i) {
          Ix g{gb, gl};
          Value block = g.div(i[1], c), ch = g.rem(i[1], c);
          Value bh = g.div(block, g.c(bs)), bw = g.rem(block, g.c(bs));
          Value at[4] = {i[0], ch, g.add(g.mul(i[2], g.c(bs)), bh),
                         g.add(g.mul(i[3], g.c(bs)), bw)};
          return tensor::ExtractOp::create(gb, gl, x, at).getResult();
        });
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

struct EyeLikeLowering : OpConversionPattern<EyeLikeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(EyeLikeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Type t = toSignless(op.getType().getElementType());
    int64_t k = op.getK();
    Value r = generateTensor(
        b, loc, getDims(b, loc, adaptor.getInput()), t,
        [&](OpBuilder &gb, Location gl, ValueRange i) {
          Ix g{gb, gl};
          Value on = g.cmp(arith::CmpIPredicate::eq, g.sub(i[1], i[0]), g.c(k));
          return g.select(on, scalarConstant(gb, gl, t, 1),
                          scalarConstant(gb, gl, t, 0));
        });
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

/// ArgMax / ArgMin: a reduction carrying (best value, its index).
template <typename OpTy, bool isMax>
struct ArgLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    auto xt = cast<RankedTensorType>(x.getType());
    Type kiln = op.getInput().getType().getElementType();
    ElementKind k = kindOf(kiln);
    int64_t rank = xt.getRank(), axis = op.getAxis();
    SmallVector<OpFoldResult> dims = getDims(b, loc, x);
    SmallVector<OpFoldResult> outDims(dims);
    outDims.erase(outDims.begin() + axis);
    Value valueInit = filledTensor(
        b, loc, outDims,
        isMax ? lowestValue(b, loc, xt.getElementType(), k)
              : highestValue(b, loc, xt.getElementType(), k));
    Value indexInit = filledTensor(b, loc, outDims,
                                   scalarConstant(b, loc, b.getI64Type(), -1));
    MLIRContext *ctx = b.getContext();
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters[axis] = utils::IteratorType::reduction;
    bool last = op.getSelectLastIndex();
    auto gen = linalg::GenericOp::create(
        b, loc, TypeRange{valueInit.getType(), indexInit.getType()},
        ValueRange{x}, ValueRange{valueInit, indexInit},
        ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank),
                            dropDimsMap(ctx, rank, {axis}),
                            dropDimsMap(ctx, rank, {axis})},
        iters, [&](OpBuilder &gb, Location gl, ValueRange a) {
          Value v = a[0], best = a[1], bestIndex = a[2];
          Value strictly, equal;
          if (k.isFloat) {
            strictly = arith::CmpFOp::create(
                gb, gl, isMax ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
                v, best);
            equal = arith::CmpFOp::create(gb, gl, arith::CmpFPredicate::OEQ, v, best);
          } else {
            auto p = isMax ? (k.isUnsigned ? arith::CmpIPredicate::ugt
                                           : arith::CmpIPredicate::sgt)
                           : (k.isUnsigned ? arith::CmpIPredicate::ult
                                           : arith::CmpIPredicate::slt);
            strictly = arith::CmpIOp::create(gb, gl, p, v, best);
            equal = arith::CmpIOp::create(gb, gl, arith::CmpIPredicate::eq, v, best);
          }
          // The first element always wins (index -1 means none yet); ties
          // go to the first or, with select_last_index, the last index.
          Value none = arith::CmpIOp::create(
              gb, gl, arith::CmpIPredicate::slt, bestIndex,
              scalarConstant(gb, gl, gb.getI64Type(), 0));
          Value take = arith::OrIOp::create(gb, gl, strictly, none);
          if (last)
            take = arith::OrIOp::create(gb, gl, take, equal);
          Value j = arith::IndexCastOp::create(
              gb, gl, gb.getI64Type(), linalg::IndexOp::create(gb, gl, axis));
          linalg::YieldOp::create(
              gb, gl,
              ValueRange{arith::SelectOp::create(gb, gl, take, v, best),
                         arith::SelectOp::create(gb, gl, take, j, bestIndex)});
        });
    Value r = gen.getResult(1);
    if (op.getKeepdims()) {
      SmallVector<OpFoldResult> kept(dims);
      kept[axis] = b.getIndexAttr(1);
      r = reshapeTo(b, loc, r, kept, unitDimGroups(rank, {axis}));
    }
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

/// Einsum as one contraction: a loop per label; labels absent from the
/// output are reductions.
struct EinsumLowering : OpConversionPattern<EinsumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(EinsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    SmallVector<int64_t> ranks;
    for (Value v : adaptor.getInputs())
      ranks.push_back(cast<RankedTensorType>(v.getType()).getRank());
    std::string error;
    auto eq = EinsumEquation::parse(op.getEquation(), ranks, error);
    if (!eq)
      return rewriter.notifyMatchFailure(op, error);
    MLIRContext *ctx = b.getContext();
    // Output labels first (parallel loops), then the summed ones.
    SmallVector<int> order(eq->output);
    for (int l : eq->labels)
      if (!llvm::is_contained(order, l))
        order.push_back(l);
    auto pos = [&](int l) { return int(llvm::find(order, l) - order.begin()); };
    int64_t loops = order.size();
    ElementKind k = kindOf(op.getType().getElementType());
    SmallVector<AffineMap> maps;
    // A label's size comes from an operand where it is not a broadcast 1.
    llvm::DenseMap<int, OpFoldResult> sizes;
    for (auto [labels, v] : llvm::zip(eq->inputs, adaptor.getInputs())) {
      auto t = cast<RankedTensorType>(v.getType());
      SmallVector<AffineExpr> exprs;
      for (auto [i, l] : llvm::enumerate(labels)) {
        bool broadcastOne = t.getDimSize(i) == 1 &&
                            llvm::any_of(adaptor.getInputs(), [&](Value o) {
                              return o != v;
                            });
        exprs.push_back(getAffineDimExpr(pos(l), ctx));
        if (!sizes.count(l) || !broadcastOne)
          sizes[l] = getDims(b, loc, v)[i];
      }
      maps.push_back(AffineMap::get(loops, 0, exprs, ctx));
    }
    SmallVector<AffineExpr> outExprs;
    SmallVector<OpFoldResult> outDims;
    for (int l : eq->output) {
      outExprs.push_back(getAffineDimExpr(pos(l), ctx));
      outDims.push_back(sizes[l]);
    }
    maps.push_back(AffineMap::get(loops, 0, outExprs, ctx));
    Type t = toSignless(op.getType().getElementType());
    Value init = filledTensor(b, loc, outDims, scalarConstant(b, loc, t, 0));
    SmallVector<utils::IteratorType> iters;
    for (int l : order)
      iters.push_back(llvm::is_contained(eq->output, l)
                          ? utils::IteratorType::parallel
                          : utils::IteratorType::reduction);
    Value r = linalg::GenericOp::create(
                  b, loc, TypeRange{init.getType()}, adaptor.getInputs(),
                  ValueRange{init}, maps, iters,
                  [&](OpBuilder &gb, Location gl, ValueRange a) {
                    Value p = a[0];
                    for (size_t i = 1; i + 1 < a.size(); ++i)
                      p = mulScalars(gb, gl, k, p, a[i]);
                    linalg::YieldOp::create(gb, gl,
                                            addScalars(gb, gl, k, a.back(), p));
                  })
                  .getResult(0);
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

} // namespace

void populateIndexingLowering(TypeConverter &converter,
                              RewritePatternSet &patterns,
                              AxisAlgorithm algorithm) {
  patterns.add<CumSumLowering>(converter, patterns.getContext(), algorithm);
  patterns.add<ExpandLowering, TileLowering, PadLowering,
               ConstantOfShapeLowering, RangeLowering, OneHotLowering,
               TriluLowering, GatherElementsLowering,
               GatherNDLowering, ReverseSequenceLowering, DepthToSpaceLowering,
               SpaceToDepthLowering, EyeLikeLowering,
               ArgLowering<ArgMaxOp, true>, ArgLowering<ArgMinOp, false>,
               EinsumLowering>(converter, patterns.getContext());
}

} // namespace kiln::lowering
