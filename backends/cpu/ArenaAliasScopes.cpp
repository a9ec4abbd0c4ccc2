//===- ArenaAliasScopes.cpp - tell LLVM which arena accesses cannot alias --===//
//
// Separately malloc'ed buffers are distinct objects to LLVM: it knows that
// a store to one cannot change another, hoists loads out of loops and
// vectorises without run-time checks. Views into one arena are all derived
// from one pointer, and LLVM cannot tell from offsets alone (they combine
// with loop indices) that two of them never overlap: it keeps reloading,
// and gives up vectorising a matrix product's inner loop (3x slower on
// BERT). The plan knows better: slots live at the same time occupy
// disjoint bytes. So every load and store through a view gets the scope of
// its slot and is declared not to alias the scopes of all slots whose
// lifetimes overlap its own. Slots that are never live together may share
// bytes and are not declared apart. The arena pointer itself does not
// alias the entry's other arguments (inputs, weights): it is `noalias`.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/MemoryPlan.h"
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace kiln {
#define GEN_PASS_DEF_ARENAALIASSCOPES
#include "backends/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The slot whose view `v` was derived from: back through address
/// arithmetic and descriptor fields to an op lowered from a view.
std::optional<int64_t> slotOf(Value v) {
  for (int steps = 0; steps < 64; ++steps) {
    Operation *def = v.getDefiningOp();
    if (!def)
      return std::nullopt;
    if (std::optional<int64_t> slot = arenaSlotOf(def->getLoc()))
      return slot;
    if (auto gep = dyn_cast<LLVM::GEPOp>(def)) {
      v = gep.getBase();
    } else if (auto extract = dyn_cast<LLVM::ExtractValueOp>(def)) {
      // The field written last at this position of the descriptor.
      Value agg = extract.getContainer();
      Value found;
      while (auto insert = agg.getDefiningOp<LLVM::InsertValueOp>()) {
        if (insert.getPosition() == extract.getPosition()) {
          found = insert.getValue();
          break;
        }
        agg = insert.getContainer();
      }
      if (!found)
        return std::nullopt;
      v = found;
    } else {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

struct ArenaAliasScopesPass
    : impl::ArenaAliasScopesBase<ArenaAliasScopesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto plan = module->getAttrOfType<DictionaryAttr>(kMemoryPlanAttr);
    auto rows = plan ? plan.getAs<ArrayAttr>("buffers") : ArrayAttr();
    if (!rows || rows.empty())
      return;
    // Each slot's lifetime: the union of its buffers'.
    std::vector<std::pair<int64_t, int64_t>> live;
    for (Attribute a : rows) {
      auto row = dyn_cast<DictionaryAttr>(a);
      auto slot = row ? row.getAs<IntegerAttr>("slot") : IntegerAttr();
      auto start = row ? row.getAs<IntegerAttr>("start") : IntegerAttr();
      auto end = row ? row.getAs<IntegerAttr>("end") : IntegerAttr();
      if (!slot || !start || !end || slot.getInt() < 0 ||
          slot.getInt() >= int64_t(rows.size())) {
        module.emitError() << "kiln-cpu-arena-alias-scopes: malformed "
                           << kMemoryPlanAttr << " buffer " << a;
        return signalPassFailure();
      }
      size_t s = slot.getInt();
      if (s >= live.size())
        live.resize(s + 1, {INT64_MAX, INT64_MIN});
      live[s].first = std::min(live[s].first, start.getInt());
      live[s].second = std::max(live[s].second, end.getInt());
    }
    MLIRContext *ctx = &getContext();
    auto domain = LLVM::AliasScopeDomainAttr::get(
        ctx, StringAttr::get(ctx, "kiln arena"));
    SmallVector<Attribute> scopes;
    for (size_t s = 0; s < live.size(); ++s)
      scopes.push_back(LLVM::AliasScopeAttr::get(
          domain, StringAttr::get(ctx, "slot " + std::to_string(s))));
    // Made when a slot's access is first seen: most slots overlap few.
    DenseMap<int64_t, ArrayAttr> apart;
    auto apartFrom = [&](int64_t s) {
      ArrayAttr &list = apart[s];
      if (!list) {
        SmallVector<Attribute> others;
        for (size_t t = 0; t < live.size(); ++t)
          if (int64_t(t) != s && live[t].first <= live[s].second &&
              live[s].first <= live[t].second)
            others.push_back(scopes[t]);
        list = ArrayAttr::get(ctx, others);
      }
      return list;
    };
    module.walk([&](Operation *op) {
      Value address;
      if (auto load = dyn_cast<LLVM::LoadOp>(op))
        address = load.getAddr();
      else if (auto store = dyn_cast<LLVM::StoreOp>(op))
        address = store.getAddr();
      else
        return;
      std::optional<int64_t> slot = slotOf(address);
      if (!slot || *slot < 0 || size_t(*slot) >= live.size())
        return;
      auto access = cast<LLVM::AliasAnalysisOpInterface>(op);
      access.setAliasScopes(ArrayAttr::get(ctx, {scopes[*slot]}));
      access.setNoAliasScopes(apartFrom(*slot));
    });
    // The arena is the entry's last memref argument: (allocated, aligned,
    // offset, size, stride). Only the aligned pointer is accessed.
    module.walk([&](LLVM::LLVMFuncOp func) {
      if (func.isExternal() ||
          !func->hasAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName()) ||
          func.getName().starts_with("_mlir_ciface_") ||
          func.getNumArguments() < 5)
        return;
      unsigned aligned = func.getNumArguments() - 4;
      if (isa<LLVM::LLVMPointerType>(func.getArgument(aligned).getType()))
        func.setArgAttr(aligned, LLVM::LLVMDialect::getNoAliasAttrName(),
                        UnitAttr::get(ctx));
    });
  }
};

} // namespace
} // namespace kiln
