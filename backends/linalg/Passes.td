//===- Passes.td - kiln -> linalg and the steps codegen backends share -*- tablegen -*-===//
#ifndef KILN_BACKENDS_LINALG_PASSES_TD
#define KILN_BACKENDS_LINALG_PASSES_TD

include "mlir/Pass/PassBase.td"

def InlineKernels : Pass<"kiln-inline-kernels", "mlir::ModuleOp"> {
  let summary = "Dissolve kiln.fused kernels, tagging each op with its kernel";
  let description = [{
    Moves every `kiln.fused` body in front of the op and replaces its
    results by the yielded values. Each moved op's location becomes a
    FusedLoc with metadata `{kiln.kernel = N}`, which lowering patterns
    carry to the ops they create, so `kiln-fuse-kernel-elementwise` can
    fuse exactly within the kernels the graph chose. Runs first in the
    codegen pipelines.
  }];
}

def FuseKernelElementwise : Pass<"kiln-fuse-kernel-elementwise", "mlir::ModuleOp"> {
  let summary = "Fuse elementwise linalg ops that belong to one kernel";
  let description = [{
    MLIR's linalg elementwise fusion, restricted to producer/consumer pairs
    whose locations carry the same `kiln.kernel` and whose producer has no
    user outside that kernel. Ops without a kernel are left alone.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def GeneralizeTransposes : Pass<"kiln-generalize-transposes", "mlir::ModuleOp"> {
  let summary = "Rewrite linalg.transpose as linalg.generic";
  let description = [{
    Elementwise fusion only merges linalg.generic ops. As a generic, a
    transpose fuses with the elementwise ops around it (attention's bias
    additions into its per-head transposes): one loop nest, and one
    kernel on the GPU, instead of two. Other named ops stay named.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def DecomposeComposites : Pass<"kiln-decompose-composites", "mlir::ModuleOp"> {
  let summary = "Rewrite layer_norm, silu and attention into primitive kiln ops";
  let description = [{
    The reference lowering of the composite ops that pattern recognition
    creates: the primitive kiln ops that define them (for attention: the
    per-head reshapes and transposes, q k^T, scale, mask, softmax, and the
    product with v). Runs before kiln-convert-to-linalg. The k^T operand is
    k's per-head transpose followed by a transpose of its last two
    dimensions, which a library product reads as a transposed operand
    instead of a copy. `ops` limits the rewrite to some composites (a
    backend that sends attention's products to a library decomposes
    attention first, before its library selection).
  }];
  let options = [
    ListOption<"ops", "ops", "std::string",
               "composites to decompose: layer_norm, silu, attention "
               "(default: all)">
  ];
}

def ConvertKilnToLinalg : Pass<"kiln-convert-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower kiln ops to linalg, tensor, arith and math";
  let description = [{
    Every kiln op becomes linalg ops on tensors (mostly `linalg.generic`),
    with signless integer types: the signedness that kiln keeps in its
    element types is used to pick signed or unsigned arithmetic and is then
    dropped, also from function signatures.

    Dynamic sizes are computed at run time; every assumption the kiln
    verifier could not check statically (broadcast compatibility, index
    ranges, reshape element counts) becomes a `cf.assert` naming the node,
    which the backend turns into a run-time error report.

    TopK, Unique, CumSum, DFT and STFT work along an axis as `along-axis`
    says: `serial` (the CPU's choice) makes the axis a serial loop: a merge
    sort cut at k, or for TopK with k <= 64 a scan keeping the best k
    (O(n log k) comparisons); a running sum (O(n) additions); a radix-2 FFT
    for power-of-two lengths (O(n log n)). `parallel` (a GPU's choice)
    computes every output element on its own: each element counts the
    elements before it, each sum adds its whole prefix, each DFT bin sums
    the signal (O(n^2) work, one thread per element).

    Guarantees: no kiln op remains; fails (naming the op) if one cannot be
    lowered.
  }];
  let options = [
    Option<"alongAxis", "along-axis", "std::string", /*default=*/"\"serial\"",
           "how TopK, Unique and CumSum work along an axis: serial or parallel">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::cf::ControlFlowDialect",
    "mlir::linalg::LinalgDialect", "mlir::math::MathDialect",
    "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
    "mlir::func::FuncDialect"
  ];
}

def WeightsToParams : Pass<"kiln-weights-to-params", "mlir::ModuleOp"> {
  let summary = "Turn large constants into parameters of the entry function";
  let description = [{
    Every `kiln.constant` of at least `min-bytes` bytes in the entry function
    becomes a new trailing argument marked `kiln.param = "<name>"` and
    non-writable; the values move, in argument order, to the module
    attribute `kiln.param_values`. The artifact then maps the weights from
    one blob (or an external file) without copying them, and the generated
    code never embeds them.

    ```mlir
    // before
    func.func @main_graph(%x: tensor<1x4xf32>) -> tensor<1x4xf32> attributes {kiln.entry} {
      %w = kiln.constant dense_resource<w> : tensor<4x4xf32>
      ...
    // after
    module attributes {kiln.param_values = [dense_resource<w> : tensor<4x4xf32>]} {
    func.func @main_graph(%x: tensor<1x4xf32>, %w: tensor<4x4xf32> {kiln.param = "w", bufferization.writable = false}) ...
    ```

    Leaves small constants (shapes, scalars) alone: they fold and stay in
    the code. With `library-operands`, constants that a `kiln_lib` op reads
    (directly or through reshapes) become parameters at any size: on a GPU
    a library reads them from device memory, where a constant in the code
    would be written by a kernel of its own at every run.
  }];
  let options = [
    Option<"minBytes", "min-bytes", "int64_t", /*default=*/"256",
           "Constants at least this large become parameters">,
    Option<"libraryOperands", "library-operands", "bool", /*default=*/"false",
           "Constants that library calls read become parameters at any size">
  ];
}

#endif // KILN_BACKENDS_LINALG_PASSES_TD
