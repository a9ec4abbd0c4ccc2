// Concats taken apart by their consumers: a convolution over a channel
// concat becomes a sum of convolutions over its parts
// (conv-split-concat-input, ContractionRules.cpp) where the concat's copy
// costs more than the extra calls and passes over the output, and pooling
// moves before the concat (max/average-pool-through-concat,
// DataMovementRules.cpp). Sizes are 64x64 so that the copy counts.
// RUN: kiln-opt %s --kiln-simplify -split-input-file | FileCheck %s

// Input channels 0-1 come from %a, 2-4 from %b: w's slices along dim 1.
// The bias goes to the first part only.
// CHECK-LABEL: func @conv_split
// CHECK-DAG: %[[WA:.*]] = kiln.constant dense<{{\[\[\[\[}}0.000000e+00]], {{\[\[}}1.000000e+00]]], {{\[\[\[}}5.000000e+00]], {{\[\[}}6.000000e+00]]]]> : tensor<2x2x1x1xf32>
// CHECK-DAG: %[[WB:.*]] = kiln.constant dense<{{\[\[\[\[}}2.000000e+00]], {{\[\[}}3.000000e+00]], {{\[\[}}4.000000e+00]]], {{\[\[\[}}7.000000e+00]], {{\[\[}}8.000000e+00]], {{\[\[}}9.000000e+00]]]]> : tensor<2x3x1x1xf32>
// CHECK-DAG: %[[CA:.*]] = kiln.conv %arg0, %[[WA]], %{{.*}} {
// CHECK-DAG: %[[CB:.*]] = kiln.conv %arg1, %[[WB]] {
// CHECK: %[[S:.*]] = kiln.add %[[CA]], %[[CB]]
// CHECK: kiln.relu %[[S]]
// CHECK-NOT: kiln.concat
func.func @conv_split(%a: tensor<1x2x64x64xf32>, %b: tensor<1x3x64x64xf32>) -> tensor<1x2x64x64xf32> {
  %w = kiln.constant dense<[[[[0.0]], [[1.0]], [[2.0]], [[3.0]], [[4.0]]], [[[5.0]], [[6.0]], [[7.0]], [[8.0]], [[9.0]]]]> : tensor<2x5x1x1xf32>
  %bias = kiln.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %c = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x2x64x64xf32>, tensor<1x3x64x64xf32>) -> tensor<1x5x64x64xf32>
  %0 = kiln.conv %c, %w, %bias {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x5x64x64xf32>, tensor<2x5x1x1xf32>, tensor<2xf32>) -> tensor<1x2x64x64xf32>
  %1 = kiln.relu %0 : tensor<1x2x64x64xf32>
  return %1 : tensor<1x2x64x64xf32>
}

// -----

// Three parts, a 3x3 window and padding kept: two additions.
// CHECK-LABEL: func @conv_split_three
// CHECK: %[[A:.*]] = kiln.conv %arg0, {{.*}}pads = array<i64: 1, 1, 1, 1>{{.*}} -> tensor<1x1x64x64xf32>
// CHECK: %[[B:.*]] = kiln.conv %arg1, {{.*}} -> tensor<1x1x64x64xf32>
// CHECK: %[[AB:.*]] = kiln.add %[[A]], %[[B]]
// CHECK: %[[C:.*]] = kiln.conv %arg2, {{.*}} : (tensor<1x4x64x64xf32>, tensor<1x4x3x3xf32>) -> tensor<1x1x64x64xf32>
// CHECK: kiln.add %[[AB]], %[[C]]
// CHECK-NOT: kiln.concat
func.func @conv_split_three(%a: tensor<1x2x64x64xf32>, %b: tensor<1x2x64x64xf32>, %c: tensor<1x4x64x64xf32>) -> tensor<1x1x64x64xf32> {
  %w = kiln.constant dense<0.25> : tensor<1x8x3x3xf32>
  %x = kiln.concat %a, %b, %c {axis = 1 : i64} : (tensor<1x2x64x64xf32>, tensor<1x2x64x64xf32>, tensor<1x4x64x64xf32>) -> tensor<1x8x64x64xf32>
  %0 = kiln.conv %x, %w {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x8x64x64xf32>, tensor<1x8x3x3xf32>) -> tensor<1x1x64x64xf32>
  return %0 : tensor<1x1x64x64xf32>
}

// -----

