//===- Fuse.cpp - group ops into kiln.fused kernels -----------------------===//
//
// Greedy producer-consumer fusion in program order. Every compute op
// starts a kernel; an elementwise op (or a view: reshape, squeeze...)
// joins the kernel of the op producing one of its operands when
//
//  - that operand has no other user (the producer's result is then never
//    written out just for this op, and nothing is computed twice),
//  - the op does not broadcast that operand to a larger shape (which would
//    recompute the producer per broadcast copy), and
//  - no value of the kernel is used, outside it, before this op (so the
//    kernel can be placed where its last op is).
//
// A transpose joins the same way: its producer writes in the permuted
// order (layout conversions at region borders cost no kernel of their own).
//
// Afterwards, an elementwise kernel that widens its data and has one
// outside user, an elementwise op of a later kernel, moves into that
// kernel (sinkWideningKernels).
//
// So Conv/MatMul/Gemm take their epilogue (bias, activation, residual
// add, scaling), reductions and normalisations take the elementwise ops
// that follow, and chains of elementwise ops become one loop. Each kernel
// then becomes a kiln.fused op: external values are its inputs (constants
// of at most 64 elements are copied in), values used outside are its
// results.
//
//===----------------------------------------------------------------------===//
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/OpClasses.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

namespace kiln {
#define GEN_PASS_DEF_FUSE
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

constexpr int64_t kCopiedConstantElements = 64;

struct Kernel {
  SmallVector<Operation *> ops; // Program order.
  Operation *anchor = nullptr;
};

bool isSmallConstant(Value v) {
  auto c = v.getDefiningOp<ConstantOp>();
  auto t = c ? dyn_cast<RankedTensorType>(c.getType()) : RankedTensorType();
  return t && t.hasStaticShape() && t.getNumElements() <= kCopiedConstantElements;
}

/// The op that names a kernel in reports: its most expensive op.
Operation *pickAnchor(ArrayRef<Operation *> ops) {
  Operation *best = ops.front();
  int64_t bestFlops = -1;
  for (Operation *op : ops) {
    int64_t f = isView(op) ? -1 : estimateFlops(op);
    if (!isElementwise(op) && !isView(op))
      f += int64_t(1) << 40; // A non-elementwise op names its kernel.
    if (f > bestFlops)
      best = op, bestFlops = f;
  }
  return best;
}

class Fuser {
public:
  explicit Fuser(func::FuncOp func) : func_(func) {}

  void run() {
    Block &body = func_.getBody().front();
    for (Operation &op : body) {
      position_[&op] = position_.size();
      if (!isa<KilnDialect>(op.getDialect()) || isa<ConstantOp, FusedOp>(op) ||
          op.getNumRegions() != 0)
        continue;
      if ((isElementwise(&op) || isView(&op) || isa<TransposeOp>(op)) && tryJoin(&op))
        continue;
      // A view that joins nothing stays outside kernels (it is free).
      if (isView(&op))
        continue;
      kernelOf_[&op] = kernels_.size();
      kernels_.push_back({{&op}, nullptr});
    }
    sinkWideningKernels();
    int64_t id = 0;
    for (Kernel &k : kernels_)
      if (!k.ops.empty())
        outline(k, id++);
  }

private:
  /// Joins `op` to the kernel of one of its operands' producers.
  bool tryJoin(Operation *op) {
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    for (Value operand : op->getOperands()) {
      Operation *producer = operand.getDefiningOp();
      auto it = producer ? kernelOf_.find(producer) : kernelOf_.end();
      if (it == kernelOf_.end() || !operand.hasOneUse())
        continue;
      // Broadcasting the operand to a larger shape would recompute it.
      auto operandType = cast<RankedTensorType>(operand.getType());
      if (isElementwise(op) && operandType.getShape() != resultType.getShape())
        continue;
      Kernel &k = kernels_[it->second];
      if (!usedOutsideOnlyAfter(k, op))
        continue;
      k.ops.push_back(op);
      kernelOf_[op] = it->second;
      return true;
    }
    return false;
  }

