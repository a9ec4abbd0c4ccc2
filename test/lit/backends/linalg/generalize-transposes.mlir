// linalg.transpose becomes a linalg.generic (other named ops stay named),
// so that elementwise fusion merges it with the elementwise ops around it:
// attention's bias addition and per-head transpose become one loop nest.
// RUN: kiln-opt %s --kiln-generalize-transposes | FileCheck %s
// RUN: kiln-opt %s --kiln-generalize-transposes --linalg-fuse-elementwise-ops | FileCheck %s --check-prefix=FUSED

// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d1, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @bias_then_heads
// CHECK: linalg.generic
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]]
// CHECK-NOT: linalg.transpose
// FUSED-LABEL: func @bias_then_heads
// FUSED: linalg.generic
// FUSED: arith.addf
// FUSED-NOT: linalg.generic
// FUSED: return
func.func @bias_then_heads(%x: tensor<2x8x4x16xf32>, %b: tensor<4x16xf32>) -> tensor<2x4x8x16xf32> {
  %e = tensor.empty() : tensor<2x8x4x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %b : tensor<2x8x4x16xf32>, tensor<4x16xf32>) outs(%e : tensor<2x8x4x16xf32>) {
  ^bb0(%in: f32, %bias: f32, %out: f32):
    %s = arith.addf %in, %bias : f32
    linalg.yield %s : f32
  } -> tensor<2x8x4x16xf32>
  %t = tensor.empty() : tensor<2x4x8x16xf32>
  %h = linalg.transpose ins(%y : tensor<2x8x4x16xf32>) outs(%t : tensor<2x4x8x16xf32>) permutation = [0, 2, 1, 3]
  return %h : tensor<2x4x8x16xf32>
}

// A matrix product stays named (generalized, fusion would move its
// operands' producers into its reduction loop).
// CHECK-LABEL: func @product
// CHECK: linalg.matmul
func.func @product(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>, %c: tensor<4x5xf32>) -> tensor<4x5xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x5xf32>) outs(%c : tensor<4x5xf32>) -> tensor<4x5xf32>
  return %0 : tensor<4x5xf32>
}
