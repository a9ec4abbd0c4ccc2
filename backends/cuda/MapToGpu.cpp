//===- MapToGpu.cpp - put every memory access of the host code in a kernel -===//
//
// Input: bufferized functions whose linalg ops are already loops
// (convert-linalg-to-parallel-loops). Output: the same functions where the
// host code only computes sizes, allocates and frees buffers, calls library
// ops and launches kernels (gpu.launch); every load and store runs on the
// device. Buffers are device memory from here on: the host never touches
// their contents.
//
//  * memref.copy becomes a parallel copy loop.
//  * A top-level scf.parallel becomes one launch: its iteration space is
//    linearised, one thread per iteration, blocks of `block-size` threads,
//    the innermost loop dimension varying fastest between neighbouring
//    threads so that loads and stores coalesce. Nested loops (reductions)
//    run sequentially in each thread. A launch with a static size too
//    small to give each of the GPU's `multiprocessors` a full block gets
//    smaller blocks (a multiple of 32, one warp at least): 1024 rows of a
//    LayerNorm in blocks of 256 would run on 4 of an H100's 132
//    multiprocessors, in blocks of 32 they run on 32.
//  * Other memory accesses at the top level (scalar stores, full reductions
//    lowered to scf.for) are grouped, in order, into single-thread launches.
//  * Host control flow that launches work (scf.for over time steps) stays on
//    the host and is processed recursively.
//  * cf.assert inside kernels sets the device flag kiln_cuda_check_flag to
//    the check's number + 1 (messages in the module attribute
//    kiln_cuda.checks), which the runtime reads after the run: a device
//    cannot unwind to the host's trap handler.
//  * memref.get_global used inside a kernel is cloned into it (outlining then
//    copies the global into the device module); a global returned from the
//    entry is copied into a fresh buffer first, so every output is device
//    memory.
//
// A value that a kernel computes and the host needs (a data-dependent size,
// a loop condition) cannot be read back: the pass reports the node that
// needs it. With `allow-cpu-fallback`, such sequential work runs on the host
// instead, on host copies of the buffers it touches (HostFallback.h); host
// control flow that allocates buffers stays on the host with its kernels.
//
//===----------------------------------------------------------------------===//
#include "backends/cuda/Passes.h"
#include "backends/cuda/HostFallback.h"
#include "backends/library/IR/KilnLibDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/SetVector.h"

#include <algorithm>

