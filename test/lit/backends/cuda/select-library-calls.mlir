// Convolutions and matrix products go to cuDNN/cuBLAS as kiln_lib ops;
// what the libraries can't take (asymmetric padding, integers, dynamic
// shapes) stays for code generation.
// RUN: kiln-opt %s --kiln-cuda-select-library-calls | FileCheck %s

// A ReLU that is the convolution's only user becomes its epilogue.
// CHECK-LABEL: func @conv_relu
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<1x4x8x8xf32>
// CHECK: %[[Y:.*]] = kiln_lib.conv2d %arg0, %arg1 bias %arg2 into %[[INIT]]
// CHECK-SAME: groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, post_args = array<f32: 0.000000e+00, 0.000000e+00>, post_ops = ["relu"], strides = array<i64: 1, 1>
// CHECK-NOT: kiln.relu
// CHECK: return %[[Y]]
func.func @conv_relu(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %0 = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %1 = kiln.relu %0 : tensor<1x4x8x8xf32>
  return %1 : tensor<1x4x8x8xf32>
}

// A residual added to the result, then a ReLU: cuDNN's fused call
// (relu(conv + z + bias)). From either side of the Add; without a ReLU too.
// CHECK-LABEL: func @conv_residual_relu
// CHECK: %[[Y:.*]] = kiln_lib.conv2d %arg0, %arg1 bias %arg2 post %arg3 into
// CHECK-SAME: post_ops = ["add", "relu"]
// CHECK-NOT: kiln.add
// CHECK-NOT: kiln.relu
// CHECK: %[[Y2:.*]] = kiln_lib.conv2d %arg0, %arg1 post %arg3 into
// CHECK-SAME: post_ops = ["add"]
// CHECK: return %[[Y]], %[[Y2]]
func.func @conv_residual_relu(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %z: tensor<1x4x8x8xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) {
  %0 = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %1 = kiln.add %z, %0 : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %2 = kiln.relu %1 : tensor<1x4x8x8xf32>
  %3 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %4 = kiln.add %3, %z : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  return %2, %4 : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
}

// A broadcast addend is not a residual cuDNN adds: the Add and the ReLU
// after it stay.
// CHECK-LABEL: func @conv_broadcast_add
// CHECK: %[[Y:.*]] = kiln_lib.conv2d %arg0, %arg1 into
// CHECK-NOT: post_ops
// CHECK: kiln.add %[[Y]], %arg2
// CHECK: kiln.relu
func.func @conv_broadcast_add(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %c: tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32> {
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = kiln.add %0, %c : (tensor<1x4x8x8xf32>, tensor<1x4x1x1xf32>) -> tensor<1x4x8x8xf32>
  %2 = kiln.relu %1 : tensor<1x4x8x8xf32>
  return %2 : tensor<1x4x8x8xf32>
}

// CHECK-LABEL: func @conv_asym
// CHECK: kiln.conv
// CHECK-NOT: kiln_lib
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
// CHECK-NOT: kiln_lib
func.func @int_matmul(%a: tensor<3x4xsi32>, %b: tensor<4x5xsi32>) -> tensor<3x5xsi32> {
  %0 = kiln.matmul %a, %b : (tensor<3x4xsi32>, tensor<4x5xsi32>) -> tensor<3x5xsi32>
  return %0 : tensor<3x5xsi32>
}

// CHECK-LABEL: func @dyn_matmul
// CHECK: kiln.matmul
// CHECK-NOT: kiln_lib
func.func @dyn_matmul(%a: tensor<?x4xf32>, %b: tensor<4x5xf32>) -> tensor<?x5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<?x4xf32>, tensor<4x5xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// Epilogues cuBLASLt runs: a bias per output column (an Add of a vector of
// N, from either side, reshaped to the product's rank), then a ReLU or a
// tanh-form GELU, absorbed into the call.
// CHECK-LABEL: func @matmul_bias_relu
// CHECK: %[[B:.*]] = kiln.reshape %arg2
// CHECK-SAME: -> tensor<1x1x5xf32>
// CHECK: %[[Y:.*]] = kiln_lib.matmul %arg0, %arg1 post %[[B]] into %{{.*}} {post_args = array<f32: 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00>, post_ops = ["add", "relu"]} : tensor<2x3x4xf32>, tensor<4x5xf32>, tensor<1x1x5xf32> into tensor<2x3x5xf32>
// CHECK-NOT: kiln.add
// CHECK-NOT: kiln.relu
// CHECK: return %[[Y]]
func.func @matmul_bias_relu(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>, %bias: tensor<5xf32>) -> tensor<2x3x5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  %1 = kiln.add %bias, %0 : (tensor<5xf32>, tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  %2 = kiln.relu %1 : tensor<2x3x5xf32>
  return %2 : tensor<2x3x5xf32>
}

// CHECK-LABEL: func @matmul_gelu_tanh
// CHECK: kiln_lib.matmul %arg0, %arg1 into %{{.*}} {post_args = array<f32: 0.000000e+00, 0.000000e+00>, post_ops = ["gelu_tanh"]}
// CHECK-NOT: kiln.gelu
func.func @matmul_gelu_tanh(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) -> tensor<3x5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %1 = kiln.gelu %0 {tanh_approximation = true} : tensor<3x5xf32>
  return %1 : tensor<3x5xf32>
}

