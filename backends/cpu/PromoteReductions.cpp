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
// is the innermost one that LLVM vectorises. A maximum or minimum, which
// LLVM does not vectorise, is split into vector steps here
// (MinMaxReductions.h).
//
// A fill of the output just before the reduction (max pooling's -inf, a
// sum's zero) then folds into the accumulator's first value when the
// reduction's outer parallel loop reads each element exactly once: the
// output is written once rather than filled first.
//
// Valid because bufferization gives a linalg op's output a buffer distinct
// from its inputs, and the loop writes nothing else: a loop with any other
// memory write (or an op of unknown effects) is left alone.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/MinMaxReductions.h"
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
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

/// The most operations one unrolled window may become. Windows nest (a 2-D
/// pooling window is two loops, the inner one unrolled first), so without
/// a bound on the whole, a reduction over several small dimensions (a 6-D
/// loss summed over everything) would unroll into one straight block of
/// tens of thousands of operations that LLVM's register allocator needs
/// minutes for. A 7x7 pooling window stays well below it.
constexpr int64_t kMaxUnrolledOps = 1024;

/// Whether `loop` is a small window to unroll: a constant trip count of
/// at most kMaxUnrolledWindow, no loop inside, and at most kMaxUnrolledOps
/// operations once unrolled.
bool isSmallWindow(scf::ForOp loop) {
  std::optional<APInt> trips = loop.getStaticTripCount();
  if (!trips || trips->getSExtValue() > kMaxUnrolledWindow)
    return false;
  int64_t ops = 0;
  bool nested = loop.getBody()
                    ->walk([&](Operation *op) {
                      ++ops;
                      return isa<LoopLikeOpInterface>(op)
                                 ? WalkResult::interrupt()
                                 : WalkResult::advance();
                    })
                    .wasInterrupted();
  return !nested && trips->getSExtValue() * ops <= kMaxUnrolledOps;
}

/// Whether the memref indices `indices` are exactly `loop`'s induction
/// variables (each once, in any order), each running over the whole of
/// its dimension of `buffer` (from 0 by 1 to the static size), and the
/// constant 0 in dimensions of size 1 (a keepdims reduction's [rows, 1]):
/// the loop then visits every element of the buffer once.
bool coversOnce(scf::ParallelOp loop, Value buffer, ValueRange indices) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type || !type.hasStaticShape() ||
      int64_t(indices.size()) != type.getRank())
    return false;
  llvm::SmallDenseSet<unsigned> seen;
  for (auto [dim, index] : llvm::enumerate(indices)) {
    if (type.getDimSize(dim) == 1 && isConstantIntValue(index, 0))
      continue;
    auto iv = dyn_cast<BlockArgument>(index);
    if (!iv || iv.getOwner() != loop.getBody())
      return false;
    unsigned i = iv.getArgNumber();
    if (!seen.insert(i).second)
      return false;
    std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound()[i]);
    std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound()[i]);
    std::optional<int64_t> step = getConstantIntValue(loop.getStep()[i]);
    if (lb != 0 || step != 1 || ub != type.getDimSize(dim))
      return false;
  }
  return seen.size() == loop.getNumLoops();
}

/// A loop nest that only stores one value, defined outside it, into every
/// element of `buffer` (a lowered linalg.fill); that value, or null.
Value fillValue(scf::ParallelOp loop, Value buffer) {
  Block *body = loop.getBody();
  if (!llvm::hasSingleElement(body->without_terminator()))
    return {};
  auto store = dyn_cast<memref::StoreOp>(body->front());
  if (!store || store.getMemRef() != buffer ||
      !loop.isDefinedOutsideOfLoop(store.getValueToStore()) ||
      !coversOnce(loop, buffer, store.getIndices()))
    return {};
  return store.getValueToStore();
}

/// Folds a fill into the reduction that follows it. After promotion, a
/// reduction nest reads each output element once, into its accumulator,
/// right in the body of its outer parallel loop. When that loop visits
/// every element once and the loop just before it (effect-free ops
/// between) fills the buffer with a value, the read is that value and the
/// fill goes: the output is written once instead of twice.
void foldInitialFill(scf::ParallelOp loop, IRRewriter &rewriter) {
  Block *body = loop.getBody();
  for (auto load : llvm::make_early_inc_range(body->getOps<memref::LoadOp>())) {
    Value buffer = load.getMemRef();
    if (!coversOnce(loop, buffer, load.getIndices()))
      continue;
    // One store back to the same element, and no other access inside.
    unsigned stores = 0;
    bool otherUse = false;
    for (Operation *user : buffer.getUsers()) {
      if (user == load.getOperation() || !loop->isAncestor(user))
        continue;
      auto store = dyn_cast<memref::StoreOp>(user);
      if (store && store->getBlock() == body &&
          store.getIndices() == load.getIndices() &&
          load->isBeforeInBlock(store))
        ++stores;
      else
        otherUse = true;
    }
    if (otherUse || stores != 1)
      continue;
    Operation *prev = loop->getPrevNode();
    while (prev && isMemoryEffectFree(prev) && !isa<scf::ParallelOp>(prev))
      prev = prev->getPrevNode();
    auto fill = dyn_cast_or_null<scf::ParallelOp>(prev);
    Value value = fill ? fillValue(fill, buffer) : Value();
    if (!value)
      continue;
    rewriter.replaceAllUsesWith(load.getResult(), value);
    rewriter.eraseOp(load);
    rewriter.eraseOp(fill);
  }
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
      if (scf::ForOp promoted = promote(loop, rewriter)) {
        if (isSmallWindow(promoted))
          (void)loopUnrollFull(promoted);
        else if (!cpu::vectorizeMinMaxReduction(promoted, rewriter))
          (void)cpu::vectorizeArgReduction(promoted, rewriter);
      }
    SmallVector<scf::ParallelOp> nests;
    getOperation().walk([&](scf::ParallelOp loop) { nests.push_back(loop); });
    for (scf::ParallelOp loop : nests)
      foldInitialFill(loop, rewriter);
  }
};

} // namespace
} // namespace kiln
