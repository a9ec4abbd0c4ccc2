//===- CudaPipeline.cpp - kiln to host LLVM + device PTX ------------------===//
#include "backends/cuda/CudaPipeline.h"
#include "backends/cuda/GpuCostModel.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln {

std::string cudaPipelineText(const CudaPipelineOptions &o) {
  bool libraries = o.libraries && (!o.emulate || o.emulateLibraries);
  std::string p;
  // The graph's kernels dissolve; attention decomposes; convolutions and
  // products go to the libraries; fp16/bf16 retype the tensors (before the
  // weights leave the code, so that they are converted once, here);
  // weights leave the code; the entry gets its C interface; the other
  // composite ops decompose; kiln -> linalg.
  // A weight at half its bytes is still a parameter (a smaller constant
  // would be copied to the device by a kernel of its own at each use).
  bool low = o.precision == "fp16" || o.precision == "bf16";
  p += "kiln-inline-kernels,";
  // Attention decomposes first, so that its two batched products go to
  // cuBLAS (and, at fp16/bf16, run on tensor cores like any product)
  // instead of generated loops. The emulation decomposes it at the same
  // point, so that its numbers round where the GPU's do.
  p += "kiln-decompose-composites{ops=attention},";
  if (libraries)
    p += "kiln-cuda-select-library-calls,";
  if (low)
    p += "kiln-cuda-lower-precision{precision=" + o.precision + "},";
  // The emulation runs the calls as the kiln ops they stand for.
  if (o.emulate && libraries)
    p += "kiln-cuda-emulate-library-calls,";
  // (A library reads its operands from device memory: small constants
  // that it reads are parameters too, not written by a kernel each run.)
  p += "kiln-weights-to-params{min-bytes=" +
       std::to_string(low ? o.minParamBytes / 2 : o.minParamBytes) +
       (libraries ? " library-operands=true" : "") +
       "},kiln-cpu-mark-entry,";
  // TopK, Unique and CumSum one thread per output element, not a serial
  // loop along the axis in one thread.
  p += "kiln-decompose-composites,kiln-convert-to-linalg{along-axis=parallel},"
       "canonicalize,cse,";
  // Fewer, larger elementwise kernels (transposes fuse too, as generics).
  if (o.optLevel > 0)
    p += "kiln-generalize-transposes,linalg-fuse-elementwise-ops,canonicalize,";
  // Tensors -> buffers (device memory from here on), as for the CPU: each
  // op gets its own init first (CSE shares equal fills, which bufferize
  // would copy per use, a copy and a fill kernel per softmax reduction).
  p += "kiln-cpu-unshare-inits,";
  p += "one-shot-bufferize{bufferize-function-boundaries "
       "allow-return-allocs-from-loops "
       "function-boundary-type-conversion=identity-layout-map},"
       "buffer-deallocation-pipeline,convert-bufferization-to-memref,"
       "canonicalize,cse,";
  // Loops, then every memory access into a kernel.
  p += "func.func(convert-linalg-to-parallel-loops),canonicalize,";
  // With optimisation on, the loops are reshaped for the GPU:
  //  * reduction accumulators in registers, as on the CPU (the pass is the
  //    CPU backend's; nothing in it is CPU-specific): without it each
  //    iteration of a row's reduction loads and stores its accumulator in
  //    global memory, one dependent round trip per element, since the
  //    device compiler cannot prove that the input never aliases it;
  //  * row reductions with too few rows to fill the GPU run in two phases
  //    through partial results (coalesced, rows x up to 32 threads);
  //  * 16 bytes per thread and access in elementwise kernels.
  if (o.optLevel > 0)
    p += "kiln-cpu-promote-reductions,func.func(kiln-cuda-split-reductions),"
         "canonicalize,func.func(kiln-cuda-vectorize-loops),canonicalize,";
  // Multiprocessors of the arch's largest parts (A100: 108; H100, H200:
  // 132), for spreading small launches.
  std::optional<cuda::GpuArchSpec> spec = cuda::gpuArchSpec(o.arch);
  int64_t sms = spec ? spec->multiprocessors : 0;
  p += "kiln-cuda-map-to-gpu{block-size=" + std::to_string(o.blockSize) +
       " multiprocessors=" + std::to_string(sms) +
       (o.allowCpuFallback ? " allow-cpu-fallback=true" : "") +
       "},canonicalize,cse,arith-expand,";
  if (o.emulate) {
    // The CPU pipeline's tail, with the launches as loops.
    p += "kiln-cuda-emulate-launches,canonicalize,lower-affine,"
         "convert-scf-to-cf,kiln-lower-runtime-checks,"
         "expand-strided-metadata,lower-affine,math-extend-to-supported-types,"
         "convert-math-to-llvm,convert-math-to-libm,arith-expand,"
         "convert-vector-to-llvm,finalize-memref-to-llvm,convert-func-to-llvm,"
         "convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,convert-ub-to-llvm,"
         "reconcile-unrealized-casts";
    return p;
  }
  // Kernels into one device module; views and control flow lowered on both
  // sides; host checks to the trap handler.
  p += "kiln-cuda-sink-constants,gpu-kernel-outlining,expand-strided-metadata,lower-affine,"
       "convert-scf-to-cf,kiln-lower-runtime-checks,";
  // Device: NVVM, then PTX (libdevice linked for math).
  p += "nvvm-attach-target{module=kiln_kernels chip=" + o.arch +
       " features=+ptx80 O=" + std::to_string(o.optLevel == 0 ? 0 : 3) + "},"
       "gpu.module(convert-gpu-to-nvvm,canonicalize,cse,"
       "reconcile-unrealized-casts),"
       "gpu-module-to-binary{format=isa toolkit=" + o.cudaPath + "},";
  // Host: LLVM with calls into the runtime.
  // (canonicalize drops constants that the memref patterns leave unused.)
  // (Math and vectors on the host only come from the CPU fallback.)
  p += std::string("math-extend-to-supported-types,convert-math-to-llvm,"
                   "convert-math-to-libm,convert-vector-to-llvm,"
                   "kiln-cuda-host-to-llvm") +
       (o.precision == "tf32" ? "{allow-tf32=true}" : "") +
       ",reconcile-unrealized-casts,canonicalize";
  return p;
}

LogicalResult buildCudaPipeline(OpPassManager &pm,
                                const CudaPipelineOptions &options) {
  std::string error;
  llvm::raw_string_ostream os(error);
  if (failed(parsePassPipeline(cudaPipelineText(options), pm, os))) {
    llvm::errs() << "internal error: bad CUDA pipeline: " << error << "\n";
    return failure();
  }
  return success();
}

void registerCudaPipelines() {
  PassPipelineRegistration<>(
      "kiln-cuda-codegen",
      "Lower a kiln module to host LLVM and a device PTX binary (sm_90)",
      [](OpPassManager &pm) { (void)buildCudaPipeline(pm, {}); });
  PassPipelineRegistration<>(
      "kiln-cuda-emulate",
      "Map a kiln module to GPU kernels, then run them as host loops",
      [](OpPassManager &pm) {
        CudaPipelineOptions o;
        o.emulate = true;
        (void)buildCudaPipeline(pm, o);
      });
}

} // namespace kiln
