//===- HostFallback.cpp - run a group of memory accesses on the host ------===//
//
// See HostFallback.h. The copies are decided per buffer from what the group
// does with it and what the rest of the block does before and after:
//
//  * in (device -> host) when the group reads the buffer, or writes it and
//    it is not a fresh allocation that nothing touched yet (a partial write
//    must keep the other elements);
//  * out (host -> device) when the group writes the buffer and something
//    after the group may read it (a kernel, a library call, a return, the
//    next iteration of an enclosing loop).
//
//===----------------------------------------------------------------------===//
#include "backends/cuda/HostFallback.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/MapVector.h"

using namespace mlir;

namespace kiln::cuda {
namespace {

/// The buffer a view is a view of (the value itself if it is no view).
Value rootOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

struct Access {
  bool read = false, written = false;
};

/// `view` (a view of `from`) as the same view of `to`, a buffer of the same
/// layout: sizes and strides kept, the offset moved by to's minus from's.
/// Only descriptors are read, so this works for any chain of views (a
/// memref.reshape included, which would read its shape operand again).
Value rebase(OpBuilder &b, Location loc, Value view, Value from, Value to) {
  auto type = cast<MemRefType>(view.getType());
  auto viewMeta = memref::ExtractStridedMetadataOp::create(b, loc, view);
  auto fromMeta = memref::ExtractStridedMetadataOp::create(b, loc, from);
  auto toMeta = memref::ExtractStridedMetadataOp::create(b, loc, to);
  auto [strides, offset] = type.getStridesAndOffset();
  auto pick = [&](int64_t fixed, Value dynamic) -> OpFoldResult {
    if (ShapedType::isDynamic(fixed))
      return dynamic;
    return b.getIndexAttr(fixed);
  };
  Value moved = b.createOrFold<arith::AddIOp>(
      loc,
      b.createOrFold<arith::SubIOp>(loc, viewMeta.getOffset(),
                                    fromMeta.getOffset()),
      toMeta.getOffset());
  SmallVector<OpFoldResult> sizeFolds, strideFolds;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    sizeFolds.push_back(pick(type.getDimSize(i), viewMeta.getSizes()[i]));
    strideFolds.push_back(pick(strides[i], viewMeta.getStrides()[i]));
  }
  return memref::ReinterpretCastOp::create(b, loc, type, to,
                                           pick(offset, moved), sizeFolds,
                                           strideFolds);
}

class HostGroup {
public:
  HostGroup(ArrayRef<Operation *> group) : group_(group) {
    members_.insert(group.begin(), group.end());
  }

  LogicalResult run(Operation *before) {
    for (Operation *op : group_)
      op->moveBefore(before);
    Block *block = before->getBlock();

    // The buffers defined outside the group that it uses, by their root.
    llvm::MapVector<Value, SmallVector<Value>> usesByRoot;
    for (Operation *op : group_)
      op->walk([&](Operation *nested) {
        for (Value v : nested->getOperands())
          if (isa<MemRefType>(v.getType()) && !definedInGroup(v)) {
            Value root = rootOf(v);
            // Globals are host memory: read in place.
            if (root.getDefiningOp<memref::GetGlobalOp>())
              continue;
            auto &list = usesByRoot[root];
            if (!llvm::is_contained(list, v))
              list.push_back(v);
          }
      });
    if (usesByRoot.empty())
      return success();
    bool unknown = false;
    llvm::DenseMap<Value, Access> access = accesses(unknown);

    Operation *first = group_.front();
    SmallVector<std::pair<Value, Value>> copies; // device root, host copy
    for (auto &[root, views] : usesByRoot) {
      auto type = cast<MemRefType>(root.getType());
      if (!type.getLayout().isIdentity())
        return first->emitError(
                   "the CUDA target cannot run this on the host: a buffer it "
                   "uses has a strided layout (")
               << type << ") and cannot be copied from the device";
      // Views the group only passes on (their buffer untouched) stay views
      // of the device buffer.
      if (!unknown && !access.count(root))
        continue;
      Access a = unknown ? Access{true, true} : access.lookup(root);
      Location loc = first->getLoc();
      OpBuilder b(first);
      SmallVector<Value> dynamic;
      for (int64_t i = 0; i < type.getRank(); ++i)
        if (type.isDynamicDim(i))
          dynamic.push_back(b.createOrFold<memref::DimOp>(loc, root, i));
      Value host = gpu::AllocOp::create(b, loc, type, /*asyncToken=*/Type(),
                                        ValueRange{}, dynamic, ValueRange{},
                                        /*hostShared=*/true)
                       .getMemref();
      if ((a.read || a.written) && !isFresh(root))
        gpu::MemcpyOp::create(b, loc, Type(), ValueRange{}, host, root);
      // The views of the buffer the group uses, made on the host copy.
      for (Value v : views) {
        Value onHost = v == root ? host : rebase(b, loc, v, root, host);
        v.replaceUsesWithIf(onHost, [&](OpOperand &use) {
          return inGroup(use.getOwner());
        });
      }
      copies.emplace_back(root, host);
    }
    OpBuilder b(before);
    viewsLeavingTheGroup(copies, b);
    for (auto [root, host] : copies) {
      Location loc = first->getLoc();
      if ((unknown || access.lookup(root).written) && usedLater(root, block))
        gpu::MemcpyOp::create(b, loc, Type(), ValueRange{}, root, host);
      gpu::DeallocOp::create(b, loc, Type(), ValueRange{}, host);
    }
    return success();
  }

