//===- LowerWindow.cpp - convolution and pooling to linalg ----------------===//
//
// All window ops share one geometry computation (explicit pads, auto_pad,
// ceil_mode) and become a linalg.generic whose input map is
// `o * stride + k * dilation` over an explicitly padded input.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "backends/linalg/WindowGeometry.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::lowering {
namespace {

/// Pads the spatial dimensions (from 2 on, or from 1 to rank - 2 when the
/// channels are last) with `value`, if any pad is not 0.
static Value padSpatial(OpBuilder &b, Location loc, Value input,
                        const WindowGeometry &g, Value value,
                        bool channelsLast = false) {
  bool any = false;
  for (OpFoldResult p : llvm::concat<const OpFoldResult>(g.padLow, g.padHigh)) {
    auto c = getConstantIntValue(p);
    any |= !c || *c != 0;
  }
  if (!any)
    return input;
  SmallVector<OpFoldResult> low = {b.getIndexAttr(0)};
  if (!channelsLast)
    low.push_back(b.getIndexAttr(0));
  SmallVector<OpFoldResult> high = low;
  low.append(g.padLow);
  high.append(g.padHigh);
  if (channelsLast) {
    low.push_back(b.getIndexAttr(0));
    high.push_back(b.getIndexAttr(0));
  }
  return tensor::PadOp::create(b, loc, Type(), input, low, high, value);
}

/// The input map term `o * stride + k * dilation`.
static AffineExpr windowExpr(MLIRContext *ctx, int64_t outDim, int64_t kDim,
                             int64_t stride, int64_t dilation) {
  return getAffineDimExpr(outDim, ctx) * stride +
         getAffineDimExpr(kDim, ctx) * dilation;
}

struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Value x = adaptor.getInput(), w = adaptor.getWeight();
    auto wType = cast<RankedTensorType>(w.getType());
    Type element = wType.getElementType();
    int64_t k = wType.getRank() - 2;
    int64_t group = op.getGroup();
    int64_t m = wType.getDimSize(0), cg = wType.getDimSize(1), mg = m / group;
    ArrayRef<int64_t> kernel = wType.getShape().drop_front(2);
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
    // Channels first: [N, C, D...]; channels last: [N, D..., C].
    bool last = op.getChannelsLast();
    int64_t cAxis = last ? k + 1 : 1, firstSpatial = last ? 1 : 2;

