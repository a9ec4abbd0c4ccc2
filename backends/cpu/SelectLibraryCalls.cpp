//===- SelectLibraryCalls.cpp - kiln ops that oneDNN runs on the CPU ------===//
//
// Rewrites convolutions and matrix products into kiln_lib ops, which the CPU
// backend lowers to calls of the runtime's oneDNN wrappers, before kiln ->
// linalg. The elementwise ops that follow one of them, each the only user
// of the previous result and of the same shape (the epilogue that the graph's
// fusion put into the same kernel), become its post-ops:
//
//   kiln.conv (2-D; 1-D as 2-D over a unit height)
//                   [+ add/mul/... + relu/gelu/clip/...]  -> kiln_lib.conv2d
//   kiln.matmul (rank >= 2, batches broadcast)            -> kiln_lib.matmul
//   kiln.gemm (C added as a post-op when beta is 1)       -> kiln_lib.matmul
//   si32 kiln.matmul / kiln.conv of 8-bit values minus zero points
//                         -> integer kiln_lib ops (SelectIntegerProducts.cpp)
//
// Only f32 ops qualify. Products may have sizes known only at run time (a
// batch or sequence axis, a count of detections), 2-D convolutions a batch,
// height and width known only then: their call's descriptor carries those
// sizes. Everything else stays for code generation, which handles every
// case. The pass runs before composites are decomposed (so gelu and silu
// can be post-ops) and again after (so that the products inside attention
// go to the library too).
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/CostModel.h"
#include "backends/cpu/LibraryCallSizes.h"
#include "backends/cpu/LibraryEpilogue.h"
#include "backends/cpu/Passes.h"
#include "backends/cpu/SelectIntegerProducts.h"
#include "backends/library/IR/KilnLibDialect.h"
#include "dialects/kiln/KilnDialect.h"
#include "passes/simplify/RuleUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_CPUSELECTLIBRARYCALLS
#include "backends/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln::cpu {
namespace {

bool isWeight(Value v) { return v.getDefiningOp<ConstantOp>() != nullptr; }

/// The binary operands reshaped to the output's rank (leading 1s).
SmallVector<Value> operandsAtRank(PatternRewriter &rewriter, Location loc,
                                  ArrayRef<Value> operands, int64_t rank) {
  SmallVector<Value> result;
  for (Value v : operands) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getRank() == rank) {
      result.push_back(v);
      continue;
    }
    SmallVector<int64_t> shape(rank - t.getRank(), 1);
    llvm::append_range(shape, t.getShape());
    result.push_back(simplify::reshapeTo(rewriter, loc, v, shape));
  }
  return result;
}

Value emptyLike(PatternRewriter &rewriter, Location loc, Type type) {
  auto t = cast<RankedTensorType>(type);
  return tensor::EmptyOp::create(rewriter, loc, t.getShape(),
                                 t.getElementType());
}

/// Replaces `op` and its epilogue with `make(init, post operands)`, built
/// where the epilogue's last op was.
template <typename Make>
void replaceWithEpilogue(PatternRewriter &rewriter, Operation *op,
                         const Epilogue &e, Make make) {
  Operation *last = e.last ? e.last : op;
  rewriter.setInsertionPoint(last);
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  SmallVector<Value> post =
      operandsAtRank(rewriter, loc, e.operands, type.getRank());
  Value init;
  if (auto conv = dyn_cast<ConvOp>(op)) {
    init = convInit(rewriter, loc, type, conv, conv.getInput());
  } else {
    auto gemm = dyn_cast<GemmOp>(op);
    init = productInit(rewriter, loc, op, type, op->getOperand(0),
                       op->getOperand(1), gemm && gemm.getTransA(),
                       gemm && gemm.getTransB());
  }
  Value result = make(init, post);
  // Users of the epilogue's last value, then the chain, innermost first.
  SmallVector<Operation *> chain;
  for (Operation *o = op; o != last; o = *o->getResult(0).user_begin())
    chain.push_back(o);
  rewriter.replaceOp(last, result);
  for (Operation *o : llvm::reverse(chain))
    rewriter.eraseOp(o);
}

