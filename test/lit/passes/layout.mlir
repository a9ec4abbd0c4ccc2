// Channels-last layout for convolution regions (passes/Layout.cpp).
// RUN: kiln-opt %s --kiln-layout -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-layout=layout=nchw -split-input-file | FileCheck %s --check-prefix=NCHW
// RUN: not kiln-opt %s --kiln-layout=layout=chwn 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: kiln-layout: unknown layout 'chwn' (expected nhwc or nchw)

// Two convolutions with bias, relu and a residual add between them: one
// transpose into NHWC at the input, one back at the output, none between.
// The per-channel constant follows into the new layout.
// CHECK-LABEL: func @region
// CHECK: %[[X:.*]] = kiln.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>}
// CHECK: %[[C1:.*]] = kiln.conv %[[X]], %arg1 {channels_last = true, {{.*}}} : (tensor<1x6x6x4xf32>, tensor<4x4x3x3xf32>) -> tensor<1x6x6x4xf32>
// CHECK: %[[R:.*]] = kiln.relu %[[C1]] : tensor<1x6x6x4xf32>
// CHECK: %[[S:.*]] = kiln.transpose {{.*}} {perm = array<i64: 0, 2, 3, 1>} : tensor<1x4x1x1xf32> -> tensor<1x1x1x4xf32>
// CHECK: %[[M:.*]] = kiln.mul %[[R]], %[[S]]
// CHECK: %[[C2:.*]] = kiln.conv %[[M]], %arg1 {channels_last = true
// CHECK: %[[A:.*]] = kiln.add %[[C2]], %[[X]]
// CHECK: %[[Y:.*]] = kiln.transpose %[[A]] {perm = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[Y]]
// NCHW-LABEL: func @region
// NCHW-NOT: kiln.transpose
// NCHW-NOT: channels_last
func.func @region(%x: tensor<1x4x6x6xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %scale = kiln.constant dense<[[[2.0]], [[3.0]], [[4.0]], [[5.0]]]> : tensor<4x1x1xf32>
  %c1 = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %r = kiln.relu %c1 : tensor<1x4x6x6xf32>
  %m = kiln.mul %r, %scale : (tensor<1x4x6x6xf32>, tensor<4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %c2 = kiln.conv %m, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  %a = kiln.add %c2, %x : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  return %a : tensor<1x4x6x6xf32>
}

// -----

// Global average pooling (reduce_mean over H, W) renumbers its axes; with
// keepdims the [1, 1, 1, C] result goes back by a transpose; without, the
// kept dimensions are already in order.
// CHECK-LABEL: func @pooling_head
// CHECK: kiln.conv {{.*}}channels_last = true
// CHECK: kiln.reduce_mean %{{.*}} {axes = array<i64: 1, 2>} : tensor<1x4x4x8xf32> -> tensor<1x1x1x8xf32>
// CHECK: kiln.transpose %{{.*}} {perm = array<i64: 0, 3, 1, 2>} : tensor<1x1x1x8xf32> -> tensor<1x8x1x1xf32>
// CHECK: kiln.reduce_mean %{{.*}} {axes = array<i64: 1, 2>, keepdims = false} : tensor<1x4x4x8xf32> -> tensor<1x8xf32>
// CHECK-NOT: kiln.transpose
// CHECK: return
func.func @pooling_head(%x: tensor<1x3x4x4xf32>, %w: tensor<8x3x1x1xf32>) -> (tensor<1x8x1x1xf32>, tensor<1x8xf32>) {
  %c = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x4x4xf32>, tensor<8x3x1x1xf32>) -> tensor<1x8x4x4xf32>
  %k = kiln.reduce_mean %c {axes = array<i64: 2, 3>, keepdims = true} : tensor<1x8x4x4xf32> -> tensor<1x8x1x1xf32>
  %d = kiln.reduce_mean %c {axes = array<i64: 2, 3>, keepdims = false} : tensor<1x8x4x4xf32> -> tensor<1x8xf32>
  return %k, %d : tensor<1x8x1x1xf32>, tensor<1x8xf32>
}

// -----

// A concat of two channels-last results concatenates along C last; max
// and average pooling take their channels-last form (SqueezeNet's fire
// modules and pools), so the only transpose left is at the output.
// CHECK-LABEL: func @borders
// CHECK: kiln.conv {{.*}}channels_last = true
// CHECK: kiln.conv {{.*}}channels_last = true
// CHECK: kiln.concat %{{.*}}, %{{.*}} {axis = 3 : i64} : (tensor<1x4x4x2xf32>, tensor<1x4x4x2xf32>) -> tensor<1x4x4x4xf32>
// CHECK-NOT: kiln.transpose
// CHECK: kiln.max_pool %{{.*}} {channels_last = true, {{.*}}} : tensor<1x4x4x4xf32> -> tensor<1x2x2x4xf32>
// CHECK-NOT: kiln.transpose
// CHECK: kiln.average_pool %{{.*}} {channels_last = true, {{.*}}} : tensor<1x2x2x4xf32> -> tensor<1x2x2x4xf32>
// CHECK: %[[OUT:.*]] = kiln.transpose %{{.*}} {perm = array<i64: 0, 3, 1, 2>}
// CHECK: return %[[OUT]]
func.func @borders(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x4x2x2xf32> {
  %a = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %b = kiln.conv %a, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %c = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) -> tensor<1x4x4x4xf32>
  %p = kiln.max_pool %c {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>} : tensor<1x4x4x4xf32> -> tensor<1x4x2x2xf32>
  %q = kiln.average_pool %p {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>} : tensor<1x4x2x2xf32> -> tensor<1x4x2x2xf32>
  return %q : tensor<1x4x2x2xf32>
}

