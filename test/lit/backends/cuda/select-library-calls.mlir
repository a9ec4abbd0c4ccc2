// Convolutions and matrix products go to cuDNN/cuBLAS as kiln_lib ops;
// what the libraries can't take (asymmetric padding, integers, dynamic
// shapes) stays for code generation.
// RUN: kiln-opt %s --kiln-cuda-select-library-calls | FileCheck %s

// A ReLU that is the convolution's only user becomes its epilogue.
// CHECK-LABEL: func @conv_relu
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<1x4x8x8xf32>
// CHECK: %[[Y:.*]] = kiln_lib.conv2d %arg0, %arg1 bias %arg2 into %[[INIT]]
// CHECK-SAME: groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, post_ops = ["relu"], strides = array<i64: 1, 1>
// CHECK-NOT: kiln.relu
// CHECK: return %[[Y]]
func.func @conv_relu(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %0 = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %1 = kiln.relu %0 : tensor<1x4x8x8xf32>
  return %1 : tensor<1x4x8x8xf32>
}

// CHECK-LABEL: func @conv_asym
// CHECK: kiln.conv
// CHECK-NOT: kiln_cuda
func.func @conv_asym(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x7x7xf32> {
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x7x7xf32>
  return %0 : tensor<1x4x7x7xf32>
}

// A shared right operand: one batched call.
// CHECK-LABEL: func @batched
// CHECK: kiln_lib.matmul %arg0, %arg1 into %{{.*}} : tensor<2x3x4xf32>, tensor<4x5xf32> into tensor<2x3x5xf32>
func.func @batched(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// A right operand transposed in its last two dimensions (attention's k^T)
// is read transposed by cuBLAS; any other transpose stays a copy.
// CHECK-LABEL: func @transposed_rhs
// CHECK: kiln_lib.matmul %arg0, %arg1 into %{{.*}} {trans_b} : tensor<2x3x4x8xf32>, tensor<2x3x5x8xf32> into tensor<2x3x4x5xf32>
func.func @transposed_rhs(%a: tensor<2x3x4x8xf32>, %b: tensor<2x3x5x8xf32>) -> tensor<2x3x4x5xf32> {
  %t = kiln.transpose %b {perm = array<i64: 0, 1, 3, 2>} : tensor<2x3x5x8xf32> -> tensor<2x3x8x5xf32>
  %0 = kiln.matmul %a, %t : (tensor<2x3x4x8xf32>, tensor<2x3x8x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// CHECK-LABEL: func @batch_transposed_rhs
// CHECK: %[[T:.*]] = kiln.transpose %arg1
// CHECK: kiln_lib.matmul %arg0, %[[T]] into
// CHECK-NOT: trans_b
func.func @batch_transposed_rhs(%a: tensor<3x2x4x8xf32>, %b: tensor<2x3x8x5xf32>) -> tensor<3x2x4x5xf32> {
  %t = kiln.transpose %b {perm = array<i64: 1, 0, 2, 3>} : tensor<2x3x8x5xf32> -> tensor<3x2x8x5xf32>
  %0 = kiln.matmul %a, %t : (tensor<3x2x4x8xf32>, tensor<3x2x8x5xf32>) -> tensor<3x2x4x5xf32>
  return %0 : tensor<3x2x4x5xf32>
}

// Gemm's C, scaled by beta and broadcast, is the accumulator.
// CHECK-LABEL: func @gemm
// CHECK: %[[HALF:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: %[[C:.*]] = linalg.generic
// CHECK: arith.mulf %{{.*}}, %[[HALF]]
// CHECK: kiln_lib.matmul %arg0, %arg1 into %[[C]] {accumulate, alpha = 2.000000e+00 : f32, trans_b}
func.func @gemm(%a: tensor<3x4xf32>, %b: tensor<5x4xf32>, %c: tensor<5xf32>) -> tensor<3x5xf32> {
  %0 = kiln.gemm %a, %b, %c {trans_b = true, alpha = 2.0 : f32, beta = 0.5 : f32} : (tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// CHECK-LABEL: func @int_matmul
// CHECK: kiln.matmul
// CHECK-NOT: kiln_cuda
func.func @int_matmul(%a: tensor<3x4xsi32>, %b: tensor<4x5xsi32>) -> tensor<3x5xsi32> {
  %0 = kiln.matmul %a, %b : (tensor<3x4xsi32>, tensor<4x5xsi32>) -> tensor<3x5xsi32>
  return %0 : tensor<3x5xsi32>
}

// CHECK-LABEL: func @dyn_matmul
// CHECK: kiln.matmul
// CHECK-NOT: kiln_cuda
func.func @dyn_matmul(%a: tensor<?x4xf32>, %b: tensor<4x5xf32>) -> tensor<?x5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<?x4xf32>, tensor<4x5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}
