// Folders: neutral elements, identity reshapes and transposes, static
// shapes, and casts to the same type.
// RUN: kiln-opt %s -canonicalize | FileCheck %s

// CHECK-LABEL: func @mul_by_one
// CHECK-NEXT: return %arg0
func.func @mul_by_one(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %one = kiln.constant dense<1.0> : tensor<3xf32>
  %0 = kiln.mul %x, %one : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Broadcasting by the neutral element changes the shape: kept.
// CHECK-LABEL: func @mul_by_one_broadcasting
// CHECK: kiln.mul
func.func @mul_by_one_broadcasting(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %one = kiln.constant dense<1.0> : tensor<2x3xf32>
  %0 = kiln.mul %x, %one : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// x + 0 is only x for integers (-0.0 + 0.0 = 0.0).
// CHECK-LABEL: func @add_zero_int
// CHECK-NEXT: return %arg0
func.func @add_zero_int(%x: tensor<4xsi32>) -> tensor<4xsi32> {
  %zero = kiln.constant dense<0> : tensor<4xsi32>
  %0 = kiln.add %zero, %x : (tensor<4xsi32>, tensor<4xsi32>) -> tensor<4xsi32>
  return %0 : tensor<4xsi32>
}

// CHECK-LABEL: func @add_zero_float
// CHECK: kiln.add
func.func @add_zero_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  %zero = kiln.constant dense<0.0> : tensor<4xf32>
  %0 = kiln.add %x, %zero : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// CHECK-LABEL: func @shape_of_static
// CHECK: %[[C:.*]] = kiln.constant dense<[3, 4]> : tensor<2xsi64>
// CHECK: return %[[C]]
func.func @shape_of_static(%x: tensor<2x3x4xf32>) -> tensor<2xsi64> {
  %0 = kiln.shape %x {start = 1 : i64, end = 3 : i64} : tensor<2x3x4xf32> -> tensor<2xsi64>
  return %0 : tensor<2xsi64>
}

// CHECK-LABEL: func @shape_of_dynamic
// CHECK: kiln.shape
func.func @shape_of_dynamic(%x: tensor<?x3xf32>) -> tensor<2xsi64> {
  %0 = kiln.shape %x {start = 0 : i64, end = 2 : i64} : tensor<?x3xf32> -> tensor<2xsi64>
  return %0 : tensor<2xsi64>
}

// CHECK-LABEL: func @identities
// CHECK-NEXT: return %arg0
func.func @identities(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %s = kiln.constant dense<[2, 3]> : tensor<2xsi64>
  %1 = kiln.reshape %0, %s : (tensor<2x3xf32>, tensor<2xsi64>) -> tensor<2x3xf32>
  %2 = kiln.cast %1 {to = f32} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}

// Entries of a shape that are static dimensions fold, even when other
// dimensions are dynamic; a dynamic one stays a gather.
// CHECK-LABEL: func @gather_static_dims_of_shape
// CHECK-DAG: %[[C:.*]] = kiln.constant dense<[4, 3]> : tensor<2xsi64>
// CHECK-DAG: %[[G:.*]] = kiln.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<3xsi64>, tensor<si64>) -> tensor<si64>
// CHECK: return %[[C]], %[[G]]
func.func @gather_static_dims_of_shape(%x: tensor<?x3x4xf32>) -> (tensor<2xsi64>, tensor<si64>) {
  %s = kiln.shape %x {start = 0 : i64, end = 3 : i64} : tensor<?x3x4xf32> -> tensor<3xsi64>
  %i = kiln.constant dense<[-1, 1]> : tensor<2xsi64>
  %0 = kiln.gather %s, %i {axis = 0 : i64} : (tensor<3xsi64>, tensor<2xsi64>) -> tensor<2xsi64>
  %j = kiln.constant dense<0> : tensor<si64>
  %1 = kiln.gather %s, %j {axis = 0 : i64} : (tensor<3xsi64>, tensor<si64>) -> tensor<si64>
  return %0, %1 : tensor<2xsi64>, tensor<si64>
}

// A shape with a start: indices count from it.
// CHECK-LABEL: func @gather_of_shape_slice
// CHECK: %[[C:.*]] = kiln.constant dense<4> : tensor<si64>
// CHECK: return %[[C]]
func.func @gather_of_shape_slice(%x: tensor<2x?x4xf32>) -> tensor<si64> {
  %s = kiln.shape %x {start = 1 : i64, end = 3 : i64} : tensor<2x?x4xf32> -> tensor<2xsi64>
  %i = kiln.constant dense<1> : tensor<si64>
  %0 = kiln.gather %s, %i {axis = 0 : i64} : (tensor<2xsi64>, tensor<si64>) -> tensor<si64>
  return %0 : tensor<si64>
}
