//===- MemoryPlan.cpp - the static memory plan's record and report --------===//
#include "backends/cpu/MemoryPlan.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/Format.h"

using namespace mlir;

namespace kiln {
namespace {

int64_t intField(DictionaryAttr d, StringRef name, int64_t fallback = -1) {
  auto a = d ? d.getAs<IntegerAttr>(name) : IntegerAttr();
  return a ? a.getInt() : fallback;
}

StringRef stringField(DictionaryAttr d, StringRef name) {
  auto a = d ? d.getAs<StringAttr>(name) : StringAttr();
  return a ? a.getValue() : StringRef();
}

ArrayRef<Attribute> listField(DictionaryAttr d, StringRef name) {
  auto a = d ? d.getAs<ArrayAttr>(name) : ArrayAttr();
  return a ? a.getValue() : ArrayRef<Attribute>();
}

} // namespace

Location withArenaSlot(Location loc, int64_t slot) {
  MLIRContext *ctx = loc.getContext();
  Builder b(ctx);
  auto tag = b.getDictionaryAttr(
      b.getNamedAttr(kArenaSlotAttr, b.getI64IntegerAttr(slot)));
  return FusedLoc::get(ctx, {loc}, tag);
}

std::optional<int64_t> arenaSlotOf(Location loc) {
  auto fused = dyn_cast<FusedLoc>(loc);
  auto tag = fused ? dyn_cast_or_null<DictionaryAttr>(fused.getMetadata())
                   : DictionaryAttr();
  auto slot = tag ? tag.getAs<IntegerAttr>(kArenaSlotAttr) : IntegerAttr();
  if (!slot)
    return std::nullopt;
  return slot.getInt();
}

std::optional<uint64_t> plannedArenaBytes(ModuleOp module) {
  auto plan = module->getAttrOfType<DictionaryAttr>(kMemoryPlanAttr);
  if (!plan || listField(plan, "buffers").empty())
    return std::nullopt;
  return uint64_t(intField(plan, "arena_bytes", 0));
}

void printMemoryReport(ModuleOp module, StringRef target, raw_ostream &os) {
  auto plan = module->getAttrOfType<DictionaryAttr>(kMemoryPlanAttr);
  if (!plan) {
    os << "no static memory plan for target '" << target << "'\n";
    return;
  }
  os << "== memory plan (alignment " << intField(plan, "alignment") << ")\n";
  if (StringRef why = stringField(plan, "none"); !why.empty())
    os << "nothing planned: " << why << "\n";
  ArrayRef<Attribute> buffers = listField(plan, "buffers");
  for (auto [i, a] : llvm::enumerate(buffers)) {
    auto d = dyn_cast<DictionaryAttr>(a);
    os << "buffer " << i << " offset=" << intField(d, "offset")
       << " bytes=" << intField(d, "bytes") << " live=" << intField(d, "start")
       << ".." << intField(d, "end");
    if (int64_t of = intField(d, "in_place_of"); of >= 0)
      os << " in_place_of=" << of;
    if (StringRef node = stringField(d, "node"); !node.empty())
      os << " " << node;
    os << "\n";
  }
  ArrayRef<Attribute> unplanned = listField(plan, "unplanned");
  for (Attribute a : unplanned) {
    auto d = dyn_cast<DictionaryAttr>(a);
    os << "unplanned";
    if (int64_t bytes = intField(d, "bytes"); bytes >= 0)
      os << " bytes=" << bytes;
    os << " (" << stringField(d, "reason") << ")";
    if (StringRef node = stringField(d, "node"); !node.empty())
      os << " " << node;
    os << "\n";
  }
  int64_t arena = intField(plan, "arena_bytes", 0);
  int64_t bound = intField(plan, "lower_bound_bytes", 0);
  os << "arena_bytes=" << arena << " lower_bound_bytes=" << bound << " ratio="
     << llvm::format("%.3f", bound ? double(arena) / double(bound) : 1.0)
     << " planned=" << buffers.size()
     << " in_place=" << intField(plan, "in_place", 0)
     << " unplanned=" << unplanned.size() << "\n";
}

} // namespace kiln
