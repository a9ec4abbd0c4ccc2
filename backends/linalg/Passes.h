//===- Passes.h - kiln -> linalg passes -------------------------*- C++ -*-===//
#ifndef KILN_BACKENDS_LINALG_PASSES_H
#define KILN_BACKENDS_LINALG_PASSES_H

#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "backends/linalg/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "backends/linalg/Passes.h.inc"

} // namespace kiln

#endif // KILN_BACKENDS_LINALG_PASSES_H
