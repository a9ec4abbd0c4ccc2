//===- PlanMemory.cpp - intermediates into one arena, offsets from liveness ===//
//
// Runs after one-shot-bufferize, before the deallocation pipeline: the
// entry's top-level allocations that do not escape (BufferLifetimes) become
// memref.view ops at offsets chosen at compile time (ArenaPacking) into one
// i8 buffer that the entry takes as its last argument. The runtime
// allocates that arena once per session, so a run allocates nothing for
// them; the deallocation pipeline then only frees what was not planned.
//
// In place: an all-parallel linalg op whose input buffer dies at the op and
// whose output buffer is first used there, both indexed by the identity
// map with the same size, reads each element before writing the same
// element; the two buffers then share one arena slot. One-shot-bufferize
// does not do this itself: after kiln-fuse-kernel-elementwise the outputs
// come from tensor.empty, which always gets a fresh buffer.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/ArenaPacking.h"
#include "backends/cpu/BufferLifetimes.h"
#include "backends/cpu/MemoryPlan.h"
#include "backends/cpu/Passes.h"
#include "backends/library/IR/KilnLibDialect.h"
#include "dialects/kiln/ModelInterface.h"
#include "dialects/kiln/NodeName.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/EquivalenceClasses.h"

namespace kiln {
#define GEN_PASS_DEF_PLANMEMORY
#include "backends/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Pairs (dying input, new output) of buffers that may share memory; each
/// buffer is given at most once and taken at most once.
SmallVector<std::pair<size_t, size_t>>
findInPlacePairs(Block &block, const BlockLifetimes &lt) {
  DenseMap<Value, size_t> bufferOf;
  for (auto [i, b] : llvm::enumerate(lt.buffers))
    if (b.unplannable.empty())
      bufferOf[b.alloc.getResult()] = i;
  // The planned buffer of which `v` is the whole, in its row-major order:
  // the alloc itself, or reshapes of it (expand/collapse_shape keep the
  // elements' order in a contiguous buffer).
  auto planned = [&](Value v) -> std::optional<size_t> {
    while (true) {
      auto type = dyn_cast<MemRefType>(v.getType());
      if (!type || !type.getLayout().isIdentity())
        return std::nullopt;
      if (auto it = bufferOf.find(v); it != bufferOf.end())
        return it->second;
      Operation *def = v.getDefiningOp();
      if (auto expand = dyn_cast_or_null<memref::ExpandShapeOp>(def))
        v = expand.getSrc();
      else if (auto collapse = dyn_cast_or_null<memref::CollapseShapeOp>(def))
        v = collapse.getSrc();
      else
        return std::nullopt;
    }
  };
  SmallVector<std::pair<size_t, size_t>> pairs;
  DenseSet<size_t> given, taken;
  // Pairs `out` (first used at `op`) with the first of `ins` that dies
  // there with the same shape and bytes.
  auto pair = [&](Operation &op, Value out, ArrayRef<Value> ins) {
    int64_t at = lt.position.lookup(&op);
    std::optional<size_t> o = planned(out);
    if (!o || taken.contains(*o) || lt.buffers[*o].start != at)
      return;
    const BufferLifetime &ob = lt.buffers[*o];
    for (Value in : ins) {
      std::optional<size_t> i = planned(in);
      if (!i || *i == *o || given.contains(*i))
        continue;
      const BufferLifetime &ib = lt.buffers[*i];
      // Same shape and same bytes: element k of both is at the same
      // byte offset.
      if (ib.end != at || ib.bytes != ob.bytes ||
          cast<MemRefType>(in.getType()).getShape() !=
              cast<MemRefType>(out.getType()).getShape())
        continue;
      // Any other operand on the same memory could read an element
      // after it was overwritten.
      unsigned uses = 0;
      for (OpOperand &other : op.getOpOperands())
        uses += ib.aliases.contains(other.get());
      if (uses != 1)
        continue;
      pairs.push_back({*i, *o});
      given.insert(*i);
      taken.insert(*o);
      return;
    }
  };
  for (Operation &op : block) {
    if (auto conv = dyn_cast<lib::Conv2dOp>(op)) {
      // A residual added first is oneDNN's `sum` post-op: the convolution
      // accumulates onto its output, so a residual that dies here can be
      // the output and the runtime copies nothing (Epilogue::sumFirst).
      ArrayAttr post = conv.getPostOps();
      if (conv.hasPureBufferSemantics() && !post.empty() &&
          cast<StringAttr>(post[0]).getValue() == "add" &&
          !conv.getPostOperands().empty())
        pair(op, conv.getInit(), {conv.getPostOperands()[0]});
      continue;
    }
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    if (!linalgOp || !linalgOp.hasPureBufferSemantics() ||
        !linalgOp.isAllParallelLoops())
      continue;
    for (OpOperand &out : linalgOp.getDpsInitsMutable()) {
      if (!linalgOp.getMatchingIndexingMap(&out).isIdentity())
        continue;
      SmallVector<Value> ins;
      for (OpOperand *in : linalgOp.getDpsInputOperands())
        if (linalgOp.getMatchingIndexingMap(in).isIdentity())
          ins.push_back(in->get());
      pair(op, out.get(), ins);
    }
  }
  return pairs;
}

std::string nodeOf(Operation *op) {
  std::optional<std::string> node = nodeNameOf(op->getLoc());
  return node ? *node : "";
}

struct PlanMemoryPass : impl::PlanMemoryBase<PlanMemoryPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!llvm::isPowerOf2_64(alignment)) {
      module.emitError() << "kiln-cpu-plan-memory: alignment "
                         << alignment.getValue() << " is not a power of two";
      return signalPassFailure();
    }
    if (module->hasAttr(kMemoryPlanAttr)) {
      module.emitError("kiln-cpu-plan-memory: the module already has a memory plan");
      return signalPassFailure();
    }
    func::FuncOp entry = getEntryFunction(module);
    if (!entry || entry.isExternal())
      return signalPassFailure();
    // Lifetimes are positions in one block; with control flow in the
    // entry, everything keeps its own allocation.
    if (!entry.getBody().hasOneBlock()) {
      DenseMap<size_t, size_t> none;
      record(module, BlockLifetimes(), {}, none, none, 0,
             "entry has control flow");
      return;
    }
    Block &block = entry.getBody().front();
    BlockLifetimes lt = analyzeBufferLifetimes(block, alignment);

    // Buffers sharing memory in place form one slot.
    llvm::EquivalenceClasses<size_t> slots;
    for (auto [i, b] : llvm::enumerate(lt.buffers))
      if (b.unplannable.empty())
        slots.insert(i);
    SmallVector<std::pair<size_t, size_t>> pairs;
    if (inPlace)
      pairs = findInPlacePairs(block, lt);
    DenseMap<size_t, size_t> inPlaceOf;
    for (auto [in, out] : pairs) {
      slots.unionSets(in, out);
      inPlaceOf[out] = in;
    }
    std::vector<arena::Lifetime> slotLifetimes;
    DenseMap<size_t, size_t> slotOf; // buffer -> index in slotLifetimes
    for (auto [i, b] : llvm::enumerate(lt.buffers)) {
      if (!b.unplannable.empty())
        continue;
      size_t leader = slots.getLeaderValue(i);
      auto [it, fresh] = slotOf.try_emplace(leader, slotLifetimes.size());
      if (fresh)
        slotLifetimes.push_back({b.bytes, b.start, b.end});
      arena::Lifetime &s = slotLifetimes[it->second];
      s.bytes = std::max(s.bytes, b.bytes);
      s.start = std::min(s.start, b.start);
      s.end = std::max(s.end, b.end);
      slotOf[i] = it->second;
    }
    arena::Packing packing = arena::pack(slotLifetimes, alignment);
    uint64_t bound = arena::lowerBound(slotLifetimes);
    // Cheap next to compiling the model, and a wrong plan would be a
    // silently wrong result.
    if (!arena::isValid(slotLifetimes, packing)) {
      module.emitError("internal error: kiln-cpu-plan-memory placed buffers "
                       "that are live together at overlapping offsets");
      return signalPassFailure();
    }

    // Names first: the rewrite erases the allocs.
    SmallVector<std::string> nodes;
    for (const BufferLifetime &buffer : lt.buffers)
      nodes.push_back(nodeOf(buffer.alloc));
    if (!slotLifetimes.empty() && failed(rewrite(entry, lt, slotOf, packing)))
      return signalPassFailure();
    record(module, lt, nodes, slotOf, inPlaceOf, bound, "", &packing);
  }

  /// Replaces the planned allocs by views into the new last argument.
  LogicalResult rewrite(func::FuncOp entry, const BlockLifetimes &lt,
                        const DenseMap<size_t, size_t> &slotOf,
                        const arena::Packing &packing) {
    MLIRContext *ctx = &getContext();
    auto arenaType = MemRefType::get({int64_t(packing.arenaBytes)},
                                     IntegerType::get(ctx, 8));
    unsigned index = entry.getNumArguments();
    if (failed(entry.insertArgument(index, arenaType, {}, entry.getLoc())))
      return entry.emitError("kiln-cpu-plan-memory: cannot add the arena argument");
    Value arena = entry.getArgument(index);
    Block &block = entry.getBody().front();
    // One constant per offset, at the top, where every view can use it.
    DenseMap<uint64_t, Value> offsets;
    OpBuilder b(ctx);
    for (auto [i, buffer] : llvm::enumerate(lt.buffers)) {
      auto slot = slotOf.find(i);
      if (slot == slotOf.end())
        continue;
      memref::AllocOp alloc = buffer.alloc;
      uint64_t at = packing.offsets[slot->second];
      Value &offset = offsets[at];
      if (!offset) {
        // (Not a builder kept at the first op: that may be an alloc that
        // goes.)
        b.setInsertionPointToStart(&block);
        offset = arith::ConstantIndexOp::create(b, entry.getLoc(), int64_t(at));
      }
      b.setInsertionPoint(alloc);
      auto view = memref::ViewOp::create(
          b, withArenaSlot(alloc.getLoc(), int64_t(slot->second)),
          alloc.getType(), arena, offset, ValueRange{});
      view->setAttr(kArenaSlotAttr, b.getI64IntegerAttr(slot->second));
      alloc.getResult().replaceAllUsesWith(view);
      alloc.erase();
    }
    return success();
  }

  /// The plan as the module attribute that the report and the artifact's
  /// metadata read.
  void record(ModuleOp module, const BlockLifetimes &lt,
              ArrayRef<std::string> nodes,
              const DenseMap<size_t, size_t> &slotOf,
              const DenseMap<size_t, size_t> &inPlaceOf, uint64_t bound,
              StringRef whyNone, const arena::Packing *packing = nullptr) {
    Builder b(&getContext());
    auto i64 = [&](uint64_t v) { return b.getI64IntegerAttr(int64_t(v)); };
    SmallVector<Attribute> buffers, unplanned;
    DenseMap<size_t, size_t> row; // planned buffer -> its row in `buffers`
    for (size_t i = 0; i < lt.buffers.size(); ++i)
      if (slotOf.count(i))
        row[i] = row.size();
    for (auto [i, buffer] : llvm::enumerate(lt.buffers)) {
      auto slot = slotOf.find(i);
      if (slot == slotOf.end()) {
        SmallVector<NamedAttribute> f = {
            b.getNamedAttr("node", b.getStringAttr(nodes[i])),
            b.getNamedAttr("reason", b.getStringAttr(buffer.unplannable))};
        if (buffer.alloc.getType().hasStaticShape())
          f.push_back(b.getNamedAttr("bytes", i64(buffer.bytes)));
        unplanned.push_back(b.getDictionaryAttr(f));
        continue;
      }
      SmallVector<NamedAttribute> f = {
          b.getNamedAttr("offset", i64(packing->offsets[slot->second])),
          b.getNamedAttr("bytes", i64(buffer.bytes)),
          b.getNamedAttr("start", i64(buffer.start)),
          b.getNamedAttr("end", i64(buffer.end)),
          b.getNamedAttr("slot", i64(slot->second)),
          b.getNamedAttr("node", b.getStringAttr(nodes[i]))};
      if (auto in = inPlaceOf.find(i); in != inPlaceOf.end())
        f.push_back(b.getNamedAttr("in_place_of", i64(row.lookup(in->second))));
      buffers.push_back(b.getDictionaryAttr(f));
    }
    SmallVector<NamedAttribute> plan = {
        b.getNamedAttr("alignment", i64(alignment.getValue())),
        b.getNamedAttr("arena_bytes", i64(packing ? packing->arenaBytes : 0)),
        b.getNamedAttr("lower_bound_bytes", i64(bound)),
        b.getNamedAttr("in_place", i64(inPlaceOf.size())),
        b.getNamedAttr("buffers", b.getArrayAttr(buffers)),
        b.getNamedAttr("unplanned", b.getArrayAttr(unplanned))};
    if (!whyNone.empty())
      plan.push_back(b.getNamedAttr("none", b.getStringAttr(whyNone)));
    module->setAttr(kMemoryPlanAttr, b.getDictionaryAttr(plan));
  }
};

} // namespace
} // namespace kiln