namespace kiln {
#define GEN_PASS_DEF_MAPTOGPU
#include "backends/cuda/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln::cuda {
namespace {

/// True if `op` reads or writes memory itself (allocation and freeing are
/// host work: they only move pointers).
bool accessesMemory(Operation *op) {
  // Library calls are issued by the host (they launch their own kernels).
  if (isa<lib::Conv2dOp, lib::MatmulOp>(op))
    return false;
  if (isa<linalg::LinalgOp, memref::CopyOp>(op))
    return true;
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return false;
  return effects.hasEffect<MemoryEffects::Read>() ||
         effects.hasEffect<MemoryEffects::Write>();
}

/// True if `op` or an op nested in it accesses memory.
bool accessesMemoryWithin(Operation *op) {
  return op->walk<WalkOrder::PreOrder>([](Operation *nested) {
           if (isa<gpu::LaunchOp>(nested))
             return WalkResult::skip();
           return accessesMemory(nested) ? WalkResult::interrupt()
                                         : WalkResult::advance();
         }).wasInterrupted();
}

/// True if the memory accesses nested in `op` are all inside scf.parallel
/// loops (or library ops) that get their own launches, so that `op` itself
/// can stay on the host.
bool onlyLaunchesWithin(Operation *op) {
  bool direct = false;
  op->walk<WalkOrder::PreOrder>([&](Operation *nested) {
    if (nested == op)
      return WalkResult::advance();
    if (isa<scf::ParallelOp>(nested) && nested->getNumResults() == 0)
      return WalkResult::skip();
    if (isa<gpu::LaunchOp>(nested))
      return WalkResult::skip();
    if (accessesMemory(nested)) {
      direct = true;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return !direct;
}

/// True if `op` allocates or frees buffers in its regions: host work that
/// no kernel can do.
bool allocatesWithin(Operation *op) {
  return op->walk([](Operation *nested) {
           return isa<memref::AllocOp, memref::DeallocOp>(nested)
                      ? WalkResult::interrupt()
                      : WalkResult::advance();
         }).wasInterrupted();
}

/// The helper through which convert-bufferization-to-memref frees buffers
/// that may alias: private, named dealloc_helper (uniqued), its arguments
/// arrays of pointers (index) and flags (i1). It works on host scratch
/// memory only, so it is not mapped to the device.
bool isDeallocHelper(func::FuncOp func) {
  if (!func.isPrivate() || func.isExternal() ||
      !func.getSymName().starts_with("dealloc_helper"))
    return false;
  return llvm::all_of(func.getArgumentTypes(), [](Type t) {
    auto m = dyn_cast<MemRefType>(t);
    return m && m.getRank() == 1 &&
           (m.getElementType().isIndex() || m.getElementType().isInteger(1));
  });
}

/// A C identifier from a node's name, for kernel names.
std::string kernelNameFor(Operation *op, unsigned index) {
  std::string node;
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location l : fused.getLocations())
      if (isa<NameLoc>(l)) {
        loc = l;
        break;
      }
  if (auto name = dyn_cast<NameLoc>(loc))
    node = name.getName().str();
  std::string clean;
  for (char c : node) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9');
    if (ok)
      clean += c;
    else if (!clean.empty() && clean.back() != '_')
      clean += '_';
  }
  while (!clean.empty() && clean.back() == '_')
    clean.pop_back();
  if (clean.size() > 40)
    clean.resize(40);
  return "k" + std::to_string(index) + (clean.empty() ? "" : "_" + clean);
}

class Mapper {
public:
  Mapper(ModuleOp module, int64_t blockSize, int64_t multiprocessors,
         bool fallback)
      : module_(module), blockSize_(blockSize),
        multiprocessors_(multiprocessors), fallback_(fallback) {}

  LogicalResult run(func::FuncOp func) {
    keepBookkeepingOnHost(func);
    staticReshapesToViews(func);
    copyGlobalsLeavingKernels(func);
    expandCopies(func);
    if (failed(processBlock(func.getBody().front())))
      return failure();
    eraseDeadLaunches(func);
    return verifyHost(func);
  }

  /// Host bookkeeping in small buffers stays on the host, in stack arrays
  /// at the function's entry (the ops on them join hostOps_):
  ///  * ownership-based deallocation (convert-bufferization-to-memref)
  ///    frees buffers that may alias (a broadcast operand copied or not,
  ///    decided at run time) through a helper that compares their pointers
  ///    in scratch arrays of pointers and flags (the helper, see
  ///    isDeallocHelper, is not mapped);
  ///  * a memref.reshape to sizes known at run time reads them from a
  ///    small array (a 1-D MatMul's unit dimension).
  /// Only arrays whose stores the host can compute (isHostScratch).
  void keepBookkeepingOnHost(func::FuncOp func) {
    llvm::SetVector<memref::AllocOp> scratch;
    auto scratchOf = [&](Value v) {
      while (auto cast = v.getDefiningOp<memref::CastOp>())
        v = cast.getSource();
      auto alloc = v.getDefiningOp<memref::AllocOp>();
      return alloc && isHostScratch(alloc) ? alloc : memref::AllocOp();
    };
    func.walk([&](Operation *op) {
      if (auto reshape = dyn_cast<memref::ReshapeOp>(op)) {
        if (memref::AllocOp alloc = scratchOf(reshape.getShape()))
          scratch.insert(alloc);
        return;
      }
      auto call = dyn_cast<func::CallOp>(op);
      auto callee = call ? module_.lookupSymbol<func::FuncOp>(call.getCallee())
                         : func::FuncOp();
      if (!callee || !isDeallocHelper(callee) ||
          !llvm::all_of(call.getOperands(),
                        [&](Value v) { return bool(scratchOf(v)); }))
        return;
      for (Value v : call.getOperands())
        scratch.insert(scratchOf(v));
    });
    // Every user stays on the host: stores, loads, reshapes, casts and
    // (through them) the helper's call; the frees go with the heap array.
    std::function<void(Value)> keepUsers = [&](Value v) {
      for (Operation *user : llvm::make_early_inc_range(v.getUsers())) {
        if (isa<memref::DeallocOp>(user)) {
          user->erase();
          continue;
        }
        hostOps_.insert(user);
        if (auto cast = dyn_cast<memref::CastOp>(user))
          keepUsers(cast.getResult());
      }
    };
    OpBuilder b(func.getContext());
    for (memref::AllocOp alloc : scratch) {
      b.setInsertionPointToStart(&func.getBody().front());
      auto stack = memref::AllocaOp::create(b, alloc.getLoc(), alloc.getType());
      hostOps_.insert(stack);
      keepUsers(alloc.getResult());
      alloc.replaceAllUsesWith(stack.getResult());
      alloc.erase();
    }
  }

  /// Whether `alloc` is host scratch: a small static array of sizes,
  /// pointers or flags, written only by stores of values the host computes
  /// (isHostComputable), read by loads, reshapes (as their shape) and the
  /// deallocation helper (through casts).
  bool isHostScratch(memref::AllocOp alloc) {
    MemRefType type = alloc.getType();
    Type element = type.getElementType();
    if (!type.hasStaticShape() || type.getNumElements() > 64 ||
        !(element.isIndex() || element.isInteger(1)))
      return false;
    llvm::DenseMap<Value, bool> memo;
    std::function<bool(Value)> usedOnHost = [&](Value v) {
      return llvm::all_of(v.getUses(), [&](OpOperand &use) {
        Operation *user = use.getOwner();
        if (auto store = dyn_cast<memref::StoreOp>(user))
          return store.getMemRef() == v &&
                 isHostComputable(store.getValueToStore(), memo);
        if (auto reshape = dyn_cast<memref::ReshapeOp>(user))
          return reshape.getShape() == v;
        if (auto cast = dyn_cast<memref::CastOp>(user))
          return usedOnHost(cast.getResult());
        if (auto call = dyn_cast<func::CallOp>(user)) {
          auto callee = module_.lookupSymbol<func::FuncOp>(call.getCallee());
          return callee && isDeallocHelper(callee);
        }
        return isa<memref::LoadOp, memref::DeallocOp>(user);
      });
    };
    return usedOnHost(alloc.getResult());
  }

  /// Whether the host computes `v` without reading memory: constants,
  /// sizes and pointers of buffers, and pure arithmetic on them.
  static bool isHostComputable(Value v, llvm::DenseMap<Value, bool> &memo) {
    Operation *def = v.getDefiningOp();
    if (!def)
      return false; // a loop's induction variable, a function argument
    if (auto known = memo.find(v); known != memo.end())
      return known->second;
    bool host = isa<memref::DimOp>(def) ||
                (def->getNumRegions() == 0 && isMemoryEffectFree(def) &&
                 !def->getParentOfType<gpu::LaunchOp>() &&
                 llvm::all_of(def->getOperands(), [&](Value o) {
                   return isa<MemRefType>(o.getType()) ||
                          isHostComputable(o, memo);
                 }));
    memo[v] = host;
    return host;
  }

  /// Kernels that write nothing (their values were recomputed where they
  /// are used, see rematerialize) do not need to run.
  void eraseDeadLaunches(func::FuncOp func) {
    SmallVector<gpu::LaunchOp> dead;
    func.walk([&](gpu::LaunchOp launch) {
      bool writes = false;
      launch.getBody().walk([&](Operation *op) {
        auto effects = dyn_cast<MemoryEffectOpInterface>(op);
        if ((!effects && !isMemoryEffectFree(op) &&
             !op->hasTrait<OpTrait::HasRecursiveMemoryEffects>()) ||
            (effects && effects.hasEffect<MemoryEffects::Write>()))
          writes = true;
      });
      if (!writes)
        dead.push_back(launch);
    });
    for (gpu::LaunchOp launch : dead)
      launch.erase();
  }

  void finish() {
    if (!checks_.empty())
      module_->setAttr("kiln_cuda.checks",
                       ArrayAttr::get(module_.getContext(), checks_));
  }

private:
  /// memref.reshape reads its shape operand (a memory access, which would
  /// put the reshape in a kernel although its view is needed on the host).
  /// With a static result the shape is known: the view becomes a
  /// reinterpret_cast, which only computes a descriptor.
  void staticReshapesToViews(func::FuncOp func) {
    SmallVector<memref::ReshapeOp> reshapes;
    func.walk([&](memref::ReshapeOp op) { reshapes.push_back(op); });
    for (memref::ReshapeOp op : reshapes) {
      MemRefType type = op.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity())
        continue;
      SmallVector<int64_t> strides(type.getRank(), 1);
      for (int64_t d = type.getRank() - 1; d > 0; --d)
        strides[d - 1] = strides[d] * type.getDimSize(d);
      OpBuilder b(op);
      Value view = memref::ReinterpretCastOp::create(
          b, op.getLoc(), type, op.getSource(), /*offset=*/0,
          type.getShape(), strides);
      op.replaceAllUsesWith(view);
      op.erase();
    }
  }

  /// Buffers the host hands on (entry results, library call operands) must
  /// be device memory: those that are globals (host memory; kernels get
  /// their own device copy of a global) are copied into a fresh buffer.
  void copyGlobalsLeavingKernels(func::FuncOp func) {
    SmallVector<OpOperand *> uses;
    func.walk([&](Operation *op) {
      if (!isa<func::ReturnOp, lib::Conv2dOp, lib::MatmulOp>(op))
        return;
      for (OpOperand &operand : op->getOpOperands()) {
        Value v = operand.get();
        while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
          v = view.getViewSource();
        if (v.getDefiningOp<memref::GetGlobalOp>())
          uses.push_back(&operand);
      }
    });
    for (OpOperand *operand : uses) {
      Operation *user = operand->getOwner();
      OpBuilder b(user);
      Location loc = user->getLoc();
      Value v = operand->get();
      auto type = cast<MemRefType>(v.getType());
      SmallVector<Value> dynamic;
      for (int64_t i = 0; i < type.getRank(); ++i)
        if (type.isDynamicDim(i))
          dynamic.push_back(memref::DimOp::create(b, loc, v, i));
      Value copy = memref::AllocOp::create(
          b, loc, MemRefType::get(type.getShape(), type.getElementType()),
          dynamic);
      memref::CopyOp::create(b, loc, v, copy);
      Value replacement = copy;
      if (copy.getType() != type)
        replacement = memref::CastOp::create(b, loc, type, copy);
      operand->set(replacement);
      // A library op's copy dies after the call; a result's is the caller's.
      if (!isa<func::ReturnOp>(user)) {
        b.setInsertionPointAfter(user);
        memref::DeallocOp::create(b, loc, copy);
      }
    }
  }

  /// memref.copy -> a parallel loop of loads and stores (or one load and
  /// store for rank 0).
  void expandCopies(func::FuncOp func) {
    SmallVector<memref::CopyOp> copies;
    func.walk([&](memref::CopyOp op) {
      if (!op->getParentOfType<gpu::LaunchOp>())
        copies.push_back(op);
    });
    for (memref::CopyOp op : copies) {
      OpBuilder b(op);
      Location loc = op.getLoc();
      Value src = op.getSource(), dst = op.getTarget();
      auto type = cast<MemRefType>(src.getType());
      if (type.getRank() == 0) {
        Value v = memref::LoadOp::create(b, loc, src);
        memref::StoreOp::create(b, loc, v, dst);
        op.erase();
        continue;
      }
      SmallVector<Value> lbs, ubs, steps;
      Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
      Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
      for (int64_t i = 0; i < type.getRank(); ++i) {
        lbs.push_back(c0);
        steps.push_back(c1);
        ubs.push_back(b.createOrFold<memref::DimOp>(loc, src, i));
      }
      scf::ParallelOp::create(
          b, loc, lbs, ubs, steps,
          [&](OpBuilder &nb, Location nl, ValueRange ivs) {
            Value v = memref::LoadOp::create(nb, nl, src, ivs);
            memref::StoreOp::create(nb, nl, v, dst, ivs);
          });
      op.erase();
    }
  }

  /// True if `v` is out of the host's reach at `at`: computed in the body
  /// of a kernel launched earlier, or by host arithmetic on such values
  /// (left in place until a user recomputes it, see rematerialize).
  /// `memo` holds the answers for `at` so far: index arithmetic shares
  /// subexpressions (a size used by many others), which a plain recursion
  /// would visit once per path, exponentially many.
  using StaleMemo = llvm::DenseMap<Value, bool>;
  bool isStale(Value v, Operation *at, StaleMemo &memo) {
    Operation *def = v.getDefiningOp();
    if (!def || at->isAncestor(def))
      return false; // a block argument, or computed where it is used
    if (auto launch = def->getParentOfType<gpu::LaunchOp>())
      return !launch->isAncestor(at);
    if (def->getNumRegions() || !isMemoryEffectFree(def))
      return false;
    if (auto known = memo.find(v); known != memo.end())
      return known->second;
    bool stale = llvm::any_of(def->getOperands(), [&](Value o) {
      return isStale(o, at, memo);
    });
    memo[v] = stale;
    return stale;
  }

  /// The stale values that `op` or an op nested in it uses.
  SmallVector<Value> staleValues(Operation *op, StaleMemo &memo) {
    llvm::SetVector<Value> stale;
    op->walk([&](Operation *nested) {
      for (Value v : nested->getOperands())
        if (isStale(v, op, memo))
          stale.insert(v);
    });
    return stale.takeVector();
  }

  /// Whether `def`, a load or arithmetic whose value a kernel computed,
  /// can be computed again where it is used: a load of the model's
  /// arguments (inputs and weights, which no kernel writes) or of a global,
  /// or pure arithmetic (whose operands are then checked the same way).
  static bool recomputableDef(Operation *def) {
    if (auto load = dyn_cast<memref::LoadOp>(def)) {
      Value m = load.getMemRef();
      auto arg = dyn_cast<BlockArgument>(m);
      auto func = def->getParentOfType<func::FuncOp>();
      return (arg && arg.getOwner() == &func.getBody().front()) ||
             m.getDefiningOp<memref::GetGlobalOp>();
    }
    return def->getNumRegions() == 0 && isMemoryEffectFree(def);
  }

  /// Whether `v` (of the group `inGroup`, or of an earlier kernel) can be
  /// recomputed by the kernels that use it (see rematerialize).
  bool recomputable(Value v, const llvm::SmallPtrSetImpl<Operation *> &inGroup) {
    llvm::DenseMap<Value, bool> memo; // shared subexpressions: once each
    std::function<bool(Value)> check = [&](Value v) {
      Operation *def = v.getDefiningOp();
      if (!def ||
          (!inGroup.contains(def) && !def->getParentOfType<gpu::LaunchOp>()))
        return true; // a host value
      if (auto known = memo.find(v); known != memo.end())
        return known->second;
      bool ok = recomputableDef(def) && llvm::all_of(def->getOperands(), check);
      memo[v] = ok;
      return ok;
    };
    return check(v);
  }

  /// An op that runs on the host (allocations, library calls; with the
  /// fallback, control flow that allocates) rather than in a kernel.
  bool staysOnHost(Operation *op) {
    if (fallback_ && op->getNumRegions() > 0 && allocatesWithin(op))
      return true;
    return !accessesMemoryWithin(op) && !isa<memref::AllocaOp>(op) &&
           !isMemoryEffectFree(op);
  }

  /// Whether the host needs `v`, a value of the group, once the group has
  /// run: a host op, a terminator, or a kernel that cannot recompute it
  /// uses it (directly or through host arithmetic).
  bool hostNeeds(Value v, const llvm::SmallPtrSetImpl<Operation *> &inGroup) {
    llvm::DenseSet<Value> seen;
    return hostNeeds(v, inGroup, seen);
  }
  /// `seen`: values already answered no (a yes ends the search), so that
  /// arithmetic with shared uses is walked once.
  bool hostNeeds(Value v, const llvm::SmallPtrSetImpl<Operation *> &inGroup,
                 llvm::DenseSet<Value> &seen) {
    if (!seen.insert(v).second)
      return false;
    Block *block = inGroup.empty() ? nullptr : (*inGroup.begin())->getBlock();
    for (Operation *user : v.getUsers()) {
      Operation *top = block ? block->findAncestorOpInBlock(*user) : nullptr;
      if (top && inGroup.contains(top))
        continue;
      if (!top || top->hasTrait<OpTrait::IsTerminator>() ||
          staysOnHost(top) || !recomputable(v, inGroup))
        return true;
      if (top->getNumRegions() == 0 && isMemoryEffectFree(top))
        for (Value r : top->getResults())
          if (hostNeeds(r, inGroup, seen))
            return true;
    }
    return false;
  }

  /// Computes again the device values `op` needs from earlier kernels (a
  /// scalar input such as TopK's k or Trilu's diagonal, read once by a
  /// check and again where it is used). Only loads of the model's
  /// arguments (inputs and weights, which no kernel writes) or of globals,
  /// and pure arithmetic on them, are recomputed: at the start of the body
  /// of a parallel loop that only uses them inside (each thread reads
  /// them), else just before `op`, joining `group`. False if a value
  /// depends on anything else.
  bool rematerialize(Operation *op, SmallVectorImpl<Operation *> &group,
                     llvm::SmallPtrSetImpl<Operation *> &inGroup,
                     Operation *&culprit) {
    StaleMemo memo;
    SmallVector<Value> stale = staleValues(op, memo);
    if (stale.empty())
      return true;
    llvm::SetVector<Operation *> slice; // definitions before uses
    std::function<bool(Value)> collect = [&](Value v) -> bool {
      if (!isStale(v, op, memo))
        return true; // in reach
      Operation *def = v.getDefiningOp();
      if (slice.contains(def))
        return true;
      if (!recomputableDef(def)) {
        culprit = def;
        return false;
      }
      for (Value operand : def->getOperands())
        if (!collect(operand))
          return false;
      slice.insert(def);
      return true;
    };
    for (Value v : stale)
      if (!collect(v))
        return false;
    auto par = dyn_cast<scf::ParallelOp>(op);
    bool inBody = par && par.getNumResults() == 0 &&
                  llvm::none_of(op->getOperands(), [&](Value v) {
                    return llvm::is_contained(stale, v);
                  });
    OpBuilder b(op);
    if (inBody)
      b.setInsertionPointToStart(par.getBody());
    IRMapping mapping;
    for (Operation *def : slice) {
      // Globals read in a kernel are cloned into it later.
      if (auto load = dyn_cast<memref::LoadOp>(def))
        if (Operation *g = load.getMemRef().getDefiningOp())
          if (!mapping.contains(load.getMemRef()))
            mapping.map(load.getMemRef(), b.clone(*g)->getResult(0));
      Operation *copy = b.clone(*def, mapping);
      if (!inBody) {
        group.push_back(copy);
        inGroup.insert(copy);
      }
    }
    for (Value v : stale)
      v.replaceUsesWithIf(mapping.lookup(v), [&](OpOperand &use) {
        return op->isAncestor(use.getOwner());
      });
    return true;
  }

  LogicalResult processBlock(Block &block) {
    SmallVector<Operation *> group;
    llvm::SmallPtrSet<Operation *, 16> inGroup;
    auto usesGroup = [&](Operation *op) {
      bool uses = false;
      op->walk([&](Operation *nested) {
        for (Value v : nested->getOperands())
          if (Operation *def = v.getDefiningOp())
            if (inGroup.contains(def))
              uses = true;
      });
      return uses;
    };
    auto flush = [&](Operation *before) -> LogicalResult {
      if (group.empty())
        return success();
      // With the fallback, work whose values the host needs runs there.
      bool onHost = fallback_ && llvm::any_of(group, [&](Operation *op) {
        return llvm::any_of(op->getResults(),
                            [&](Value v) { return hostNeeds(v, inGroup); });
      });
      LogicalResult r = onHost ? runGroupOnHost(group, before, hostOps_)
                               : launchSequential(group, before);
      group.clear();
      inGroup.clear();
      return r;
    };

    SmallVector<Operation *> deferred;
    for (Operation &opRef : llvm::make_early_inc_range(block)) {
      Operation *op = &opRef;
      // Host bookkeeping (keepBookkeepingOnHost): after the kernels
      // whose values it reads, if any.
      if (hostOps_.contains(op)) {
        if (usesGroup(op) && failed(flush(op)))
          return failure();
        continue;
      }
      // Host arithmetic on values of earlier kernels: its users recompute
      // it (rematerialize), and it goes if none is left.
      if (!op->hasTrait<OpTrait::IsTerminator>() &&
          op->getNumRegions() == 0 && isMemoryEffectFree(op) &&
          [&] {
            StaleMemo memo;
            return !staleValues(op, memo).empty();
          }()) {
        deferred.push_back(op);
        continue;
      }
      if (op->hasTrait<OpTrait::IsTerminator>()) {
        if (!fallback_ && usesGroup(op))
          return reportHostRead(group, op);
        if (failed(flush(op)))
          return failure();
        continue;
      }
      if (isa<gpu::LaunchOp>(op)) {
        if (failed(flush(op)))
          return failure();
        continue;
      }
      Operation *culprit = nullptr;
      if (!rematerialize(op, group, inGroup, culprit)) {
        InFlightDiagnostic d = op->emitError(
            "the CUDA target cannot run this: it needs a value that an "
            "earlier kernel computed from data on the device");
        if (!fallback_)
          d << kFallbackHint;
        if (culprit)
          d.attachNote(culprit->getLoc()) << "computed here";
        return failure();
      }
      bool dependent = usesGroup(op);
      if (dependent && fallback_ && staysOnHost(op)) {
        // The group's values are needed here: it runs on the host.
        if (failed(flush(op)))
          return failure();
        dependent = false;
      }
      if (!dependent) {
        if (auto par = dyn_cast<scf::ParallelOp>(op);
            par && par.getNumResults() == 0) {
          if (failed(flush(op)))
            return failure();
          if (failed(launchParallel(par)))
            return failure();
          continue;
        }
        if (op->getNumRegions() > 0 && !isa<gpu::LaunchOp>(op) &&
            accessesMemoryWithin(op) &&
            (onlyLaunchesWithin(op) || (fallback_ && allocatesWithin(op)))) {
          // Host control flow around kernels: stays here. (With the
          // fallback, also around sequential work, which then runs in
          // kernels or on the host, as in any block.)
          if (failed(flush(op)))
            return failure();
          for (Region &region : op->getRegions())
            for (Block &inner : region)
              if (failed(processBlock(inner)))
                return failure();
          continue;
        }
      }
      bool device = accessesMemoryWithin(op) ||
                    isa<memref::AllocaOp>(op) ||
                    (dependent && isMemoryEffectFree(op));
      if (device) {
        group.push_back(op);
        inGroup.insert(op);
        continue;
      }
      if (dependent)
        return reportHostRead(group, op);
      if (isMemoryEffectFree(op) && op->getNumRegions() == 0)
        continue; // host arithmetic: may sit between grouped accesses
      if (failed(flush(op)))
        return failure();
    }
    for (Operation *op : llvm::reverse(deferred)) {
      if (!op->use_empty())
        return reportHostRead({}, op);
      op->erase();
    }
    return success();
  }

  LogicalResult reportHostRead(ArrayRef<Operation *> group, Operation *user) {
    Operation *producer = group.empty() ? user : group.back();
    InFlightDiagnostic d = user->emitError(
        "the CUDA target cannot run this: the host needs a value that is "
        "only known on the device (a data-dependent size or decision)");
    if (!fallback_)
      d << kFallbackHint;
    d.attachNote(producer->getLoc()) << "computed here";
    return failure();
  }

  /// Names the launch's kernel after the node it comes from.
  gpu::LaunchOp createLaunch(OpBuilder &b, Location loc, Operation *origin,
                             Value grid, Value block) {
    Value c1 = arith::ConstantIndexOp::create(b, loc, 1);
    auto launch = gpu::LaunchOp::create(b, loc, grid, c1, c1, block, c1, c1);
    MLIRContext *ctx = b.getContext();
    launch.setModuleAttr(FlatSymbolRefAttr::get(ctx, "kiln_kernels"));
    launch.setFunctionAttr(
        FlatSymbolRefAttr::get(ctx, kernelNameFor(origin, kernels_++)));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&launch.getBody().front());
    gpu::TerminatorOp::create(b, loc);
    return launch;
  }

