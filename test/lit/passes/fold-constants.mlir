// Ops whose operands are all constants are evaluated at compile time.
// RUN: kiln-opt %s --kiln-fold-constants -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-fold-constants=max-elements=4 -split-input-file | FileCheck %s --check-prefix=LIMIT

// PyTorch's shape subgraph: Shape -> Gather -> Unsqueeze -> Concat ->
// Reshape, with the reshape's type refined on the way.
// CHECK-LABEL: func @shape_subgraph
// CHECK-NEXT: %[[S:.*]] = kiln.constant dense<[2, -1]> : tensor<2xsi64>
// CHECK-NEXT: %[[R:.*]] = kiln.reshape %arg0, %[[S]] : (tensor<2x3x4xf32>, tensor<2xsi64>) -> tensor<2x12xf32>
// CHECK-NEXT: return %[[R]] : tensor<2x12xf32>
func.func @shape_subgraph(%x: tensor<2x3x4xf32>) -> tensor<?x?xf32> {
  %shape = kiln.shape %x {start = 0 : i64, end = 3 : i64} : tensor<2x3x4xf32> -> tensor<3xsi64>
  %i0 = kiln.constant dense<0> : tensor<si64>
  %n = kiln.gather %shape, %i0 {axis = 0 : i64} : (tensor<3xsi64>, tensor<si64>) -> tensor<si64>
  %n1 = kiln.unsqueeze %n {axes = array<i64: 0>} : tensor<si64> -> tensor<1xsi64>
  %m1 = kiln.constant dense<-1> : tensor<1xsi64>
  %target = kiln.concat %n1, %m1 {axis = 0 : i64} : (tensor<1xsi64>, tensor<1xsi64>) -> tensor<2xsi64>
  %y = kiln.reshape %x, %target : (tensor<2x3x4xf32>, tensor<2xsi64>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}

// -----

// ConstantOfShape, Range and Expand of constants.
// CHECK-LABEL: func @generators
// CHECK-DAG: kiln.constant dense<0.000000e+00> : tensor<2x2xf32>
// CHECK-DAG: kiln.constant dense<[1, 3, 5]> : tensor<3xsi32>
// CHECK-DAG: kiln.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [1.000000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK-NOT: kiln.range
// LIMIT-LABEL: func @generators
func.func @generators() -> (tensor<2x2xf32>, tensor<3xsi32>, tensor<2x2xf32>) {
  %s = kiln.constant dense<[2, 2]> : tensor<2xsi64>
  %z = kiln.constant_of_shape %s {value = 0.0 : f32} : tensor<2xsi64> -> tensor<2x2xf32>
  %a = kiln.constant dense<1> : tensor<si32>
  %b = kiln.constant dense<6> : tensor<si32>
  %d = kiln.constant dense<2> : tensor<si32>
  %r = kiln.range %a, %b, %d : (tensor<si32>, tensor<si32>, tensor<si32>) -> tensor<3xsi32>
  %v = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %e = kiln.expand %v, %s : (tensor<2xf32>, tensor<2xsi64>) -> tensor<2x2xf32>
  return %z, %r, %e : tensor<2x2xf32>, tensor<3xsi32>, tensor<2x2xf32>
}

// -----

// Integers wrap around in their own width, as the generated code does.
// CHECK-LABEL: func @wraparound
// CHECK-NEXT: kiln.constant dense<-128> : tensor<si8>
func.func @wraparound() -> tensor<si8> {
  %a = kiln.constant dense<127> : tensor<si8>
  %b = kiln.constant dense<1> : tensor<si8>
  %c = kiln.add %a, %b : (tensor<si8>, tensor<si8>) -> tensor<si8>
  return %c : tensor<si8>
}

// -----

// Float arithmetic in the op's own precision: 2^24 + 1 rounds to 2^24 in
// f32 (it would not in f64).
// CHECK-LABEL: func @float_precision
// CHECK-NEXT: kiln.constant dense<0x4B800000> : tensor<f32>
func.func @float_precision() -> tensor<f32> {
  %a = kiln.constant dense<16777216.0> : tensor<f32>
  %b = kiln.constant dense<1.0> : tensor<f32>
  %c = kiln.add %a, %b : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %c : tensor<f32>
}

// -----

// Results above max-elements stay as ops; big results become blobs.
// CHECK-LABEL: func @size_limit
// CHECK: kiln.constant dense_resource<folded{{.*}}> : tensor<8x16xf32>
// CHECK-NOT: kiln.transpose
// LIMIT-LABEL: func @size_limit
// LIMIT: kiln.transpose
func.func @size_limit() -> tensor<8x16xf32> {
  %s = kiln.constant dense<[16, 8]> : tensor<2xsi64>
  %v = kiln.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %e = kiln.expand %v, %s : (tensor<8xf32>, tensor<2xsi64>) -> tensor<16x8xf32>
  %t = kiln.transpose %e {perm = array<i64: 1, 0>} : tensor<16x8xf32> -> tensor<8x16xf32>
  return %t : tensor<8x16xf32>
}

// -----

// Identical constants are merged.
// CHECK-LABEL: func @dedup
// CHECK-COUNT-1: kiln.constant
// CHECK-NOT: kiln.constant
func.func @dedup(%x: tensor<3xf32>) -> tensor<3xf32> {
  %a = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %b = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %0 = kiln.add %x, %a : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %1 = kiln.mul %0, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %1 : tensor<3xf32>
}

// -----

// Integer division and remainder by zero fold to 0, the value the generated
// code computes (it never traps). INT_MIN / -1 wraps. Ops with a run-time
// operand are left alone.
// CHECK-LABEL: func @integer_division_edges
// CHECK-DAG: kiln.constant dense<0> : tensor<si32>
// CHECK-DAG: kiln.constant dense<-2147483648> : tensor<si32>
// CHECK-NOT: kiln.div
// CHECK-NOT: kiln.mod
// CHECK: kiln.add
func.func @integer_division_edges(%x: tensor<si32>) -> (tensor<si32>, tensor<si32>, tensor<si32>, tensor<si32>) {
  %a = kiln.constant dense<1> : tensor<si32>
  %z = kiln.constant dense<0> : tensor<si32>
  %m = kiln.constant dense<-2147483648> : tensor<si32>
  %n = kiln.constant dense<-1> : tensor<si32>
  %0 = kiln.div %a, %z : (tensor<si32>, tensor<si32>) -> tensor<si32>
  %1 = kiln.mod %a, %z : (tensor<si32>, tensor<si32>) -> tensor<si32>
  %2 = kiln.div %m, %n : (tensor<si32>, tensor<si32>) -> tensor<si32>
  %3 = kiln.add %x, %a : (tensor<si32>, tensor<si32>) -> tensor<si32>
  return %0, %1, %2, %3 : tensor<si32>, tensor<si32>, tensor<si32>, tensor<si32>
}

// -----

// Float max and min reductions fold (the order does not matter; NaN
// wins, as in the generated code); a float sum is left to the run, whose
// order decides its rounding, and so is a zero chosen among zeros of both
// signs (the run's vector min keeps either). torchvision's detection
// transforms take the max of the image sizes this way.
// CHECK-LABEL: func @float_max_min
// CHECK-DAG: kiln.constant dense<[1.000000e+00, 0x7FC00000]> : tensor<2xf32>
// CHECK-DAG: kiln.constant dense<[-1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: kiln.reduce_sum
// CHECK-DAG: kiln.reduce_min %{{.*}} {axes = array<i64: 1>
// CHECK-NOT: kiln.reduce_max
func.func @float_max_min() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %x = kiln.constant dense<[[1.0, -0.0], [0x7FC00000, 2.0]]> : tensor<2x2xf32>
  %y = kiln.constant dense<[[-1.0, 2.0], [0.0, 3.0]]> : tensor<2x2xf32>
  %z = kiln.constant dense<[[0.0, -0.0], [1.0, 0.0]]> : tensor<2x2xf32>
  %0 = kiln.reduce_max %x {axes = array<i64: 1>, keepdims = false} : tensor<2x2xf32> -> tensor<2xf32>
  %1 = kiln.reduce_min %y {axes = array<i64: 0>, keepdims = false} : tensor<2x2xf32> -> tensor<2xf32>
  %2 = kiln.reduce_sum %y {axes = array<i64: 0>, keepdims = false} : tensor<2x2xf32> -> tensor<2xf32>
  %3 = kiln.reduce_min %z {axes = array<i64: 1>, keepdims = false} : tensor<2x2xf32> -> tensor<2xf32>
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}