ArrayAttr strings(PatternRewriter &rewriter, ArrayRef<StringRef> names) {
  return rewriter.getStrArrayAttr(names);
}

UnitAttr unit(PatternRewriter &rewriter, bool set) {
  return set ? rewriter.getUnitAttr() : UnitAttr();
}

/// f32 with static channels: the batch and spatial sizes may be known only
/// at run time (the call's descriptor carries them).
bool libraryConvSizes(Type type, int64_t rank, bool channelsLast) {
  auto t = dyn_cast<RankedTensorType>(type);
  return t && t.getElementType().isF32() && t.getRank() == rank &&
         !t.isDynamicDim(channelsLast ? rank - 1 : 1);
}

/// 2-D, or 1-D (run as 2-D over a unit height).
bool canRunConv(ConvOp op) {
  int64_t rank = op.getType().getRank();
  bool last = op.getChannelsLast();
  return libraryConvSizes(op.getInput().getType(), rank, last) &&
         isStaticF32(op.getWeight().getType()) &&
         libraryConvSizes(op.getType(), rank, last) &&
         (!op.getBias() || isStaticF32(op.getBias().getType())) &&
         (rank == 4 || rank == 3) && libraryPadding(op) &&
         op.getPads().size() == size_t(2 * (rank - 2));
}

/// `v` with a unit dimension inserted at `at`; a constant stays a constant
/// (so a weight is still one the library repacks once).
Value withUnitDim(PatternRewriter &rewriter, Location loc, Value v, int64_t at) {
  auto t = cast<RankedTensorType>(v.getType());
  if (!t.hasStaticShape())
    return UnsqueezeOp::create(rewriter, loc, v, Value(), ArrayRef<int64_t>{at});
  SmallVector<int64_t> shape(t.getShape());
  shape.insert(shape.begin() + at, 1);
  auto type = RankedTensorType::get(shape, t.getElementType());
  if (auto c = v.getDefiningOp<ConstantOp>()) {
    Attribute value = c.getValue();
    if (auto dense = dyn_cast<DenseElementsAttr>(value))
      return ConstantOp::create(rewriter, loc, type, dense.reshape(type));
    // An imported weight's bytes (a resource blob) read in the new shape.
    if (auto blob = dyn_cast<DenseResourceElementsAttr>(value))
      return ConstantOp::create(rewriter, loc, type,
                                DenseResourceElementsAttr::get(type, blob.getRawHandle()));
  }
  return simplify::reshapeTo(rewriter, loc, v, shape);
}

/// A rewrite into a library call, taken where the cost model (when there is
/// one) finds the library faster.
template <typename OpTy> struct LibraryPattern : OpRewritePattern<OpTy> {
  LibraryPattern(MLIRContext *ctx, const CpuCostModel &model, bool useModel)
      : OpRewritePattern<OpTy>(ctx), model(model), useModel(useModel) {}
  const CpuCostModel &model;
  bool useModel; ///< false: every op the library can run goes there
  bool chosen(Operation *op) const {
    return !useModel || model.choose(op, true).path == CpuPath::Library;
  }
};

