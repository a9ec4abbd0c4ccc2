//===- OrderLoops.cpp - loop order that LLVM can vectorise ----------------===//
//
// convert-linalg-to-loops nests loops in the order of a generic's
// iteration dimensions. The lowering writes contractions as (parallel...,
// reduction...), so the innermost loop is a reduction: a dot product that
// LLVM does not vectorise without reassociating floating-point sums, with
// the right-hand operand read with a stride. This pass moves the
// reductions outward and makes innermost the parallel dimension that
// indexes the output's last (contiguous) dimension, where it indexes the
// inputs only in their last dimensions too: the inner loop is then
// an axpy over contiguous memory, which LLVM vectorises to the host's
// widest vectors with results bit-identical to the scalar order (each
// output element still sums in the same k order).
//
// A small window (at most 16 reduction iterations: a 3x3 pool, a short
// product) goes just inside that dimension instead, the window loops
// innermost: kiln-cpu-promote-reductions keeps the accumulator in a
// register and unrolls the window, and the contiguous loop, innermost
// again, vectorises with one load and store per output rather than one
// per window element (SqueezeNet's max pools: 3.7% of the run's samples
// to 2.2%).
//
// When the contiguous dimension is then the only parallel loop with more
// than one iteration (a one-row product in the axpy form: x[1, K] times
// W[K, N]), no loop can go to the threads. That dimension is split into
// blocks of columns (CostModel's axpyColumnBlock), the block index an
// outermost parallel loop: operands and result are viewed as [..., N/B, B]
// (expand_shape, no copy). Each output element still sums in the same
// order.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/CostModel.h"
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {
#define GEN_PASS_DEF_ORDERLOOPS
#include "backends/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The loop order (old dimensions, outermost first) for `op`, or nothing
/// when the current order is already the one wanted.
std::optional<SmallVector<unsigned>> wantedOrder(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0)
    return std::nullopt;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!out.isProjectedPermutation() || out.getNumResults() == 0)
    return std::nullopt;
  unsigned inner = cast<AffineDimExpr>(out.getResults().back()).getPosition();
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  if (iters[inner] != utils::IteratorType::parallel)
    return std::nullopt;
  // Every input that the dimension indexes must have it in its last
  // (contiguous) dimension only; otherwise the inner loop would stride.
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(in);
    for (unsigned r = 0; r < map.getNumResults(); ++r)
      if (map.getResult(r).isFunctionOfDim(inner) && r + 1 != map.getNumResults())
        return std::nullopt;
  }
  // A small window goes inside that dimension instead (see the header).
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t window = 1;
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == utils::IteratorType::reduction)
      window = ShapedType::isDynamic(ranges[d]) ? kMaxUnrolledWindow + 1
                                                : window * ranges[d];
  bool smallWindow = window <= kMaxUnrolledWindow;
  SmallVector<unsigned> order;
  for (unsigned d = 0; d < iters.size(); ++d)
    if (d != inner && iters[d] == utils::IteratorType::parallel)
      order.push_back(d);
  if (smallWindow)
    order.push_back(inner);
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == utils::IteratorType::reduction)
      order.push_back(d);
  if (!smallWindow)
    order.push_back(inner);
  if (llvm::equal(order, llvm::seq<unsigned>(0, iters.size())))
    return std::nullopt;
  return order;
}

/// Reassociation of a shape of `rank` whose last dimension is split in
/// two: {0}, {1}, ..., {rank - 1, rank}.
SmallVector<ReassociationIndices> lastDimSplit(int64_t rank) {
  SmallVector<ReassociationIndices> groups;
  for (int64_t i = 0; i + 1 < rank; ++i)
    groups.push_back({i});
  groups.push_back({rank - 1, rank});
  return groups;
}