// -----

// Pooling fed from outside a region (no transpose to sink) stays channels
// first.
// CHECK-LABEL: func @pool_outside
// CHECK-NOT: channels_last
// CHECK: kiln.max_pool %{{.*}} : tensor<1x3x4x4xf32> -> tensor<1x3x2x2xf32>
func.func @pool_outside(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x2x2xf32> {
  %p = kiln.max_pool %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>} : tensor<1x3x4x4xf32> -> tensor<1x3x2x2xf32>
  return %p : tensor<1x3x2x2xf32>
}

// -----

// Edge cases: integer convolutions go channels-last too (oneDNN's int8
// kernels read NHWC without reorders), dynamic shapes work, and an
// elementwise op mixing a transposed value with a computed one of another
// layout keeps its transpose (no new conversion is invented).
// CHECK-LABEL: func @edges
// CHECK: kiln.conv {{.*}}channels_last = true{{.*}} : (tensor<1x3x3x1xsi32>, tensor<1x1x1x1xsi32>) -> tensor<1x3x3x1xsi32>
// CHECK: kiln.conv {{.*}}channels_last = true{{.*}} : (tensor<?x?x?x2xf32>, tensor<2x2x1x1xf32>) -> tensor<?x?x?x2xf32>
// CHECK: %[[T:.*]] = kiln.transpose
// CHECK: kiln.add %[[T]], %arg4
func.func @edges(%xi: tensor<1x1x3x3xsi32>, %wi: tensor<1x1x1x1xsi32>, %x: tensor<?x2x?x?xf32>, %w: tensor<2x2x1x1xf32>, %y: tensor<?x2x?x?xf32>) -> (tensor<1x1x3x3xsi32>, tensor<?x2x?x?xf32>) {
  %i = kiln.conv %xi, %wi {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x3x3xsi32>, tensor<1x1x1x1xsi32>) -> tensor<1x1x3x3xsi32>
  %c = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x2x?x?xf32>, tensor<2x2x1x1xf32>) -> tensor<?x2x?x?xf32>
  %a = kiln.add %c, %y : (tensor<?x2x?x?xf32>, tensor<?x2x?x?xf32>) -> tensor<?x2x?x?xf32>
  return %i, %a : tensor<1x1x3x3xsi32>, tensor<?x2x?x?xf32>
}

// -----

// 1-D convolutions with a residual: to-first and to-last are the same
// permutation ([0, 2, 1]), so only the transposes the pass put after a
// channels-last op sink; the conversion made for the residual does not
// (sinking it too rewrote forever). One transpose at each border, none
// inside, and no marker left.
// CHECK-LABEL: func @conv1d_residual
// CHECK: %[[X:.*]] = kiln.transpose %arg0 {perm = array<i64: 0, 2, 1>} : tensor<1x4x100xf32> -> tensor<1x100x4xf32>
// CHECK: %[[A:.*]] = kiln.conv %[[X]], {{.*}}channels_last = true
// CHECK: %[[R:.*]] = kiln.relu %[[A]] : tensor<1x50x16xf32>
// CHECK: %[[B:.*]] = kiln.conv %[[R]], {{.*}}channels_last = true
// CHECK: %[[S:.*]] = kiln.add %[[B]], %[[R]] : (tensor<1x50x16xf32>, tensor<1x50x16xf32>)
// CHECK: %[[Y:.*]] = kiln.transpose %[[S]] {perm = array<i64: 0, 2, 1>} : tensor<1x50x16xf32> -> tensor<1x16x50xf32>
// CHECK-NOT: kiln.transpose
// CHECK-NOT: kiln.layout_sinking
// CHECK: return %[[Y]]
func.func @conv1d_residual(%x: tensor<1x4x100xf32>) -> tensor<1x16x50xf32> {
  %w1 = kiln.constant dense<0.5> : tensor<16x4x5xf32>
  %w2 = kiln.constant dense<0.5> : tensor<16x16x3xf32>
  %4 = kiln.conv %x, %w1 {dilations = array<i64: 1>, pads = array<i64: 2, 2>, strides = array<i64: 2>} : (tensor<1x4x100xf32>, tensor<16x4x5xf32>) -> tensor<1x16x50xf32>
  %5 = kiln.relu %4 : tensor<1x16x50xf32>
  %6 = kiln.conv %5, %w2 {dilations = array<i64: 2>, pads = array<i64: 2, 2>, strides = array<i64: 1>} : (tensor<1x16x50xf32>, tensor<16x16x3xf32>) -> tensor<1x16x50xf32>
  %7 = kiln.add %6, %5 : (tensor<1x16x50xf32>, tensor<1x16x50xf32>) -> tensor<1x16x50xf32>
  return %7 : tensor<1x16x50xf32>
}
