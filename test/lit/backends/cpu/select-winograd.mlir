// Which oneDNN convolutions run as Winograd F(2x2, 3x3)
// (CpuCostModel::winogradApplies, set by kiln-cpu-select-library-calls).
// RUN: kiln-opt %s --kiln-cpu-select-library-calls -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-cpu-select-library-calls=winograd=false -split-input-file | FileCheck %s --check-prefix=OFF

// A constant 3x3 filter, stride 1, channels multiples of 16, 40x40 = 1600
// output pixels, a ReLU: Winograd, the ReLU still a post-op.
// CHECK-LABEL: func @winograd
// CHECK: kiln_lib.conv2d
// CHECK-SAME: algorithm = "winograd"
// CHECK-SAME: post_ops = ["relu"]
// OFF-LABEL: func @winograd
// OFF-NOT: algorithm
func.func @winograd(%x: tensor<1x16x40x40xf32>) -> tensor<1x32x40x40xf32> {
  %w = kiln.constant dense<0.5> : tensor<32x16x3x3xf32>
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x16x40x40xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x40x40xf32>
  %1 = kiln.relu %0 : tensor<1x32x40x40xf32>
  return %1 : tensor<1x32x40x40xf32>
}

// -----

// Channels last, the pixels over the batch (2 x 28 x 28 = 1568, the least).
// CHECK-LABEL: func @winograd_nhwc_batch
// CHECK: kiln_lib.conv2d
// CHECK-SAME: algorithm = "winograd"
func.func @winograd_nhwc_batch(%x: tensor<2x28x28x16xf32>) -> tensor<2x28x28x16xf32> {
  %w = kiln.constant dense<0.5> : tensor<16x16x3x3xf32>
  %0 = kiln.conv %x, %w {channels_last = true, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<2x28x28x16xf32>, tensor<16x16x3x3xf32>) -> tensor<2x28x28x16xf32>
  return %0 : tensor<2x28x28x16xf32>
}

// -----

// Direct: one pixel short (1 x 28 x 28 = 784), a residual add, channels
// not multiples of 16, stride 2, a filter that is an argument.
// CHECK-LABEL: func @direct
// CHECK-NOT: algorithm
// CHECK: return
func.func @direct(%x: tensor<1x16x28x28xf32>, %r: tensor<1x16x40x40xf32>, %y: tensor<1x12x40x40xf32>, %wa: tensor<16x16x3x3xf32>, %big: tensor<1x16x40x40xf32>) -> (tensor<1x16x28x28xf32>, tensor<1x16x40x40xf32>, tensor<1x12x40x40xf32>, tensor<1x16x20x20xf32>, tensor<1x16x40x40xf32>) {
  %w = kiln.constant dense<0.5> : tensor<16x16x3x3xf32>
  %w12 = kiln.constant dense<0.5> : tensor<12x12x3x3xf32>
  %small = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x16x28x28xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x28x28xf32>
  %c = kiln.conv %big, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x16x40x40xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x40x40xf32>
  %residual = kiln.add %c, %r : (tensor<1x16x40x40xf32>, tensor<1x16x40x40xf32>) -> tensor<1x16x40x40xf32>
  %odd = kiln.conv %y, %w12 {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x12x40x40xf32>, tensor<12x12x3x3xf32>) -> tensor<1x12x40x40xf32>
  %strided = kiln.conv %big, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x16x40x40xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x20x20xf32>
  %arg = kiln.conv %big, %wa {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x16x40x40xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x40x40xf32>
  return %small, %residual, %odd, %strided, %arg : tensor<1x16x28x28xf32>, tensor<1x16x40x40xf32>, tensor<1x12x40x40xf32>, tensor<1x16x20x20xf32>, tensor<1x16x40x40xf32>
}
