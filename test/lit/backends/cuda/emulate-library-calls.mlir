// --target=cuda-emulate --emulate-library-calls: library calls become the
// kiln ops of their definition, computed in f32 and rounded to the
// result's type once.
// RUN: kiln-opt %s --split-input-file --kiln-cuda-emulate-library-calls --verify-diagnostics | FileCheck %s

// trans_b, alpha, then the post-ops in order (bias, ReLU).
// CHECK-LABEL: func @matmul
// CHECK: %[[BT:.*]] = kiln.transpose %arg1 {perm = array<i64: 0, 2, 1>}
// CHECK: %[[P:.*]] = kiln.matmul %arg0, %[[BT]]
// CHECK: %[[A:.*]] = kiln.constant dense<2.500000e-01> : tensor<f32>
// CHECK: %[[S:.*]] = kiln.mul %[[P]], %[[A]]
// CHECK: %[[B:.*]] = kiln.add %[[S]], %arg2
// CHECK: %[[R:.*]] = kiln.relu %[[B]]
// CHECK-NOT: kiln_lib
// CHECK: return %[[R]]
func.func @matmul(%a: tensor<2x3x4xf32>, %b: tensor<2x5x4xf32>, %bias: tensor<1x1x5xf32>) -> tensor<2x3x5xf32> {
  %e = tensor.empty() : tensor<2x3x5xf32>
  %y = kiln_lib.matmul %a, %b post %bias into %e {trans_b, alpha = 0.25 : f32, post_ops = ["add", "relu"], post_args = array<f32: 0.0, 0.0, 0.0, 0.0>} : tensor<2x3x4xf32>, tensor<2x5x4xf32>, tensor<1x1x5xf32> into tensor<2x3x5xf32> -> tensor<2x3x5xf32>
  return %y : tensor<2x3x5xf32>
}

// -----

// f16 operands read as f32, the accumulator added, one rounding at the end.
// CHECK-LABEL: func @half_accumulate
// CHECK: %[[A:.*]] = kiln.cast %arg0 {to = f32} : tensor<3x4xf16> -> tensor<3x4xf32>
// CHECK: %[[B:.*]] = kiln.cast %arg1 {to = f32} : tensor<3x5xf16> -> tensor<3x5xf32>
// CHECK: %[[AT:.*]] = kiln.transpose %[[A]] {perm = array<i64: 1, 0>}
// CHECK: %[[P:.*]] = kiln.matmul %[[AT]], %[[B]]
// CHECK: %[[C:.*]] = kiln.cast %arg2 {to = f32}
// CHECK: %[[S:.*]] = kiln.add %[[P]], %[[C]]
// CHECK: %[[G:.*]] = kiln.gelu %[[S]] {tanh_approximation = true}
// CHECK: %[[Y:.*]] = kiln.cast %[[G]] {to = f16} : tensor<4x5xf32> -> tensor<4x5xf16>
// CHECK: return %[[Y]]
func.func @half_accumulate(%a: tensor<3x4xf16>, %b: tensor<3x5xf16>, %c: tensor<4x5xf16>) -> tensor<4x5xf16> {
  %y = kiln_lib.matmul %a, %b into %c {trans_a, accumulate, post_ops = ["gelu_tanh"], post_args = array<f32: 0.0, 0.0>} : tensor<3x4xf16>, tensor<3x5xf16> into tensor<4x5xf16> -> tensor<4x5xf16>
  return %y : tensor<4x5xf16>
}

// -----

// A convolution with its bias, a residual and a ReLU.
// CHECK-LABEL: func @conv
// CHECK: %[[C:.*]] = kiln.conv %arg0, %arg1, %arg2 {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK: %[[S:.*]] = kiln.add %[[C]], %arg3
// CHECK: %[[R:.*]] = kiln.relu %[[S]]
// CHECK: return %[[R]]
func.func @conv(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>, %z: tensor<1x6x4x4xf32>) -> tensor<1x6x4x4xf32> {
  %e = tensor.empty() : tensor<1x6x4x4xf32>
  %y = kiln_lib.conv2d %x, %w bias %b post %z into %e {dilations = array<i64: 1, 1>, groups = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, post_ops = ["add", "relu"], post_args = array<f32: 0.0, 0.0, 0.0, 0.0>} : tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32> bias tensor<6xf32>, tensor<1x6x4x4xf32> into tensor<1x6x4x4xf32> -> tensor<1x6x4x4xf32>
  return %y : tensor<1x6x4x4xf32>
}

// -----

// A post-op the emulation has no kiln op for.
func.func @sigmoid(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %e = tensor.empty() : tensor<3x5xf32>
  // expected-error @+1 {{post-op 'sigmoid' has no emulation}}
  %y = kiln_lib.matmul %a, %b into %e {post_ops = ["sigmoid"], post_args = array<f32: 0.0, 0.0>} : tensor<3x4xf32>, tensor<4x5xf32> into tensor<3x5xf32> -> tensor<3x5xf32>
  return %y : tensor<3x5xf32>
}

// -----

// Calls on buffers (after bufferization) cannot be emulated.
func.func @buffers(%a: memref<3x4xf32>, %b: memref<4x5xf32>, %c: memref<3x5xf32>) {
  // expected-error @+1 {{must be on tensors to be emulated}}
  kiln_lib.matmul %a, %b into %c : memref<3x4xf32>, memref<4x5xf32> into memref<3x5xf32>
  return
}
