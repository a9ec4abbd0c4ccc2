//===- KilnCudaOps.td - calls of CUDA kernel libraries ---------*- tablegen -*-===//
//
// The `kiln_cuda` dialect holds the operations that the CUDA backend hands
// to vendor libraries (cuDNN, cuBLAS) instead of generating code. They are
// destination-style, like linalg: on tensors they return a value tied to
// their `init` operand, and one-shot bufferization turns them into the same
// op on memrefs (no results), which the host lowering turns into calls of
// the runtime's library wrappers (lib/runtime/cuda/CudaAbi.h).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_CUDA_OPS_TD
#define KILN_CUDA_OPS_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def KilnCuda_Dialect : Dialect {
  let name = "kiln_cuda";
  let cppNamespace = "::kiln::cuda";
  let summary = "Operations that the CUDA backend runs through cuDNN and cuBLAS";
}

class KilnCuda_Op<string mnemonic, list<Trait> traits = []>
    : Op<KilnCuda_Dialect, mnemonic,
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

def KilnCuda_Conv2dOp : KilnCuda_Op<"conv2d"> {
  let summary = "2-D convolution with optional bias and ReLU (cuDNN)";
  let description = [{
    `init = act(conv(input, filter) + bias)` in NCHW layout; `filter` is
    `[K, C/groups, R, S]`, `bias` `[K]`. `init` is only written. Padding is
    symmetric (`pads` = [pad_h, pad_w]).

    ```mlir
    %y = kiln_cuda.conv2d %x, %w bias %b into %init {pads = array<i64: 1, 1>,
           strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>,
           groups = 1 : i64, relu}
         : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>
           into tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins AnyShaped:$input, AnyShaped:$filter,
                       Optional<AnyShaped>:$bias, AnyShaped:$init,
                       DenseI64ArrayAttr:$pads, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$dilations, I64Attr:$groups,
                       UnitAttr:$relu);
  let results = (outs Optional<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    $input `,` $filter (`bias` $bias^)? `into` $init attr-dict `:`
    type($input) `,` type($filter) (`,` type($bias)^)? `into` type($init)
    (`->` type($result)^)?
  }];
}

def KilnCuda_MatmulOp : KilnCuda_Op<"matmul"> {
  let summary = "(batched) matrix product (cuBLAS)";
  let description = [{
    `init[b] = alpha * op(lhs[b]) * op(rhs[b])`, or `+=` with `accumulate`
    (then `init` is read). `op` transposes the last two dimensions when
    `trans_a`/`trans_b` is set. `init` is `[B..., M, N]`; each operand has
    the same leading dimensions or none (then it is shared by every batch).

    ```mlir
    %c = kiln_cuda.matmul %a, %b into %init {alpha = 1.0 : f32}
         : tensor<2x3x4xf32>, tensor<4x5xf32> into tensor<2x3x5xf32>
           -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins AnyShaped:$lhs, AnyShaped:$rhs, AnyShaped:$init,
                       UnitAttr:$trans_a, UnitAttr:$trans_b,
                       DefaultValuedAttr<F32Attr, "1.0">:$alpha,
                       UnitAttr:$accumulate);
  let results = (outs Optional<AnyRankedTensor>:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs `into` $init attr-dict `:` type($lhs) `,` type($rhs)
    `into` type($init) (`->` type($result)^)?
  }];
}

#endif // KILN_CUDA_OPS_TD
