//===- KilnLibOps.td - calls of kernel libraries ----------------*- tablegen -*-===//
//
// The `kiln_lib` dialect holds the operations that a backend hands to a
// vendor library instead of generating code: oneDNN on the CPU, cuDNN and
// cuBLAS on CUDA. They are destination-style, like linalg: on tensors they
// return a value tied to their `init` operand, and one-shot bufferization
// turns them into the same op on memrefs (no results), which each backend
// lowers into calls of the runtime's library wrappers
// (lib/runtime/cpu/OneDnnAbi.h, lib/runtime/cuda/CudaAbi.h).
//
// Both ops carry an epilogue: `post_ops` names elementwise steps applied to
// the result in order. Unary ones ("relu", "gelu_erf", ...) take their
// constants from `post_args` (two floats per step, alpha and beta); binary
// ones ("add", "mul", "sub", "div", "max", "min") take the next operand of
// `post_operands`, which has init's rank and broadcasts where its size is 1.
// A backend checks which epilogues its library runs (CUDA: a ReLU on
// convolutions; on products a bias per output column, then a ReLU or a
// tanh GELU, through cuBLASLt).
//
// `constant_weights` says that the filter (conv2d) or rhs (matmul) is a
// weight of the model: the same buffer with the same contents in every run,
// which a library may repack into its preferred layout once.
//
// Integer products (the CPU's int8 path): an init of 32-bit integers makes
// the op `u8 x s8 -> s32`, exact and wrapping: the input (conv2d) or lhs
// (matmul) holds unsigned 8-bit values, the filter or rhs signed ones. The
// element types say the widths; the signedness is the op's, so it survives
// the conversion to signless types. Such an op has no bias, no epilogue, no
// transposes and alpha 1; conv2d may subtract a zero point (one 32-bit
// integer, read at run time) from its input, padding included, as ONNX's
// ConvInteger does. Everything else about zero points is the caller's
// arithmetic (cpu/SelectIntegerProducts.cpp).
//
// A conv2d whose init has 8 bits requantizes in the library (QLinearConv,
// and Conv between DequantizeLinear and QuantizeLinear):
//   init = saturate(round(post_ops(output_scales[k] * (acc + bias[k])))
//                   + output_zero_point)
// with `output_scales` one value or one per output channel, an optional
// f32 bias in accumulator units, post-ops "relu" only, and init u8 or s8
// as `output_signed` says (signless after conversion).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_OPS_TD
#define KILN_LIB_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def KilnLib_Dialect : Dialect {
  let name = "kiln_lib";
  let cppNamespace = "::kiln::lib";
  let summary = "Operations that a backend runs through a kernel library";
}

class KilnLib_Op<string mnemonic, list<Trait> traits = []>
    : Op<KilnLib_Dialect, mnemonic,
         !listconcat(traits, [DestinationStyleOpInterface,
                             DeclareOpInterfaceMethods<MemoryEffectsOpInterface>])> {
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getInitMutable();
    }
    /// True on memrefs (after bufferization).
    bool hasPureBufferSemantics() {
      return ::llvm::isa<::mlir::MemRefType>(getInit().getType());
    }
  }];
  let hasVerifier = 1;
}

def KilnLib_Conv2dOp : KilnLib_Op<"conv2d", [AttrSizedOperandSegments]> {
  let summary = "2-D convolution with optional bias and epilogue";
  let description = [{
    `init = epilogue(conv(input, filter) + bias)` in NCHW layout, or NHWC
    for input and init with `channels_last`; `filter` is `[K, C/groups, R,
    S]` either way, `bias` `[K]`. `init` is only written. `pads` is
    [top, left, bottom, right]. `algorithm` is "direct" or "winograd"
    (F(2x2, 3x3): a constant 3x3 filter, stride and dilation 1, one group,
    unary epilogue steps only). A Winograd convolution whose output size is
    known only at run time may carry `winograd_min_pixels`: it runs direct
    when its output has fewer pixels (batch x height x width) than that.
    `auto_pad` "SAME_UPPER" or "SAME_LOWER" (ONNX's; "NOTSET" by default)
    pads each spatial axis so the output is ceil(input / stride), the odd
    pixel at the end or the beginning; `pads` are then zeros, and the
    padding is computed when the call runs, from the sizes it gets (a
    strided axis of unknown size).

    ```mlir
    %y = kiln_lib.conv2d %x, %w bias %b post %r into %init {
           pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>,
           dilations = array<i64: 1, 1>, groups = 1 : i64,
           post_ops = ["add", "relu"]}
         : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> bias tensor<4xf32>,
           tensor<1x4x8x8xf32> into tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins AnyShaped:$input, AnyShaped:$filter,
                       Optional<AnyShaped>:$bias,
                       Optional<AnyShaped>:$input_zero_point,
                       Variadic<AnyShaped>:$post_operands, AnyShaped:$init,
                       DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$dilations, I64Attr:$groups,
                       UnitAttr:$channels_last, UnitAttr:$constant_weights,
                       DefaultValuedAttr<StrArrayAttr, "{}">:$post_ops,
                       DefaultValuedAttr<DenseF32ArrayAttr, "{}">:$post_args,
                       DefaultValuedAttr<StrAttr, "\"direct\"">:$algorithm,
                       DefaultValuedAttr<I64Attr, "0">:$winograd_min_pixels,
                       DefaultValuedAttr<StrAttr, "\"NOTSET\"">:$auto_pad,
                       DefaultValuedAttr<DenseF32ArrayAttr, "{}">:$output_scales,
                       DefaultValuedAttr<I64Attr, "0">:$output_zero_point,
                       UnitAttr:$output_signed);
  let results = (outs Optional<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    $input `,` $filter (`bias` $bias^)? (`zero_point` $input_zero_point^)?
    (`post` $post_operands^)? `into` $init
    attr-dict `:` type($input) `,` type($filter) (`bias` type($bias)^)?
    (`zero_point` type($input_zero_point)^)?
    (`,` type($post_operands)^)? `into` type($init) (`->` type($result)^)?
  }];
}

def KilnLib_MatmulOp : KilnLib_Op<"matmul"> {
  let summary = "(batched) matrix product (cuBLAS)";
  let description = [{
    `init[b] = epilogue(alpha * op(lhs[b]) * op(rhs[b]))`, or `+=` with
    `accumulate` (then `init` is read). `op` transposes the last two
    dimensions when `trans_a`/`trans_b` is set. `init` is `[B..., M, N]`;
    each operand has the same leading dimensions or none (then it is shared
    by every batch).

    ```mlir
    %c = kiln_lib.matmul %a, %b into %init {alpha = 1.0 : f32}
         : tensor<2x3x4xf32>, tensor<4x5xf32> into tensor<2x3x5xf32>
           -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins AnyShaped:$lhs, AnyShaped:$rhs,
                       Variadic<AnyShaped>:$post_operands, AnyShaped:$init,
                       UnitAttr:$trans_a, UnitAttr:$trans_b,
                       DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                       UnitAttr:$accumulate, UnitAttr:$constant_weights,
                       DefaultValuedAttr<StrArrayAttr, "{}">:$post_ops,
                       DefaultValuedAttr<DenseF32ArrayAttr, "{}">:$post_args);
  let results = (outs Optional<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`post` $post_operands^)? `into` $init attr-dict `:`
    type($lhs) `,` type($rhs) (`,` type($post_operands)^)? `into` type($init)
    (`->` type($result)^)?
  }];
}

#endif // KILN_LIB_OPS_TD