  LogicalResult launchParallel(scf::ParallelOp par) {
    OpBuilder b(par);
    Location loc = par.getLoc();
    unsigned n = par.getNumLoops();
    SmallVector<Value> trips;
    Value total;
    for (unsigned k = 0; k < n; ++k) {
      Value lb = par.getLowerBound()[k], ub = par.getUpperBound()[k],
            step = par.getStep()[k];
      Value span = b.createOrFold<arith::SubIOp>(loc, ub, lb);
      Value stepM1 = b.createOrFold<arith::SubIOp>(
          loc, step, arith::ConstantIndexOp::create(b, loc, 1));
      Value trip = b.createOrFold<arith::DivUIOp>(
          loc, b.createOrFold<arith::AddIOp>(loc, span, stepM1), step);
      // An empty range (ub < lb) has no iterations.
      Value empty = b.createOrFold<arith::CmpIOp>(
          loc, arith::CmpIPredicate::sle, ub, lb);
      trip = b.createOrFold<arith::SelectOp>(
          loc, empty, arith::ConstantIndexOp::create(b, loc, 0), trip);
      trips.push_back(trip);
      total = total ? b.createOrFold<arith::MulIOp>(loc, total, trip) : trip;
    }
    std::optional<int64_t> staticTotal = getConstantIntValue(total);
    if (staticTotal && *staticTotal == 0) {
      par.erase();
      return success();
    }
    int64_t threads = blockSize_;
    if (staticTotal) {
      auto warps = [](int64_t n) { return (n + 31) / 32 * 32; };
      threads = std::min<int64_t>(threads, warps(*staticTotal));
      if (multiprocessors_ > 0 && *staticTotal < blockSize_ * multiprocessors_)
        threads = std::clamp<int64_t>(
            warps((*staticTotal + multiprocessors_ - 1) / multiprocessors_),
            32, threads);
    }
    Value block = arith::ConstantIndexOp::create(b, loc, threads);
    Value grid = b.createOrFold<arith::DivUIOp>(
        loc,
        b.createOrFold<arith::AddIOp>(
            loc, total, arith::ConstantIndexOp::create(b, loc, threads - 1)),
        block);
    // No launch at all for an empty dynamic range (a 0-block grid is an
    // error for the driver).
    if (!staticTotal) {
      Value any = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::ugt, total,
          arith::ConstantIndexOp::create(b, loc, 0));
      auto ifOp = scf::IfOp::create(b, loc, any, /*withElse=*/false);
      b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    }
    gpu::LaunchOp launch = createLaunch(b, loc, par, grid, block);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value id = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                              launch.getBlockSize().x),
        launch.getThreadIds().x);
    Value inRange =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, id, total);
    auto guard = scf::IfOp::create(b, loc, inRange, /*withElse=*/false);
    b.setInsertionPointToStart(&guard.getThenRegion().front());
    IRMapping map;
    Value rem = id;
    for (int k = int(n) - 1; k >= 0; --k) {
      Value norm = rem;
      if (k > 0) {
        norm = arith::RemUIOp::create(b, loc, rem, trips[k]);
        rem = arith::DivUIOp::create(b, loc, rem, trips[k]);
      }
      Value iv = arith::AddIOp::create(
          b, loc, par.getLowerBound()[k],
          arith::MulIOp::create(b, loc, norm, par.getStep()[k]));
      map.map(par.getInductionVars()[k], iv);
    }
    for (Operation &op : par.getBody()->without_terminator())
      b.clone(op, map);
    par.erase();
    finishKernel(launch);
    return success();
  }

  LogicalResult launchSequential(ArrayRef<Operation *> group,
                                 Operation *before) {
    OpBuilder b(before);
    Location loc = group.front()->getLoc();
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    gpu::LaunchOp launch = createLaunch(b, loc, group.front(), one, one);
    Operation *terminator = launch.getBody().front().getTerminator();
    for (Operation *op : group)
      op->moveBefore(terminator);
    finishKernel(launch);
    return success();
  }

  /// Globals and constants into the kernel; checks to the device flag.
  void finishKernel(gpu::LaunchOp launch) {
    Block &body = launch.getBody().front();
    llvm::SetVector<Operation *> globals;
    launch.getBody().walk([&](Operation *op) {
      for (Value v : op->getOperands())
        if (auto g = v.getDefiningOp<memref::GetGlobalOp>())
          if (!launch->isProperAncestor(g))
            globals.insert(g);
    });
    OpBuilder b(&body, body.begin());
    for (Operation *g : globals) {
      Operation *clone = b.clone(*g);
      g->getResult(0).replaceUsesWithIf(clone->getResult(0), [&](OpOperand &u) {
        return launch->isProperAncestor(u.getOwner());
      });
    }
    SmallVector<cf::AssertOp> asserts;
    launch.getBody().walk([&](cf::AssertOp op) { asserts.push_back(op); });
    for (cf::AssertOp op : asserts) {
      OpBuilder ab(op);
      Location loc = op.getLoc();
      int32_t id = int32_t(checks_.size()) + 1;
      checks_.push_back(ab.getStringAttr(op.getMsg()));
      Value failed = arith::XOrIOp::create(
          ab, loc, op.getArg(),
          arith::ConstantIntOp::create(ab, loc, 1, 1));
      auto ifOp = scf::IfOp::create(ab, loc, failed, /*withElse=*/false);
      ab.setInsertionPointToStart(&ifOp.getThenRegion().front());
      Value flag =
          memref::GetGlobalOp::create(ab, loc, flagType(), checkFlag());
      memref::StoreOp::create(
          ab, loc, arith::ConstantIntOp::create(ab, loc, id, 32), flag,
          ValueRange{arith::ConstantIndexOp::create(ab, loc, 0)});
      op.erase();
    }
  }

  MemRefType flagType() {
    return MemRefType::get({1}, IntegerType::get(module_.getContext(), 32));
  }

  StringRef checkFlag() {
    if (!module_.lookupSymbol(kCheckFlag)) {
      OpBuilder b(module_.getBodyRegion());
      b.setInsertionPointToStart(module_.getBody());
      auto zero = DenseElementsAttr::get(
          RankedTensorType::get({1}, b.getI32Type()), b.getI32IntegerAttr(0));
      memref::GlobalOp::create(b, module_.getLoc(), kCheckFlag,
                               /*sym_visibility=*/b.getStringAttr("public"),
                               flagType(), zero, /*constant=*/false,
                               /*alignment=*/nullptr);
    }
    return kCheckFlag;
  }

  /// Nothing but the kernels may access memory.
  LogicalResult verifyHost(func::FuncOp func) {
    WalkResult r = func.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<gpu::LaunchOp>(op) || hostOps_.contains(op))
        return WalkResult::skip();
      if (isa<gpu::MemcpyOp>(op))
        return WalkResult::advance(); // a host group's copies
      if (accessesMemory(op)) {
        op->emitError("the CUDA target cannot run this op on the device: ")
            << op->getName() << " is left on the host";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    return failure(r.wasInterrupted());
  }

  static constexpr llvm::StringLiteral kCheckFlag = "kiln_cuda_check_flag";
  static constexpr llvm::StringLiteral kFallbackHint =
      " (pass --allow-cpu-fallback to run it on the host)";
  ModuleOp module_;
  int64_t blockSize_;
  int64_t multiprocessors_; // 0: unknown
  bool fallback_;
  /// Ops of groups that run on the host (their accesses are to host copies).
  llvm::SmallPtrSet<Operation *, 16> hostOps_;
  unsigned kernels_ = 0;
  SmallVector<Attribute> checks_;
};

struct MapToGpuPass : kiln::impl::MapToGpuBase<MapToGpuPass> {
  using MapToGpuBase::MapToGpuBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (blockSize < 32 || blockSize > 1024 || blockSize % 32 != 0) {
      module.emitError("block-size must be a multiple of 32 in [32, 1024]");
      return signalPassFailure();
    }
    if (multiprocessors < 0) {
      module.emitError("multiprocessors must not be negative");
      return signalPassFailure();
    }
    Mapper mapper(module, blockSize, multiprocessors, allowCpuFallback);
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() || isDeallocHelper(func))
        continue;
      if (failed(mapper.run(func)))
        return signalPassFailure();
    }
    mapper.finish();
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    UnitAttr::get(&getContext()));
  }
};

} // namespace
} // namespace kiln::cuda
