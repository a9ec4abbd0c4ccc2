//===- NodeName.h - the ONNX node an op came from ---------------*- C++ -*-===//
//
// The importer gives each op a NameLoc "node 'NAME' (OpType)"; passes wrap
// it (FusedLoc when ops merge or join a kernel, CallSiteLoc when functions
// are inlined). Messages, run-time checks and reports name the node.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_NODENAME_H
#define KILN_DIALECTS_KILN_NODENAME_H

#include "mlir/IR/Location.h"

#include <optional>
#include <string>

namespace kiln {

/// The first NameLoc in `loc` (through fused locations and call sites'
/// callees), if any.
std::optional<std::string> nodeNameOf(mlir::Location loc);

} // namespace kiln

#endif // KILN_DIALECTS_KILN_NODENAME_H
