// Batch normalisation, softmax and reductions.
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s

// Statistics are read as [C, 1, 1] so they broadcast along dimension 1.
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
// CHECK-LABEL: func @batch_norm
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1, 2]] output_shape [3, 1, 1]
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[C]], #[[C]], #[[C]], #[[C]], #{{.*}}]
// CHECK: math.sqrt
func.func @batch_norm(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>) -> tensor<2x3x4x4xf32> {
  %0 = kiln.batch_norm %x, %s, %s, %s, %s : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return %0 : tensor<2x3x4x4xf32>
}

// -----

// softmax = exp(x - max) / sum: a max reduction, a sum of exponentials, and
// the normalisation.
// CHECK-LABEL: func @softmax
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = kiln.softmax %x {axis = 1 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// log_softmax subtracts the log of the sum.
// CHECK-LABEL: func @log_softmax
// CHECK: math.log
// CHECK: arith.subf
func.func @log_softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = kiln.log_softmax %x {axis = 1 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// keepdims reductions reduce, then reinsert the unit dimensions.
// CHECK-LABEL: func @reduce_mean_keepdims
// CHECK: %[[N:.*]] = arith.constant 1.200000e+01 : f32
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]
// CHECK: arith.divf %{{.*}}, %[[N]]
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1, 2]] output_shape [2, 1, 1]
func.func @reduce_mean_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x1x1xf32> {
  %0 = kiln.reduce_mean %x {axes = array<i64: 1, 2>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
  return %0 : tensor<2x1x1xf32>
}

// -----

// Integer max starts from the type's minimum; unsigned min from its maximum.
// CHECK-LABEL: func @int_extremes
// CHECK-DAG: arith.constant -2147483648 : i32
// CHECK-DAG: arith.constant -1 : i8
// CHECK: arith.maxsi
// CHECK: arith.minui
func.func @int_extremes(%x: tensor<4xsi32>, %u: tensor<4xui8>) -> (tensor<si32>, tensor<ui8>) {
  %0 = kiln.reduce_max %x {axes = array<i64: 0>, keepdims = false} : tensor<4xsi32> -> tensor<si32>
  %1 = kiln.reduce_min %u {axes = array<i64: 0>, keepdims = false} : tensor<4xui8> -> tensor<ui8>
  return %0, %1 : tensor<si32>, tensor<ui8>
}

// -----

// Reducing no axes is the identity.
// CHECK-LABEL: func @reduce_nothing
// CHECK-NEXT: return %arg0
func.func @reduce_nothing(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.reduce_sum %x {axes = array<i64>} : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
