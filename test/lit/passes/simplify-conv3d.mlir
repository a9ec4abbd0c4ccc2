// A 3-D convolution with a constant filter becomes one 2-D convolution per
// filter depth over the depths moved into the batch, their outputs shifted
// along the depth and summed (conv3d-as-conv2d, ContractionRules.cpp).
// RUN: kiln-opt %s --kiln-simplify -split-input-file | FileCheck %s

// 1x2x4x5x5, filter depth 2 (its slice t = 0 all zeros, t = 1 all ones),
// depth pads 1 and 0: 4 output depths, output depth o reads input depth
// o + t - 1. t = 0: outputs 1..3 from input depths 0..2, a slice of three
// padded with one zero depth in front; t = 1: outputs 0..3 from depths
// 0..3, taken whole. The bias is added once, after.
// CHECK-LABEL: func @depth_two
// CHECK-DAG: %[[W0:.*]] = kiln.constant dense<0.000000e+00> : tensor<3x2x3x3xf32>
// CHECK-DAG: %[[W1:.*]] = kiln.constant dense<1.000000e+00> : tensor<3x2x3x3xf32>
// CHECK: %[[T:.*]] = kiln.transpose %arg0 {perm = array<i64: 0, 2, 1, 3, 4>}
// CHECK: %[[X:.*]] = kiln.reshape %[[T]], %{{.*}} {{.*}} -> tensor<4x2x5x5xf32>
// CHECK: %[[C0:.*]] = kiln.conv %[[X]], %[[W0]] {{.*}}pads = array<i64: 1, 1, 1, 1>{{.*}} : (tensor<4x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<4x3x5x5xf32>
// CHECK: %[[R0:.*]] = kiln.reshape %[[C0]], {{.*}} -> tensor<1x4x3x5x5xf32>
// CHECK: %[[S0:.*]] = kiln.slice %[[R0]], {{.*}} {axes = array<i64: 1>} {{.*}} -> tensor<1x3x3x5x5xf32>
// CHECK: %[[P0:.*]] = kiln.pad %[[S0]], {{.*}} {axes = array<i64: 1>} {{.*}} -> tensor<1x4x3x5x5xf32>
// CHECK: %[[C1:.*]] = kiln.conv %[[X]], %[[W1]]
// CHECK: %[[R1:.*]] = kiln.reshape %[[C1]]
// CHECK-NOT: kiln.slice
// CHECK-NOT: kiln.pad
// CHECK: %[[SUM:.*]] = kiln.add %[[P0]], %[[R1]]
// CHECK: %[[Y:.*]] = kiln.transpose %[[SUM]] {perm = array<i64: 0, 2, 1, 3, 4>}
// CHECK: kiln.add %[[Y]], %{{.*}} : (tensor<1x3x4x5x5xf32>, tensor<3x1x1x1xf32>)
func.func @depth_two(%x: tensor<1x2x4x5x5xf32>) -> tensor<1x3x4x5x5xf32> {
  %w = kiln.constant dense<[[[[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]], [[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]], [[[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]], [[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]], [[[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]], [[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]]]> : tensor<3x2x2x3x3xf32>
  %b = kiln.constant dense<[0.5, 1.5, 2.5]> : tensor<3xf32>
  %0 = kiln.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 0, 1, 1>, strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>} : (tensor<1x2x4x5x5xf32>, tensor<3x2x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x4x5x5xf32>
  return %0 : tensor<1x3x4x5x5xf32>
}

// -----

// Left alone: a filter given at run time, and a 2-D convolution.
// CHECK-LABEL: func @stays
// CHECK: kiln.conv %arg0, %arg1 {{.*}} -> tensor<1x3x4x5x5xf32>
// CHECK-NOT: kiln.transpose
func.func @stays(%x: tensor<1x2x4x5x5xf32>, %w: tensor<3x2x1x1x1xf32>) -> tensor<1x3x4x5x5xf32> {
  %0 = kiln.conv %x, %w {pads = array<i64: 0, 0, 0, 0, 0, 0>, strides = array<i64: 1, 1, 1>, dilations = array<i64: 1, 1, 1>} : (tensor<1x2x4x5x5xf32>, tensor<3x2x1x1x1xf32>) -> tensor<1x3x4x5x5xf32>
  return %0 : tensor<1x3x4x5x5xf32>
}
