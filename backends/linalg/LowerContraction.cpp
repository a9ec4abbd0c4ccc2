//===- LowerContraction.cpp - matmul and gemm to linalg -------------------===//
//
// Contractions become one linalg.generic with a reduction dimension over a
// zero-filled accumulator; later stages (tiling, packing, library calls)
// recognise them from there.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::lowering {
namespace {

/// Checks at run time that two contraction sizes agree when either is
/// dynamic.
static void checkSameSize(OpBuilder &b, Location loc, Operation *op,
                          OpFoldResult x, OpFoldResult y) {
  if (getConstantIntValue(x) && getConstantIntValue(y))
    return;
  Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                   indexValue(b, loc, x), indexValue(b, loc, y));
  runtimeCheck(b, loc, op, eq, "contraction dimensions differ");
}

/// acc += a * b in the kind's arithmetic.
static Value multiplyAdd(OpBuilder &b, Location loc, const ElementKind &k,
                         Value a, Value x, Value acc) {
  return addScalars(b, loc, k, acc, mulScalars(b, loc, k, a, x));
}

struct MatMulLowering : OpConversionPattern<MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    ElementKind k = kindOf(op.getType().getElementType());
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    bool lhsVector = op.getLhs().getType().getRank() == 1;
    bool rhsVector = op.getRhs().getType().getRank() == 1;
    // Promote vectors to matrices.
    if (lhsVector)
      lhs = reshapeTo(b, loc, lhs, {indexAttr(b, 1), getDims(b, loc, lhs)[0]});
    if (rhsVector)
      rhs = reshapeTo(b, loc, rhs, {getDims(b, loc, rhs)[0], indexAttr(b, 1)});
    SmallVector<OpFoldResult> aDims = getDims(b, loc, lhs);
    SmallVector<OpFoldResult> bDims = getDims(b, loc, rhs);
    int64_t aRank = aDims.size(), bRank = bDims.size();
    checkSameSize(b, loc, op, aDims[aRank - 1], bDims[bRank - 2]);

    // Batch dimensions broadcast; their static sizes come from the result.
    SmallVector<OpFoldResult> aBatch(aDims.begin(), aDims.end() - 2);
    SmallVector<OpFoldResult> bBatch(bDims.begin(), bDims.end() - 2);
    int64_t batch = std::max(aBatch.size(), bBatch.size());
    ArrayRef<int64_t> resultShape = op.getType().getShape();
    SmallVector<OpFoldResult> outBatch = broadcastDimLists(
        b, loc, op, {aBatch, bBatch}, resultShape.take_front(batch));

    // Read each operand with its own matrix sizes and the output's batch.
    auto withMatrix = [&](SmallVector<OpFoldResult> dims) {
      SmallVector<OpFoldResult> full(outBatch);
      full.append(dims.end() - 2, dims.end());
      return full;
    };
    lhs = resolveRuntimeBroadcast(b, loc, lhs, withMatrix(aDims));
    rhs = resolveRuntimeBroadcast(b, loc, rhs, withMatrix(bDims));

    // Loops: batch..., m, n, k.
    MLIRContext *ctx = b.getContext();
    int64_t loops = batch + 3;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    auto operandMap = [&](Value v, AffineExpr r, AffineExpr c) {
      auto t = cast<RankedTensorType>(v.getType());
      int64_t own = t.getRank() - 2, offset = batch - own;
      SmallVector<AffineExpr> exprs;
      for (int64_t i = 0; i < own; ++i) {
        std::optional<int64_t> o = getConstantIntValue(outBatch[offset + i]);
        bool bcast = t.getDimSize(i) == 1 && !(o && *o == 1);
        exprs.push_back(bcast ? getAffineConstantExpr(0, ctx) : d(offset + i));
      }
      exprs.push_back(r);
      exprs.push_back(c);
      return AffineMap::get(loops, 0, exprs, ctx);
    };
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < batch + 2; ++i)
      outExprs.push_back(d(i));
    SmallVector<AffineMap> maps = {
        operandMap(lhs, d(batch), d(batch + 2)),
        operandMap(rhs, d(batch + 2), d(batch + 1)),
        AffineMap::get(loops, 0, outExprs, ctx)};

    Type element = toSignless(op.getType().getElementType());
    SmallVector<OpFoldResult> outDims(outBatch);
    outDims.push_back(aDims[aRank - 2]);
    outDims.push_back(bDims[bRank - 1]);
    Value init =
        filledTensor(b, loc, outDims, scalarConstant(b, loc, element, 0));
    SmallVector<utils::IteratorType> iters(loops - 1,
                                           utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    Value result =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{lhs, rhs},
            ValueRange{init}, maps, iters,
            [&](OpBuilder &gb, Location gl, ValueRange args) {
              linalg::YieldOp::create(
                  gb, gl, multiplyAdd(gb, gl, k, args[0], args[1], args[2]));
            })
            .getResult(0);

    // Drop the dimensions added by promotion.
    if (lhsVector || rhsVector) {
      SmallVector<OpFoldResult> finalDims(outBatch);
      if (!lhsVector)
        finalDims.push_back(outDims[batch]);
      if (!rhsVector)
        finalDims.push_back(outDims[batch + 1]);
      result = reshapeTo(b, loc, result, finalDims);
    }
    rewriter.replaceOp(op, castTo(b, loc, result, toSignless(op.getType())));
    return success();
  }
};

