//===- LowerShape.cpp - reshape, transpose, squeeze and shape to linalg ---===//
//
// Reshapes keep dynamic sizes with expand/collapse_shape where the
// dimension grouping is known, and fall back to tensor.reshape otherwise;
// every assumption about a dynamic size is checked at run time.
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

/// Product of `dims` as an index value.
static Value product(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> dims) {
  Value p = arith::ConstantIndexOp::create(b, loc, 1);
  for (OpFoldResult d : dims)
    p = arith::MulIOp::create(b, loc, p, indexValue(b, loc, d));
  return p;
}

/// Checks that the element count of `dims` matches `input`'s.
static void checkSameCount(OpBuilder &b, Location loc, Operation *op,
                           Value input, ArrayRef<OpFoldResult> dims) {
  auto type = cast<RankedTensorType>(input.getType());
  bool allStatic = type.hasStaticShape() &&
                   llvm::all_of(dims, [](OpFoldResult d) {
                     return getConstantIntValue(d).has_value();
                   });
  if (allStatic)
    return;
  Value eq = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                   product(b, loc, getDims(b, loc, input)),
                                   product(b, loc, dims));
  runtimeCheck(b, loc, op, eq, "cannot reshape: element counts differ");
}

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    RankedTensorType type = op.getType();
    SmallVector<OpFoldResult> inDims = getDims(b, loc, x);
    SmallVector<OpFoldResult> dims;
    if (type.hasStaticShape()) {
      for (int64_t d : type.getShape())
        dims.push_back(b.getIndexAttr(d));
    } else {
      // Read the target at run time: 0 copies (unless allow_zero), -1 is
      // what the other dimensions leave.
      Value shape = adaptor.getShape();
      Value zero = arith::ConstantIndexOp::create(b, loc, 0);
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      Value minusOne = arith::ConstantIndexOp::create(b, loc, -1);
      SmallVector<Value> raw;
      Value known = one;
      for (int64_t i = 0; i < type.getRank(); ++i) {
        Value v = tensor::ExtractOp::create(
            b, loc, shape, ValueRange{arith::ConstantIndexOp::create(b, loc, i)});
        v = arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
        if (!op.getAllowZero() && i < int64_t(inDims.size())) {
          Value isZero =
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v, zero);
          v = arith::SelectOp::create(b, loc, isZero,
                                      indexValue(b, loc, inDims[i]), v);
        }
        raw.push_back(v);
        Value isInferred =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, v, minusOne);
        known = arith::MulIOp::create(
            b, loc, known, arith::SelectOp::create(b, loc, isInferred, one, v));
      }
      Value count = product(b, loc, inDims);
      // A zero `known` only arises with an empty result; avoid dividing by 0.
      Value knownIsZero =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, known, zero);
      Value safeKnown = arith::SelectOp::create(b, loc, knownIsZero, one, known);
      Value inferred = arith::DivUIOp::create(b, loc, count, safeKnown);
      for (int64_t i = 0; i < type.getRank(); ++i) {
        if (!type.isDynamicDim(i)) {
          dims.push_back(b.getIndexAttr(type.getDimSize(i)));
          continue;
        }
        Value isInferred = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::eq, raw[i], minusOne);
        dims.push_back(
            arith::SelectOp::create(b, loc, isInferred, inferred, raw[i])
                .getResult());
      }
    }
    checkSameCount(b, loc, op, x, dims);
    Value r = reshapeTo(b, loc, x, dims);
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(type)));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    SmallVector<OpFoldResult> inDims = getDims(b, loc, x);
    SmallVector<OpFoldResult> dims;
    for (int64_t p : op.getPerm())
      dims.push_back(inDims[p]);
    Value init = emptyTensor(
        b, loc, dims, cast<RankedTensorType>(x.getType()).getElementType());
    Value r = linalg::TransposeOp::create(b, loc, x, init, op.getPerm())
                  .getResult()[0];
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

