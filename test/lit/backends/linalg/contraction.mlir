// MatMul and Gemm become contractions over a zero-filled accumulator.
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s

// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @matmul
// CHECK: %[[INIT:.*]] = linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: outs(%[[INIT]]
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = kiln.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Batch dimensions broadcast; a 1-D rhs is promoted and the promoted
// dimension dropped.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-LABEL: func @batched_vector
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2]] : tensor<5x2x1xf32> into tensor<5x2xf32>
func.func @batched_vector(%a: tensor<5x2x3xf32>, %b: tensor<3xf32>) -> tensor<5x2xf32> {
  %0 = kiln.matmul %a, %b : (tensor<5x2x3xf32>, tensor<3xf32>) -> tensor<5x2xf32>
  return %0 : tensor<5x2xf32>
}

// -----

// A dynamic contraction size is checked at run time.
// CHECK-LABEL: func @dynamic_k
// CHECK: cf.assert %{{.*}}, "op 'kiln.matmul': contraction dimensions differ"
func.func @dynamic_k(%a: tensor<2x?xf32>, %b: tensor<?x4xf32>) -> tensor<2x4xf32> {
  %0 = kiln.matmul %a, %b : (tensor<2x?xf32>, tensor<?x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Gemm with transposed B, alpha and beta: the transpose is in the map, the
// scaling in an elementwise epilogue that broadcasts C.
// CHECK-DAG: #[[BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-LABEL: func @gemm
// CHECK-DAG: arith.constant 5.000000e-01 : f32
// CHECK-DAG: arith.constant 2.000000e+00 : f32
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BT]], #{{.*}}]
// CHECK: linalg.generic
func.func @gemm(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = kiln.gemm %a, %b, %c {trans_b = true, alpha = 0.5 : f32, beta = 2.0 : f32} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