    SmallVector<OpFoldResult> xDims = getDims(b, loc, x);
    if (!getConstantIntValue(xDims[cAxis])) {
      Value eq = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq, indexValue(b, loc, xDims[cAxis]),
          arith::ConstantIndexOp::create(b, loc, cg * group));
      runtimeCheck(b, loc, op, eq, "input channels do not match the weight");
    }
    ArrayRef<OpFoldResult> xSpatial = ArrayRef<OpFoldResult>(xDims).slice(firstSpatial, k);
    WindowGeometry g = computeGeometry(b, loc, op, xSpatial, kernel, strides, dilations,
                                       op.getPads(), op.getAutoPad(), false);
    Value padded =
        padSpatial(b, loc, x, g, scalarConstant(b, loc, element, 0), last);

    // Split channels into (group, channels per group): the input becomes
    // [N, G, Cg, P...] or [N, P..., G, Cg].
    SmallVector<OpFoldResult> pDims = getDims(b, loc, padded);
    ArrayRef<OpFoldResult> pSpatial = ArrayRef<OpFoldResult>(pDims).slice(firstSpatial, k);
    SmallVector<OpFoldResult> channelSplit = {b.getIndexAttr(group), b.getIndexAttr(cg)};
    auto splitLayout = [&](OpFoldResult n, ArrayRef<OpFoldResult> spatial,
                           ArrayRef<OpFoldResult> split) {
      SmallVector<OpFoldResult> dims = {n};
      if (!last)
        dims.append(split.begin(), split.end());
      dims.append(spatial.begin(), spatial.end());
      if (last)
        dims.append(split.begin(), split.end());
      return dims;
    };
    SmallVector<ReassociationIndices> splitGroups = {{0}};
    if (!last)
      splitGroups.push_back({1, 2});
    for (int64_t i = 0; i < k; ++i)
      splitGroups.push_back({firstSpatial + (last ? 0 : 1) + i});
    if (last)
      splitGroups.push_back({k + 1, k + 2});
    Value xg = reshapeTo(b, loc, padded, splitLayout(pDims[0], pSpatial, channelSplit),
                         splitGroups);
    SmallVector<OpFoldResult> wgDims = {b.getIndexAttr(group),
                                        b.getIndexAttr(mg), b.getIndexAttr(cg)};
    for (int64_t s : kernel)
      wgDims.push_back(b.getIndexAttr(s));
    SmallVector<ReassociationIndices> wGroups = {{0, 1}, {2}};
    for (int64_t i = 0; i < k; ++i)
      wGroups.push_back({3 + i});
    Value wg = reshapeTo(b, loc, w, wgDims, wGroups);

    // Output [N, G, Mg, O...] or [N, O..., G, Mg], starting from the bias
    // or zero.
    SmallVector<OpFoldResult> outDims = splitLayout(
        xDims[0], g.outSizes, {b.getIndexAttr(group), b.getIndexAttr(mg)});
    int64_t gAxis = last ? k + 1 : 1;
    int64_t rank = outDims.size();
    Value init;
    if (Value bias = adaptor.getBias()) {
      Value biasG = reshapeTo(b, loc, bias,
                              {b.getIndexAttr(group), b.getIndexAttr(mg)},
                              ArrayRef<ReassociationIndices>{{0, 1}});
      Value empty = emptyTensor(b, loc, outDims, element);
      AffineMap biasMap = AffineMap::get(
          rank, 0, {getAffineDimExpr(gAxis, ctx), getAffineDimExpr(gAxis + 1, ctx)}, ctx);
      init = linalg::GenericOp::create(
                 b, loc, TypeRange{empty.getType()}, ValueRange{biasG},
                 ValueRange{empty},
                 ArrayRef<AffineMap>{biasMap, b.getMultiDimIdentityMap(rank)},
                 SmallVector<utils::IteratorType>(
                     rank, utils::IteratorType::parallel),
                 [](OpBuilder &gb, Location gl, ValueRange args) {
                   linalg::YieldOp::create(gb, gl, args[0]);
                 })
                 .getResult(0);
    } else {
      init = filledTensor(b, loc, outDims, scalarConstant(b, loc, element, 0));
    }

    // Loops: n, g, m, o_1..o_k | c, k_1..k_k.
    int64_t loops = 3 + k + 1 + k;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> xWindow, wExprs = {d(1), d(2), d(3 + k)}, oSpatial;
    for (int64_t i = 0; i < k; ++i) {
      xWindow.push_back(windowExpr(ctx, 3 + i, 4 + k + i, strides[i], dilations[i]));
      wExprs.push_back(d(4 + k + i));
      oSpatial.push_back(d(3 + i));
    }
    auto layoutExprs = [&](AffineExpr n, ArrayRef<AffineExpr> spatial, AffineExpr g0,
                           AffineExpr c0) {
      SmallVector<AffineExpr> e = {n};
      if (!last)
        e.append({g0, c0});
      e.append(spatial.begin(), spatial.end());
      if (last)
        e.append({g0, c0});
      return e;
    };
    SmallVector<AffineExpr> xExprs = layoutExprs(d(0), xWindow, d(1), d(3 + k));
    SmallVector<AffineExpr> oExprs = layoutExprs(d(0), oSpatial, d(1), d(2));
    SmallVector<utils::IteratorType> iters(3 + k,
                                           utils::IteratorType::parallel);
    iters.append(k + 1, utils::IteratorType::reduction);
    ElementKind kind = kindOf(element);
    Value out =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{xg, wg},
            ValueRange{init},
            ArrayRef<AffineMap>{AffineMap::get(loops, 0, xExprs, ctx),
                                AffineMap::get(loops, 0, wExprs, ctx),
                                AffineMap::get(loops, 0, oExprs, ctx)},
            iters,
            [&](OpBuilder &gb, Location gl, ValueRange args) {
              Value p = mulScalars(gb, gl, kind, args[0], args[1]);
              linalg::YieldOp::create(gb, gl,
                                      addScalars(gb, gl, kind, args[2], p));
            })
            .getResult(0);

    SmallVector<OpFoldResult> finalDims = {xDims[0]};
    if (!last)
      finalDims.push_back(b.getIndexAttr(m));
    finalDims.append(g.outSizes);
    if (last)
      finalDims.push_back(b.getIndexAttr(m));
    SmallVector<ReassociationIndices> oGroups = {{0}};
    if (!last)
      oGroups.push_back({1, 2});
    for (int64_t i = 0; i < k; ++i)
      oGroups.push_back({(last ? 1 : 3) + i});
    if (last)
      oGroups.push_back({k + 1, k + 2});
    out = reshapeTo(b, loc, out, finalDims, oGroups);
    rewriter.replaceOp(op, castTo(b, loc, out, toSignless(op.getType())));
    return success();
  }
};

