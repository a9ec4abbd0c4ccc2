//===- ArtifactDescription.h - a kiln module's artifact metadata -*- C++ -*-===//
//
// Builds the runtime's ArtifactMetadata (lib/runtime/ArtifactFormat.h) from
// a module: inputs and outputs from the kiln-level entry function (which
// still knows signedness), parameters and their blob from the module
// attributes that kiln-weights-to-params leaves.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_ARTIFACTDESCRIPTION_H
#define KILN_BACKENDS_ARTIFACTDESCRIPTION_H

#include "lib/runtime/ArtifactFormat.h"

#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>

namespace kiln {

/// The runtime element type of a kiln element type.
std::optional<DType> toDType(mlir::Type elementType);

/// Inputs and outputs of the module's entry function.
mlir::LogicalResult describeEntry(mlir::ModuleOp module,
                                  runtime::ArtifactMetadata &metadata);

/// Lays out the parameters in one blob (each aligned to
/// runtime::kParamAlignment), filling `metadata.params` and `paramsBytes`.
/// Nothing is copied: writeParams writes the blob.
mlir::LogicalResult layoutParams(mlir::ModuleOp module,
                                 runtime::ArtifactMetadata &metadata);

/// Writes the blob layoutParams described to `os`, straight from the
/// module's constants.
mlir::LogicalResult writeParams(mlir::ModuleOp module,
                                const runtime::ArtifactMetadata &metadata,
                                llvm::raw_ostream &os);

} // namespace kiln

#endif // KILN_BACKENDS_ARTIFACTDESCRIPTION_H
