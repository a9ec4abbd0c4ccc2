//===- KilnReductionOps.td - reductions over axes --------------*- tablegen -*-===//
//
// `axes` is explicit, non-negative, sorted and unique: the importer turns
// ONNX's "no axes means all" and `noop_with_empty_axes` into that form, so an
// empty list means the op reduces nothing. When the axes are only known at
// run time (a graph input), they are the `dynamic_axes` operand instead
// (possibly negative, one entry per reduced axis) and `axes` is empty.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_REDUCTION_OPS_TD
#define KILN_REDUCTION_OPS_TD

include "dialects/kiln/KilnBase.td"

class Kiln_ReduceOp<string mnemonic, string formula>
    : Kiln_Op<mnemonic, [Pure, Kiln_InferTypes]> {
  let summary = "reduction: " # formula;
  let description = [{
    Reduces `input` over `axes`; with `keepdims` the reduced dimensions stay
    as size 1.

    ```mlir
    %y = kiln.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3xf32> -> tensor<2x1xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input,
                       Optional<Kiln_IndexTensor>:$dynamic_axes,
                       DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Kiln_NumericTensor:$output);
  let assemblyFormat = [{
    $input (`axes` `(` $dynamic_axes^ `:` type($dynamic_axes) `)`)? attr-dict
    `:` type($input) `->` type($output)
  }];
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "sum(x)">;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "sum(x) / count">;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "max(x)">;
def Kiln_ReduceMinOp : Kiln_ReduceOp<"reduce_min", "min(x)">;
def Kiln_ReduceProdOp : Kiln_ReduceOp<"reduce_prod", "product(x)">;

#endif // KILN_REDUCTION_OPS_TD