/// Transposed convolution read backwards: output position o takes input
/// position (o + pad - k * dilation) / stride where that divides exactly and
/// lands inside the input.
/// The loop nest shared by pooling ops: n, c, o_1..o_k | k_1..k_k, reading
/// the padded input through the window map. The kernel's extent is given by
/// an uninitialised "window" tensor, as linalg's pooling ops do. With the
/// channels last, input and output are [N, D..., C] (the loops keep their
/// numbering; kiln-cpu-order-loops then runs the contiguous c innermost).
static Value poolLoops(OpBuilder &b, Location loc, Value padded,
                       ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> dilations, Value init,
                       bool channelsLast,
                       function_ref<Value(OpBuilder &, Location, Value, Value)>
                           combine) {
  MLIRContext *ctx = b.getContext();
  int64_t k = kernel.size(), loops = 2 + 2 * k;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> xExprs = {d(0)}, wExprs, oExprs = {d(0)};
  if (!channelsLast) {
    xExprs.push_back(d(1));
    oExprs.push_back(d(1));
  }
  for (int64_t i = 0; i < k; ++i) {
    xExprs.push_back(windowExpr(ctx, 2 + i, 2 + k + i, strides[i],
                                dilations[i]));
    wExprs.push_back(d(2 + k + i));
    oExprs.push_back(d(2 + i));
  }
  if (channelsLast) {
    xExprs.push_back(d(1));
    oExprs.push_back(d(1));
  }
  Value window = tensor::EmptyOp::create(
      b, loc, kernel, cast<RankedTensorType>(init.getType()).getElementType());
  SmallVector<utils::IteratorType> iters(2 + k, utils::IteratorType::parallel);
  iters.append(k, utils::IteratorType::reduction);
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{padded, window},
             ValueRange{init},
             ArrayRef<AffineMap>{AffineMap::get(loops, 0, xExprs, ctx),
                                 AffineMap::get(loops, 0, wExprs, ctx),
                                 AffineMap::get(loops, 0, oExprs, ctx)},
             iters,
             [&](OpBuilder &gb, Location gl, ValueRange args) {
               linalg::YieldOp::create(gb, gl,
                                       combine(gb, gl, args[0], args[2]));
             })
      .getResult(0);
}

/// A pooling input's spatial dimensions.
static ArrayRef<OpFoldResult> spatialDims(ArrayRef<OpFoldResult> xDims,
                                          bool channelsLast) {
  return xDims.slice(channelsLast ? 1 : 2, xDims.size() - 2);
}