struct GemmLowering : OpConversionPattern<GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    ElementKind k = kindOf(op.getType().getElementType());
    Type element = toSignless(op.getType().getElementType());
    bool ta = op.getTransA(), tb = op.getTransB();
    Value a = adaptor.getA(), x = adaptor.getB();
    SmallVector<OpFoldResult> aDims = getDims(b, loc, a);
    SmallVector<OpFoldResult> bDims = getDims(b, loc, x);
    OpFoldResult m = aDims[ta ? 1 : 0], n = bDims[tb ? 0 : 1];
    checkSameSize(b, loc, op, aDims[ta ? 0 : 1], bDims[tb ? 1 : 0]);

    MLIRContext *ctx = b.getContext();
    AffineExpr dm = getAffineDimExpr(0, ctx), dn = getAffineDimExpr(1, ctx),
               dk = getAffineDimExpr(2, ctx);
    SmallVector<AffineMap> maps = {
        AffineMap::get(3, 0, ta ? ArrayRef<AffineExpr>{dk, dm}
                                : ArrayRef<AffineExpr>{dm, dk}, ctx),
        AffineMap::get(3, 0, tb ? ArrayRef<AffineExpr>{dn, dk}
                                : ArrayRef<AffineExpr>{dk, dn}, ctx),
        AffineMap::get(3, 0, {dm, dn}, ctx)};
    Value init =
        filledTensor(b, loc, {m, n}, scalarConstant(b, loc, element, 0));
    Value acc =
        linalg::GenericOp::create(
            b, loc, TypeRange{init.getType()}, ValueRange{a, x},
            ValueRange{init}, maps,
            {utils::IteratorType::parallel, utils::IteratorType::parallel,
             utils::IteratorType::reduction},
            [&](OpBuilder &gb, Location gl, ValueRange args) {
              linalg::YieldOp::create(
                  gb, gl, multiplyAdd(gb, gl, k, args[0], args[1], args[2]));
            })
            .getResult(0);

    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = adaptor.getC();
    if (alpha != 1.0 || (c && beta != 0.0)) {
      SmallVector<Value> operands = {acc};
      if (c && beta != 0.0)
        operands.push_back(c);
      acc = buildElementwise(
          b, loc, op, operands, op.getType().getShape(), element,
          [&](OpBuilder &gb, Location gl, ValueRange args) {
            Value r = args[0];
            if (alpha != 1.0)
              r = mulScalars(gb, gl, k, r,
                             scalarConstant(gb, gl, element, alpha));
            if (args.size() > 1) {
              Value cv = args[1];
              if (beta != 1.0)
                cv = mulScalars(gb, gl, k, cv,
                                scalarConstant(gb, gl, element, beta));
              r = addScalars(gb, gl, k, r, cv);
            }
            return r;
          });
    }
    rewriter.replaceOp(op, castTo(b, loc, acc, toSignless(op.getType())));
    return success();
  }
};

} // namespace

void populateContractionLowering(TypeConverter &converter,
                                 RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, GemmLowering>(converter, patterns.getContext());
}

} // namespace kiln::lowering
