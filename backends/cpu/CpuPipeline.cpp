//===- CpuPipeline.cpp - kiln to LLVM dialect for the host CPU ------------===//
#include "backends/cpu/CpuPipeline.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln {

std::string cpuPipelineText(const CpuPipelineOptions &o) {
  std::string p;
  // Kernels dissolve (ops keep their kernel in their location);
  // convolutions and products with their epilogues go to oneDNN (before
  // composites decompose, so that GELU is a post-op, and after, for the
  // products inside attention); weights leave the code; the entry gets its
  // C interface; kiln -> linalg; the elementwise ops of each kernel fuse
  // into one loop nest.
  std::string select =
      !o.libraries
          ? ""
          : std::string("kiln-cpu-select-library-calls{use-cost-model=") +
                (o.costModel ? "true" : "false") +
                " winograd=" + (o.winograd ? "true" : "false") + "},";
  p += "kiln-inline-kernels," + select + "kiln-decompose-composites," + select;
  // Reductions of a whole large tensor in two steps, the first on threads.
  if (o.optLevel >= 1)
    p += "func.func(kiln-cpu-split-full-reductions),";
  p += "kiln-weights-to-params{min-bytes=" + std::to_string(o.minParamBytes) +
       "},kiln-cpu-mark-entry,kiln-convert-to-linalg,canonicalize,cse,"
       "kiln-fuse-kernel-elementwise,canonicalize,cse,kiln-cpu-order-loops,";
  // Tensors -> buffers; results are owned by the caller, intermediates
  // get offsets in the arena the runtime owns, and what could not be
  // planned is freed where it dies. Each kernel gets its own init first,
  // so that every buffer holds one value and the plan decides the sharing.
  if (o.planMemory)
    p += "kiln-cpu-unshare-inits,";
  p += "one-shot-bufferize{bufferize-function-boundaries allow-return-allocs-from-loops "
       "function-boundary-type-conversion=identity-layout-map},";
  // Large products become Kiln's packed GEMM kernel (above -O0, which
  // keeps plain loops as the reference); its panels are buffers the plan
  // places.
  if (o.optLevel >= 1)
    p += "kiln-cpu-pack-matmul,";
  if (o.planMemory)
    p += "kiln-cpu-plan-memory,";
  p += "buffer-deallocation-pipeline,convert-bufferization-to-memref,"
       "kiln-expand-strided-copies,canonicalize,cse,";
  // Library ops become calls through the artifact's table.
  if (o.libraries)
    p += "kiln-cpu-lower-library-calls,";
  // Loops (parallel dimensions as scf.parallel, the outermost of which run
  // on the runtime's threads when they are large enough), then control flow
  // (run-time checks need a CFG).
  p += "func.func(convert-linalg-to-parallel-loops),";
  // Reduction accumulators in registers, so LLVM vectorises them (-O0
  // keeps the scalar order as the reference).
  if (o.optLevel >= 1)
    p += "kiln-cpu-promote-reductions,";
  p += "kiln-cpu-parallelize-loops,"
       "lower-affine,convert-scf-to-cf,kiln-lower-runtime-checks,";
  // Everything to the LLVM dialect. f16/bf16 math goes through f32; f32
  // exp, tanh, erf and log become polynomials (vectorisable); other math
  // that LLVM has intrinsics for goes there, the rest to libm.
  p += "expand-strided-metadata,lower-affine,math-extend-to-supported-types,"
       "kiln-cpu-approximate-math,"
       "convert-math-to-llvm,convert-math-to-libm,arith-expand,"
       "convert-vector-to-llvm,finalize-memref-to-llvm,convert-func-to-llvm,convert-arith-to-llvm,"
       "convert-index-to-llvm,convert-cf-to-llvm,convert-ub-to-llvm,"
       "reconcile-unrealized-casts,";
  // Heap buffers (outputs, sizes known at run time) from the runtime's pool.
  p += "kiln-cpu-pooled-allocations";
  // What the plan knows about the arena's views, for LLVM's alias analysis.
  if (o.planMemory)
    p += ",kiln-cpu-arena-alias-scopes";
  return p;
}

LogicalResult buildCpuPipeline(OpPassManager &pm,
                               const CpuPipelineOptions &options) {
  std::string error;
  llvm::raw_string_ostream os(error);
  if (failed(parsePassPipeline(cpuPipelineText(options), pm, os))) {
    llvm::errs() << "internal error: bad CPU pipeline: " << error << "\n";
    return failure();
  }
  return success();
}

void registerCpuPipeline() {
  PassPipelineRegistration<>(
      "kiln-cpu-codegen",
      "Lower a kiln module to the LLVM dialect for the host CPU",
      [](OpPassManager &pm) { (void)buildCpuPipeline(pm, {}); });
}

} // namespace kiln