  /// A view the group makes (memref.reshape reads its shape from memory,
  /// so it can be in a group) and ops after it use must view the device
  /// buffer, not its host copy: the same view of the device buffer
  /// replaces it there.
  void viewsLeavingTheGroup(ArrayRef<std::pair<Value, Value>> copies,
                            OpBuilder &b) {
    for (Operation *op : group_)
      for (Value r : op->getResults()) {
        if (!isa<MemRefType>(r.getType()) ||
            llvm::all_of(r.getUsers(), [&](Operation *u) { return inGroup(u); }))
          continue;
        Value host = rootOf(r);
        auto it = llvm::find_if(copies, [&](auto c) { return c.second == host; });
        if (it == copies.end())
          continue; // not a view of a host copy
        SmallVector<OpOperand *> outside;
        for (OpOperand &use : r.getUses())
          if (!inGroup(use.getOwner()))
            outside.push_back(&use);
        Value device = rebase(b, op->getLoc(), r, host, it->first);
        for (OpOperand *use : outside)
          use->set(device);
      }
  }

private:
  /// True if `op` is one of the group's ops or nested in one.
  bool inGroup(Operation *op) const {
    for (; op; op = op->getParentOp())
      if (members_.contains(op))
        return true;
    return false;
  }

  bool definedInGroup(Value v) const {
    if (auto arg = dyn_cast<BlockArgument>(v))
      return inGroup(arg.getOwner()->getParentOp());
    return inGroup(v.getDefiningOp());
  }

  /// What the group does with each root buffer. An access the interfaces
  /// cannot attribute to a buffer counts as reading and writing all.
  llvm::DenseMap<Value, Access> accesses(bool &unknown) const {
    llvm::DenseMap<Value, Access> result;
    for (Operation *op : group_)
      op->walk([&](Operation *nested) {
        // An assertion stops the run; it writes no buffer.
        if (nested->hasTrait<OpTrait::HasRecursiveMemoryEffects>() ||
            isa<cf::AssertOp>(nested))
          return;
        auto iface = dyn_cast<MemoryEffectOpInterface>(nested);
        if (!iface) {
          if (!isMemoryEffectFree(nested))
            unknown = true;
          return;
        }
        SmallVector<MemoryEffects::EffectInstance> effects;
        iface.getEffects(effects);
        for (auto &e : effects) {
          bool read = isa<MemoryEffects::Read>(e.getEffect());
          bool write = isa<MemoryEffects::Write>(e.getEffect());
          if (!read && !write)
            continue;
          Value v = e.getValue();
          if (!v) {
            unknown = true;
            continue;
          }
          Access &a = result[rootOf(v)];
          a.read |= read;
          a.written |= write;
        }
      });
    return result;
  }

  /// Calls `f(user, top)` for every user of `root` or of its views, where
  /// `top` is the user's ancestor in `block` (null if it has none). Stops
  /// and returns true when `f` does.
  template <typename F>
  static bool anyUser(Value root, Block *block, F f) {
    SmallVector<Value> worklist{root};
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      for (Operation *user : v.getUsers()) {
        if (auto view = dyn_cast<ViewLikeOpInterface>(user);
            view && view.getViewSource() == v) {
          for (Value result : user->getResults())
            if (isa<MemRefType>(result.getType()))
              worklist.push_back(result);
          continue;
        }
        if (f(user, block->findAncestorOpInBlock(*user)))
          return true;
      }
    }
    return false;
  }

  /// A buffer allocated in this block that nothing before the group may
  /// have written: its contents are undefined, there is nothing to copy in.
  bool isFresh(Value root) const {
    Operation *first = group_.front();
    auto alloc = root.getDefiningOp<memref::AllocOp>();
    if (!alloc || alloc->getBlock() != first->getBlock())
      return false;
    return !anyUser(root, first->getBlock(), [&](Operation *user,
                                                 Operation *top) {
      if (inGroup(user))
        return false;
      if (!top)
        return true;
      return top->isBeforeInBlock(first) && !isMemoryEffectFree(user);
    });
  }

  /// Whether an op after the group may read the buffer (a block argument
  /// or a buffer of an enclosing block may be read by anything).
  bool usedLater(Value root, Block *block) const {
    Operation *def = root.getDefiningOp();
    if (!def || def->getBlock() != block)
      return true;
    Operation *first = group_.front();
    return anyUser(root, block, [&](Operation *user, Operation *top) {
      if (inGroup(user))
        return false;
      if (!top)
        return true;
      if (top->isBeforeInBlock(first))
        return false;
      // Descriptor queries do not read the contents.
      return !isa<memref::DeallocOp, memref::DimOp,
                  memref::ExtractAlignedPointerAsIndexOp,
                  memref::ExtractStridedMetadataOp>(user);
    });
  }

  ArrayRef<Operation *> group_;
  llvm::SmallPtrSet<Operation *, 16> members_;
};

} // namespace

LogicalResult runGroupOnHost(ArrayRef<Operation *> group, Operation *before,
                             llvm::SmallPtrSetImpl<Operation *> &hostOps) {
  if (failed(HostGroup(group).run(before)))
    return failure();
  hostOps.insert(group.begin(), group.end());
  return success();
}

} // namespace kiln::cuda
