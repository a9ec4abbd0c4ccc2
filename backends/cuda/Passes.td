//===- Passes.td - CUDA backend passes -------------------------*- tablegen -*-===//
#ifndef KILN_BACKENDS_CUDA_PASSES_TD
#define KILN_BACKENDS_CUDA_PASSES_TD

include "mlir/Pass/PassBase.td"

def EmulateLibraryCalls : Pass<"kiln-cuda-emulate-library-calls", "mlir::ModuleOp"> {
  let summary = "Library calls as the kiln ops they stand for (testing)";
  let description = [{
    For `--target=cuda-emulate --emulate-library-calls`: rewrites each
    `kiln_lib.conv2d` and `kiln_lib.matmul` on tensors back into the kiln
    ops of its definition (transposes for `trans_a`/`trans_b`, the product
    or convolution, `alpha`, the accumulator, then the post-ops in order),
    computing in f32 from f16/bf16 operands and rounding the result to its
    type once, as cuBLAS and cuDNN do. The emulation then runs them as
    generated code, so that what kiln-cuda-select-library-calls and
    kiln-cuda-lower-precision made of the model is checked numerically
    without a GPU. Post-ops other than add, relu and gelu_tanh are errors.
  }];
  let dependentDialects = ["kiln::KilnDialect"];
}