// Channels last (kiln-layout's form): the concat is along the last axis.
// CHECK-LABEL: func @conv_split_channels_last
// CHECK: kiln.conv %arg0, {{.*}}channels_last = true{{.*}} -> tensor<1x64x64x1xf32>
// CHECK: kiln.conv %arg1, {{.*}}channels_last = true{{.*}} -> tensor<1x64x64x1xf32>
// CHECK: kiln.add
// CHECK-NOT: kiln.concat
func.func @conv_split_channels_last(%a: tensor<1x64x64x2xf32>, %b: tensor<1x64x64x2xf32>) -> tensor<1x64x64x1xf32> {
  %w = kiln.constant dense<1.0> : tensor<1x4x1x1xf32>
  %c = kiln.concat %a, %b {axis = 3 : i64} : (tensor<1x64x64x2xf32>, tensor<1x64x64x2xf32>) -> tensor<1x64x64x4xf32>
  %0 = kiln.conv %c, %w {channels_last = true, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x64x64x4xf32>, tensor<1x4x1x1xf32>) -> tensor<1x64x64x1xf32>
  return %0 : tensor<1x64x64x1xf32>
}

// -----

// More output channels than input ones: the partial sums would move more
// than the concat does, so it stays.
// CHECK-LABEL: func @conv_split_wider_output
// CHECK: kiln.concat
// CHECK-COUNT-1: kiln.conv
// CHECK-NOT: kiln.add
func.func @conv_split_wider_output(%a: tensor<1x2x64x64xf32>, %b: tensor<1x2x64x64xf32>) -> tensor<1x8x64x64xf32> {
  %w = kiln.constant dense<1.0> : tensor<8x4x1x1xf32>
  %c = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x2x64x64xf32>, tensor<1x2x64x64xf32>) -> tensor<1x4x64x64xf32>
  %0 = kiln.conv %c, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x64x64xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x64x64xf32>
  return %0 : tensor<1x8x64x64xf32>
}

// -----

// Eight thin parts: seven more calls and passes cost more than the copy.
// CHECK-LABEL: func @conv_split_many_parts
// CHECK: kiln.concat
// CHECK-COUNT-1: kiln.conv
// CHECK-NOT: kiln.add
func.func @conv_split_many_parts(%a: tensor<1x1x64x64xf32>) -> tensor<1x1x64x64xf32> {
  %w = kiln.constant dense<1.0> : tensor<1x8x1x1xf32>
  %c = kiln.concat %a, %a, %a, %a, %a, %a, %a, %a {axis = 1 : i64} : (tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>) -> tensor<1x8x64x64xf32>
  %0 = kiln.conv %c, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x8x64x64xf32>, tensor<1x8x1x1xf32>) -> tensor<1x1x64x64xf32>
  return %0 : tensor<1x1x64x64xf32>
}

// -----

// Small tensors: the copy is cheaper than a call.
// CHECK-LABEL: func @conv_split_small
// CHECK: kiln.concat
// CHECK-NOT: kiln.add
func.func @conv_split_small(%a: tensor<1x2x4x4xf32>, %b: tensor<1x2x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %w = kiln.constant dense<1.0> : tensor<1x4x1x1xf32>
  %c = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %0 = kiln.conv %c, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x4x4xf32>, tensor<1x4x1x1xf32>) -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// The concat is used elsewhere too: it stays, and so does the conv.
// CHECK-LABEL: func @conv_split_shared_concat
// CHECK: kiln.concat
// CHECK-COUNT-1: kiln.conv
// CHECK-NOT: kiln.add
func.func @conv_split_shared_concat(%a: tensor<1x4x64x64xf32>, %b: tensor<1x4x64x64xf32>) -> (tensor<1x1x64x64xf32>, tensor<1x8x64x64xf32>) {
  %w = kiln.constant dense<1.0> : tensor<1x8x1x1xf32>
  %c = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x4x64x64xf32>, tensor<1x4x64x64xf32>) -> tensor<1x8x64x64xf32>
  %0 = kiln.conv %c, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x8x64x64xf32>, tensor<1x8x1x1xf32>) -> tensor<1x1x64x64xf32>
  return %0, %c : tensor<1x1x64x64xf32>, tensor<1x8x64x64xf32>
}

// -----