struct FlattenLowering : OpConversionPattern<FlattenOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(FlattenOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    SmallVector<OpFoldResult> inDims = getDims(b, loc, x);
    int64_t rank = inDims.size(), axis = op.getAxis();
    ArrayRef<OpFoldResult> all(inDims);
    SmallVector<OpFoldResult> dims;
    for (ArrayRef<OpFoldResult> part : {all.take_front(axis), all.drop_front(axis)}) {
      std::optional<int64_t> p = 1;
      for (OpFoldResult d : part) {
        std::optional<int64_t> c = getConstantIntValue(d);
        p = p && c ? std::optional<int64_t>(*p * *c) : std::nullopt;
      }
      dims.push_back(p ? b.getIndexAttr(*p)
                       : OpFoldResult(product(b, loc, part)));
    }
    Value r;
    if (axis > 0 && axis < rank) {
      SmallVector<ReassociationIndices> groups(2);
      for (int64_t i = 0; i < rank; ++i)
        groups[i < axis ? 0 : 1].push_back(i);
      r = reshapeTo(b, loc, x, dims, groups);
    } else {
      r = reshapeTo(b, loc, x, dims);
    }
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

struct SqueezeLowering : OpConversionPattern<SqueezeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SqueezeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getDynamicAxes())
      return rewriter.notifyMatchFailure(op, "axes known at run time");
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    auto inType = cast<RankedTensorType>(x.getType());
    SmallVector<OpFoldResult> inDims = getDims(b, loc, x);
    SmallVector<OpFoldResult> dims;
    for (int64_t i = 0; i < inType.getRank(); ++i) {
      if (!llvm::is_contained(op.getAxes(), i)) {
        dims.push_back(inDims[i]);
      } else if (inType.isDynamicDim(i)) {
        Value isOne = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::eq, indexValue(b, loc, inDims[i]),
            arith::ConstantIndexOp::create(b, loc, 1));
        runtimeCheck(b, loc, op, isOne, "squeezed dimension is not 1");
      }
    }
    // Squeezed dynamic dimensions are 1 (checked): cast them so.
    SmallVector<int64_t> shape(inType.getShape());
    for (int64_t a : op.getAxes())
      shape[a] = 1;
    x = castTo(b, loc, x, inType.clone(shape));
    Value r = reshapeTo(b, loc, x, dims,
                        unitDimGroups(inType.getRank(), op.getAxes()));
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

struct UnsqueezeLowering : OpConversionPattern<UnsqueezeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(UnsqueezeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getDynamicAxes())
      return rewriter.notifyMatchFailure(op, "axes known at run time");
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    Value x = adaptor.getInput();
    SmallVector<OpFoldResult> inDims = getDims(b, loc, x);
    int64_t rank = op.getType().getRank();
    SmallVector<OpFoldResult> dims;
    for (int64_t i = 0, next = 0; i < rank; ++i)
      dims.push_back(llvm::is_contained(op.getAxes(), i) ? b.getIndexAttr(1)
                                                         : inDims[next++]);
    Value r = reshapeTo(b, loc, x, dims, unitDimGroups(rank, op.getAxes()));
    rewriter.replaceOp(op, castTo(b, loc, r, toSignless(op.getType())));
    return success();
  }
};

struct ShapeLowering : OpConversionPattern<ShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    OpBuilder &b = rewriter;
    SmallVector<Value> values;
    for (int64_t i = op.getStart(); i < op.getEnd(); ++i)
      values.push_back(arith::IndexCastOp::create(
          b, loc, b.getI64Type(), dimValue(b, loc, adaptor.getInput(), i)));
    Value r = tensor::FromElementsOp::create(b, loc, toSignless(op.getType()),
                                             values);
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void populateShapeLowering(TypeConverter &converter,
                           RewritePatternSet &patterns) {
  patterns.add<ReshapeLowering, TransposeLowering, FlattenLowering,
               SqueezeLowering, UnsqueezeLowering, ShapeLowering>(
      converter, patterns.getContext());
}

} // namespace kiln::lowering
