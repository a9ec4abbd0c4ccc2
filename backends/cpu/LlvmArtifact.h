//===- LlvmArtifact.h - LLVM dialect module -> .ll / .o / .so ----*- C++ -*-===//
#ifndef KILN_BACKENDS_CPU_LLVMARTIFACT_H
#define KILN_BACKENDS_CPU_LLVMARTIFACT_H

#include "kiln/Compiler.h"
#include "lib/runtime/ArtifactFormat.h"

#include "mlir/IR/BuiltinOps.h"

namespace kiln {

/// Translates the lowered module to LLVM IR, adds the artifact's exported
/// symbols (run entry point, metadata, trap handler, weights), optimises for
/// the chosen CPU and writes `options.emit` (LLVM IR, object or shared
/// library) to `outputPath`.
mlir::LogicalResult emitLlvmArtifact(mlir::ModuleOp lowered,
                                     runtime::ArtifactMetadata metadata,
                                     const CompileOptions &options,
                                     const std::string &outputPath);

/// Whether `cpu` (a --cpu value) names a CPU of the host's LLVM target:
/// "native" or an LLVM CPU name such as "sapphirerapids". (LLVM itself
/// only warns about an unknown name and then may abort.)
bool isKnownHostCpu(const std::string &cpu);

} // namespace kiln

#endif // KILN_BACKENDS_CPU_LLVMARTIFACT_H