// The erf GELU is not cuBLASLt's: the bias joins the call, the GELU stays.
// CHECK-LABEL: func @matmul_bias_gelu_erf
// CHECK: %[[Y:.*]] = kiln_lib.matmul %arg0, %arg1 post %arg2 into %{{.*}} {{.*}}post_ops = ["add"]}
// CHECK: kiln.gelu %[[Y]]
func.func @matmul_bias_gelu_erf(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %bias: tensor<1x5xf32>) -> tensor<3x5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %1 = kiln.add %0, %bias : (tensor<3x5xf32>, tensor<1x5xf32>) -> tensor<3x5xf32>
  %2 = kiln.gelu %1 : tensor<3x5xf32>
  return %2 : tensor<3x5xf32>
}

// Not a column bias (a per-row vector, a full matrix) or not the
// product's only user: nothing joins the call.
// CHECK-LABEL: func @matmul_not_bias
// CHECK: %[[P:.*]] = kiln_lib.matmul %arg0, %arg1 into %{{.*}} : tensor<3x4xf32>
// CHECK-NOT: post_ops
// CHECK: kiln.add %[[P]], %arg2
// CHECK: %[[Q:.*]] = kiln_lib.matmul %arg0, %arg1 into %{{.*}} : tensor<3x4xf32>
// CHECK-NOT: post_ops
// CHECK: kiln.add %[[Q]], %arg3
// CHECK: %[[R:.*]] = kiln_lib.matmul %arg0, %arg1 into %{{.*}} : tensor<3x4xf32>
// CHECK-NOT: post_ops
// CHECK: kiln.relu %[[R]]
// CHECK: kiln.add %[[R]], %arg4
func.func @matmul_not_bias(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %rows: tensor<3x1xf32>, %full: tensor<3x5xf32>, %bias: tensor<5xf32>) -> (tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>) {
  %0 = kiln.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %1 = kiln.add %0, %rows : (tensor<3x5xf32>, tensor<3x1xf32>) -> tensor<3x5xf32>
  %2 = kiln.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %3 = kiln.add %2, %full : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %4 = kiln.matmul %a, %b : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %5 = kiln.relu %4 : tensor<3x5xf32>
  %6 = kiln.add %4, %bias : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  return %1, %3, %5, %6 : tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>
}

// Gemm's C as a bias vector with beta 1 is the epilogue's bias (no
// accumulator); a ReLU after it joins too.
// CHECK-LABEL: func @gemm_bias_relu
// CHECK-NOT: linalg.generic
// CHECK: %[[B:.*]] = kiln.reshape %arg2
// CHECK: kiln_lib.matmul %arg0, %arg1 post %[[B]] into %{{.*}} {{{.*}}post_ops = ["add", "relu"], trans_b}
// CHECK-NOT: kiln.relu
func.func @gemm_bias_relu(%a: tensor<3x4xf32>, %b: tensor<5x4xf32>, %c: tensor<5xf32>) -> tensor<3x5xf32> {
  %0 = kiln.gemm %a, %b, %c {trans_b = true} : (tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  %1 = kiln.relu %0 : tensor<3x5xf32>
  return %1 : tensor<3x5xf32>
}

// A Gemm that accumulates into C (a full matrix here) takes no epilogue:
// the ReLU stays.
// CHECK-LABEL: func @gemm_accumulate_relu
// CHECK: %[[Y:.*]] = kiln_lib.matmul %arg0, %arg1 into %{{.*}} {accumulate}
// CHECK: kiln.relu %[[Y]]
func.func @gemm_accumulate_relu(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %c: tensor<3x5xf32>) -> tensor<3x5xf32> {
  %0 = kiln.gemm %a, %b, %c : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %1 = kiln.relu %0 : tensor<3x5xf32>
  return %1 : tensor<3x5xf32>
}

// A Gemm whose C counts for nothing (beta 0) still takes the bias of an
// Add after it.
// CHECK-LABEL: func @gemm_beta0_bias
// CHECK: kiln_lib.matmul %arg0, %arg1 post %{{.*}} into %{{.*}} {{{.*}}post_ops = ["add"]}
// CHECK-NOT: accumulate
// CHECK-NOT: kiln.add
func.func @gemm_beta0_bias(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %c: tensor<3x5xf32>, %bias: tensor<5xf32>) -> tensor<3x5xf32> {
  %0 = kiln.gemm %a, %b, %c {beta = 0.0 : f32} : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %1 = kiln.add %0, %bias : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  return %1 : tensor<3x5xf32>
}
