//===- KilnTensorOps.td - data movement and shapes -------------*- tablegen -*-===//
//
// Ops that move data without arithmetic. Parameters that decide the result's
// rank (axes, permutations) are attributes; values that may only be known at
// run time (a reshape target, slice bounds) are 1-D si64 operands, folded to
// static result types when they are constants.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TENSOR_OPS_TD
#define KILN_TENSOR_OPS_TD

include "dialects/kiln/KilnBase.td"

def Kiln_ConstantOp : Kiln_Op<"constant", [ConstantLike, Pure, Kiln_InferTypes]> {
  let summary = "a constant tensor";
  let description = [{
    Large weights are `dense_resource` blobs so that printing the IR never
    dumps them; small constants (shapes, axes, scalars) are `dense`.

    ```mlir
    %c = kiln.constant dense<[1, 3, 224, 224]> : tensor<4xsi64>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Kiln_ReshapeOp : Kiln_Op<"reshape", [Pure, Kiln_InferTypes]> {
  let summary = "reshape to a shape given at run time (ONNX Reshape)";
  let description = [{
    In `shape`, 0 copies the input dimension (unless `allow_zero`) and -1 is
    inferred from the element count.

    ```mlir
    %y = kiln.reshape %x, %s : (tensor<2x3xf32>, tensor<2xsi64>) -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_I64Vector:$shape,
                       DefaultValuedAttr<BoolAttr, "false">:$allow_zero);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat =
      "$input `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_TransposeOp : Kiln_Op<"transpose", [Pure, Kiln_InferTypes]> {
  let summary = "permute dimensions: output dim i is input dim perm[i]";
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
}

def Kiln_FlattenOp : Kiln_Op<"flatten", [Pure, Kiln_InferTypes]> {
  let summary = "collapse to 2-D: [prod(d[0:axis]), prod(d[axis:])]";
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_SqueezeOp : Kiln_Op<"squeeze", [Pure, Kiln_InferTypes]> {
  let summary = "remove size-1 dimensions listed in `axes`";
  let description = [{
    Axes only known at run time come as `dynamic_axes` (then `axes` is
    empty); the squeezed dimensions are checked to be 1 at run time.
  }];
  let arguments = (ins Kiln_Tensor:$input,
                       Optional<Kiln_IndexTensor>:$dynamic_axes,
                       DenseI64ArrayAttr:$axes);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = [{
    $input (`axes` `(` $dynamic_axes^ `:` type($dynamic_axes) `)`)? attr-dict
    `:` type($input) `->` type($output)
  }];
}

def Kiln_UnsqueezeOp : Kiln_Op<"unsqueeze", [Pure, Kiln_InferTypes]> {
  let summary = "insert size-1 dimensions at `axes` (positions in the result)";
  let description = [{
    Axes only known at run time come as `dynamic_axes` (then `axes` is
    empty).
  }];
  let arguments = (ins Kiln_Tensor:$input,
                       Optional<Kiln_IndexTensor>:$dynamic_axes,
                       DenseI64ArrayAttr:$axes);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = [{
    $input (`axes` `(` $dynamic_axes^ `:` type($dynamic_axes) `)`)? attr-dict
    `:` type($input) `->` type($output)
  }];
}

def Kiln_ConcatOp : Kiln_Op<"concat", [Pure, Kiln_InferTypes]> {
  let summary = "join tensors along `axis`";
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type($inputs, results)";
}

def Kiln_GatherOp : Kiln_Op<"gather", [Pure, Kiln_InferTypes]> {
  let summary = "take entries of `data` along `axis` (ONNX Gather)";
  let description = [{
    Negative indices count from the end. An index outside the dimension is a
    run-time error of the artifact, reported through the runtime.
  }];
  let arguments = (ins Kiln_Tensor:$data, Kiln_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  // Folds entries of a kiln.shape that are static dimensions, even when
  // others are not: exporters test a dimension's size this way.
  let hasFolder = 1;
}

def Kiln_SliceOp : Kiln_Op<"slice", [Pure, Kiln_InferTypes]> {
  let summary = "strided slice with ONNX Slice semantics";
  let description = [{
    `starts`, `ends` and `steps` have one entry per axis in `axes`
    (non-negative, unique), or in `dynamic_axes` when the axes are only known
    at run time; bounds are clamped as ONNX says and negative steps walk
    backwards.

    ```mlir
    %y = kiln.slice %x, %starts, %ends, %steps {axes = array<i64: 1>}
      : tensor<4x10xf32>, tensor<1xsi64>, tensor<1xsi64>, tensor<1xsi64> -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexTensor:$starts,
                       Kiln_IndexTensor:$ends, Kiln_IndexTensor:$steps,
                       Optional<Kiln_IndexTensor>:$dynamic_axes,
                       DenseI64ArrayAttr:$axes);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = [{
    $input `,` $starts `,` $ends `,` $steps
    (`axes` `(` $dynamic_axes^ `:` type($dynamic_axes) `)`)? attr-dict `:`
    type($input) `,` type($starts) `,` type($ends) `,` type($steps) `->` type($output)
  }];
}

def Kiln_ShapeOp : Kiln_Op<"shape", [Pure, Kiln_InferTypes]> {
  let summary = "the dimensions d[start:end] of a tensor, as si64";
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$start, I64Attr:$end);
  let results = (outs Kiln_I64Vector:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// The dimensions it returns, as the input's type knows them (dynamic
    /// ones included).
    llvm::ArrayRef<int64_t> getDims() {
      return llvm::cast<mlir::RankedTensorType>(getInput().getType())
          .getShape()
          .slice(getStart(), getEnd() - getStart());
    }
  }];
}

#endif // KILN_TENSOR_OPS_TD