struct ConvToLibrary : LibraryPattern<ConvOp> {
  using LibraryPattern::LibraryPattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (!canRunConv(op))
      return rewriter.notifyMatchFailure(op, "not an f32 1-D or 2-D conv with static channels and filter");
    if (!chosen(op))
      return rewriter.notifyMatchFailure(op, "faster as generated code");
    Epilogue e = collectEpilogue(op.getResult());
    bool winograd = model.winogradApplies(op, isWeight(op.getWeight()),
                                          !e.operands.empty());
    // A 1-D convolution is the 2-D one over a height of 1: a unit
    // dimension before the length in the input, output and epilogue
    // operands (after the channels, or before them in channels-last), and
    // before the kernel's width; no padding, stride 1 along it.
    bool oneD = op.getType().getRank() == 3;
    int64_t unitAt = op.getChannelsLast() ? 1 : 2;
    Location loc = op.getLoc();
    auto extend = [&](ArrayRef<int64_t> values, int64_t fill) {
      SmallVector<int64_t> out(values);
      if (!oneD)
        return out;
      if (values.size() == 2) // pads: begin, end
        return SmallVector<int64_t>{fill, values[0], fill, values[1]};
      out.insert(out.begin(), fill);
      return out;
    };
    replaceWithEpilogue(rewriter, op, e, [&](Value init, ValueRange post) {
      Value input = op.getInput(), weight = op.getWeight();
      RankedTensorType type = op.getType();
      SmallVector<Value> postOps(post);
      if (oneD) {
        input = withUnitDim(rewriter, loc, input, unitAt);
        weight = withUnitDim(rewriter, loc, weight, 2);
        for (Value &v : postOps)
          v = withUnitDim(rewriter, loc, v, unitAt);
        SmallVector<int64_t> shape(type.getShape());
        shape.insert(shape.begin() + unitAt, 1);
        type = RankedTensorType::get(shape, type.getElementType());
        init = type.hasStaticShape()
                   ? emptyLike(rewriter, loc, type)
                   : withUnitDim(rewriter, loc, init, unitAt);
      }
      auto [pads, autoPad] = *libraryPadding(op);
      auto conv = lib::Conv2dOp::create(
          rewriter, loc, type, input, weight, op.getBias(),
          /*input_zero_point=*/Value(), postOps, init,
          rewriter.getDenseI64ArrayAttr(extend(pads, 0)),
          rewriter.getDenseI64ArrayAttr(extend(op.getStrides(), 1)),
          rewriter.getDenseI64ArrayAttr(extend(op.getDilations(), 1)),
          rewriter.getI64IntegerAttr(op.getGroup()),
          unit(rewriter, op.getChannelsLast()), unit(rewriter, isWeight(weight)),
          strings(rewriter, e.ops), rewriter.getDenseF32ArrayAttr(e.args));
      conv.setAutoPad(autoPad);
      if (winograd) {
        conv.setAlgorithm("winograd");
        if (!type.hasStaticShape())
          conv.setWinogradMinPixels(model.winogradMinPixels);
      }
      Value result = conv->getResult(0);
      if (!oneD)
        return result;
      return Value(SqueezeOp::create(rewriter, loc, result, Value(),
                                     ArrayRef<int64_t>{unitAt}));
    });
    return success();
  }
};

/// Whether an operand's leading (batch) dimensions broadcast to the result's.
bool batchesBroadcast(RankedTensorType operand, RankedTensorType result) {
  int64_t shift = result.getRank() - operand.getRank();
  if (shift < 0)
    return false;
  for (int64_t i = 0; i + 2 < operand.getRank(); ++i)
    if (operand.getDimSize(i) != 1 &&
        operand.getDimSize(i) != result.getDimSize(shift + i))
      return false;
  return true;
}

bool canRunMatMul(MatMulOp op) {
  auto a = dyn_cast<RankedTensorType>(op.getLhs().getType());
  auto b = dyn_cast<RankedTensorType>(op.getRhs().getType());
  auto c = op.getType();
  if (!isF32Ranked(a) || !isF32Ranked(b) || !isF32Ranked(c))
    return false;
  auto rankFits = [&](RankedTensorType t) {
    return t.getRank() == 2 || t.getRank() == c.getRank();
  };
  return rankFits(a) && rankFits(b) && batchesBroadcast(a, c) &&
         batchesBroadcast(b, c);
}

bool canRunGemm(GemmOp op) {
  auto result = op.getType();
  if (!isF32Ranked(op.getA().getType()) || !isF32Ranked(op.getB().getType()) ||
      !isF32Ranked(result))
    return false;
  double beta = op.getBeta().convertToDouble();
  Value c = beta != 0.0 ? op.getC() : Value();
  auto ct = c ? cast<RankedTensorType>(c.getType()) : RankedTensorType();
  // C joins the epilogue, at the result's rank: dynamic sizes only there.
  return !c || (beta == 1.0 && isF32Ranked(ct) &&
                (ct.hasStaticShape() || ct.getRank() == result.getRank()) &&
                broadcastsTo(cast<RankedTensorType>(c.getType()), result));
}