// Grouped convolution, a spatial concat axis, a weight known only at run
// time: none is split (each would be, but for that).
// CHECK-LABEL: func @conv_split_not
// CHECK-COUNT-3: kiln.concat
// CHECK-NOT: kiln.add
func.func @conv_split_not(%a: tensor<1x4x64x64xf32>, %b: tensor<1x4x64x64xf32>, %s: tensor<1x4x64x32xf32>, %wr: tensor<1x8x1x1xf32>) -> (tensor<1x2x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>) {
  %wg = kiln.constant dense<1.0> : tensor<2x4x1x1xf32>
  %w = kiln.constant dense<1.0> : tensor<1x4x1x1xf32>
  %c0 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x4x64x64xf32>, tensor<1x4x64x64xf32>) -> tensor<1x8x64x64xf32>
  %0 = kiln.conv %c0, %wg {group = 2 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x8x64x64xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x64x64xf32>
  %c1 = kiln.concat %s, %s {axis = 3 : i64} : (tensor<1x4x64x32xf32>, tensor<1x4x64x32xf32>) -> tensor<1x4x64x64xf32>
  %1 = kiln.conv %c1, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x4x64x64xf32>, tensor<1x4x1x1xf32>) -> tensor<1x1x64x64xf32>
  %c2 = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x4x64x64xf32>, tensor<1x4x64x64xf32>) -> tensor<1x8x64x64xf32>
  %2 = kiln.conv %c2, %wr {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x8x64x64xf32>, tensor<1x8x1x1xf32>) -> tensor<1x1x64x64xf32>
  return %0, %1, %2 : tensor<1x2x64x64xf32>, tensor<1x1x64x64xf32>, tensor<1x1x64x64xf32>
}

// -----

// Max pooling of a channel concat: each part pools, the pooled parts are
// concatenated.
// CHECK-LABEL: func @max_pool_through_concat
// CHECK-DAG: %[[PA:.*]] = kiln.max_pool %arg0 {{.*}} -> tensor<1x2x2x2xf32>
// CHECK-DAG: %[[PB:.*]] = kiln.max_pool %arg1 {{.*}} -> tensor<1x3x2x2xf32>
// CHECK: %[[C:.*]] = kiln.concat %[[PA]], %[[PB]] {axis = 1 : i64}
// CHECK: return %[[C]]
func.func @max_pool_through_concat(%a: tensor<1x2x4x4xf32>, %b: tensor<1x3x4x4xf32>) -> tensor<1x5x2x2xf32> {
  %c = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32>
  %0 = kiln.max_pool %c {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>} : tensor<1x5x4x4xf32> -> tensor<1x5x2x2xf32>
  return %0 : tensor<1x5x2x2xf32>
}

// -----

// The pooled concat feeds a convolution, which then splits.
// CHECK-LABEL: func @pool_then_conv
// CHECK-COUNT-2: kiln.max_pool
// CHECK-COUNT-2: kiln.conv
// CHECK: kiln.add
// CHECK-NOT: kiln.concat
func.func @pool_then_conv(%a: tensor<1x4x128x128xf32>, %b: tensor<1x4x128x128xf32>) -> tensor<1x1x64x64xf32> {
  %w = kiln.constant dense<1.0> : tensor<1x8x1x1xf32>
  %c = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x4x128x128xf32>, tensor<1x4x128x128xf32>) -> tensor<1x8x128x128xf32>
  %p = kiln.max_pool %c {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>} : tensor<1x8x128x128xf32> -> tensor<1x8x64x64xf32>
  %0 = kiln.conv %p, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x8x64x64xf32>, tensor<1x8x1x1xf32>) -> tensor<1x1x64x64xf32>
  return %0 : tensor<1x1x64x64xf32>
}

// -----

// Average pooling too, channels last; pooling over the concat's axis
// (here a spatial one) mixes the parts and stays.
// CHECK-LABEL: func @average_pool_through_concat
// CHECK: kiln.average_pool %arg0 {{.*}}channels_last = true
// CHECK: kiln.average_pool %arg1 {{.*}}channels_last = true
// CHECK: kiln.concat {{.*}}axis = 3
// CHECK: %[[S:.*]] = kiln.concat %arg0, %arg1 {axis = 2 : i64}
// CHECK: kiln.average_pool %[[S]]
func.func @average_pool_through_concat(%a: tensor<1x4x4x2xf32>, %b: tensor<1x4x4x2xf32>) -> (tensor<1x2x2x4xf32>, tensor<1x2x4x2xf32>) {
  %c = kiln.concat %a, %b {axis = 3 : i64} : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x4xf32>
  %0 = kiln.average_pool %c {channels_last = true, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>} : tensor<1x4x4x4xf32> -> tensor<1x2x2x4xf32>
  %s = kiln.concat %a, %b {axis = 2 : i64} : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x8x2xf32>
  %1 = kiln.average_pool %s {channels_last = true, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>} : tensor<1x4x8x2xf32> -> tensor<1x2x4x2xf32>
  return %0, %1 : tensor<1x2x2x4xf32>, tensor<1x2x4x2xf32>
}
