//===- CpuPipeline.h - kiln to LLVM dialect for the host CPU ----*- C++ -*-===//
#ifndef KILN_BACKENDS_CPU_CPUPIPELINE_H
#define KILN_BACKENDS_CPU_CPUPIPELINE_H

#include "mlir/Pass/PassManager.h"

#include <string>

namespace kiln {

struct CpuPipelineOptions {
  int optLevel = 2;
  int64_t minParamBytes = 256;
  /// Run f32 convolutions and products through oneDNN (with their
  /// epilogues as post-ops) instead of generated loops.
  bool libraries = true;
  /// Only where the cost model finds the library faster.
  bool costModel = true;
  /// Convolutions where the cost model finds it faster run as Winograd.
  bool winograd = true;
  /// Intermediate buffers into one arena (kiln-cpu-plan-memory).
  bool planMemory = true;
};

/// The pass pipeline as text, so that it can be read (and pasted into a
/// kiln-opt command line) as it is.
std::string cpuPipelineText(const CpuPipelineOptions &options);

/// Appends the pipeline to `pm` (a module pass manager).
mlir::LogicalResult buildCpuPipeline(mlir::OpPassManager &pm,
                                     const CpuPipelineOptions &options);

/// Registers `kiln-cpu-codegen` for kiln-opt.
void registerCpuPipeline();

} // namespace kiln

#endif // KILN_BACKENDS_CPU_CPUPIPELINE_H
