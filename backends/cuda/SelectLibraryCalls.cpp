//===- SelectLibraryCalls.cpp - kiln ops that cuDNN/cuBLAS run ------------===//
//
// Rewrites the kiln ops that a vendor library runs better than generated
// code into kiln_cuda ops, before kiln -> linalg:
//
//   kiln.conv (2-D, symmetric padding) [+ kiln.relu]  -> kiln_lib.conv2d
//   kiln.matmul (rank >= 2, batch shared or equal)    -> kiln_lib.matmul
//                     (a right operand transposed in its last two
//                      dimensions is read transposed, not copied)
//   kiln.gemm                                         -> kiln_lib.matmul
//                                  (C, scaled by beta, is the accumulator)
//
// Only float ops (f32, f16, bf16) with static shapes qualify; everything
// else stays for codegen, which handles every case.
//
//===----------------------------------------------------------------------===//
#include "backends/library/IR/KilnLibDialect.h"
#include "backends/cuda/GpuCostModel.h"
#include "backends/cuda/Passes.h"
#include "dialects/kiln/KilnDialect.h"
#include "passes/simplify/RuleUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_SELECTLIBRARYCALLS
#include "backends/cuda/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln::cuda {
namespace {

bool isLibraryTensor(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape())
    return false;
  Type e = t.getElementType();
  return e.isF32() || e.isF16() || e.isBF16();
}

UnitAttr unit(PatternRewriter &rewriter, bool set) {
  return set ? rewriter.getUnitAttr() : UnitAttr();
}

Value emptyLike(PatternRewriter &rewriter, Location loc, Type type) {
  auto t = cast<RankedTensorType>(type);
  return tensor::EmptyOp::create(rewriter, loc, t.getShape(),
                                 t.getElementType());
}

/// A static float 2-D convolution, NCHW, with explicit symmetric pads.
bool canRunConv(ConvOp op) {
  if (!isLibraryTensor(op.getInput().getType()) ||
      !isLibraryTensor(op.getWeight().getType()) ||
      !isLibraryTensor(op.getType()) ||
      (op.getBias() && !isLibraryTensor(op.getBias().getType())))
    return false;
  if (op.getType().getRank() != 4 || op.getAutoPad() != "NOTSET" ||
      op.getChannelsLast())
    return false;
  ArrayRef<int64_t> pads = op.getPads();
  return pads.size() == 4 && pads[0] == pads[2] && pads[1] == pads[3];
}

struct ConvToLibrary : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (!canRunConv(op))
      return rewriter.notifyMatchFailure(
          op, "not static float, 2-D NCHW with symmetric explicit pads");
    Location loc = op.getLoc();
    // A ReLU that is the convolution's only user runs as its epilogue.
    Operation *replaced = op;
    bool relu = false;
    if (op->hasOneUse())
      if (auto r = dyn_cast<ReluOp>(*op->user_begin())) {
        replaced = r;
        relu = true;
      }
    rewriter.setInsertionPoint(replaced);
    auto conv = lib::Conv2dOp::create(
        rewriter, loc, op.getType(), op.getInput(), op.getWeight(),
        op.getBias(), /*post_operands=*/ValueRange(),
        emptyLike(rewriter, loc, op.getType()), op.getPadsAttr(),
        op.getStridesAttr(), op.getDilationsAttr(),
        rewriter.getI64IntegerAttr(op.getGroup()),
        /*channels_last=*/UnitAttr(), /*constant_weights=*/UnitAttr(),
        rewriter.getStrArrayAttr(relu ? ArrayRef<StringRef>{"relu"}
                                      : ArrayRef<StringRef>{}),
        rewriter.getDenseF32ArrayAttr({}));
    rewriter.replaceOp(replaced, conv.getResult());
    if (replaced != op.getOperation())
      rewriter.eraseOp(op);
    return success();
  }
};

/// Whether an operand of a batched product can be read as a strided batch:
/// a matrix shared by every batch, or the result's batch dimensions.
bool batchesFit(RankedTensorType operand, RankedTensorType result) {
  return operand.getRank() == 2 ||
         (operand.getRank() == result.getRank() &&
          operand.getShape().drop_back(2) == result.getShape().drop_back(2));
}

/// Static float matrices (rank >= 2) whose batches are shared or equal.
bool canRunMatMul(MatMulOp op) {
  if (!isLibraryTensor(op.getLhs().getType()) ||
      !isLibraryTensor(op.getRhs().getType()) || !isLibraryTensor(op.getType()))
    return false;
  auto a = cast<RankedTensorType>(op.getLhs().getType());
  auto b = cast<RankedTensorType>(op.getRhs().getType());
  auto c = op.getType();
  return a.getRank() >= 2 && b.getRank() >= 2 && batchesFit(a, c) &&
         batchesFit(b, c);
}

