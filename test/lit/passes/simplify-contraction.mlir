// BatchNormalization folding, epilogue constants folded into Conv/Gemm/
// MatMul, and transposes absorbed into Gemm (ContractionRules.cpp).
// RUN: kiln-opt %s --kiln-simplify -split-input-file | FileCheck %s

// s = scale / sqrt(var + eps) = [2, 4/sqrt(3)]; w' = w * s; b' = beta - mean * s.
// CHECK-LABEL: func @batchnorm_into_conv
// CHECK-DAG: kiln.constant dense<{{\[\[\[\[}}2.000000e+00]], {{\[\[}}2.000000e+00]]], {{\[\[\[}}2.30940104]], {{\[\[}}2.30940104]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG: kiln.constant dense<[0.000000e+00, -1.15470052]> : tensor<2xf32>
// CHECK: kiln.conv
// CHECK-NOT: kiln.batch_norm
func.func @batchnorm_into_conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = kiln.constant dense<1.0> : tensor<2x2x1x1xf32>
  %s = kiln.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %b = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %m = kiln.constant dense<[0.5, 0.5]> : tensor<2xf32>
  %v = kiln.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %0 = kiln.conv %x, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.batch_norm %0, %s, %b, %m, %v {epsilon = 0.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %1 : tensor<1x2x4x4xf32>
}

// -----

