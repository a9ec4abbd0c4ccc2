//===- NodeName.cpp - the ONNX node an op came from -----------------------===//
#include "dialects/kiln/NodeName.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace kiln {

std::optional<std::string> nodeNameOf(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location l : fused.getLocations())
      if (auto n = nodeNameOf(l))
        return n;
  }
  if (auto call = dyn_cast<CallSiteLoc>(loc))
    return nodeNameOf(call.getCallee());
  return std::nullopt;
}

} // namespace kiln
