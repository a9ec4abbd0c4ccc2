//===- Passes.h - CPU backend passes ----------------------------*- C++ -*-===//
#ifndef KILN_BACKENDS_CPU_PASSES_H
#define KILN_BACKENDS_CPU_PASSES_H

#include "mlir/Pass/Pass.h"

namespace kiln {

#define GEN_PASS_DECL
#include "backends/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "backends/cpu/Passes.h.inc"

/// The name of the function a failed run-time check calls.
inline constexpr llvm::StringLiteral kTrapFunction = "kiln_trap";

} // namespace kiln

#endif // KILN_BACKENDS_CPU_PASSES_H
