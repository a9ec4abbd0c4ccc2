//===- KilnControlFlowOps.td - ONNX If and Loop as regions ---*- tablegen -*-===//
#ifndef KILN_CONTROL_FLOW_OPS_TD
#define KILN_CONTROL_FLOW_OPS_TD

include "dialects/kiln/KilnBase.td"

// Both ops read values of the enclosing function directly (ONNX subgraphs
// see their outer scope), so they are not isolated from above. Their
// effects are those of the ops in their regions: kiln ops are pure, so CSE
// and DCE treat them like any other op.

def Kiln_IfOp : Kiln_Op<"if", [RecursiveMemoryEffects, NoRegionArguments]> {
  let summary = "ONNX If: one of two regions, chosen at run time";
  let description = [{
    Runs `then_branch` when the boolean scalar `cond` is true, else
    `else_branch`; each ends in `kiln.yield` with one value per result.
    A branch may yield a more precise type than the result (a static
    dimension where the other branch's differs): results carry the join.

    ```mlir
    %r = kiln.if %c : tensor<i1> -> (tensor<?xf32>) {
      kiln.yield %a : tensor<2xf32>
    } else {
      kiln.yield %b : tensor<3xf32>
    }
    ```
  }];
  let arguments = (ins 0DTensorOf<[I1]>:$cond);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$then_branch,
                        SizedRegion<1>:$else_branch);
  let assemblyFormat = [{
    $cond `:` type($cond) (`->` `(` type($results)^ `)`)? $then_branch `else`
    $else_branch attr-dict
  }];
  let hasVerifier = 1;
}

def Kiln_LoopOp : Kiln_Op<"loop", [RecursiveMemoryEffects,
                                   AttrSizedOperandSegments]> {
  let summary = "ONNX Loop: a body repeated with loop-carried values";
  let description = [{
    Repeats `body` while the iteration number is below `max_trip_count`
    (when given) and the condition is true (`cond`, when given, before the
    first iteration; then what the body yields). The body's block takes the
    iteration number (tensor<si64>), the condition (tensor<i1>) and the
    loop-carried values, and yields the next condition, the next
    loop-carried values and one element per scan output.

    Results: the last loop-carried values, then each scan output, the
    elements of every iteration stacked along a new leading dimension.
    Loop-carried values keep their block argument's type from iteration
    to iteration (dynamic where iterations differ); a scan output needs a
    trip count (its storage is sized by it).
  }];
  let arguments = (ins Optional<0DTensorOf<[SI64]>>:$max_trip_count,
                       Optional<0DTensorOf<[I1]>>:$cond,
                       Variadic<AnyRankedTensor>:$inits);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`trip_count` `(` $max_trip_count^ `:` type($max_trip_count) `)`)?
    (`cond` `(` $cond^ `:` type($cond) `)`)?
    `inits` `(` ($inits^ `:` type($inits))? `)`
    (`->` `(` type($results)^ `)`)? $body attr-dict
  }];
  let extraClassDeclaration = [{
    /// The number of scan outputs (results after the loop-carried ones).
    unsigned getNumScanOutputs() { return getNumResults() - getInits().size(); }
  }];
  let hasVerifier = 1;
}

#endif // KILN_CONTROL_FLOW_OPS_TD
