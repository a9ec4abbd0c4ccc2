//===- KilnFusionOps.td - kernels as regions ------------------*- tablegen -*-===//
#ifndef KILN_FUSION_OPS_TD
#define KILN_FUSION_OPS_TD

include "dialects/kiln/KilnBase.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

def Kiln_FusedOp : Kiln_Op<"fused", [
    IsolatedFromAbove, SingleBlockImplicitTerminator<"YieldOp">,
    RecursiveMemoryEffects]> {
  let summary = "one kernel: the kiln ops computed together";
  let description = [{
    The fusion pass groups producer-consumer chains into `kiln.fused` ops:
    everything downstream treats one `kiln.fused` as one kernel (one loop
    nest, or one library call with its epilogue). The region takes the
    kernel's inputs as block arguments and yields its outputs; `kernel` is
    the kernel's number in the model and `anchor` names the op the kernel
    is built around (its most expensive op).

    ```mlir
    %y = kiln.fused (%x, %w, %b) {kernel = 3 : i64, anchor = "conv"} : (...) -> tensor<1x64x56x56xf32> {
    ^bb0(%a: ..., %b: ..., %c: ...):
      %0 = kiln.conv %a, %b, %c {...}
      %1 = kiln.relu %0
      kiln.yield %1
    }
    ```
  }];
  let arguments = (ins Variadic<AnyType>:$inputs, I64Attr:$kernel, StrAttr:$anchor);
  let results = (outs Variadic<AnyType>:$results);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasVerifier = 1;
}

def Kiln_YieldOp : Kiln_Op<"yield", [Pure, Terminator, ReturnLike,
                                     ParentOneOf<["FusedOp", "IfOp", "LoopOp"]>]> {
  let summary = "the results of a kiln.fused kernel, a kiln.if branch or a kiln.loop body";
  let arguments = (ins Variadic<AnyType>:$values);
  let builders = [OpBuilder<(ins), [{ /* empty */ }]>];
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

#endif // KILN_FUSION_OPS_TD
