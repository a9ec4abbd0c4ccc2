//===- SelectLibraryCalls.cpp - kiln ops that cuDNN/cuBLAS run ------------===//
//
// Rewrites the kiln ops that a vendor library runs better than generated
// code into kiln_cuda ops, before kiln -> linalg:
//
//   kiln.conv (2-D, symmetric padding) [+ residual kiln.add] [+ kiln.relu]
//                                                     -> kiln_lib.conv2d
//   kiln.matmul (rank >= 2, batch shared or equal)    -> kiln_lib.matmul
//                     (a right operand transposed in its last two
//                      dimensions is read transposed, not copied)
//   kiln.gemm                                         -> kiln_lib.matmul
//                                  (C, scaled by beta, is the accumulator)
//
// A product's epilogue that cuBLASLt runs in the GEMM is absorbed into it
// as post-ops: a bias per output column (Gemm's C when it is a vector and
// beta is 1, or an Add of such a vector), then a ReLU or a tanh-form GELU.
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

/// Replaces `op` and the chain of single users after it up to `last` (its
/// epilogue; null when there is none) with what `make` builds where the
/// last op was.
template <typename Make>
void replaceThroughEpilogue(PatternRewriter &rewriter, Operation *op,
                            Operation *last, Make make) {
  if (!last)
    last = op;
  // The chain from `op` to the op before the last (each the only user of
  // the one before), collected while the uses still link it.
  SmallVector<Operation *> chain;
  for (Operation *o = op; o != last; o = *o->getResult(0).user_begin())
    chain.push_back(o);
  rewriter.setInsertionPoint(last);
  rewriter.replaceOp(last, make());
  for (Operation *o : llvm::reverse(chain))
    rewriter.eraseOp(o);
}

struct ConvToLibrary : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    if (!canRunConv(op))
      return rewriter.notifyMatchFailure(
          op, "not static float, 2-D NCHW with symmetric explicit pads");
    Location loc = op.getLoc();
    // A residual added to the result and a ReLU after it run in cuDNN's
    // fused call: y = relu(conv(x) + z + bias).
    ConvEpilogue e = convEpilogue(op);
    SmallVector<StringRef> postOps;
    SmallVector<Value> post;
    if (e.residual) {
      postOps.push_back("add");
      post.push_back(e.residual);
    }
    if (e.relu)
      postOps.push_back("relu");
    replaceThroughEpilogue(rewriter, op, e.last, [&] {
      return lib::Conv2dOp::create(
                 rewriter, loc, op.getType(), op.getInput(), op.getWeight(),
                 op.getBias(), /*input_zero_point=*/Value(), post,
                 emptyLike(rewriter, loc, op.getType()),
                 op.getPadsAttr(), op.getStridesAttr(), op.getDilationsAttr(),
                 rewriter.getI64IntegerAttr(op.getGroup()),
                 /*channels_last=*/UnitAttr(), /*constant_weights=*/UnitAttr(),
                 rewriter.getStrArrayAttr(postOps),
                 rewriter.getDenseF32ArrayAttr(
                     SmallVector<float>(2 * postOps.size())))
          .getResult();
    });
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

/// The only user of `v` if it has one result of v's type (the next step
/// of an elementwise epilogue), else null.
Operation *singleUserOfSameType(Value v) {
  if (!v.hasOneUse())
    return nullptr;
  Operation *user = *v.user_begin();
  return user->getNumResults() == 1 && user->getResult(0).getType() == v.getType()
             ? user
             : nullptr;
}

/// A vector of `n` broadcast along every dimension but the last: a bias
/// per output column, the form cuBLASLt's bias epilogue takes.
bool isColumnBias(Value v, RankedTensorType result) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || !t.hasStaticShape() || t.getRank() == 0 ||
      t.getRank() > result.getRank() ||
      t.getElementType() != result.getElementType())
    return false;
  for (int64_t i = 0; i + 1 < t.getRank(); ++i)
    if (t.getDimSize(i) != 1)
      return false;
  return t.getShape().back() == result.getShape().back();
}

/// The activation that cuBLASLt applies for `op`, if it has one: ReLU, or
/// GELU in its tanh form (cuBLASLt's GELU epilogue is that approximation,
/// so the exact erf GELU stays a generated kernel).
StringRef epilogueActivation(Operation *op) {
  if (isa<ReluOp>(op))
    return "relu";
  if (auto g = dyn_cast<GeluOp>(op); g && g.getTanhApproximation())
    return "gelu_tanh";
  return "";
}

} // namespace