/// The axpy-form `op` (its loops already ordered: parallel, reductions,
/// then the contiguous dimension last) with that dimension split into
/// [blocks, block] and the blocks loop outermost, or `op` as it was.
LogicalResult splitColumns(IRRewriter &rewriter, linalg::GenericOp op) {
  unsigned loops = op.getNumLoops(), inner = loops - 1;
  SmallVector<utils::IteratorType> iters = op.getIteratorTypesArray();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0 ||
      iters[inner] != utils::IteratorType::parallel ||
      !op.hasPureTensorSemantics())
    return failure();
  int64_t depth = 1;
  for (unsigned d = 0; d < inner; ++d) {
    if (ShapedType::isDynamic(ranges[d]))
      return failure();
    if (iters[d] == utils::IteratorType::parallel && ranges[d] != 1)
      return failure(); // an outer loop for the threads already
    if (iters[d] == utils::IteratorType::reduction)
      depth *= ranges[d];
  }
  int64_t cols = ranges[inner];
  int64_t block =
      ShapedType::isDynamic(cols) ? 0 : cpu::axpyColumnBlock(cols, depth);
  if (!block || !op.getBody()->getOps<linalg::IndexOp>().empty())
    return failure();
  // Every operand reads the dimension, if at all, as its last index only,
  // and the result does.
  MLIRContext *ctx = op.getContext();
  AffineExpr innerExpr = getAffineDimExpr(inner, ctx);
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (!outMap.isFunctionOfDim(inner))
    return failure();
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    if (!map.isFunctionOfDim(inner))
      continue;
    if (map.getResults().back() != innerExpr ||
        !isa<RankedTensorType>(operand.get().getType()))
      return failure();
    for (AffineExpr e : map.getResults().drop_back())
      if (e.isFunctionOfDim(inner))
        return failure();
  }

  // New loops: d0 = the block, old loop d -> d + 1 (the contiguous one
  // becomes the position in its block, the last loop).
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto expand = [&](Value v) -> Value {
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape(t.getShape().drop_back());
    shape.append({t.getShape().back() / block, block});
    return tensor::ExpandShapeOp::create(rewriter, loc, t.clone(shape), v,
                                         lastDimSplit(t.getRank()));
  };
  SmallVector<Value> inputs, inits;
  SmallVector<AffineMap> maps;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    bool reads = map.isFunctionOfDim(inner);
    SmallVector<AffineExpr> results;
    for (AffineExpr e : map.getResults())
      results.push_back(e.shiftDims(loops, 1));
    if (reads)
      results.insert(results.end() - 1, getAffineDimExpr(0, ctx));
    maps.push_back(AffineMap::get(loops + 1, 0, results, ctx));
    Value v = reads ? expand(operand.get()) : operand.get();
    (op.isDpsInit(&operand) ? inits : inputs).push_back(v);
  }
  SmallVector<utils::IteratorType> newIters = {utils::IteratorType::parallel};
  newIters.append(iters.begin(), iters.end());
  auto split = linalg::GenericOp::create(rewriter, loc, inits[0].getType(),
                                         inputs, inits, maps, newIters);
  rewriter.inlineRegionBefore(op.getRegion(), split.getRegion(),
                              split.getRegion().begin());
  auto outType = cast<RankedTensorType>(op.getResult(0).getType());
  Value result = tensor::CollapseShapeOp::create(
      rewriter, loc, outType, split.getResult(0),
      lastDimSplit(outType.getRank()));
  rewriter.replaceOp(op, result);
  return success();
}

struct OrderLoopsPass : impl::OrderLoopsBase<OrderLoopsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : ops) {
      if (std::optional<SmallVector<unsigned>> order = wantedOrder(op)) {
        rewriter.setInsertionPoint(op);
        FailureOr<linalg::GenericOp> ordered =
            linalg::interchangeGenericOp(rewriter, op, *order);
        if (failed(ordered)) {
          op.emitError("kiln-cpu-order-loops: interchange failed");
          return signalPassFailure();
        }
        op = *ordered;
      }
      (void)splitColumns(rewriter, op);
    }
  }
};

} // namespace
} // namespace kiln
