//===- CudaArtifact.h - lowered CUDA module -> artifact ---------*- C++ -*-===//
#ifndef KILN_BACKENDS_CUDA_CUDAARTIFACT_H
#define KILN_BACKENDS_CUDA_CUDAARTIFACT_H

#include "kiln/Compiler.h"
#include "lib/runtime/ArtifactFormat.h"

#include "mlir/IR/BuiltinOps.h"

namespace kiln {

/// Takes the device module's PTX out of the lowered module, assembles it
/// with ptxas for options.gpuArch, embeds PTX and cubin with the kernel
/// and check tables (lib/runtime/cuda/CudaAbi.h), and writes the host
/// artifact like the CPU backend does. `--emit=ptx` writes the PTX only.
mlir::LogicalResult emitCudaArtifact(mlir::ModuleOp lowered,
                                     runtime::ArtifactMetadata metadata,
                                     const CompileOptions &options,
                                     const std::string &outputPath);

/// options.cudaPath, or the toolkit found when Kiln was built.
std::string cudaToolkitPath(const CompileOptions &options);

/// Runs ptxas on `ptx` for `arch`; returns the cubin, or fails with
/// ptxas's messages in `error`. `report`, when given, receives ptxas -v's
/// register and spill report.
bool assemblePtx(const std::string &ptxas, const std::string &ptx,
                 const std::string &arch, std::string &cubin,
                 std::string &error, std::string *report = nullptr);

} // namespace kiln

#endif // KILN_BACKENDS_CUDA_CUDAARTIFACT_H