// The conv's result is also used elsewhere: its weights can't change, so
// the BN becomes one multiply-add instead.
// CHECK-LABEL: func @batchnorm_conv_shared
// CHECK: %[[C:.*]] = kiln.conv
// CHECK: %[[M:.*]] = kiln.mul %[[C]], %{{.*}} : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>)
// CHECK: kiln.add %[[M]], %{{.*}} : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>)
// CHECK-NOT: kiln.batch_norm
func.func @batchnorm_conv_shared(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %w = kiln.constant dense<1.0> : tensor<2x2x1x1xf32>
  %s = kiln.constant dense<[2.0, 4.0]> : tensor<2xf32>
  %b = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %m = kiln.constant dense<[0.5, 0.5]> : tensor<2xf32>
  %v = kiln.constant dense<[1.0, 3.0]> : tensor<2xf32>
  %0 = kiln.conv %x, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %1 = kiln.batch_norm %0, %s, %b, %m, %v {epsilon = 0.0 : f32} : (tensor<1x2x4x4xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %0, %1 : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// -----

// Statistics known only at run time: the BN stays.
// CHECK-LABEL: func @batchnorm_runtime_stats
// CHECK: kiln.batch_norm
func.func @batchnorm_runtime_stats(%x: tensor<1x2x3xf32>, %s: tensor<2xf32>) -> tensor<1x2x3xf32> {
  %b = kiln.constant dense<0.0> : tensor<2xf32>
  %0 = kiln.batch_norm %x, %s, %b, %b, %s : (tensor<1x2x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3xf32>
  return %0 : tensor<1x2x3xf32>
}

// -----

// BN over Gemm's output columns: B's columns scale, C becomes the shift.
// CHECK-LABEL: func @batchnorm_into_gemm
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<{{\[\[}}2.000000e+00, 3.000000e+00]]> : tensor<1x2xf32>
// CHECK-DAG: %[[C:.*]] = kiln.constant dense<[1.000000e+00, -3.000000e+00]> : tensor<2xf32>
// CHECK: kiln.gemm %arg0, %[[B]], %[[C]]
func.func @batchnorm_into_gemm(%x: tensor<4x1xf32>) -> tensor<4x2xf32> {
  %w = kiln.constant dense<[[1.0, 1.0]]> : tensor<1x2xf32>
  %s = kiln.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %b = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %m = kiln.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %v = kiln.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %0 = kiln.gemm %x, %w : (tensor<4x1xf32>, tensor<1x2xf32>) -> tensor<4x2xf32>
  %1 = kiln.batch_norm %0, %s, %b, %m, %v {epsilon = 0.0 : f32} : (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %1 : tensor<4x2xf32>
}

// -----

// BN after a 2-D MatMul: the weights scale and the shift becomes an add,
// which then joins the MatMul as a Gemm.
// CHECK-LABEL: func @batchnorm_into_matmul
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{\[\[}}2.000000e+00, 3.000000e+00]]> : tensor<1x2xf32>
// CHECK-DAG: %[[T:.*]] = kiln.constant dense<[1.000000e+00, -3.000000e+00]> : tensor<2xf32>
// CHECK: kiln.gemm %arg0, %[[W]], %[[T]]
func.func @batchnorm_into_matmul(%x: tensor<4x1xf32>) -> tensor<4x2xf32> {
  %w = kiln.constant dense<[[1.0, 1.0]]> : tensor<1x2xf32>
  %s = kiln.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %b = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %m = kiln.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %v = kiln.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %0 = kiln.matmul %x, %w : (tensor<4x1xf32>, tensor<1x2xf32>) -> tensor<4x2xf32>
  %1 = kiln.batch_norm %0, %s, %b, %m, %v {epsilon = 0.0 : f32} : (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %1 : tensor<4x2xf32>
}

// -----

// Per-channel add and multiply after a conv join its bias and weights.
// CHECK-LABEL: func @conv_epilogue_constants
// CHECK-DAG: kiln.constant dense<[1.000000e+01, 4.000000e+01]> : tensor<2xf32>
// CHECK-DAG: kiln.constant dense<{{\[\[\[\[}}1.000000e+01]]], {{\[\[\[}}4.000000e+01]]]]> : tensor<2x1x1x1xf32>
// CHECK: kiln.conv
// CHECK-NEXT: return
func.func @conv_epilogue_constants(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = kiln.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %add = kiln.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %mul = kiln.constant dense<[[[10.0]], [[20.0]]]> : tensor<2x1x1xf32>
  %0 = kiln.conv %x, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %1 = kiln.add %0, %add : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %2 = kiln.mul %1, %mul : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %2 : tensor<1x2x3x3xf32>
}

// -----

// A constant that varies along a spatial axis is not per channel: kept.
// CHECK-LABEL: func @conv_add_spatial
// CHECK: kiln.conv
// CHECK: kiln.add
func.func @conv_add_spatial(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = kiln.constant dense<1.0> : tensor<2x1x1x1xf32>
  %add = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %0 = kiln.conv %x, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %1 = kiln.add %0, %add : (tensor<1x2x3x3xf32>, tensor<3xf32>) -> tensor<1x2x3x3xf32>
  return %1 : tensor<1x2x3x3xf32>
}

// -----

// CHECK-LABEL: func @gemm_epilogue
// CHECK: %[[G:.*]] = kiln.gemm %arg0, %arg1, %arg2 {alpha = 3.000000e+00 : f32, beta = 3.000000e+00 : f32}
// CHECK-NEXT: return %[[G]]
func.func @gemm_epilogue(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
  %s = kiln.constant dense<3.0> : tensor<f32>
  %0 = kiln.gemm %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = kiln.add %0, %c : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %2 = kiln.mul %1, %s : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @matmul_add_to_gemm
// CHECK: kiln.gemm %arg0, %arg1, %arg2
// CHECK-NOT: kiln.add
func.func @matmul_add_to_gemm(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = kiln.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = kiln.add %0, %c : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}

// -----

// Batched MatMul with a bias stays a MatMul and an add (fusion's job).
// CHECK-LABEL: func @batched_matmul_add
// CHECK: kiln.matmul
// CHECK: kiln.add
func.func @batched_matmul_add(%a: tensor<5x2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<4xf32>) -> tensor<5x2x4xf32> {
  %0 = kiln.matmul %a, %b : (tensor<5x2x3xf32>, tensor<3x4xf32>) -> tensor<5x2x4xf32>
  %1 = kiln.add %0, %c : (tensor<5x2x4xf32>, tensor<4xf32>) -> tensor<5x2x4xf32>
  return %1 : tensor<5x2x4xf32>
}

// -----

// CHECK-LABEL: func @matmul_scale_into_weights
// CHECK: %[[W:.*]] = kiln.constant dense<{{\[\[}}5.000000e-01, 1.000000e+00]]> : tensor<1x2xf32>
// CHECK: kiln.matmul %arg0, %[[W]]
// CHECK-NOT: kiln.mul
func.func @matmul_scale_into_weights(%x: tensor<3x4x1xf32>) -> tensor<3x4x2xf32> {
  %w = kiln.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %s = kiln.constant dense<0.5> : tensor<f32>
  %0 = kiln.matmul %x, %w : (tensor<3x4x1xf32>, tensor<1x2xf32>) -> tensor<3x4x2xf32>
  %1 = kiln.mul %0, %s : (tensor<3x4x2xf32>, tensor<f32>) -> tensor<3x4x2xf32>
  return %1 : tensor<3x4x2xf32>
}

// -----

// CHECK-LABEL: func @gemm_absorb_transpose
// CHECK: kiln.gemm %arg0, %arg1 {trans_a = true, trans_b = true}
// CHECK-NOT: kiln.transpose
func.func @gemm_absorb_transpose(%a: tensor<3x2xf32>, %b: tensor<4x3xf32>) -> tensor<2x4xf32> {
  %0 = kiln.transpose %a {perm = array<i64: 1, 0>} : tensor<3x2xf32> -> tensor<2x3xf32>
  %1 = kiln.transpose %b {perm = array<i64: 1, 0>} : tensor<4x3xf32> -> tensor<3x4xf32>
  %2 = kiln.gemm %0, %1 {trans_b = false} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func @matmul_absorb_transpose
// CHECK: kiln.gemm %arg0, %arg1 {trans_b = true}
// CHECK-NOT: kiln.transpose
func.func @matmul_absorb_transpose(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) -> tensor<2x4xf32> {
  %0 = kiln.transpose %b {perm = array<i64: 1, 0>} : tensor<4x3xf32> -> tensor<3x4xf32>
  %1 = kiln.matmul %a, %0 : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}

// -----

// Integer MatMul keeps its transpose (Gemm is for floats here).
// CHECK-LABEL: func @int_matmul_transpose
// CHECK: kiln.transpose
// CHECK: kiln.matmul
func.func @int_matmul_transpose(%a: tensor<2x3xsi32>, %b: tensor<4x3xsi32>) -> tensor<2x4xsi32> {
  %0 = kiln.transpose %b {perm = array<i64: 1, 0>} : tensor<4x3xsi32> -> tensor<3x4xsi32>
  %1 = kiln.matmul %a, %0 : (tensor<2x3xsi32>, tensor<3x4xsi32>) -> tensor<2x4xsi32>
  return %1 : tensor<2x4xsi32>
}