ConvEpilogue convEpilogue(Operation *conv) {
  ConvEpilogue e;
  Value v = conv->getResult(0);
  Operation *user = singleUserOfSameType(v);
  if (auto add = dyn_cast_or_null<AddOp>(user)) {
    Value other = add.getLhs() == v ? add.getRhs() : add.getLhs();
    if (other != v && other.getType() == v.getType()) {
      e.residual = other;
      e.last = add;
      user = singleUserOfSameType(add.getResult());
    }
  }
  if (isa_and_nonnull<ReluOp>(user)) {
    e.relu = true;
    e.last = user;
  }
  return e;
}

ProductEpilogue productEpilogue(Operation *product) {
  ProductEpilogue e;
  Value v = product->getResult(0);
  auto type = cast<RankedTensorType>(v.getType());
  if (auto gemm = dyn_cast<GemmOp>(product); gemm && gemm.getC()) {
    double beta = gemm.getBeta().convertToDouble();
    if (beta == 1.0 && isColumnBias(gemm.getC(), type))
      e.bias = gemm.getC();
    else if (beta != 0.0)
      return e; // C is the accumulator
  }
  Operation *user = singleUserOfSameType(v);
  if (auto add = dyn_cast_or_null<AddOp>(user); add && !e.bias) {
    Value other = add.getLhs() == v ? add.getRhs() : add.getLhs();
    if (other != v && isColumnBias(other, type)) {
      e.bias = other;
      e.last = add;
      user = singleUserOfSameType(add.getResult());
    }
  }
  if (user && !epilogueActivation(user).empty()) {
    e.activation = epilogueActivation(user);
    e.last = user;
  }
  return e;
}

namespace {

/// kiln_lib.matmul of `lhs` and `rhs` into `init` with the epilogue `e` as
/// its post-ops: "add" of the bias reshaped to the product's rank, then
/// the activation.
Value libraryProduct(PatternRewriter &rewriter, Location loc,
                     RankedTensorType type, Value lhs, Value rhs, Value init,
                     bool transA, bool transB, FloatAttr alpha,
                     bool accumulate, const ProductEpilogue &e) {
  SmallVector<Value> post;
  SmallVector<StringRef> ops;
  if (e.bias) {
    auto t = cast<RankedTensorType>(e.bias.getType());
    SmallVector<int64_t> shape(type.getRank() - t.getRank(), 1);
    llvm::append_range(shape, t.getShape());
    post.push_back(t.getRank() == type.getRank()
                       ? e.bias
                       : simplify::reshapeTo(rewriter, loc, e.bias, shape));
    ops.push_back("add");
  }
  if (!e.activation.empty())
    ops.push_back(e.activation);
  return lib::MatmulOp::create(
             rewriter, loc, type, lhs, rhs, post, init, unit(rewriter, transA),
             unit(rewriter, transB), alpha, unit(rewriter, accumulate),
             /*constant_weights=*/UnitAttr(), rewriter.getStrArrayAttr(ops),
             rewriter.getDenseF32ArrayAttr(SmallVector<float>(2 * ops.size())))
      .getResult();
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
    ProductEpilogue e = productEpilogue(op);
    replaceThroughEpilogue(rewriter, op, e.last, [&] {
      return libraryProduct(rewriter, loc, c, op.getLhs(), rhs,
                            emptyLike(rewriter, loc, c), /*transA=*/false,
                            transB, rewriter.getF32FloatAttr(1.0f),
                            /*accumulate=*/false, e);
    });
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
    // C is the epilogue's bias or else (beta != 0) cuBLAS's accumulator.
    ProductEpilogue e = productEpilogue(op);
    bool accumulate = op.getC() && beta != 0.0 && e.bias != op.getC();
    replaceThroughEpilogue(rewriter, op, e.last, [&] {
      Value init =
          accumulate ? scaledAccumulator(rewriter, loc, op.getC(), result, beta)
                     : emptyLike(rewriter, loc, result);
      return libraryProduct(rewriter, loc, result, op.getA(), op.getB(), init,
                            op.getTransA(), op.getTransB(), op.getAlphaAttr(),
                            accumulate, e);
    });
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
