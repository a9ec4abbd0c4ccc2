//===- Registration.h - everything kiln-opt and the compiler register -*- C++ -*-===//
#ifndef KILN_LIB_COMPILER_REGISTRATION_H
#define KILN_LIB_COMPILER_REGISTRATION_H

#include "mlir/IR/DialectRegistry.h"

namespace kiln {

/// The kiln dialect and the MLIR dialects, interfaces and translations the
/// pipelines use.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Kiln's passes and named pipelines, and MLIR's passes (so that pipelines
/// can be written as text and tried in kiln-opt). Idempotent.
void registerAllPasses();

} // namespace kiln

#endif // KILN_LIB_COMPILER_REGISTRATION_H
