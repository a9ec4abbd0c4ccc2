//===- LowerControlFlow.cpp - kiln.if / kiln.loop -> scf ------------------===//
//
// kiln.if becomes scf.if on the condition's element. kiln.loop becomes one
// scf.while that carries the iteration number (index), the condition (i1),
// the loop-carried tensors and one buffer per scan output, sized by the
// trip count; each iteration inserts its scan elements at row `i`, and the
// buffers are cut to the iterations run. The regions move as they are; the
// kiln ops in them are lowered by the other patterns. Types that only agree
// up to dynamic dimensions meet through tensor.cast.
//
//===----------------------------------------------------------------------===//
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Patterns.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::lowering {
namespace {

/// The discardable attribute that tells a kiln.yield inside an scf.while
/// how many of its values are scan elements.
constexpr llvm::StringLiteral kScanOutputs = "kiln.scan_outputs";

Value castTo(OpBuilder &b, Location loc, Value v, Type type) {
  return v.getType() == type ? v : tensor::CastOp::create(b, loc, type, v);
}

struct IfLowering : OpConversionPattern<IfOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(IfOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<Type> types;
    if (failed(getTypeConverter()->convertTypes(op.getResultTypes(), types)))
      return failure();
    Location loc = op.getLoc();
    Value cond = tensor::ExtractOp::create(rewriter, loc, adaptor.getCond());
    auto ifOp = scf::IfOp::create(rewriter, loc, types, cond,
                                  /*addThenBlock=*/false,
                                  /*addElseBlock=*/false);
    rewriter.inlineRegionBefore(op.getThenBranch(), ifOp.getThenRegion(),
                                ifOp.getThenRegion().end());
    rewriter.inlineRegionBefore(op.getElseBranch(), ifOp.getElseRegion(),
                                ifOp.getElseRegion().end());
    rewriter.replaceOp(op, ifOp.getResults());
    return success();
  }
};

struct LoopLowering : OpConversionPattern<LoopOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(LoopOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    const TypeConverter &converter = *getTypeConverter();
    Location loc = op.getLoc();
    Block &body = op.getBody().front();
    size_t carried = op.getInits().size();
    unsigned scans = op.getNumScanOutputs();
    auto yield = cast<YieldOp>(body.getTerminator());

    // Scan buffers: [trip count, element shape...].
    Value trip;
    if (adaptor.getMaxTripCount())
      trip = arith::IndexCastOp::create(
          rewriter, loc, rewriter.getIndexType(),
          tensor::ExtractOp::create(rewriter, loc, adaptor.getMaxTripCount()));
    SmallVector<Value> buffers;
    for (unsigned k = 0; k < scans; ++k) {
      auto elem = cast<RankedTensorType>(
          converter.convertType(yield.getValues()[1 + carried + k].getType()));
      // A dynamic element dimension is sized by the first iteration (the
      // yield reallocates then); it is 0 until then.
      SmallVector<OpFoldResult> sizes = {trip};
      for (int64_t d : elem.getShape())
        sizes.push_back(ShapedType::isDynamic(d)
                            ? OpFoldResult(arith::ConstantIndexOp::create(
                                               rewriter, loc, 0)
                                               .getResult())
                            : rewriter.getIndexAttr(d));
      buffers.push_back(tensor::EmptyOp::create(rewriter, loc, sizes,
                                                elem.getElementType()));
    }

    // Loop-carried state: iteration, condition, values, buffers.
    SmallVector<Value> inits = {arith::ConstantIndexOp::create(rewriter, loc, 0)};
    inits.push_back(adaptor.getCond()
                        ? tensor::ExtractOp::create(rewriter, loc,
                                                    adaptor.getCond())
                              .getResult()
                        : arith::ConstantIntOp::create(rewriter, loc, 1, 1)
                              .getResult());
    SmallVector<Type> carriedTypes;
    for (auto [i, v] : llvm::enumerate(adaptor.getInits())) {
      Type t = converter.convertType(body.getArgument(2 + i).getType());
      carriedTypes.push_back(t);
      inits.push_back(castTo(rewriter, loc, v, t));
    }
    inits.append(buffers);
    SmallVector<Type> stateTypes;
    for (Value v : inits)
      stateTypes.push_back(v.getType());
    auto loop = scf::WhileOp::create(rewriter, loc, stateTypes, inits);
    loop->setAttr(kScanOutputs, rewriter.getI64IntegerAttr(scans));
    SmallVector<Location> locs(stateTypes.size(), loc);

    // Before: continue while i < trip count and the condition holds.
    Block *before = rewriter.createBlock(&loop.getBefore(), {}, stateTypes, locs);
    Value go = before->getArgument(1);
    if (trip) {
      Value below = arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt,
                                          before->getArgument(0), trip);
      go = arith::AndIOp::create(rewriter, loc, below, go);
    }
    scf::ConditionOp::create(rewriter, loc, go, before->getArguments());

    // After: the body, on the iteration number and condition as tensors.
    Block *after = rewriter.createBlock(&loop.getAfter(), {}, stateTypes, locs);
    Value iter = arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                            after->getArgument(0));
    SmallVector<Value> args = {
        tensor::FromElementsOp::create(
            rewriter, loc, RankedTensorType::get({}, rewriter.getI64Type()), iter),
        tensor::FromElementsOp::create(
            rewriter, loc, RankedTensorType::get({}, rewriter.getI1Type()),
            after->getArgument(1))};
    for (size_t i = 0; i < carried; ++i)
      args.push_back(after->getArgument(2 + i));
    TypeConverter::SignatureConversion signature(body.getNumArguments());
    for (auto [i, arg] : llvm::enumerate(body.getArguments()))
      signature.addInputs(i, converter.convertType(arg.getType()));
    Block *converted =
        rewriter.applySignatureConversion(&body, signature, &converter);
    rewriter.mergeBlocks(converted, after, args);

    // Results: the carried values, and the buffers cut to the iterations.
    rewriter.setInsertionPointAfter(loop);
    SmallVector<Value> results;
    for (size_t i = 0; i < carried; ++i)
      results.push_back(castTo(rewriter, loc, loop.getResult(2 + i),
                               converter.convertType(op.getResult(i).getType())));
    for (unsigned k = 0; k < scans; ++k) {
      Value buffer = loop.getResult(2 + carried + k);
      auto type = cast<RankedTensorType>(buffer.getType());
      SmallVector<OpFoldResult> offsets(type.getRank(), rewriter.getIndexAttr(0));
      SmallVector<OpFoldResult> sizes = getDims(rewriter, loc, buffer);
      sizes[0] = loop.getResult(0);
      SmallVector<OpFoldResult> strides(type.getRank(), rewriter.getIndexAttr(1));
      Value cut = tensor::ExtractSliceOp::create(rewriter, loc, buffer, offsets,
                                                 sizes, strides);
      results.push_back(castTo(
          rewriter, loc, cut,
          converter.convertType(op.getResult(carried + k).getType())));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// The terminator of a lowered kiln.if branch or kiln.loop body.
struct YieldLowering : OpConversionPattern<YieldOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(YieldOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Operation *parent = op->getParentOp();
    Location loc = op.getLoc();
    if (auto ifOp = dyn_cast<scf::IfOp>(parent)) {
      SmallVector<Value> values;
      for (auto [v, t] : llvm::zip(adaptor.getValues(), ifOp.getResultTypes()))
        values.push_back(castTo(rewriter, loc, v, t));
      rewriter.replaceOpWithNewOp<scf::YieldOp>(op, values);
      return success();
    }
    auto loop = dyn_cast<scf::WhileOp>(parent);
    if (!loop || !loop->hasAttr(kScanOutputs))
      return failure();
    int64_t scans = cast<IntegerAttr>(loop->getAttr(kScanOutputs)).getInt();
    ValueRange state = loop.getAfterArguments();
    ValueRange values = adaptor.getValues();
    size_t carried = values.size() - 1 - scans;
    Value i = state[0];
    SmallVector<Value> next = {
        arith::AddIOp::create(rewriter, loc, i,
                              arith::ConstantIndexOp::create(rewriter, loc, 1)),
        tensor::ExtractOp::create(rewriter, loc, values[0])};
    for (size_t k = 0; k < carried; ++k)
      next.push_back(castTo(rewriter, loc, values[1 + k], state[2 + k].getType()));
    for (int64_t k = 0; k < scans; ++k) {
      Value buffer = state[2 + carried + k];
      auto type = cast<RankedTensorType>(buffer.getType());
      Value elemValue = values[1 + carried + k];
      if (!type.hasStaticShape() &&
          llvm::any_of(type.getShape().drop_front(), ShapedType::isDynamic)) {
        // The element's dynamic sizes are the first iteration's; later
        // iterations must match them (ONNX requires one shape).
        Value first = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, i,
            arith::ConstantIndexOp::create(rewriter, loc, 0));
        auto sized = scf::IfOp::create(
            rewriter, loc, first,
            [&](OpBuilder &b, Location l) {
              SmallVector<OpFoldResult> dims = {dimValue(b, l, buffer, 0)};
              llvm::append_range(dims, getDims(b, l, elemValue));
              Value fresh =
                  tensor::EmptyOp::create(b, l, dims, type.getElementType());
              scf::YieldOp::create(b, l, castTo(b, l, fresh, type));
            },
            [&](OpBuilder &b, Location l) {
              scf::YieldOp::create(b, l, buffer);
            });
        buffer = sized.getResult(0);
        for (int64_t d = 1; d < type.getRank(); ++d) {
          if (!type.isDynamicDim(d))
            continue;
          Value same = arith::CmpIOp::create(
              rewriter, loc, arith::CmpIPredicate::eq,
              dimValue(rewriter, loc, buffer, d),
              dimValue(rewriter, loc, elemValue, d - 1));
          runtimeCheck(rewriter, loc, op, same,
                       "a scan output changes shape between iterations");
        }
      }
      SmallVector<OpFoldResult> offsets(type.getRank(), rewriter.getIndexAttr(0));
      offsets[0] = i;
      SmallVector<OpFoldResult> sizes = getDims(rewriter, loc, buffer);
      sizes[0] = rewriter.getIndexAttr(1);
      SmallVector<OpFoldResult> strides(type.getRank(), rewriter.getIndexAttr(1));
      Value elem = castTo(rewriter, loc, elemValue,
                          RankedTensorType::get(type.getShape().drop_front(),
                                                type.getElementType()));
      next.push_back(tensor::InsertSliceOp::create(rewriter, loc, elem, buffer,
                                                   offsets, sizes, strides));
    }
    rewriter.replaceOpWithNewOp<scf::YieldOp>(op, next);
    return success();
  }
};

} // namespace

void populateControlFlowLowering(TypeConverter &converter,
                                 RewritePatternSet &patterns) {
  patterns.add<IfLowering, LoopLowering, YieldLowering>(converter,
                                                       patterns.getContext());
}

} // namespace kiln::lowering
