//===- UnshareInits.cpp - one init tensor per destination-passing op ------===//
//
// CSE merges equal tensor.empty ops, zero fills and bias broadcasts, so
// many kernels start from one shared init tensor. One-shot-bufferize then
// gives each kernel a copy of the shared buffer (a memref.copy per kernel,
// the source kept alive across all of them) or writes one kernel after
// another into the same buffer, which stretches that buffer's lifetime
// over values that have nothing in common. Recomputing such an init right
// before each kernel costs no more than the copy (a fill or a broadcast of
// something smaller writes the buffer once, as the copy does, and reads
// less), and leaves every buffer holding one value: the memory plan then
// decides which buffers share memory, from exact lifetimes.
//
// A loop's iteration arguments are inits too. Two of one scf.for started
// from the same tensor.empty can get one buffer from one-shot-bufferize
// (LLVM 22) when neither reads the initial contents, although the body
// writes one while it still reads the other: a wrong result, not a copy
// (test/lit/backends/cpu/unshare-inits.mlir, @loop_inits).
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/LoopLikeInterface.h"

namespace kiln {
#define GEN_PASS_DEF_UNSHAREINITS
#include "backends/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// An op that makes a tensor from nothing larger than it, so that
/// recomputing it costs at most what copying its result would: an empty
/// tensor, or an all-parallel linalg op (fill, broadcast) that writes such
/// an init without reading it and reads only smaller tensors.
bool isRecomputableInit(Operation *op) {
  if (isa<tensor::EmptyOp>(op))
    return true;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      !linalgOp.isAllParallelLoops() || op->getNumResults() != 1 ||
      linalgOp.getNumDpsInits() != 1)
    return false;
  OpOperand *init = linalgOp.getDpsInitOperand(0);
  Operation *initDef = init->get().getDefiningOp();
  if (linalgOp.payloadUsesValueFromOperand(init) || !initDef ||
      !isRecomputableInit(initDef))
    return false;
  auto result = cast<RankedTensorType>(op->getResult(0).getType());
  for (OpOperand *in : linalgOp.getDpsInputOperands()) {
    auto t = dyn_cast<RankedTensorType>(in->get().getType());
    if (t && (!t.hasStaticShape() || !result.hasStaticShape() ||
              t.getNumElements() >= result.getNumElements()))
      return false;
  }
  return true;
}

/// `use` gives an op the tensor it writes into: a destination-passing
/// op's init, or a loop's initial iteration argument.
bool isInit(OpOperand &use) {
  Operation *owner = use.getOwner();
  if (auto dps = dyn_cast<DestinationStyleOpInterface>(owner))
    return dps.isDpsInit(&use);
  if (auto loop = dyn_cast<LoopLikeOpInterface>(owner))
    return llvm::any_of(loop.getInitsMutable(),
                        [&](OpOperand &init) { return &init == &use; });
  return false;
}

/// A copy of `op` (and of the init chain under it) at `b`, located at
/// `loc`: the op it is made for, whose node then names its buffer.
Value cloneInit(OpBuilder &b, Operation *op, Location loc) {
  IRMapping map;
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    Value init = linalgOp.getDpsInitOperand(0)->get();
    map.map(init, cloneInit(b, init.getDefiningOp(), loc));
  }
  Operation *copy = b.clone(*op, map);
  copy->setLoc(loc);
  return copy->getResult(0);
}

/// Erases `op` and the init chain under it, as far as nothing else uses it.
void eraseDead(Operation *op) {
  while (op && op->use_empty()) {
    Operation *below = nullptr;
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
      below = linalgOp.getDpsInitOperand(0)->get().getDefiningOp();
    op->erase();
    op = below;
  }
}

struct UnshareInitsPass : impl::UnshareInitsBase<UnshareInitsPass> {
  void runOnOperation() override {
    // Program order: an op's init chain is seen (and possibly erased)
    // before the op itself, never after.
    SmallVector<Operation *> candidates;
    getOperation().walk([&](Operation *op) {
      if (op->getNumResults() == 1 && !op->getResult(0).hasOneUse() &&
          !op->getResult(0).use_empty() && isRecomputableInit(op))
        candidates.push_back(op);
    });
    OpBuilder b(&getContext());
    for (Operation *op : candidates) {
      // Only kernels in the same block: a copy inside a loop would run
      // (and allocate) on every iteration.
      SmallVector<OpOperand *> initUses;
      for (OpOperand &use : op->getResult(0).getUses())
        if (isInit(use) && use.getOwner()->getBlock() == op->getBlock())
          initUses.push_back(&use);
      if (initUses.empty())
        continue;
      // The copies for one op come in its operands' order (a use list's
      // order is an accident of construction).
      llvm::stable_sort(initUses, [](OpOperand *x, OpOperand *y) {
        return x->getOperandNumber() < y->getOperandNumber();
      });
      for (OpOperand *use : initUses) {
        b.setInsertionPoint(use->getOwner());
        use->set(cloneInit(b, op, use->getOwner()->getLoc()));
      }
      eraseDead(op);
    }
  }
};

} // namespace
} // namespace kiln