/// A pooling output's dimensions: [N, C, O...] or [N, O..., C].
static SmallVector<OpFoldResult> poolOutDims(ArrayRef<OpFoldResult> xDims,
                                             const WindowGeometry &g,
                                             bool channelsLast) {
  SmallVector<OpFoldResult> out = {xDims[0]};
  if (!channelsLast)
    out.push_back(xDims[1]);
  out.append(g.outSizes);
  if (channelsLast)
    out.push_back(xDims.back());
  return out;
}

struct MaxPoolLowering : OpConversionPattern<MaxPoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    Type kilnElement = op.getType().getElementType();
    Type element = toSignless(kilnElement);
    ElementKind kind = kindOf(kilnElement);
    bool last = op.getChannelsLast();
    SmallVector<OpFoldResult> xDims = getDims(b, loc, x);
    WindowGeometry g = computeGeometry(
        b, loc, op, spatialDims(xDims, last), op.getKernelShape(), op.getStrides(),
        op.getDilations(), op.getPads(), op.getAutoPad(), op.getCeilMode());
    Value lowest = lowestValue(b, loc, element, kind);
    Value padded = padSpatial(b, loc, x, g, lowest, last);
    SmallVector<OpFoldResult> outDims = poolOutDims(xDims, g, last);
    Value init = filledTensor(b, loc, outDims, lowest);
    Value out = poolLoops(b, loc, padded, op.getKernelShape(), op.getStrides(),
                          op.getDilations(), init, last,
                          [&](OpBuilder &gb, Location gl, Value v, Value acc) {
                            return maxScalars(gb, gl, kind, v, acc);
                          });
    rewriter.replaceOp(op, castTo(b, loc, out, toSignless(op.getType())));
    return success();
  }
};

