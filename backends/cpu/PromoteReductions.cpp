//===- PromoteReductions.cpp - reduction accumulators into registers ------===//
//
// A reduction along a tensor's contiguous dimension (softmax's sum and
// max, LayerNorm's mean and variance, ReduceSum over the last axis) lowers
// to an innermost scf.for that loads its accumulator from the output
// buffer, combines one element and stores it back, every iteration. LLVM
// vectorises such a loop only when the accumulator lives in a register
// (it cannot prove that the loads of the input never read the
// accumulator's address) and the floating-point combiner may be
// re-associated (vector lanes sum in a different order than one scalar).
// So, where the accumulator's address does not depend on the loop: load
// it once before the loop, carry it as an iter_arg, store it once after,
// and mark float additions and multiplications that combine it
// `reassoc`. Results change only by the order of the sum, which Kiln's
// default (not --fast-math) allows; -O0 keeps the scalar order. A short
// promoted loop (a pooling window, at most 16 constant iterations) is
// unrolled too, so that the loop around it, over the contiguous dimension,
// is the innermost one that LLVM vectorises.
//
// Valid because bufferization gives a linalg op's output a buffer distinct
// from its inputs, and the loop writes nothing else: a loop with any other
// memory write (or an op of unknown effects) is left alone.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace kiln {
#define GEN_PASS_DEF_CPUPROMOTEREDUCTIONS
#include "backends/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct Accumulator {
  memref::LoadOp load;
  memref::StoreOp store;
};

/// The load/store pairs of `loop`'s body that read and write one element
/// at an address fixed for the whole loop, with no other access to that
/// buffer in the loop.
SmallVector<Accumulator> accumulators(scf::ForOp loop) {
  SmallVector<Accumulator> found;
  Block *body = loop.getBody();
  for (auto store : body->getOps<memref::StoreOp>()) {
    Value m = store.getMemRef();
    if (!loop.isDefinedOutsideOfLoop(m) ||
        !llvm::all_of(store.getIndices(),
                      [&](Value i) { return loop.isDefinedOutsideOfLoop(i); }))
      continue;
    memref::LoadOp load;
    for (auto l : body->getOps<memref::LoadOp>())
      if (l.getMemRef() == m && l.getIndices() == store.getIndices() &&
          l->isBeforeInBlock(store)) {
        load = l;
        break;
      }
    if (!load)
      continue;
    bool otherUse = llvm::any_of(m.getUsers(), [&](Operation *u) {
      return u != load && u != store && loop->isAncestor(u);
    });
    if (!otherUse)
      found.push_back({load, store});
  }
  return found;
}

/// Whether every memory write in `loop` is one of the accumulators'
/// stores (allocations, frees and unknown effects count as writes).
bool writesOnlyAccumulators(scf::ForOp loop, ArrayRef<Accumulator> accs) {
  WalkResult r = loop.getBody()->walk([&](Operation *op) {
    if (llvm::any_of(accs, [&](Accumulator a) {
          return a.store.getOperation() == op;
        }))
      return WalkResult::advance();
    if (auto effects = dyn_cast<MemoryEffectOpInterface>(op)) {
      SmallVector<MemoryEffects::EffectInstance> list;
      effects.getEffects(list);
      for (auto &e : list)
        if (!isa<MemoryEffects::Read>(e.getEffect()))
          return WalkResult::interrupt();
      return WalkResult::advance();
    }
    return op->hasTrait<OpTrait::HasRecursiveMemoryEffects>()
               ? WalkResult::advance()
               : WalkResult::interrupt();
  });
  return !r.wasInterrupted();
}

/// Promotes `loop`'s accumulators; the new loop, or null when there were
/// none.
scf::ForOp promote(scf::ForOp loop, IRRewriter &rewriter) {
  SmallVector<Accumulator> accs = accumulators(loop);
  if (accs.empty() || !writesOnlyAccumulators(loop, accs))
    return nullptr;
  rewriter.setInsertionPoint(loop);
  SmallVector<Value> inits;
  for (Accumulator &a : accs)
    inits.push_back(memref::LoadOp::create(rewriter, a.load.getLoc(),
                                           a.load.getMemRef(),
                                           a.load.getIndices()));
  auto yields = [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
    SmallVector<Value> values;
    for (Accumulator &a : accs)
      values.push_back(a.store.getValueToStore());
    return values;
  };
  FailureOr<LoopLikeOpInterface> replaced = loop.replaceWithAdditionalYields(
      rewriter, inits, /*replaceInitOperandUsesInLoop=*/false, yields);
  if (failed(replaced))
    return nullptr;
  auto newLoop = cast<scf::ForOp>(replaced->getOperation());
  unsigned first = newLoop.getNumRegionIterArgs() - accs.size();
  rewriter.setInsertionPointAfter(newLoop);
  for (auto [i, a] : llvm::enumerate(accs)) {
    BlockArgument acc = newLoop.getRegionIterArgs()[first + i];
    Value next = a.store.getValueToStore();
    // The combiner: the op computing the next value from the accumulator.
    if (Operation *combine = next.getDefiningOp())
      if (isa<arith::AddFOp, arith::MulFOp>(combine) &&
          llvm::is_contained(combine->getOperands(), a.load.getResult()))
        if (auto fm = dyn_cast<arith::ArithFastMathInterface>(combine))
          combine->setAttr(fm.getFastMathAttrName(),
                           arith::FastMathFlagsAttr::get(
                               rewriter.getContext(),
                               fm.getFastMathFlagsAttr().getValue() |
                                   arith::FastMathFlags::reassoc));
    rewriter.replaceAllUsesWith(a.load.getResult(), acc);
    memref::StoreOp::create(rewriter, a.store.getLoc(),
                            newLoop.getResult(first + i), a.store.getMemRef(),
                            a.store.getIndices());
    rewriter.eraseOp(a.store);
    rewriter.eraseOp(a.load);
  }
  return newLoop;
}

/// Whether `loop` is a small window to unroll: a constant trip count of
/// at most kMaxUnrolledWindow and no loop inside.
bool isSmallWindow(scf::ForOp loop) {
  std::optional<APInt> trips = loop.getStaticTripCount();
  bool nested = loop.getBody()
                    ->walk([](LoopLikeOpInterface) { return WalkResult::interrupt(); })
                    .wasInterrupted();
  return trips && trips->getSExtValue() <= kMaxUnrolledWindow && !nested;
}

struct PromoteReductionsPass
    : impl::CpuPromoteReductionsBase<PromoteReductionsPass> {
  void runOnOperation() override {
    // Innermost loops first: a promoted inner loop's load and store then
    // sit in its parent's body, which may promote them in turn.
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
    IRRewriter rewriter(&getContext());
    for (scf::ForOp loop : loops)
      if (scf::ForOp promoted = promote(loop, rewriter))
        if (isSmallWindow(promoted))
          (void)loopUnrollFull(promoted);
  }
};

} // namespace
} // namespace kiln
