// Convolution and pooling: explicit padding, channels split by group, the
// window read through `o * stride + k * dilation`.
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s

// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 * 2 + d6, d4 * 2 + d7)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func @conv_grouped
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 10, 10]
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 2, 2, 3, 3]
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[O]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x2x4x4xf32> into tensor<1x4x4x4xf32>
func.func @conv_grouped(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %0 = kiln.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, group = 2 : i64}
    : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// SAME_UPPER on dynamic sizes: the padding is computed at run time.
// CHECK-LABEL: func @conv_same_dynamic
// CHECK: arith.ceildivsi
// CHECK: tensor.pad
func.func @conv_same_dynamic(%x: tensor<1x1x?x?xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x?x?xf32> {
  %0 = kiln.conv %x, %w {auto_pad = "SAME_UPPER", pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>}
    : (tensor<1x1x?x?xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x?x?xf32>
  return %0 : tensor<1x1x?x?xf32>
}

// -----

// A height known only at run time is checked there to hold the window
// (H - 3 >= 0): not the output height, (H - 3) floordiv 2 + 1, which
// rounds a height of 2 to one output row and 1 to none. A static width
// needs no check.
// CHECK-LABEL: func @conv_dynamic_height_checked
// CHECK: %[[H:.*]] = tensor.dim %arg0, %c2
// CHECK: %[[R:.*]] = arith.subi %[[H]], %c3
// CHECK: %[[OK:.*]] = arith.cmpi sge, %[[R]], %c0
// CHECK: cf.assert %[[OK]], "{{.*}}the input is smaller than the window along spatial axis 0"
// CHECK-NOT: cf.assert
// CHECK: linalg.generic
func.func @conv_dynamic_height_checked(%x: tensor<1x1x?x8xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x?x6xf32> {
  %0 = kiln.conv %x, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 1>, dilations = array<i64: 1, 1>}
    : (tensor<1x1x?x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x?x6xf32>
  return %0 : tensor<1x1x?x6xf32>
}

// -----

// Max pooling pads with -inf and starts from -inf.
// CHECK-LABEL: func @max_pool
// CHECK: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad
// CHECK: tensor.yield %[[NINF]]
// CHECK: linalg.fill ins(%[[NINF]]
// CHECK: arith.maximumf
func.func @max_pool(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>}
    : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// ceil_mode pads the end so the last window's reads stay in the buffer.
// CHECK-LABEL: func @max_pool_ceil
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
func.func @max_pool_ceil(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x2x2xf32> {
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, ceil_mode = true}
    : tensor<1x1x4x4xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// Average pooling divides by the number of covered input positions.
// CHECK-LABEL: func @average_pool
// CHECK: arith.addf
// CHECK: linalg.index 2
// CHECK: arith.minsi
// CHECK: linalg.index 3
// CHECK: arith.minsi
// CHECK: arith.sitofp
// CHECK: arith.divf
func.func @average_pool(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %0 = kiln.average_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>}
    : tensor<1x1x4x4xf32> -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Channels last ([N, H, W, C]): the spatial dimensions are padded, the
// channel is the last dimension of input and output (the loops keep their
// numbering: d1 is the channel).
// CHECK-DAG: #[[PX:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d2 * 2 + d4, d3 * 2 + d5, d1)>
// CHECK-DAG: #[[PO:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d2, d3, d1)>
// CHECK-LABEL: func @max_pool_channels_last
// CHECK: tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: linalg.generic {indexing_maps = [#[[PX]], #{{.*}}, #[[PO]]]
// CHECK: } -> tensor<1x2x2x5xf32>
func.func @max_pool_channels_last(%x: tensor<1x4x4x5xf32>) -> tensor<1x2x2x5xf32> {
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, channels_last = true}
    : tensor<1x4x4x5xf32> -> tensor<1x2x2x5xf32>
  return %0 : tensor<1x2x2x5xf32>
}

// -----

// Channels-last average pooling counts positions along dimensions 1 and 2.
// CHECK-LABEL: func @average_pool_channels_last
// CHECK: tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: arith.addf
// CHECK: linalg.index 1
// CHECK: linalg.index 2
// CHECK: arith.divf
func.func @average_pool_channels_last(%x: tensor<1x4x4x5xf32>) -> tensor<1x4x4x5xf32> {
  %0 = kiln.average_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, channels_last = true}
    : tensor<1x4x4x5xf32> -> tensor<1x4x4x5xf32>
  return %0 : tensor<1x4x4x5xf32>
}
