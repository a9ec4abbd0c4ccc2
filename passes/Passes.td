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

#endif // KILN_PASSES_TD
