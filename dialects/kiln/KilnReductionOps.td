//===- KilnReductionOps.td - reductions over axes --------------*- tablegen -*-===//
//
// `axes` is explicit, non-negative, sorted and unique: the importer turns
// ONNX's "no axes means all" and `noop_with_empty_axes` into that form, so an
// empty list means the op reduces nothing.
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
  let arguments = (ins Kiln_NumericTensor:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs Kiln_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "sum(x)">;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "sum(x) / count">;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "max(x)">;
def Kiln_ReduceMinOp : Kiln_ReduceOp<"reduce_min", "min(x)">;
def Kiln_ReduceProdOp : Kiln_ReduceOp<"reduce_prod", "product(x)">;

#endif // KILN_REDUCTION_OPS_TD