struct AveragePoolLowering : OpConversionPattern<AveragePoolOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(AveragePoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    Type element = op.getType().getElementType();
    ElementKind kind = kindOf(element);
    ArrayRef<int64_t> kernel = op.getKernelShape();
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
    int64_t k = kernel.size();
    bool last = op.getChannelsLast();
    int64_t firstSpatial = last ? 1 : 2;
    SmallVector<OpFoldResult> xDims = getDims(b, loc, x);
    WindowGeometry g = computeGeometry(
        b, loc, op, spatialDims(xDims, last), kernel, strides, dilations,
        op.getPads(), op.getAutoPad(), op.getCeilMode());
    Value zero = scalarConstant(b, loc, element, 0);
    Value padded = padSpatial(b, loc, x, g, zero, last);
    SmallVector<OpFoldResult> outDims = poolOutDims(xDims, g, last);
    Value sums = poolLoops(b, loc, padded, kernel, strides, dilations,
                           filledTensor(b, loc, outDims, zero), last,
                           [&](OpBuilder &gb, Location gl, Value v, Value acc) {
                             return addScalars(gb, gl, kind, v, acc);
                           });

    // Divide each sum by the number of window positions it covered: those
    // inside the input, plus the explicit padding with count_include_pad
    // (never the extra end padding of ceil_mode).
    bool includePad = op.getCountIncludePad();
    SmallVector<Value> lows, his, pads;
    for (int64_t i = 0; i < k; ++i) {
      Value in = indexValue(b, loc, xDims[firstSpatial + i]);
      Value low = indexValue(b, loc, g.padLow[i]);
      pads.push_back(low);
      if (includePad) {
        StringRef ap = op.getAutoPad();
        Value declaredHigh =
            ap == "NOTSET"
                ? (Value)arith::ConstantIndexOp::create(b, loc,
                                                        op.getPads()[i + k])
                : (ap == "VALID" ? (Value)arith::ConstantIndexOp::create(b, loc, 0)
                                 : indexValue(b, loc, g.padHigh[i]));
        lows.push_back(arith::SubIOp::create(
            b, loc, arith::ConstantIndexOp::create(b, loc, 0), low));
        his.push_back(arith::AddIOp::create(b, loc, in, declaredHigh));
      } else {
        lows.push_back(arith::ConstantIndexOp::create(b, loc, 0));
        his.push_back(in);
      }
    }
    int64_t rank = outDims.size();
    Value init = emptyTensor(b, loc, outDims, element);
    Value out =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{sums},
            ValueRange{init},
            ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank),
                                b.getMultiDimIdentityMap(rank)},
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [&](OpBuilder &gb, Location gl, ValueRange args) {
              Value count = arith::ConstantIndexOp::create(gb, gl, 1);
              for (int64_t i = 0; i < k; ++i) {
                // Positions start + j*dilation, j in [0, kernel), within
                // [lo, hi): j from ceil((lo - start)/d) to
                // floor((hi - 1 - start)/d).
                Value o = linalg::IndexOp::create(gb, gl, firstSpatial + i);
                Value start = arith::SubIOp::create(
                    gb, gl,
                    arith::MulIOp::create(
                        gb, gl, o,
                        arith::ConstantIndexOp::create(gb, gl, strides[i])),
                    pads[i]);
                Value dil = arith::ConstantIndexOp::create(gb, gl, dilations[i]);
                Value first = arith::CeilDivSIOp::create(
                    gb, gl, arith::SubIOp::create(gb, gl, lows[i], start), dil);
                first = arith::MaxSIOp::create(
                    gb, gl, first, arith::ConstantIndexOp::create(gb, gl, 0));
                Value last = arith::FloorDivSIOp::create(
                    gb, gl,
                    arith::SubIOp::create(
                        gb, gl,
                        arith::SubIOp::create(
                            gb, gl, his[i],
                            arith::ConstantIndexOp::create(gb, gl, 1)),
                        start),
                    dil);
                last = arith::MinSIOp::create(
                    gb, gl, last,
                    arith::ConstantIndexOp::create(gb, gl, kernel[i] - 1));
                Value n = arith::SubIOp::create(
                    gb, gl, last,
                    arith::SubIOp::create(
                        gb, gl, first,
                        arith::ConstantIndexOp::create(gb, gl, 1)));
                n = arith::MaxSIOp::create(
                    gb, gl, n, arith::ConstantIndexOp::create(gb, gl, 0));
                count = arith::MulIOp::create(gb, gl, count, n);
              }
              Value c = indexToElement(gb, gl, count, element, kind);
              linalg::YieldOp::create(
                  gb, gl, arith::DivFOp::create(gb, gl, args[0], c).getResult());
            })
            .getResult(0);
    rewriter.replaceOp(op, castTo(b, loc, out, op.getType()));
    return success();
  }
};

