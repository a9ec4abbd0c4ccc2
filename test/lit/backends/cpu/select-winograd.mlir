// Which oneDNN convolutions run as Winograd F(2x2, 3x3)
// (CpuCostModel::winogradApplies, set by kiln-cpu-select-library-calls).
// RUN: kiln-opt %s --kiln-cpu-select-library-calls -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-cpu-select-library-calls=winograd=false -split-input-file | FileCheck %s --check-prefix=OFF

// A constant 3x3 filter, stride 1, 64 and 80 channels, 40x40 = 1600
// output pixels, a ReLU: Winograd, the ReLU still a post-op.
// CHECK-LABEL: func @winograd
// CHECK: kiln_lib.conv2d
// CHECK-SAME: algorithm = "winograd"
// CHECK-SAME: post_ops = ["relu"]
// OFF-LABEL: func @winograd
// OFF-NOT: algorithm
func.func @winograd(%x: tensor<1x64x40x40xf32>) -> tensor<1x80x40x40xf32> {
  %w = kiln.constant dense<0.5> : tensor<80x64x3x3xf32>
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x64x40x40xf32>, tensor<80x64x3x3xf32>) -> tensor<1x80x40x40xf32>
  %1 = kiln.relu %0 : tensor<1x80x40x40xf32>
  return %1 : tensor<1x80x40x40xf32>
}

// -----

// Channels last, the pixels over the batch (2 x 7 x 4 = 56).
// CHECK-LABEL: func @winograd_nhwc_batch
// CHECK: kiln_lib.conv2d
// CHECK-SAME: algorithm = "winograd"
func.func @winograd_nhwc_batch(%x: tensor<2x7x4x64xf32>) -> tensor<2x7x4x64xf32> {
  %w = kiln.constant dense<0.5> : tensor<64x64x3x3xf32>
  %0 = kiln.conv %x, %w {channels_last = true, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<2x7x4x64xf32>, tensor<64x64x3x3xf32>) -> tensor<2x7x4x64xf32>
  return %0 : tensor<2x7x4x64xf32>
}

// -----

// The least that qualifies: 16 input channels, 64 output channels (the
// fewest), 7 x 7 = 49 output pixels (the fewest).
// CHECK-LABEL: func @winograd_least
// CHECK: kiln_lib.conv2d
// CHECK-SAME: algorithm = "winograd"
func.func @winograd_least(%x: tensor<1x16x7x7xf32>) -> tensor<1x64x7x7xf32> {
  %w = kiln.constant dense<0.5> : tensor<64x16x3x3xf32>
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x16x7x7xf32>, tensor<64x16x3x3xf32>) -> tensor<1x64x7x7xf32>
  return %0 : tensor<1x64x7x7xf32>
}

// -----

// Direct: too few pixels (1 x 8 x 6 = 48), a residual add, channels
// not multiples of 16 (72), stride 2, a filter that is an argument, and
// (all else right) too few output channels (16; 48 from 64 inputs).
// CHECK-LABEL: func @direct
// CHECK-NOT: algorithm
// CHECK: return
func.func @direct(%x: tensor<1x64x8x6xf32>, %r: tensor<1x64x40x40xf32>, %y: tensor<1x72x40x40xf32>, %wa: tensor<64x64x3x3xf32>, %big: tensor<1x64x40x40xf32>, %thin: tensor<1x16x40x40xf32>) -> (tensor<1x64x8x6xf32>, tensor<1x64x40x40xf32>, tensor<1x72x40x40xf32>, tensor<1x64x20x20xf32>, tensor<1x64x40x40xf32>, tensor<1x16x40x40xf32>, tensor<1x48x40x40xf32>) {
  %w = kiln.constant dense<0.5> : tensor<64x64x3x3xf32>
  %w72 = kiln.constant dense<0.5> : tensor<72x72x3x3xf32>
  %w16 = kiln.constant dense<0.5> : tensor<16x16x3x3xf32>
  %w48 = kiln.constant dense<0.5> : tensor<48x64x3x3xf32>
  %small = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x64x8x6xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x8x6xf32>
  %c = kiln.conv %big, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x64x40x40xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x40x40xf32>
  %residual = kiln.add %c, %r : (tensor<1x64x40x40xf32>, tensor<1x64x40x40xf32>) -> tensor<1x64x40x40xf32>
  %odd = kiln.conv %y, %w72 {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x72x40x40xf32>, tensor<72x72x3x3xf32>) -> tensor<1x72x40x40xf32>
  %strided = kiln.conv %big, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x64x40x40xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x20x20xf32>
  %arg = kiln.conv %big, %wa {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x64x40x40xf32>, tensor<64x64x3x3xf32>) -> tensor<1x64x40x40xf32>
  %few = kiln.conv %thin, %w16 {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x16x40x40xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x40x40xf32>
  %narrow = kiln.conv %big, %w48 {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x64x40x40xf32>, tensor<48x64x3x3xf32>) -> tensor<1x48x40x40xf32>
  return %small, %residual, %odd, %strided, %arg, %few, %narrow : tensor<1x64x8x6xf32>, tensor<1x64x40x40xf32>, tensor<1x72x40x40xf32>, tensor<1x64x20x20xf32>, tensor<1x64x40x40xf32>, tensor<1x16x40x40xf32>, tensor<1x48x40x40xf32>
}

// -----

// Sizes known only at run time: the pixels are counted then, Winograd from
// winograd_min_pixels (49) of them and direct below. Static shapes carry
// no such count (the choice was made here).
// CHECK-LABEL: func @winograd_dynamic_sizes
// CHECK: kiln_lib.conv2d %arg0
// CHECK-SAME: algorithm = "winograd"
// CHECK-SAME: winograd_min_pixels = 49
// CHECK: kiln_lib.conv2d %arg1
// CHECK-SAME: algorithm = "winograd"
// CHECK-SAME: winograd_min_pixels = 49
// CHECK: kiln_lib.conv2d %arg2
// CHECK-SAME: algorithm = "winograd"
// CHECK-NOT: winograd_min_pixels
// CHECK: return
// OFF-LABEL: func @winograd_dynamic_sizes
// OFF-NOT: algorithm
// OFF: return
func.func @winograd_dynamic_sizes(%x: tensor<?x16x7x7xf32>, %h: tensor<1x16x?x?xf32>, %s: tensor<1x16x7x7xf32>) -> (tensor<?x64x7x7xf32>, tensor<1x64x?x?xf32>, tensor<1x64x7x7xf32>) {
  %w = kiln.constant dense<0.5> : tensor<64x16x3x3xf32>
  %0 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<?x16x7x7xf32>, tensor<64x16x3x3xf32>) -> tensor<?x64x7x7xf32>
  %1 = kiln.conv %h, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x16x?x?xf32>, tensor<64x16x3x3xf32>) -> tensor<1x64x?x?xf32>
  %2 = kiln.conv %s, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x16x7x7xf32>, tensor<64x16x3x3xf32>) -> tensor<1x64x7x7xf32>
  return %0, %1, %2 : tensor<?x64x7x7xf32>, tensor<1x64x?x?xf32>, tensor<1x64x7x7xf32>
}
