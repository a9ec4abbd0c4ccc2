//===- KilnNNOps.td - contractions, convolution, pooling, normalisation -*- tablegen -*-===//
//
// Kernel geometry is held in attributes with the ONNX meaning and order:
// `pads` lists every spatial dimension's begin padding, then every end
// padding. `auto_pad` other than "NOTSET" is kept only where the importer
// could not turn it into explicit pads (dynamic spatial dimensions).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_NN_OPS_TD
#define KILN_NN_OPS_TD

include "dialects/kiln/KilnBase.td"

def Kiln_MatMulOp : Kiln_Op<"matmul", [Pure, Kiln_InferTypes]> {
  let summary = "matrix product with numpy semantics";
  let description = [{
    1-D operands are promoted to matrices and the promoted dimension removed
    afterwards; leading (batch) dimensions broadcast.

    ```mlir
    %c = kiln.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Kiln_GemmOp : Kiln_Op<"gemm", [Pure, Kiln_InferTypes]> {
  let summary = "alpha * op(A) * op(B) + beta * C";
  let description = [{
    `op(X)` is `X` or its transpose. `C` is optional and broadcasts to the
    result's [M, N] shape.

    ```mlir
    %y = kiln.gemm %a, %b, %c {trans_b = true} : (tensor<1x256xf32>, tensor<10x256xf32>, tensor<10xf32>) -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$a, Kiln_NumericTensor:$b,
                       Optional<Kiln_NumericTensor>:$c,
                       DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0">:$beta,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs Kiln_NumericTensor:$result);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_ConvOp : Kiln_Op<"conv", [Pure, Kiln_InferTypes]> {
  let summary = "N-d grouped convolution (NCHW, weights MCkHkW)";
  let description = [{
    Input `[N, C, D1..Dk]`, weight `[M, C/group, K1..Kk]`, optional bias
    `[M]`; output `[N, M, O1..Ok]`. Integer convolutions (ConvInteger,
    QLinearConv) accumulate in their element type (si32).

    With `channels_last` (set by kiln-layout, never by the importer) the
    input is `[N, D1..Dk, C]` and the output `[N, O1..Ok, M]`; the weight
    keeps its layout.

    ```mlir
    %y = kiln.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
      : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_NumericTensor:$weight,
                       Optional<Kiln_NumericTensor>:$bias,
                       DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$group,
                       DefaultValuedAttr<StrAttr, "\"NOTSET\"">:$auto_pad,
                       DefaultValuedAttr<BoolAttr, "false">:$channels_last);
  let results = (outs Kiln_NumericTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_ConvTransposeOp : Kiln_Op<"conv_transpose", [Pure, Kiln_InferTypes]> {
  let summary = "N-d transposed convolution (weights C x M/group x K...)";
  let description = [{
    Output size per spatial dimension: `stride * (in - 1) + output_padding +
    (kernel - 1) * dilation + 1 - pad_begin - pad_end`. The importer turns
    ONNX's `output_shape` and `auto_pad` into explicit pads.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$weight,
                       Optional<Kiln_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$output_padding,
                       DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_ResizeOp : Kiln_Op<"resize", [Pure, AttrSizedOperandSegments,
                                       Kiln_InferTypes]> {
  let summary = "resize by interpolation (ONNX Resize)";
  let description = [{
    Exactly one of `scales` (f32, one per dimension) and `sizes` is given;
    `roi` only matters for "tf_crop_and_resize". `mode` is "nearest",
    "linear" or "cubic"; the other attributes have ONNX's meaning.
    Interpolation is separable: it resizes one dimension at a time, from the
    last, as ONNX's reference does.
  }];
  let arguments = (ins Kiln_NumericTensor:$input,
                       Optional<1DTensorOf<[Kiln_Float]>>:$roi,
                       Optional<1DTensorOf<[F32]>>:$scales,
                       Optional<Kiln_I64Vector>:$sizes,
                       DefaultValuedAttr<StrAttr, "\"nearest\"">:$mode,
                       DefaultValuedAttr<StrAttr, "\"half_pixel\"">:$coordinate_transformation_mode,
                       DefaultValuedAttr<StrAttr, "\"round_prefer_floor\"">:$nearest_mode,
                       DefaultValuedAttr<F32Attr, "-0.75">:$cubic_coeff_a,
                       DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
                       DefaultValuedAttr<F32Attr, "0.0">:$extrapolation_value);
  let results = (outs Kiln_NumericTensor:$output);
  let assemblyFormat = [{
    $input (`roi` `(` $roi^ `:` type($roi) `)`)?
    (`scales` `(` $scales^ `:` type($scales) `)`)?
    (`sizes` `(` $sizes^ `:` type($sizes) `)`)? attr-dict
    `:` type($input) `->` type($output)
  }];
}

class Kiln_PoolOp<string mnemonic, Type tensorType, dag extraArgs>
    : Kiln_Op<mnemonic, [Pure, Kiln_InferTypes]> {
  let arguments = !con((ins tensorType:$input,
                            DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$pads,
                            DenseI64ArrayAttr:$strides,
                            DenseI64ArrayAttr:$dilations,
                            DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                            DefaultValuedAttr<StrAttr, "\"NOTSET\"">:$auto_pad,
                            // [N, D..., C] instead of ONNX's [N, C, D...]
                            // (kiln-layout's channels-last regions).
                            DefaultValuedAttr<BoolAttr, "false">:$channels_last),
                       extraArgs);
  let results = (outs tensorType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_MaxPoolOp : Kiln_PoolOp<"max_pool",
    RankedTensorOf<[Kiln_Float, SI8, UI8]>, (ins)> {
  let summary = "N-d max pooling";
  let description = [{
    Padding never wins the maximum.

    ```mlir
    %y = kiln.max_pool %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>}
      : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
    ```
  }];
}

def Kiln_AveragePoolOp : Kiln_PoolOp<"average_pool", Kiln_FloatTensor,
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)> {
  let summary = "N-d average pooling";
  let description = [{
    Without `count_include_pad` a window's sum is divided by the number of
    input elements it covers, padding excluded.

    ```mlir
    %y = kiln.average_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>}
      : tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
    ```
  }];
}

def Kiln_BatchNormOp : Kiln_Op<"batch_norm", [Pure, Kiln_InferTypes]> {
  let summary = "inference batch normalisation over dimension 1";
  let description = [{
    `(x - mean) / sqrt(var + epsilon) * scale + bias`, with the statistics
    given; the training form is not a kiln op.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
                       Kiln_FloatTensor:$bias, Kiln_FloatTensor:$mean,
                       Kiln_FloatTensor:$variance,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
}

class Kiln_SoftmaxLikeOp<string mnemonic, string formula>
    : Kiln_Op<mnemonic, [Pure, SameOperandsAndResultType, InferTypeOpInterface]> {
  let summary = formula # " along one axis";
  let description = [{
    `axis` is non-negative: the importer normalises it, and rewrites the
    opset < 13 form (input coerced to 2-D) into a reshape around this op.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  // `axis` is within the rank.
  let hasVerifier = 1;
}

def Kiln_SoftmaxOp : Kiln_SoftmaxLikeOp<"softmax", "exp(x) / sum(exp(x))">;
def Kiln_LogSoftmaxOp : Kiln_SoftmaxLikeOp<"log_softmax", "log(softmax(x))">;
def Kiln_HardmaxOp : Kiln_SoftmaxLikeOp<"hardmax",
                                        "1 at the first maximum, 0 elsewhere">;

def Kiln_MaxPoolIndicesOp : Kiln_Op<"max_pool_indices", [Pure, Kiln_InferTypes]> {
  let summary = "where each max_pool window's maximum is, as a flat index";
  let description = [{
    The same windows as `kiln.max_pool` with the same attributes; each
    result is the index of the window's (first) maximum in the flattened
    input, row-major, or with the spatial dimensions column-major when
    `column_major` (ONNX storage_order 1).
  }];
  let arguments = (ins RankedTensorOf<[Kiln_Float, SI8, UI8]>:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<StrAttr, "\"NOTSET\"">:$auto_pad,
                       DefaultValuedAttr<BoolAttr, "false">:$column_major);
  let results = (outs TensorOf<[SI64]>:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_MaxUnpoolOp : Kiln_Op<"max_unpool", [Pure, Kiln_InferTypes]> {
  let summary = "scatter pooled values back to where their maxima were";
  let description = [{
    The result (zero elsewhere) has `output_shape`; `indices` are flat
    indices into it, as `kiln.max_pool_indices` gives them.
  }];
  let arguments = (ins Kiln_FloatTensor:$input, TensorOf<[SI64]>:$indices,
                       Kiln_I64Vector:$output_shape);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $indices `,` $output_shape attr-dict `:` functional-type(operands, results)
  }];
}

#endif // KILN_NN_OPS_TD
