// The reference lowering of composite ops into primitive kiln ops.
// RUN: kiln-opt %s --kiln-decompose-composites -split-input-file | FileCheck %s

// CHECK-LABEL: func @layer_norm
// CHECK: %[[M:.*]] = kiln.reduce_mean %arg0 {axes = array<i64: 1, 2>}
// CHECK: %[[D:.*]] = kiln.sub %arg0, %[[M]]
// CHECK: %[[SQ:.*]] = kiln.mul %[[D]], %[[D]]
// CHECK: %[[V:.*]] = kiln.reduce_mean %[[SQ]] {axes = array<i64: 1, 2>}
// CHECK: %[[E:.*]] = kiln.add %[[V]]
// CHECK: %[[S:.*]] = kiln.sqrt %[[E]]
// CHECK: %[[N:.*]] = kiln.div %[[D]], %[[S]]
// CHECK: %[[G:.*]] = kiln.mul %[[N]], %arg1
// CHECK: kiln.add %[[G]], %arg2
// CHECK-NOT: kiln.layer_norm
func.func @layer_norm(%x: tensor<2x3x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = kiln.layer_norm %x, %g, %b {axis = 1 : i64, epsilon = 1.0e-5 : f32} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func @silu
// CHECK: %[[S:.*]] = kiln.sigmoid %arg0
// CHECK: kiln.mul %arg0, %[[S]]
func.func @silu(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = kiln.silu %x : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func @attention
// CHECK-COUNT-3: kiln.transpose
// CHECK: %[[S:.*]] = kiln.matmul {{.*}} -> tensor<?x2x?x?xf32>
// CHECK: %[[SC:.*]] = kiln.mul %[[S]]
// CHECK: %[[SM:.*]] = kiln.add %[[SC]], %arg3
// CHECK: %[[P:.*]] = kiln.softmax %[[SM]] {axis = 3 : i64}
// CHECK: kiln.matmul %[[P]]
// CHECK: kiln.transpose {{.*}} {perm = array<i64: 0, 2, 1, 3>}
// CHECK: kiln.reshape {{.*}} -> tensor<?x?x8xf32>
func.func @attention(%q: tensor<?x?x8xf32>, %k: tensor<?x?x8xf32>, %v: tensor<?x?x8xf32>, %m: tensor<?x1x1x?xf32>) -> tensor<?x?x8xf32> {
  %0 = kiln.attention %q, %k, %v, %m {num_heads = 2 : i64, scale = 0.5 : f32} : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x1x1x?xf32>) -> tensor<?x?x8xf32>
  return %0 : tensor<?x?x8xf32>
}