  /// Moves each kernel of elementwise ops that widens its data (a
  /// DequantizeLinear: 8-bit in, f32 out) and whose one result has one
  /// user, an elementwise op of a later kernel reading it at its own shape,
  /// into that kernel, just before the user. The consumer then reads the
  /// narrow inputs, and the wide result is never written (a QDQ ResNet's
  /// residual: each block's u8 output was dequantized into an f32 buffer
  /// for the next block's add). Nothing is computed twice: the result had
  /// no other user.
  void sinkWideningKernels() {
    for (size_t i = 0; i < kernels_.size(); ++i) {
      Kernel &k = kernels_[i];
      if (!llvm::all_of(k.ops, [](Operation *op) { return isElementwise(op); }))
        continue;
      llvm::SmallPtrSet<Operation *, 8> members(k.ops.begin(), k.ops.end());
      OpOperand *use = nullptr;
      bool single = true;
      for (Operation *op : k.ops)
        for (Value r : op->getResults())
          for (OpOperand &u : r.getUses())
            if (!members.contains(u.getOwner())) {
              single = single && !use;
              use = &u;
            }
      if (!single || !use)
        continue;
      Operation *user = use->getOwner();
      auto consumer = kernelOf_.find(user);
      if (consumer == kernelOf_.end() || consumer->second == i ||
          !isElementwise(user) ||
          cast<RankedTensorType>(use->get().getType()).getShape() !=
              cast<RankedTensorType>(user->getResult(0).getType()).getShape())
        continue;
      // Only where it reads less than it writes.
      int64_t in = 0;
      bool sized = true;
      llvm::SmallPtrSet<Value, 4> counted;
      for (Operation *op : k.ops)
        for (Value v : op->getOperands()) {
          Operation *def = v.getDefiningOp();
          if ((def && members.contains(def)) || isSmallConstant(v) ||
              !counted.insert(v).second)
            continue;
          int64_t bytes = tensorBytes(v);
          sized = sized && bytes > 0;
          in += bytes;
        }
      if (!sized || in <= 0 || in >= tensorBytes(use->get()))
        continue;
      Kernel &c = kernels_[consumer->second];
      auto at = llvm::find(c.ops, user);
      c.ops.insert(at, k.ops.begin(), k.ops.end());
      for (Operation *op : k.ops)
        kernelOf_[op] = consumer->second;
      k.ops.clear();
    }
  }

  /// Bytes of a static tensor (0 for a dynamic one: never the narrower).
  static int64_t tensorBytes(Value v) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || !t.hasStaticShape() || !t.getElementType().isIntOrFloat())
      return 0;
    return t.getNumElements() * elementStorageBytes(t.getElementType());
  }

  /// True if every use of the kernel's values outside it comes after `op`.
  bool usedOutsideOnlyAfter(const Kernel &k, Operation *op) {
    size_t at = position_[op];
    for (Operation *member : k.ops)
      for (Operation *user : member->getUsers())
        if (user != op && !llvm::is_contained(k.ops, user) && position_[user] < at)
          return false;
    return true;
  }

  void outline(Kernel &k, int64_t id) {
    Operation *last = k.ops.back();
    llvm::SmallPtrSet<Operation *, 16> members(k.ops.begin(), k.ops.end());
    // Inputs: values from outside, in first-use order; small constants are
    // copied into the kernel instead.
    llvm::SetVector<Value> inputs;
    SmallVector<Operation *> copied;
    for (Operation *op : k.ops)
      for (Value v : op->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (def && members.contains(def))
          continue;
        if (isSmallConstant(v)) {
          if (!llvm::is_contained(copied, def))
            copied.push_back(def);
          continue;
        }
        inputs.insert(v);
      }
    // Results: values used outside the kernel.
    SmallVector<Value> results;
    for (Operation *op : k.ops)
      for (Value r : op->getResults())
        if (llvm::any_of(r.getUsers(), [&](Operation *u) { return !members.contains(u); }))
          results.push_back(r);

    OpBuilder b(last->getContext());
    b.setInsertionPointAfter(last);
    SmallVector<Type> resultTypes;
    for (Value r : results)
      resultTypes.push_back(r.getType());
    Operation *anchor = pickAnchor(k.ops);
    auto fused = FusedOp::create(b, last->getLoc(), resultTypes, inputs.getArrayRef(),
                                 b.getI64IntegerAttr(id),
                                 b.getStringAttr(anchor->getName().stripDialect()));
    Block *block = b.createBlock(&fused.getBody());
    IRMapping map;
    for (Value in : inputs)
      map.map(in, block->addArgument(in.getType(), in.getLoc()));
    b.setInsertionPointToStart(block);
    for (Operation *c : copied)
      b.clone(*c, map);
    for (Operation *op : k.ops)
      b.clone(*op, map);
    SmallVector<Value> yielded;
    for (Value r : results)
      yielded.push_back(map.lookup(r));
    YieldOp::create(b, last->getLoc(), yielded);
    for (auto [r, f] : llvm::zip(results, fused.getResults()))
      r.replaceUsesWithIf(f, [&](OpOperand &use) {
        return !members.contains(use.getOwner()) && use.getOwner() != fused;
      });
    for (Operation *op : llvm::reverse(k.ops))
      op->erase();
    // A copied constant that nothing outside uses any more goes.
    for (Operation *c : copied)
      if (c->use_empty())
        c->erase();
  }

  func::FuncOp func_;
  std::vector<Kernel> kernels_;
  llvm::DenseMap<Operation *, size_t> kernelOf_;
  llvm::DenseMap<Operation *, size_t> position_;
};

struct FusePass : impl::FuseBase<FusePass> {
  void runOnOperation() override {
    getOperation().walk([](func::FuncOp f) {
      if (!f.isExternal() && f.getBody().hasOneBlock())
        Fuser(f).run();
    });
  }
};

} // namespace
} // namespace kiln
