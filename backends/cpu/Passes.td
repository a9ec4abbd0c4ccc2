//===- Passes.td - CPU backend passes --------------------------*- tablegen -*-===//
#ifndef KILN_BACKENDS_CPU_PASSES_TD
#define KILN_BACKENDS_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def MarkEntryForCInterface : Pass<"kiln-cpu-mark-entry", "mlir::ModuleOp"> {
  let summary = "Give the entry function the C interface the artifact calls";
  let description = [{
    Adds `llvm.emit_c_interface` to the `kiln.entry` function so that the
    LLVM lowering emits `_mlir_ciface_<name>`, which takes every memref as
    a pointer to its descriptor: the artifact's run entry point forwards to
    it. Drops the `kiln.*` argument and result attributes, which the
    artifact's metadata has taken over and LLVM would not understand.
    Leaves every other function alone.
  }];
}

def SplitFullReductions
    : Pass<"kiln-cpu-split-full-reductions", "mlir::func::FuncOp"> {
  let summary = "Reduce large tensors to one value in two steps, the first on threads";
  let description = [{
    A kiln.reduce_min / max / sum / mean of a whole tensor has no parallel
    loop: generated code reads it on one thread. With at least
    `min-elements` elements it becomes the same reduction of each row of
    the tensor seen as [P, N/P] (P rows: a parallel loop, which the
    threads share), then of the P results, then the original shape:

    ```mlir
    %r = kiln.reduce_max %x {axes = array<i64: 0, 1>, keepdims = false}
         : tensor<1024x512xf32> -> tensor<f32>
    // becomes
    %v = kiln.reshape %x, [256, 2048]
    %p = kiln.reduce_max %v {axes = array<i64: 1>} -> tensor<256x1xf32>
    %q = kiln.reduce_max %p {axes = array<i64: 0, 1>} -> tensor<1x1xf32>
    %r = kiln.reshape %q, []
    ```

    P is the largest divisor of N up to 256 that leaves rows of at least
    1024 elements (none: the op stays). Min, max and integer sums are
    exact; a sum or a mean of floats is added in another order, as the
    vectorised reductions already are; an integer mean (which truncates)
    stays.
  }];
  let options = [
    Option<"minElements", "min-elements", "int64_t", "65536",
           "Split only reductions of at least this many elements">,
  ];
}

