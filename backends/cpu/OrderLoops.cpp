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
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
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
  SmallVector<unsigned> order;
  for (unsigned d = 0; d < iters.size(); ++d)
    if (d != inner && iters[d] == utils::IteratorType::parallel)
      order.push_back(d);
  for (unsigned d = 0; d < iters.size(); ++d)
    if (iters[d] == utils::IteratorType::reduction)
      order.push_back(d);
  order.push_back(inner);
  if (llvm::equal(order, llvm::seq<unsigned>(0, iters.size())))
    return std::nullopt;
  return order;
}

struct OrderLoopsPass : impl::OrderLoopsBase<OrderLoopsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : ops) {
      std::optional<SmallVector<unsigned>> order = wantedOrder(op);
      if (!order)
        continue;
      rewriter.setInsertionPoint(op);
      if (failed(linalg::interchangeGenericOp(rewriter, op, *order))) {
        op.emitError("kiln-cpu-order-loops: interchange failed");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
} // namespace kiln
