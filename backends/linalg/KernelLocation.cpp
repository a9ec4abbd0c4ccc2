//===- KernelLocation.cpp - which kiln.fused kernel an op came from -------===//
#include "backends/linalg/KernelLocation.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace kiln {

static constexpr llvm::StringLiteral kKernelKey = "kiln.kernel";

Location withKernel(Location loc, int64_t id) {
  Builder b(loc.getContext());
  auto meta = b.getDictionaryAttr(b.getNamedAttr(kKernelKey, b.getI64IntegerAttr(id)));
  return FusedLoc::get(loc.getContext(), {loc}, meta);
}

std::optional<int64_t> kernelOf(Location loc) {
  std::optional<int64_t> id;
  loc->walk([&](Location inner) {
    auto fused = dyn_cast<FusedLoc>(inner);
    auto meta = fused ? dyn_cast_or_null<DictionaryAttr>(fused.getMetadata()) : nullptr;
    if (auto value = meta ? meta.getAs<IntegerAttr>(kKernelKey) : nullptr) {
      id = value.getInt();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return id;
}

} // namespace kiln
