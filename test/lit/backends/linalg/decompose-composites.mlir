// The reference lowering of composite ops into primitive kiln ops.
// RUN: kiln-opt %s --kiln-decompose-composites -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-decompose-composites=ops=attention -split-input-file | FileCheck %s --check-prefix=ONLY
// RUN: kiln-opt %s --kiln-decompose-composites=ops=layer_norm,silu -split-input-file | FileCheck %s --check-prefix=REST
// RUN: not kiln-opt %s --kiln-decompose-composites=ops=gelu -split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// `ops` limits the rewrite; an unknown name is an error.
// ONLY-LABEL: func @layer_norm
// ONLY: kiln.layer_norm
// ONLY-LABEL: func @silu
// ONLY: kiln.silu
// ONLY-LABEL: func @attention
// ONLY-NOT: kiln.attention
// ONLY: kiln.softmax
// REST-LABEL: func @layer_norm
// REST-NOT: kiln.layer_norm
// REST-LABEL: func @silu
// REST-NOT: kiln.silu
// REST-LABEL: func @attention
// REST: kiln.attention
// BAD: unknown composite 'gelu' (expected layer_norm, silu or attention)

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

// k^T is k's heads with their last two dimensions swapped (a separate
// transpose, which a library product reads as a transposed operand).
// CHECK-LABEL: func @attention
// CHECK: %[[Q:.*]] = kiln.transpose {{.*}} {perm = array<i64: 0, 2, 1, 3>}
// CHECK: %[[K:.*]] = kiln.transpose {{.*}} {perm = array<i64: 0, 2, 1, 3>}
// CHECK: %[[KT:.*]] = kiln.transpose %[[K]] {perm = array<i64: 0, 1, 3, 2>}
// CHECK: kiln.transpose {{.*}} {perm = array<i64: 0, 2, 1, 3>}
// CHECK: %[[S:.*]] = kiln.matmul %[[Q]], %[[KT]] {{.*}} -> tensor<?x2x?x?xf32>
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
