//===- Passes.td - target-independent graph passes -------------*- tablegen -*-===//
#ifndef KILN_PASSES_TD
#define KILN_PASSES_TD

include "mlir/Pass/PassBase.td"

def InferShapes : Pass<"kiln-infer-shapes", "mlir::ModuleOp"> {
  let summary = "Refine result types from the ops' type inference";
  let description = [{
    Re-infers every kiln op's result type in program order and keeps the
    more precise of the inferred and the current type, so that sizes that
    became known (an input fixed by `--input-shape`, a reshape target folded
    to a constant) flow through the whole graph. Function result types
    follow.

    ```mlir
    // before: the target shape became a constant after folding
    %s = kiln.constant dense<[2, 3]> : tensor<2xsi64>
    %y = kiln.reshape %x, %s : (tensor<6xf32>, tensor<2xsi64>) -> tensor<?x?xf32>
    // after
    %y = kiln.reshape %x, %s : (tensor<6xf32>, tensor<2xsi64>) -> tensor<2x3xf32>
    ```

    Never makes a type less precise; fails (naming the op) if inference
    contradicts a type already in the IR.
  }];
}

def FoldConstants : Pass<"kiln-fold-constants", "mlir::ModuleOp"> {
  let summary = "Evaluate ops whose operands are all constants";
  let description = [{
    Walks the graph in order; every kiln op whose operands are all
    constants and whose result has at most `max-elements` elements is
    evaluated at compile time and replaced by a `kiln.constant`, in the
    op's own element type: integers bit-exact with the generated code
    (wrap-around, the op's signedness), f32/f64 arithmetic in IEEE
    arithmetic of that precision. Result types are re-inferred as operands
    become constant, so PyTorch's shape subgraphs (Shape, Gather,
    Unsqueeze, Concat, Reshape, ConstantOfShape, Range, Expand) collapse in
    one walk once the input shapes are static. Afterwards constants with
    identical type and contents are merged.

    ```mlir
    // before
    %s = kiln.shape %x {end = 4 : i64, start = 0 : i64} : tensor<1x3x8x8xf32> -> tensor<4xsi64>
    // after
    %s = kiln.constant dense<[1, 3, 8, 8]> : tensor<4xsi64>
    ```

    Ops it cannot evaluate (unknown op, dynamic shapes, too large) are
    left as they are.
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", "1 << 24",
           "largest result (in elements) folded at compile time">,
  ];
}

def Simplify : Pass<"kiln-simplify", "mlir::ModuleOp"> {
  let summary = "Algebraic simplification of the graph";
  let description = [{
    Applies Kiln's catalogue of rewrite rules (passes/simplify/) until none
    applies: neutral elements (x + 0, x * 1, x / 1, x ^ 1), strength
    reduction (x ^ 2 -> x * x, x ^ 0.5 -> sqrt, x / 2^k -> x * 2^-k), sign
    rules, re-association of constants, factorisation, exact cast chains,
    neutral or cancelling data movement (reshape chains, transpose pairs,
    Squeeze/Unsqueeze/Flatten as reshapes, zero pads, full slices, unit
    tiles, single concats), BatchNormalization folded into the preceding
    Conv/Gemm/MatMul weights (or turned into one multiply-add),
    per-channel additions and multiplications folded into a preceding
    Conv or Gemm, and transposes absorbed into Gemm/MatMul flags. New
    constants are computed on the spot.

    Rules that change floating-point results beyond re-association (x * 0
    -> 0, x - x -> 0, x / c -> x * (1/c) for any c) apply only with
    `fast-math`. A rule that cannot prove itself right (unknown shapes,
    non-constant operands, broadcasting that would change the shape)
    leaves the graph alone.
  }];
  let options = [
    Option<"fastMath", "fast-math", "bool", "false",
           "also apply rules that change floating-point results">,
  ];
}

def RecognizePatterns : Pass<"kiln-recognize-patterns", "mlir::ModuleOp"> {
  let summary = "Fold exporters' decompositions back into composite ops";
  let description = [{
    Recognises, where every intermediate value is used only inside the
    pattern:

    - LayerNormalization written as ReduceMean / Sub / Pow (or Mul) /
      ReduceMean / Add / Sqrt / Div [/ Mul / Add] -> `kiln.layer_norm`
      (scale and bias joining when they broadcast over the normalised
      dimensions);
    - GELU, `0.5 x (1 + erf(x / sqrt 2))` and the tanh approximation, in
      any association of the product -> `kiln.gelu`;
    - SiLU `x * sigmoid(x)` -> `kiln.silu`;
    - HardSwish `x * hard_sigmoid(x)` and `x * relu6(x + 3) / 6` ->
      `kiln.hard_swish`;
    - Softmax written as Exp / ReduceSum / Div, with or without the
      ReduceMax shift -> `kiln.softmax`;
    - multi-head scaled-dot-product attention: MatMul / scale / mask /
      Softmax / MatMul with the Reshape/Transpose that split and merge the
      heads -> `kiln.attention`.

    Run after kiln-simplify, which puts the chains in a canonical form (x /
    8 as x * 0.125, Pow(d, 2) as d * d, transpose pairs composed).
  }];
}

def Layout : Pass<"kiln-layout", "mlir::ModuleOp"> {
  let summary = "Channels-last layout for convolution regions";
  let description = [{
    Every float convolution becomes its channels-last form
    (`channels_last`, input [N, H, W, C]) with a transpose on each side;
    transposes then sink through elementwise ops, reductions and concats,
    compose, and cancel between the convolutions of a region, so that
    conversions remain only at the region's borders (graph inputs and
    outputs, ops without a channels-last form such as pooling). `nchw`
    leaves the graph as it is.
  }];
  let options = [
    Option<"layout", "layout", "std::string", "\"nhwc\"",
           "the layout of convolution regions: nhwc or nchw">,
  ];
}

def Fuse : Pass<"kiln-fuse", "mlir::ModuleOp"> {
  let summary = "Group ops into kiln.fused kernels (producer-consumer fusion)";
  let description = [{
    Greedy producer-consumer fusion in program order. Every compute op
    starts a kernel; an elementwise op, a transpose or a view (reshape,
    flatten, squeeze, unsqueeze) joins the kernel that produces one of its operands
    when that operand has no other user, is not broadcast to a larger
    shape, and no value of the kernel is used outside it earlier. So
    Conv/MatMul/Gemm take their epilogue (bias, activation, residual add,
    scaling), reductions and normalisations the elementwise ops after
    them, and elementwise chains become one kernel. Nothing is computed
    twice. Then a kernel of elementwise ops that reads less than it writes
    (a DequantizeLinear: u8 in, f32 out) and whose one result feeds one
    elementwise op of a later kernel, at its shape, moves into that
    kernel: the consumer reads the narrow tensor instead of a wide copy.
    Each kernel becomes one `kiln.fused` op; constants of at most
    64 elements are copied into it. Views that join no kernel stay outside
    (they move no data). Run last in the graph pipeline: the passes before
    it see plain ops.
  }];
}

#endif // KILN_PASSES_TD