def SelectLibraryCalls : Pass<"kiln-cuda-select-library-calls", "mlir::ModuleOp"> {
  let summary = "Hand convolutions and matrix products to cuDNN and cuBLAS";
  let description = [{
    Rewrites, before kiln -> linalg, the kiln ops that vendor libraries run
    into `kiln_lib` ops: `kiln.conv` (2-D, symmetric padding) into
    `kiln_lib.conv2d`, `kiln.matmul` (operands of rank >= 2 whose batches
    are shared or equal to the result's) and `kiln.gemm` into
    `kiln_lib.matmul`. The epilogues the libraries run join the call as
    post-ops: after a convolution, an Add of a residual of its type then a
    ReLU (cuDNN's fused call); after a product, a bias per output column
    (Gemm's `C` as a vector with `beta` 1, or an Add of such a vector) then
    a ReLU or tanh GELU (cuBLASLt). Any other Gemm `C`, scaled by `beta` and
    broadcast, becomes the accumulator. Only static float (f32, f16, bf16)
    ops qualify; the rest stays for code generation.
  }];
  let dependentDialects = ["kiln::lib::KilnLibDialect",
                           "mlir::tensor::TensorDialect",
                           "mlir::linalg::LinalgDialect",
                           "mlir::arith::ArithDialect"];
}

def LowerPrecision : Pass<"kiln-cuda-lower-precision", "mlir::ModuleOp"> {
  let summary = "Store the entry's float32 tensors in float16 or bfloat16";
  let description = [{
    `--precision=fp16|bf16`. Runs after kiln-cuda-select-library-calls and
    before kiln-weights-to-params, on the entry function's top-level ops:

    * `kiln_lib.conv2d` / `kiln_lib.matmul` on f32 take and return the low
      type (cuDNN and cuBLAS then run half or bfloat16 data on tensor
      cores, accumulating in float32).
    * Data movement (reshape, transpose, flatten, squeeze, unsqueeze,
      concat, gather, slice, expand, tile) and max pooling are retyped:
      they copy or compare, exact in any float type.
    * Every other kiln op still computes in f32: its low operands are cast
      up just before it, one cast per use (so that elementwise fusion folds
      the cast into the consumer's kernel), and each f32 result is rounded
      to the low type right after it, so every activation is stored in the
      low type whichever kernels the fusion forms: reductions, softmax,
      normalisation and exp/log run in float32, and the numbers do not
      depend on the fusion.
    * Weights that library calls or data movement read are converted at
      compile time (round to nearest even); weights of contractions left to
      generated code stay f32 but are rounded to the low type's values, as
      a library call would see them; other constants (scalars, epsilons,
      biases of f32 ops) are not touched.
    * The entry's signature does not change: f32 inputs are cast down where
      needed and results cast back up, so users keep feeding float32.

    Integer and f64 tensors, and f16/bf16 tensors already in the model,
    are left alone.
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"fp16\"",
           "fp16 or bf16">
  ];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def SplitReductions : Pass<"kiln-cuda-split-reductions", "mlir::func::FuncOp"> {
  let summary = "Row reductions in two coalesced phases through partial results";
  let description = [{
    Runs after kiln-cpu-promote-reductions. A top-level `scf.parallel` over
    fewer than `max-rows` rows whose body reduces each row with one
    `scf.for` (one float iter_arg combined by addf, mulf, maximumf,
    minimumf, maxnumf or minnumf) becomes two loops: rows x P threads each
    combining every P-th element from the combiner's identity into a
    buffer of partials (neighbouring threads read neighbouring elements),
    then the original loop combining the row's P partials. P is a power of
    two, at most 32, leaving each partial at least 8 elements; shorter
    rows are left alone. See SplitReductions.cpp.
  }];
  let options = [
    Option<"maxRows", "max-rows", "int64_t", /*default=*/"32768",
           "Split only reductions with fewer rows than this">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect"];
}

def VectorizeLoops : Pass<"kiln-cuda-vectorize-loops", "mlir::func::FuncOp"> {
  let summary = "Give each thread of an elementwise loop 16 contiguous bytes";
  let description = [{
    Runs just before kiln-cuda-map-to-gpu. The innermost dimension of a
    top-level `scf.parallel` steps by V = width-bytes / (the widest element
    it accesses along that dimension), and its loads and stores along it
    become aligned `vector.load` / `vector.store` of V elements, with the
    arithmetic between them on vectors, so that each thread moves 16 bytes
    per access (ld.global.v4 for float32) instead of 4. Only loops whose
    innermost variable is a static 0..N by 1 with V dividing N, used only as
    the last index of accesses to runtime buffers with a static, V-aligned
    layout, and whose dependent ops are arith/math on scalars, qualify; the
    others are left as they are. See VectorizeLoops.cpp.
  }];
  let options = [
    Option<"widthBytes", "width-bytes", "int64_t", /*default=*/"16",
           "bytes each thread loads or stores per access">
  ];
  let dependentDialects = ["mlir::vector::VectorDialect"];
}

def MapToGpu : Pass<"kiln-cuda-map-to-gpu", "mlir::ModuleOp"> {
  let summary = "Move every memory access of bufferized host code into kernels";
  let description = [{
    Runs after bufferization and convert-linalg-to-parallel-loops. Each
    top-level `scf.parallel` becomes a `gpu.launch` with one thread per
    iteration (linearised, innermost dimension fastest, `block-size` threads
    per block, fewer for a static launch too small to give every one of
    `multiprocessors` a full block); other memory accesses at the top level are grouped, in
    order, into single-thread launches; `memref.copy` becomes a parallel
    copy. Host control flow around parallel loops stays on the host.
    `cf.assert` in kernels sets the device global `kiln_cuda_check_flag`
    to its number + 1 (module attribute `kiln_cuda.checks` lists the
    messages). Kernels are named after their node and placed in one module,
    `@kiln_kernels`. Fails, naming the node, where the host would need a
    value computed on the device, unless `allow-cpu-fallback` is set: then
    the sequential work whose values the host needs runs on the host, on
    host copies of the buffers it touches (`gpu.alloc host_shared`,
    synchronous `gpu.memcpy` in only where it reads or partly writes a
    buffer, out only where a later op may read what it wrote,
    `gpu.dealloc`), and host control flow that allocates buffers (a loop
    with a device-computed trip count) stays on the host around its kernels.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block of parallel loops (multiple of 32)">,
    Option<"multiprocessors", "multiprocessors", "int64_t", /*default=*/"0",
           "The GPU's multiprocessors (0: unknown). A launch of fewer than "
           "block-size x multiprocessors threads gets smaller blocks (a "
           "multiple of 32), so that it spreads over every multiprocessor">,
    Option<"allowCpuFallback", "allow-cpu-fallback", "bool",
           /*default=*/"false",
           "Run on the host the work whose values the host needs">
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def SinkConstants : Pass<"kiln-cuda-sink-constants", "mlir::ModuleOp"> {
  let summary = "Copy the constants each gpu.launch uses into its body";
  let description = [{
    Canonicalization hoists constants out of launch bodies; outlined, they
    would become kernel parameters and hide constant sizes from the device
    compiler (a division per element instead of a shift). Runs right before
    gpu-kernel-outlining.
  }];
}

def EmulateLaunches : Pass<"kiln-cuda-emulate-launches", "mlir::ModuleOp"> {
  let summary = "Run gpu.launch bodies as host loops (testing only)";
  let description = [{
    Replaces each `gpu.launch` by loops over its blocks and threads, in
    order, so that the code `kiln-cuda-map-to-gpu` produces can be compiled
    for and run on the CPU and checked against references on machines
    without a GPU. Exact for kernels without barriers or shared memory
    (which `kiln-cuda-map-to-gpu` never creates); device checks are turned
    back into `cf.assert` with their messages. The CPU fallback's host
    buffers and copies (`gpu.alloc host_shared`, `gpu.memcpy`,
    `gpu.dealloc`) become `memref.alloc`, `memref.copy` and
    `memref.dealloc`: separate buffers, so a missing copy gives wrong results.
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::cf::ControlFlowDialect"];
}

def HostToLlvm : Pass<"kiln-cuda-host-to-llvm", "mlir::ModuleOp"> {
  let summary = "Lower the host side of a CUDA module to calls of the runtime";
  let description = [{
    Converts the host code to the LLVM dialect (func, arith, cf, memref,
    index) where the device operations become calls through the artifact's
    table of runtime functions (lib/runtime/cuda/CudaAbi.h):
    `memref.alloc`/`memref.dealloc` -> `kiln_cuda_alloc`/`kiln_cuda_free`
    (every buffer is device memory), `gpu.launch_func` ->
    `kiln_cuda_launch(kernel index, grid, block, shared bytes, params)` with
    the kernel's parameters laid out as the NVVM lowering expects them
    (memrefs expanded to their descriptor fields), `kiln_lib.conv2d` and
    `kiln_lib.matmul` -> `kiln_cuda_conv2d`/`kiln_cuda_matmul` with a
    constant descriptor; the CPU fallback's `gpu.alloc host_shared` /
    `gpu.dealloc` -> `kiln_cuda_host_alloc`/`kiln_cuda_host_free` and its
    synchronous `gpu.memcpy` -> `kiln_cuda_copy_to_host` or
    `kiln_cuda_copy_to_device` (by which side is a host buffer). Defines those functions as thunks through the
    exported table `kiln_artifact_cuda_api` and lists the kernels, by
    index, in the module attribute `kiln_cuda.kernels`. `gpu.binary` is
    left for the artifact writer. With `allow-tf32` the descriptors of
    float32 library calls let cuDNN and cuBLAS use TF32 tensor cores
    (`--precision=tf32`); otherwise float32 stays float32.
  }];
  let options = [
    Option<"allowTf32", "allow-tf32", "bool", /*default=*/"false",
           "Let float32 library calls use TF32 tensor-core math">
  ];
  // memref and arith: the library calls' data pointers are computed with
  // them, also in a module that has no other memref or arith op.
  let dependentDialects = ["mlir::LLVM::LLVMDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect"];
}

#endif // KILN_BACKENDS_CUDA_PASSES_TD
