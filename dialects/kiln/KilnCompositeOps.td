//===- KilnCompositeOps.td - ops the graph recognises ---------*- tablegen -*-===//
//
// Computations exporters spell out in several ONNX nodes, which the
// pattern-recognition pass folds back into one op so that later stages
// can give each one good kernel: layer normalisation, SiLU and multi-head
// scaled-dot-product attention. Each has a reference lowering (a
// decomposition into primitive kiln ops) that defines its meaning.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPOSITE_OPS_TD
#define KILN_COMPOSITE_OPS_TD

include "dialects/kiln/KilnBase.td"

def Kiln_LayerNormOp : Kiln_Op<"layer_norm", [Pure, AttrSizedOperandSegments, Kiln_InferTypes]> {
  let summary = "normalisation over the trailing dimensions from `axis`";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias`, mean and (biased)
    variance over dimensions `axis` .. rank - 1; `scale` and `bias`
    (optional) broadcast against those dimensions. `axis` is non-negative.

    ```mlir
    %y = kiln.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-12 : f32}
      : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Optional<Kiln_FloatTensor>:$scale,
                       Optional<Kiln_FloatTensor>:$bias, I64Attr:$axis,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`,` $scale^)? (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Kiln_SiluOp : Kiln_Op<"silu", [Pure, SameOperandsAndResultType,
                                   InferTypeOpInterface]> {
  let summary = "elementwise x * sigmoid(x) (SiLU, Swish)";
  let arguments = (ins Kiln_FloatTensor:$input);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Kiln_AttentionOp : Kiln_Op<"attention", [Pure, Kiln_InferTypes]> {
  let summary = "multi-head scaled-dot-product attention";
  let description = [{
    `q` is `[B, S, H * D]`, `k` is `[B, T, H * D]` and `v` is
    `[B, T, H * Dv]` with `H = num_heads`: each head h reads its slice of
    the last dimension. Per batch and head:
    `softmax(q_h k_h^T * scale + mask) v_h`, with the optional `mask`
    broadcast against `[B, H, S, T]`. The result is `[B, S, H * Dv]`, the
    heads side by side again: exactly what BERT-style models compute
    between the Q/K/V projections and the output projection, with the
    head-splitting reshapes and transposes absorbed.

    ```mlir
    %o = kiln.attention %q, %k, %v, %mask {num_heads = 12 : i64, scale = 0.125 : f32}
      : (tensor<1x128x768xf32>, tensor<1x128x768xf32>, tensor<1x128x768xf32>, tensor<1x1x1x128xf32>) -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$q, Kiln_FloatTensor:$k, Kiln_FloatTensor:$v,
                       Optional<Kiln_FloatTensor>:$mask, I64Attr:$num_heads,
                       F32Attr:$scale);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $q `,` $k `,` $v (`,` $mask^)? attr-dict `:` functional-type(operands, results)
  }];
}

#endif // KILN_COMPOSITE_OPS_TD