struct MatMulToLibrary : LibraryPattern<MatMulOp> {
  using LibraryPattern::LibraryPattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto c = op.getType();
    if (!canRunMatMul(op))
      return rewriter.notifyMatchFailure(op, "not an f32 matrix product");
    if (!chosen(op))
      return rewriter.notifyMatchFailure(op, "faster as generated code");
    Value rhs = op.getRhs();
    bool transB = false;
    if (Value t = simplify::lastTwoTransposedFrom(rhs)) {
      rhs = t;
      transB = true;
    }
    Epilogue e = collectEpilogue(op.getResult());
    replaceWithEpilogue(rewriter, op, e, [&](Value init, ValueRange post) {
      return lib::MatmulOp::create(
                 rewriter, op.getLoc(), c, op.getLhs(), rhs, post, init,
                 /*trans_a=*/UnitAttr(), unit(rewriter, transB),
                 rewriter.getF32FloatAttr(1.0f), /*accumulate=*/UnitAttr(),
                 unit(rewriter, isWeight(rhs)), strings(rewriter, e.ops),
                 rewriter.getDenseF32ArrayAttr(e.args))
          ->getResult(0);
    });
    return success();
  }
};

struct GemmToLibrary : LibraryPattern<GemmOp> {
  using LibraryPattern::LibraryPattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    auto result = op.getType();
    if (!canRunGemm(op))
      return rewriter.notifyMatchFailure(op, "not f32, or C scaled");
    if (!chosen(op))
      return rewriter.notifyMatchFailure(op, "faster as generated code");
    double beta = op.getBeta().convertToDouble();
    Value c = beta != 0.0 ? op.getC() : Value();
    Epilogue e = collectEpilogue(op.getResult());
    // C comes first: alpha * A B + C, then the epilogue.
    if (c) {
      e.ops.insert(e.ops.begin(), "add");
      e.args.insert(e.args.begin(), {0.f, 0.f});
      e.operands.insert(e.operands.begin(), c);
    }
    replaceWithEpilogue(rewriter, op, e, [&](Value init, ValueRange post) {
      return lib::MatmulOp::create(
                 rewriter, op.getLoc(), result, op.getA(), op.getB(), post,
                 init, unit(rewriter, op.getTransA()),
                 unit(rewriter, op.getTransB()), op.getAlphaAttr(),
                 /*accumulate=*/UnitAttr(), unit(rewriter, isWeight(op.getB())),
                 strings(rewriter, e.ops), rewriter.getDenseF32ArrayAttr(e.args))
          ->getResult(0);
    });
    return success();
  }
};

struct SelectLibraryCallsPass
    : kiln::impl::CpuSelectLibraryCallsBase<SelectLibraryCallsPass> {
  using CpuSelectLibraryCallsBase::CpuSelectLibraryCallsBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    CpuCostModel model;
    model.winograd = winograd;
    patterns.add<ConvToLibrary, MatMulToLibrary, GemmToLibrary>(
        &getContext(), model, useCostModel);
    // Integer products always: oneDNN's int8 kernels against 32-bit loops.
    populateIntegerProductPatterns(patterns);
    // Only the listed ops change (no folding of the rest of the graph).
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      return signalPassFailure();
  }
};

} // namespace

bool libraryCanRun(Operation *op) {
  if (integerLibraryCanRun(op))
    return true;
  if (auto conv = dyn_cast<ConvOp>(op))
    return canRunConv(conv);
  if (auto mm = dyn_cast<MatMulOp>(op))
    return canRunMatMul(mm);
  if (auto gemm = dyn_cast<GemmOp>(op))
    return canRunGemm(gemm);
  return false;
}

} // namespace kiln::cpu