/// MaxPool's indices: the window maximum carried with its flat index in the
/// (unpadded) input; padding reads -inf and never wins.
struct MaxPoolIndicesLowering : OpConversionPattern<MaxPoolIndicesOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MaxPoolIndicesOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    MLIRContext *ctx = b.getContext();
    Value x = adaptor.getInput();
    Type kilnElement = op.getInput().getType().getElementType();
    Type element = toSignless(kilnElement);
    ElementKind kind = kindOf(kilnElement);
    ArrayRef<int64_t> kernel = op.getKernelShape();
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
    int64_t k = kernel.size();
    SmallVector<OpFoldResult> xDims = getDims(b, loc, x);
    WindowGeometry g = computeGeometry(
        b, loc, op, ArrayRef<OpFoldResult>(xDims).drop_front(2), kernel, strides,
        dilations, op.getPads(), op.getAutoPad(), op.getCeilMode());
    Value lowest = lowestValue(b, loc, element, kind);
    Value padded = padSpatial(b, loc, x, g, lowest);
    SmallVector<OpFoldResult> outDims = {xDims[0], xDims[1]};
    outDims.append(g.outSizes);
    Value valueInit = filledTensor(b, loc, outDims, lowest);
    Value indexInit = filledTensor(b, loc, outDims,
                                   scalarConstant(b, loc, b.getI64Type(), -1));
    SmallVector<Value> sizes, lows;
    for (OpFoldResult d : xDims)
      sizes.push_back(indexValue(b, loc, d));
    for (OpFoldResult p : g.padLow)
      lows.push_back(indexValue(b, loc, p));
    int64_t loops = 2 + 2 * k;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> xExprs = {d(0), d(1)}, wExprs, oExprs = {d(0), d(1)};
    for (int64_t i = 0; i < k; ++i) {
      xExprs.push_back(windowExpr(ctx, 2 + i, 2 + k + i, strides[i], dilations[i]));
      wExprs.push_back(d(2 + k + i));
      oExprs.push_back(d(2 + i));
    }
    Value window = tensor::EmptyOp::create(b, loc, kernel, element);
    SmallVector<utils::IteratorType> iters(2 + k, utils::IteratorType::parallel);
    iters.append(k, utils::IteratorType::reduction);
    bool columnMajor = op.getColumnMajor();
    AffineMap outMap = AffineMap::get(loops, 0, oExprs, ctx);
    auto gen = linalg::GenericOp::create(
        b, loc, TypeRange{valueInit.getType(), indexInit.getType()},
        ValueRange{padded, window}, ValueRange{valueInit, indexInit},
        ArrayRef<AffineMap>{AffineMap::get(loops, 0, xExprs, ctx),
                            AffineMap::get(loops, 0, wExprs, ctx), outMap,
                            outMap},
        iters, [&](OpBuilder &gb, Location gl, ValueRange a) {
          auto idx = [&](int64_t i) {
            return linalg::IndexOp::create(gb, gl, i).getResult();
          };
          // Flat index of the input element this window position reads.
          Value flat = arith::AddIOp::create(
              gb, gl, arith::MulIOp::create(gb, gl, idx(0), sizes[1]), idx(1));
          SmallVector<Value> coords;
          for (int64_t i = 0; i < k; ++i) {
            Value c = arith::AddIOp::create(
                gb, gl,
                arith::MulIOp::create(gb, gl, idx(2 + i),
                                      arith::ConstantIndexOp::create(gb, gl, strides[i])),
                arith::MulIOp::create(gb, gl, idx(2 + k + i),
                                      arith::ConstantIndexOp::create(gb, gl, dilations[i])));
            coords.push_back(arith::SubIOp::create(gb, gl, c, lows[i]));
          }
          for (int64_t j = 0; j < k; ++j) {
            int64_t i = columnMajor ? k - 1 - j : j;
            flat = arith::AddIOp::create(
                gb, gl, arith::MulIOp::create(gb, gl, flat, sizes[2 + i]),
                coords[i]);
          }
          Value better;
          if (kind.isFloat)
            better = arith::CmpFOp::create(gb, gl, arith::CmpFPredicate::OGT,
                                           a[0], a[2]);
          else
            better = arith::CmpIOp::create(
                gb, gl,
                kind.isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt,
                a[0], a[2]);
          Value none = arith::CmpIOp::create(
              gb, gl, arith::CmpIPredicate::slt, a[3],
              scalarConstant(gb, gl, gb.getI64Type(), 0));
          Value take = arith::OrIOp::create(gb, gl, better, none);
          Value flat64 = arith::IndexCastOp::create(gb, gl, gb.getI64Type(), flat);
          linalg::YieldOp::create(
              gb, gl,
              ValueRange{arith::SelectOp::create(gb, gl, take, a[0], a[2]),
                         arith::SelectOp::create(gb, gl, take, flat64, a[3])});
        });
    rewriter.replaceOp(op, castTo(b, loc, gen.getResult(1),
                                  toSignless(op.getType())));
    return success();
  }
};

} // namespace

void populateWindowLowering(TypeConverter &converter,
                            RewritePatternSet &patterns) {
  patterns.add<ConvLowering, MaxPoolLowering,
               AveragePoolLowering, MaxPoolIndicesLowering>(converter, patterns.getContext());
}

} // namespace kiln::lowering