def OrderLoops : Pass<"kiln-cpu-order-loops", "mlir::ModuleOp"> {
  let summary = "Put reductions outside the output's contiguous dimension";
  let description = [{
    For every linalg.generic with reduction dimensions whose output's last
    dimension is indexed by a parallel loop: loop order (other parallel
    dimensions, reductions, that dimension), so that the innermost loop runs
    over contiguous output (and usually input) memory and LLVM vectorises
    it. Each output element still accumulates in the same order: results do
    not change.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def ExpandStridedCopies : Pass<"kiln-expand-strided-copies", "mlir::ModuleOp"> {
  let summary = "Turn memref.copy of non-contiguous buffers into linalg.copy";
  let description = [{
    The LLVM lowering turns a `memref.copy` between identity-layout buffers
    into `memcpy`, and any other into a call of `memrefCopy` from MLIR's
    runner library, which artifacts do not link. This rewrites the latter
    into `linalg.copy`, which becomes loops like every other linalg op.
    Copies of contiguous buffers are left alone (they stay `memcpy`).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def LowerRuntimeChecks : Pass<"kiln-lower-runtime-checks", "mlir::ModuleOp"> {
  let summary = "Turn cf.assert into a call of the artifact's trap handler";
  let description = [{
    A failed check calls `kiln_trap(message)`, which the artifact forwards
    to the runtime's handler: the run ends with that message as its error
    instead of aborting the process. Runs after SCF is lowered to CFG (the
    rewrite splits blocks).

    ```mlir
    cf.assert %ok, "node 'g' (Gather): gather index out of range"
    // becomes
    cf.cond_br %ok, ^continue, ^trap
    ^trap:
      llvm.call @kiln_trap(%message) : (!llvm.ptr) -> ()
      llvm.unreachable
    ```
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect",
                           "mlir::cf::ControlFlowDialect"];
}

def CpuSelectLibraryCalls : Pass<"kiln-cpu-select-library-calls", "mlir::ModuleOp"> {
  let summary = "Hand f32 convolutions and products, with their epilogues, to oneDNN";
  let description = [{
    Rewrites `kiln.conv` (2-D), `kiln.matmul` (rank >= 2, broadcast
    batches; a transpose of the rhs's last two dimensions becomes
    `trans_b`) and `kiln.gemm` (C added as a post-op when beta is 1) with
    static f32 shapes into `kiln_lib.conv2d`/`kiln_lib.matmul`. The chain
    of elementwise ops that follows, each the only user of the previous
    value and of the same shape, becomes the op's post-ops: unary ones
    (relu, gelu, sigmoid, tanh, silu, hard_swish, clip, leaky_relu, elu,
    abs, exp, sqrt) and binary ones with an operand that broadcasts to the
    result (add, mul, max, min; sub and div with the chain on the left).
    Filters and rhs that are constants are marked `constant_weights`.
    Convolutions where the cost model expects oneDNN's Winograd F(2x2, 3x3)
    to be faster (CpuCostModel::winogradApplies) get `algorithm =
    "winograd"`, unless `winograd=false`.
    Everything else stays for code generation, and so does an op that the
    cost model (backends/cpu/CostModel.h) finds faster as generated code
    (tiny products, where a library call's fixed cost dominates), unless
    `use-cost-model=false`.
  }];
  let options = [
    Option<"useCostModel", "use-cost-model", "bool", /*default=*/"true",
           "Leave ops that the cost model finds faster as generated code">,
    Option<"winograd", "winograd", "bool", /*default=*/"true",
           "Mark convolutions where the cost model finds Winograd faster "
           "(algorithm = \"winograd\")">
  ];
  let dependentDialects = ["kiln::lib::KilnLibDialect",
                           "mlir::tensor::TensorDialect"];
}

def CpuLowerLibraryCalls : Pass<"kiln-cpu-lower-library-calls", "mlir::ModuleOp"> {
  let summary = "Bufferized kiln_lib ops to calls of the runtime's oneDNN wrappers";
  let description = [{
    Each `kiln_lib.conv2d`/`kiln_lib.matmul` on memrefs becomes
    `llvm.call @kiln_cpu_conv2d(%desc, %buffers)` (or `kiln_cpu_matmul`):
    `%desc` a constant int64 array describing the op (shapes, attributes,
    epilogue; lib/runtime/cpu/CpuAbi.h), `%buffers` a stack array of the
    operands' addresses. The called functions are thunks through the
    exported table `kiln_artifact_cpu_api`, which the runtime fills.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def CpuPromoteReductions : Pass<"kiln-cpu-promote-reductions", "mlir::ModuleOp"> {
  let summary = "Reduction accumulators into loop-carried values, sums re-associable";
  let description = [{
    For each `scf.for` whose body loads and stores one buffer element at
    an address that does not change in the loop (a reduction's
    accumulator), with no other access to that buffer and no other memory
    write in the loop: loads it before the loop, carries it as an
    iter_arg, stores it after, and marks `arith.addf`/`arith.mulf` that
    combine it `reassoc`, so that LLVM vectorises the reduction.
    Innermost loops first, so nested reductions promote level by level. A
    promoted loop of at most 16 constant iterations with no loop inside (a
    pooling window, see kiln-cpu-order-loops) is unrolled, so that the loop
    around it vectorises. A promoted maximum or minimum over loads along the
    loop (which LLVM leaves scalar) becomes vector steps, the vector's
    reduction and a scalar remainder.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def CpuParallelizeLoops : Pass<"kiln-cpu-parallelize-loops", "mlir::ModuleOp"> {
  let summary = "Run outermost parallel loops on the runtime's threads";
  let description = [{
    Outlines each outermost `scf.parallel` that executes at least
    `min-work` operations (trip counts times body size; 1024 trips assumed
    for a dimension known only at run time) into a function
    `body(args, lo, hi)` running iterations [lo, hi) of its first
    dimension that is not known to have a single iteration, and calls the runtime's `kiln_cpu_parallel_for(body, args,
    n)` through the artifact's table instead. Loops with reductions into
    values, run-time checks or calls stay sequential.

    Work is counted in scalar operations of a loop LLVM vectorises: an
    operation on vectors counts its lanes (the packing loops are written
    with vectors), and a scalar load or store that strides along its
    innermost loop (a transpose's read) counts 16, a vector's worth, since
    it cannot be vectorised and costs a cache line each.

    The default `min-work` is about 5 us of vectorised loop on this
    machine's class (~100 operations per ns): an OpenMP fork and join costs
    ~1.3 us here, and a 256x256 matrix-vector product (328K operations,
    3.4 us) runs faster on one thread than split over two.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"524288",
           "Smallest loop (in operations executed) worth waking threads for">
  ];
  let dependentDialects = ["mlir::LLVM::LLVMDialect",
                           "mlir::arith::ArithDialect",
                           "mlir::func::FuncDialect"];
}

def CpuApproximateMath : Pass<"kiln-cpu-approximate-math", "mlir::ModuleOp"> {
  let summary = "f32 exp, tanh, erf and log as vectorisable polynomials";
  let description = [{
    Rewrites f32 `math.exp`, `expm1`, `tanh`, `erf`, `log`, `log1p` and
    `log2` (scalars and vectors) into MLIR's polynomial approximations
    (f32 accuracy, special values kept), so that the loops around them
    vectorise instead of calling libm once per element.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::math::MathDialect",
                           "mlir::vector::VectorDialect",
                           "mlir::LLVM::LLVMDialect"];
}

def UnshareInits : Pass<"kiln-cpu-unshare-inits", "mlir::ModuleOp"> {
  let summary = "Give every destination-passing op its own init tensor";
  let description = [{
    Before bufferization, for a `tensor.empty`, or an all-parallel linalg
    op that writes one without reading it and reads only smaller tensors (a
    fill, a bias broadcast), whose result has several uses: each use as the
    init (`outs`) of an op in the same block gets its own copy of it, made
    right before that op. CSE had merged them; left merged, one-shot-
    bufferize copies the shared buffer into each op's output or makes one
    buffer hold unrelated values one after another, and the memory plan
    would see one long-lived buffer instead of several short ones.

    ```mlir
    %z = linalg.fill ins(%zero) outs(%empty)
    %a = linalg.matmul ins(%x, %w) outs(%z)
    %b = linalg.matmul ins(%y, %w) outs(%z)
    // becomes
    %e1 = tensor.empty()
    %z1 = linalg.fill ins(%zero) outs(%e1)
    %a = linalg.matmul ins(%x, %w) outs(%z1)
    %e2 = tensor.empty()
    %z2 = linalg.fill ins(%zero) outs(%e2)
    %b = linalg.matmul ins(%y, %w) outs(%z2)
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
                           "mlir::tensor::TensorDialect"];
}

def PlanMemory : Pass<"kiln-cpu-plan-memory", "mlir::ModuleOp"> {
  let summary = "Give the entry's intermediate buffers offsets in one arena";
  let description = [{
    The static memory plan. Runs on buffers (after one-shot-bufferize) and
    before the deallocation pipeline. Every `memref.alloc` in the top-level
    block of the `kiln.entry` function that has a static shape, an identity
    layout and no use through which it could escape (returned, yielded,
    passed to a call, freed, used by an op with unknown effects) is live
    from the first to the last op using it or a view of it (a use nested in
    a region counts at its top-level ancestor). Each gets an offset,
    a multiple of `alignment`, such that buffers live at the same time do
    not overlap, and becomes a `memref.view` into a new last argument of the
    entry, `memref<N x i8>`, the arena, which the runtime allocates once.
    With `in-place`, the output of an all-parallel linalg op shares the slot
    of an input that dies there when both are read and written at the same
    element (identity indexing maps, same shape and size). Everything else
    keeps its allocation. The plan (offsets, lifetimes, the arena size and
    the lower bound, the largest total of buffers live at one point) is
    recorded in the module attribute `kiln.memory_plan`.

    ```mlir
    %a = memref.alloc() : memref<8xf32>
    // becomes, for an arena argument %arena : memref<N x i8>
    %c0 = arith.constant 0 : index
    %a = memref.view %arena[%c0][] : memref<Nxi8> to memref<8xf32>
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "uint64_t", "64",
           "Byte alignment of every buffer in the arena (a power of two)">,
    Option<"inPlace", "in-place", "bool", "true",
           "Let elementwise ops write over an input that dies there">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def ArenaAliasScopes : Pass<"kiln-cpu-arena-alias-scopes", "mlir::ModuleOp"> {
  let summary = "Alias scopes for loads and stores through arena views";
  let description = [{
    Runs on the LLVM dialect, after the memory plan's views are lowered.
    Every `llvm.load` and `llvm.store` whose address derives from a view
    into the arena (the view's location names its slot) gets that slot's
    alias scope, and is declared not to alias the scopes of the slots whose
    lifetimes overlap (the plan, `kiln.memory_plan`, gives them disjoint
    bytes). The entry's arena pointer argument becomes `llvm.noalias`.
    Without this, LLVM sees one object where there were separate
    allocations and stops vectorising loops that read one buffer and write
    another.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def PooledAllocations : Pass<"kiln-cpu-pooled-allocations", "mlir::ModuleOp"> {
  let summary = "Heap buffers from the runtime's pool instead of malloc";
  let description = [{
    Runs on the LLVM dialect. Every call of `malloc` and `free` (what the
    static memory plan could not place: outputs, buffers sized at run time)
    becomes one of `kiln_cpu_alloc` and `kiln_cpu_free`, which call the
    runtime's buffer pool through the artifact's table: freed blocks are
    kept for the next run rather than given back to the system, whose pages
    the next run would fault in again. `kiln_cpu_alloc` keeps what LLVM
    knew of malloc: its result aliases nothing (`noalias`, on a function
    that is not inlined so that the attribute is seen at each call).
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def CpuPackMatmul : Pass<"kiln-cpu-pack-matmul", "mlir::ModuleOp"> {
  let summary = "Large f32 products as packed, cache-blocked register-tile kernels";
  let description = [{
    Rewrites each static f32 `linalg.generic` on buffers that is a product
    (row dimensions of the output taken together as M, one n and one k
    dimension, any batch dimensions; multiply-add
    body) with at least `mr` rows and `vector-width` columns that executes
    at least `min-flops` into Kiln's GEMM kernel:

    - the right operand is packed into `[N/nr][K][nr]` panels and the
      left into `[K/kc][M/mr][kc][mr]` panels (zero-padded, any layout
      read), each by a parallel loop, into buffers the memory plan places;
    - for each block of at most `kc` reductions (K split evenly) and each
      block of at most `mc` rows (M split evenly), a parallel loop over
      (`nr`-column panel, `mr`-row panel) runs the micro-kernel: an
      `mr` x `nr` tile of the output held in vector registers
      (`mr * nr / vector-width` accumulators) across the block, updated
      per k by `nr / vector-width` vector loads of the packed right panel,
      `mr` broadcasts of the packed left panel and `mr * nr / vector-width`
      vector FMAs. Rows and columns past the edges are masked.

    Batch dimensions that repeat are a parallel loop around all of this,
    each batch index with its own panels.

    Every output element still sums its products in k order from the
    output's initial value, like the loops it replaces (FMA rounding
    aside). Runs after bufferization and before the memory plan, so the
    packed buffers live in the arena. Everything else is left alone.
  }];
  let options = [
    Option<"minFlops", "min-flops", "int64_t", /*default=*/"::kiln::cpu::kPackedGemm.minFlops",
           "Smallest product (2*M*N*K per batch) worth packing">,
    Option<"mr", "mr", "int64_t", /*default=*/"::kiln::cpu::kPackedGemm.mr",
           "Rows of the register tile">,
    Option<"nr", "nr", "int64_t", /*default=*/"::kiln::cpu::kPackedGemm.nr",
           "Columns of the register tile (a multiple of vector-width)">,
    Option<"kc", "kc", "int64_t", /*default=*/"::kiln::cpu::kPackedGemm.kc",
           "Reductions per cache block">,
    Option<"mc", "mc", "int64_t", /*default=*/"::kiln::cpu::kPackedGemm.mc",
           "Rows of the left operand per cache block (rounded to whole tiles)">,
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"::kiln::cpu::kPackedGemm.vectorWidth",
           "f32 lanes of the widest vector register">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect",
                           "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

#endif // KILN_BACKENDS_CPU_PASSES_TD