bool canRunGemm(GemmOp op) {
  return isLibraryTensor(op.getA().getType()) &&
         isLibraryTensor(op.getB().getType()) &&
         isLibraryTensor(op.getType()) &&
         (!op.getC() || isLibraryTensor(op.getC().getType()));
}

struct MatMulToLibrary : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    auto c = op.getType();
    if (!canRunMatMul(op))
      return rewriter.notifyMatchFailure(
          op, "not static float matrices with shared or equal batches");
    // A right operand that is a transpose of its last two dimensions (k^T
    // in attention) is read transposed by cuBLAS instead of copied.
    Value rhs = op.getRhs();
    bool transB = false;
    if (Value t = simplify::lastTwoTransposedFrom(rhs)) {
      rhs = t;
      transB = true;
    }
    Location loc = op.getLoc();
    rewriter.replaceOpWithNewOp<lib::MatmulOp>(
        op, c, op.getLhs(), rhs, /*post_operands=*/ValueRange(),
        emptyLike(rewriter, loc, c),
        /*trans_a=*/UnitAttr(), unit(rewriter, transB),
        rewriter.getF32FloatAttr(1.0f), /*accumulate=*/UnitAttr(), /*constant_weights=*/UnitAttr(),
        rewriter.getStrArrayAttr({}), rewriter.getDenseF32ArrayAttr({}));
    return success();
  }
};

/// beta * C broadcast to [M, N] (ONNX's unidirectional broadcast), as the
/// accumulator the library adds the product to.
Value scaledAccumulator(PatternRewriter &rewriter, Location loc, Value c,
                        RankedTensorType result, double beta) {
  auto ct = cast<RankedTensorType>(c.getType());
  MLIRContext *ctx = rewriter.getContext();
  SmallVector<AffineExpr> exprs;
  int64_t offset = 2 - ct.getRank();
  for (int64_t i = 0; i < ct.getRank(); ++i)
    exprs.push_back(ct.getDimSize(i) == 1 && result.getDimSize(offset + i) != 1
                        ? getAffineConstantExpr(0, ctx)
                        : getAffineDimExpr(offset + i, ctx));
  SmallVector<AffineMap> maps = {AffineMap::get(2, 0, exprs, ctx),
                                 AffineMap::getMultiDimIdentityMap(2, ctx)};
  Type element = result.getElementType();
  return linalg::GenericOp::create(
             rewriter, loc, TypeRange{result}, ValueRange{c},
             ValueRange{emptyLike(rewriter, loc, result)}, maps,
             {utils::IteratorType::parallel, utils::IteratorType::parallel},
             [&](OpBuilder &b, Location l, ValueRange args) {
               Value v = args[0];
               if (beta != 1.0)
                 v = arith::MulFOp::create(
                     b, l, v,
                     arith::ConstantOp::create(
                         b, l, b.getFloatAttr(element, beta)));
               linalg::YieldOp::create(b, l, v);
             })
      .getResult(0);
}

struct GemmToLibrary : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    auto result = op.getType();
    if (!canRunGemm(op))
      return rewriter.notifyMatchFailure(op, "not static float tensors");
    Location loc = op.getLoc();
    double beta = op.getBeta().convertToDouble();
    bool accumulate = op.getC() && beta != 0.0;
    Value init = accumulate
                     ? scaledAccumulator(rewriter, loc, op.getC(), result, beta)
                     : emptyLike(rewriter, loc, result);
    rewriter.replaceOpWithNewOp<lib::MatmulOp>(
        op, result, op.getA(), op.getB(), /*post_operands=*/ValueRange(), init,
        unit(rewriter, op.getTransA()), unit(rewriter, op.getTransB()),
        op.getAlphaAttr(), unit(rewriter, accumulate), /*constant_weights=*/UnitAttr(),
        rewriter.getStrArrayAttr({}), rewriter.getDenseF32ArrayAttr({}));
    return success();
  }
};

struct SelectLibraryCallsPass
    : kiln::impl::SelectLibraryCallsBase<SelectLibraryCallsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ConvToLibrary, MatMulToLibrary, GemmToLibrary>(&getContext());
    // One walk, no folding: only the listed ops change.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns),
                                     config)))
      return signalPassFailure();
  }
};

} // namespace

bool libraryCanRun(Operation *op) {
  if (auto conv = dyn_cast<ConvOp>(op))
    return canRunConv(conv);
  if (auto mm = dyn_cast<MatMulOp>(op))
    return canRunMatMul(mm);
  if (auto gemm = dyn_cast<GemmOp>(op))
    return canRunGemm(gemm);
  return false;
}

} // namespace kiln::cuda
