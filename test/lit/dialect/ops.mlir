// Every kiln op parses, prints and parses again to the same IR.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s

// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %i: tensor<3xsi32>) -> tensor<2x3xf32> {
  // CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = kiln.sub %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = kiln.mul %1, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = kiln.div %2, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: kiln.pow %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<3xsi32>) -> tensor<3xf32>
  %p = kiln.pow %b, %i : (tensor<3xf32>, tensor<3xsi32>) -> tensor<3xf32>
  %4 = kiln.min %3, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %5 = kiln.max %4, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: kiln.relu %{{.*}} : tensor<2x3xf32>
  %6 = kiln.relu %5 : tensor<2x3xf32>
  %7 = kiln.sigmoid %6 : tensor<2x3xf32>
  %8 = kiln.tanh %7 : tensor<2x3xf32>
  %9 = kiln.exp %8 : tensor<2x3xf32>
  %10 = kiln.log %9 : tensor<2x3xf32>
  %11 = kiln.sqrt %10 : tensor<2x3xf32>
  %12 = kiln.erf %11 : tensor<2x3xf32>
  %13 = kiln.neg %12 : tensor<2x3xf32>
  %14 = kiln.abs %13 : tensor<2x3xf32>
  // CHECK: kiln.leaky_relu %{{.*}} {alpha = 1.000000e-01 : f32}
  %15 = kiln.leaky_relu %14 {alpha = 0.1 : f32} : tensor<2x3xf32>
  // CHECK: kiln.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32}
  %16 = kiln.clip %15 {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3xf32>
  // CHECK: kiln.cast %{{.*}} {to = si64} : tensor<2x3xf32> -> tensor<2x3xsi64>
  %17 = kiln.cast %16 {to = si64} : tensor<2x3xf32> -> tensor<2x3xsi64>
  return %16 : tensor<2x3xf32>
}

// CHECK-LABEL: func @nn
func.func @nn(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %bias: tensor<4xf32>,
              %a: tensor<2x5xf32>, %b: tensor<5x4xf32>, %c: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  // CHECK: kiln.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
  %0 = kiln.conv %x, %w, %bias {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>}
    : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: kiln.max_pool
  %1 = kiln.max_pool %0 {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>}
    : tensor<1x4x8x8xf32> -> tensor<1x4x4x4xf32>
  // CHECK: kiln.average_pool {{.*}}count_include_pad = true
  %2 = kiln.average_pool %1 {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, count_include_pad = true}
    : tensor<1x4x4x4xf32> -> tensor<1x4x4x4xf32>
  // CHECK: kiln.batch_norm
  %3 = kiln.batch_norm %2, %bias, %bias, %bias, %bias {epsilon = 1.0e-3 : f32}
    : (tensor<1x4x4x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: kiln.softmax %{{.*}} {axis = 1 : i64}
  %4 = kiln.softmax %3 {axis = 1 : i64} : tensor<1x4x4x4xf32>
  %5 = kiln.log_softmax %4 {axis = 3 : i64} : tensor<1x4x4x4xf32>
  // CHECK: kiln.matmul %{{.*}}, %{{.*}} : (tensor<2x5xf32>, tensor<5x4xf32>) -> tensor<2x4xf32>
  %6 = kiln.matmul %a, %b : (tensor<2x5xf32>, tensor<5x4xf32>) -> tensor<2x4xf32>
  // CHECK: kiln.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32}
  %7 = kiln.gemm %a, %b, %c {alpha = 0.5 : f32} : (tensor<2x5xf32>, tensor<5x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  // CHECK: kiln.gemm %{{.*}}, %{{.*}} {trans_b = true}
  %8 = kiln.gemm %a, %a {trans_b = true} : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x2xf32>
  return %5 : tensor<1x4x4x4xf32>
}

// CHECK-LABEL: func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  // CHECK: kiln.reduce_sum %{{.*}} {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %0 = kiln.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: kiln.reduce_mean %{{.*}} {axes = array<i64: 0, 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
  %1 = kiln.reduce_mean %x {axes = array<i64: 0, 2>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
  %2 = kiln.reduce_max %x {axes = array<i64: 2>} : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
  %3 = kiln.reduce_min %x {axes = array<i64: 2>} : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
  %4 = kiln.reduce_prod %x {axes = array<i64: 2>} : tensor<2x3x4xf32> -> tensor<2x3x1xf32>
  return %0 : tensor<2x1x4xf32>
}

// CHECK-LABEL: func @tensors
func.func @tensors(%x: tensor<2x3x4xf32>, %idx: tensor<5xsi64>) -> tensor<4x6xf32> {
  // CHECK: kiln.constant dense<[4, 6]> : tensor<2xsi64>
  %s = kiln.constant dense<[4, 6]> : tensor<2xsi64>
  // CHECK: kiln.reshape %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<2xsi64>) -> tensor<4x6xf32>
  %0 = kiln.reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xsi64>) -> tensor<4x6xf32>
  // CHECK: kiln.transpose %{{.*}} {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %1 = kiln.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %2 = kiln.flatten %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
  %3 = kiln.unsqueeze %x {axes = array<i64: 0, 3>} : tensor<2x3x4xf32> -> tensor<1x2x3x1x4xf32>
  %4 = kiln.squeeze %3 {axes = array<i64: 0, 3>} : tensor<1x2x3x1x4xf32> -> tensor<2x3x4xf32>
  // CHECK: kiln.concat %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<4x3x4xf32>
  %5 = kiln.concat %x, %4 {axis = 0 : i64} : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<4x3x4xf32>
  // CHECK: kiln.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<5xsi64>) -> tensor<2x5x4xf32>
  %6 = kiln.gather %x, %idx {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<5xsi64>) -> tensor<2x5x4xf32>
  %c1 = kiln.constant dense<1> : tensor<1xsi64>
  %c3 = kiln.constant dense<3> : tensor<1xsi64>
  // CHECK: kiln.slice {{.*}} {axes = array<i64: 2>}
  %7 = kiln.slice %x, %c1, %c3, %c1 {axes = array<i64: 2>} : tensor<2x3x4xf32>, tensor<1xsi64>, tensor<1xsi64>, tensor<1xsi64> -> tensor<2x3x2xf32>
  // CHECK: kiln.shape %{{.*}} {end = 3 : i64, start = 1 : i64} : tensor<2x3x4xf32> -> tensor<2xsi64>
  %8 = kiln.shape %x {start = 1 : i64, end = 3 : i64} : tensor<2x3x4xf32> -> tensor<2xsi64>
  return %0 : tensor<4x6xf32>
}

// Dynamic dimensions are allowed everywhere.
// CHECK-LABEL: func @dynamic
func.func @dynamic(%a: tensor<?x768xf32>, %b: tensor<768xf32>) -> tensor<?x768xf32> {
  // CHECK: kiln.add %{{.*}}, %{{.*}} : (tensor<?x768xf32>, tensor<768xf32>) -> tensor<?x768xf32>
  %0 = kiln.add %a, %b : (tensor<?x768xf32>, tensor<768xf32>) -> tensor<?x768xf32>
  return %0 : tensor<?x768xf32>
}
