// si32 products of 8-bit values minus zero points become integer kiln_lib
// ops (u8 x s8 -> s32) with the zero points' arithmetic around them
// (backends/cpu/SelectIntegerProducts.cpp); the cost model plays no part.
// RUN: kiln-opt %s --kiln-cpu-select-library-calls -split-input-file | FileCheck %s
// RUN: kiln-opt %s --kiln-cpu-select-library-calls=use-cost-model=false -split-input-file | FileCheck %s

// Both factors u8 given at run time with run-time zero points: B becomes
// s8 (minus 128, its zero point too), and
//   (A - za)(B - zb) = A B' - rowsum(A) * (zb - 128) - za * colsum(B - zb).
// CHECK-LABEL: func @matmul_u8_u8
// CHECK-DAG: %[[M128:.*]] = kiln.constant dense<-128> : tensor<si32>
// CHECK-DAG: %[[AW:.*]] = kiln.cast %arg0 {to = si32}
// CHECK-DAG: %[[BW:.*]] = kiln.cast %arg1 {to = si32}
// CHECK-DAG: %[[V:.*]] = kiln.sub %[[BW]], %arg3
// CHECK-DAG: %[[BS:.*]] = kiln.add %[[BW]], %[[M128]]
// CHECK-DAG: %[[B8:.*]] = kiln.cast %[[BS]] {to = si8}
// CHECK-DAG: %[[ZB:.*]] = kiln.add %arg3, %[[M128]]
// CHECK-DAG: %[[CS:.*]] = kiln.reduce_sum %[[V]] {axes = array<i64: 0>}
// CHECK: %[[P:.*]] = kiln_lib.matmul %arg0, %[[B8]] into %{{.*}} : tensor<3x4xui8>, tensor<4x5xsi8> into tensor<3x5xsi32>
// CHECK-NOT: constant_weights
// CHECK: %[[RS:.*]] = kiln.reduce_sum %[[AW]] {axes = array<i64: 1>}
// CHECK: %[[T1:.*]] = kiln.mul %[[RS]], %[[ZB]]
// CHECK: %[[R1:.*]] = kiln.sub %[[P]], %[[T1]]
// CHECK: %[[T2:.*]] = kiln.mul %arg2, %[[CS]]
// CHECK: %[[R2:.*]] = kiln.sub %[[R1]], %[[T2]]
// CHECK-NOT: kiln.matmul
// CHECK: return %[[R2]]
func.func @matmul_u8_u8(%a: tensor<3x4xui8>, %b: tensor<4x5xui8>, %az: tensor<si32>, %bz: tensor<si32>) -> tensor<3x5xsi32> {
  %0 = kiln.cast %a {to = si32} : tensor<3x4xui8> -> tensor<3x4xsi32>
  %1 = kiln.sub %0, %az : (tensor<3x4xsi32>, tensor<si32>) -> tensor<3x4xsi32>
  %2 = kiln.cast %b {to = si32} : tensor<4x5xui8> -> tensor<4x5xsi32>
  %3 = kiln.sub %2, %bz : (tensor<4x5xsi32>, tensor<si32>) -> tensor<4x5xsi32>
  %4 = kiln.matmul %1, %3 : (tensor<3x4xsi32>, tensor<4x5xsi32>) -> tensor<3x5xsi32>
  return %4 : tensor<3x5xsi32>
}

// -----

// An s8 left factor becomes u8 (plus 128; its zero point 128, negated by
// the simplifier's add form, becomes 256). Folded constant weights: column
// 0 ([-3, 127]) fits s8, column 1 ([0, 200]) is shifted by -128, which is
// its zero point; their column sums (125, 300) times 256 are one constant.
// CHECK-LABEL: func @matmul_folded_weights
// CHECK-DAG: %[[T2:.*]] = kiln.constant dense<{{\[\[}}32000, 76800]]> : tensor<1x2xsi32>
// CHECK-DAG: %[[ZB:.*]] = kiln.constant dense<{{\[\[}}0, -128]]> : tensor<1x2xsi32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<{{\[\[}}1, 72], [-3, -128], [127, -28]]> : tensor<3x2xsi8>
// CHECK: %[[AS:.*]] = kiln.add
// CHECK: %[[A8:.*]] = kiln.cast %[[AS]] {to = ui8}
// CHECK: %[[P:.*]] = kiln_lib.matmul %[[A8]], %[[B]] into %{{.*}} {constant_weights}
// CHECK: %[[AW:.*]] = kiln.cast %[[A8]] {to = si32}
// CHECK: %[[RS:.*]] = kiln.reduce_sum %[[AW]] {axes = array<i64: 1>}
// CHECK: %[[T1:.*]] = kiln.mul %[[RS]], %[[ZB]]
// CHECK: %[[R1:.*]] = kiln.sub %[[P]], %[[T1]]
// CHECK: %[[R2:.*]] = kiln.sub %[[R1]], %[[T2]]
// CHECK: return %[[R2]]
func.func @matmul_folded_weights(%a: tensor<2x3xsi8>) -> tensor<2x2xsi32> {
  %0 = kiln.cast %a {to = si32} : tensor<2x3xsi8> -> tensor<2x3xsi32>
  %c = kiln.constant dense<-128> : tensor<si32>
  %1 = kiln.add %0, %c : (tensor<2x3xsi32>, tensor<si32>) -> tensor<2x3xsi32>
  %w = kiln.constant dense<[[1, 200], [-3, 0], [127, 100]]> : tensor<3x2xsi32>
  %2 = kiln.matmul %1, %w : (tensor<2x3xsi32>, tensor<3x2xsi32>) -> tensor<2x2xsi32>
  return %2 : tensor<2x2xsi32>
}

// -----

// Per-row zero points of A ([3, 1]) and a u8 constant B without one:
// column 0 fits s8 as it is, column 1 ([200, 255]) is shifted by -328.
// CHECK-LABEL: func @matmul_per_row
// CHECK-DAG: %[[ZB:.*]] = kiln.constant dense<{{\[\[}}0, -328]]> : tensor<1x2xsi32>
// CHECK-DAG: %[[CS:.*]] = kiln.constant dense<{{\[\[}}4, 455]]> : tensor<1x2xsi32>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<{{\[\[}}1, -128], [3, -73]]> : tensor<2x2xsi8>
// CHECK: %[[P:.*]] = kiln_lib.matmul %arg0, %[[B]] into %{{.*}} {constant_weights}
// CHECK: %[[RS:.*]] = kiln.reduce_sum
// CHECK: kiln.mul %[[RS]], %[[ZB]]
// CHECK: kiln.mul %arg1, %[[CS]]
func.func @matmul_per_row(%a: tensor<3x2xui8>, %az: tensor<3x1xsi32>) -> tensor<3x2xsi32> {
  %0 = kiln.cast %a {to = si32} : tensor<3x2xui8> -> tensor<3x2xsi32>
  %1 = kiln.sub %0, %az : (tensor<3x2xsi32>, tensor<3x1xsi32>) -> tensor<3x2xsi32>
  %b = kiln.constant dense<[[1, 200], [3, 255]]> : tensor<2x2xui8>
  %2 = kiln.cast %b {to = si32} : tensor<2x2xui8> -> tensor<2x2xsi32>
  %3 = kiln.matmul %1, %2 : (tensor<3x2xsi32>, tensor<2x2xsi32>) -> tensor<3x2xsi32>
  return %3 : tensor<3x2xsi32>
}

// -----

// A zero point that varies along the contracted dimension has no such
// form: the product stays for generated code.
// CHECK-LABEL: func @matmul_zero_along_k
// CHECK-NOT: kiln_lib
// CHECK: kiln.matmul
func.func @matmul_zero_along_k(%a: tensor<3x4xui8>, %az: tensor<1x4xsi32>, %b: tensor<4x5xsi8>) -> tensor<3x5xsi32> {
  %0 = kiln.cast %a {to = si32} : tensor<3x4xui8> -> tensor<3x4xsi32>
  %1 = kiln.sub %0, %az : (tensor<3x4xsi32>, tensor<1x4xsi32>) -> tensor<3x4xsi32>
  %2 = kiln.cast %b {to = si32} : tensor<4x5xsi8> -> tensor<4x5xsi32>
  %3 = kiln.matmul %1, %2 : (tensor<3x4xsi32>, tensor<4x5xsi32>) -> tensor<3x5xsi32>
  return %3 : tensor<3x5xsi32>
}

// -----

// A column whose values span more than 256 cannot be shifted into s8.
// CHECK-LABEL: func @matmul_wide_column
// CHECK-NOT: kiln_lib
// CHECK: kiln.matmul
func.func @matmul_wide_column(%a: tensor<2x2xui8>) -> tensor<2x1xsi32> {
  %0 = kiln.cast %a {to = si32} : tensor<2x2xui8> -> tensor<2x2xsi32>
  %w = kiln.constant dense<[[-100], [200]]> : tensor<2x1xsi32>
  %1 = kiln.matmul %0, %w : (tensor<2x2xsi32>, tensor<2x1xsi32>) -> tensor<2x1xsi32>
  return %1 : tensor<2x1xsi32>
}

// -----

// A convolution takes its input's zero point in oneDNN (one value, as
// [1]); the folded filter fits s8.
// CHECK-LABEL: func @conv_zero_point
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<-100> : tensor<3x2x3x3xsi8>
// CHECK-DAG: %[[Z:.*]] = kiln.constant dense<7> : tensor<1xsi32>
// CHECK: %[[Y:.*]] = kiln_lib.conv2d %arg0, %[[W]] zero_point %[[Z]] into %{{.*}} {constant_weights, {{.*}}pads = array<i64: 1, 1, 1, 1>
// CHECK-SAME: tensor<1x2x5x5xui8>, tensor<3x2x3x3xsi8> zero_point tensor<1xsi32> into tensor<1x3x5x5xsi32>
// CHECK: return %[[Y]]
func.func @conv_zero_point(%x: tensor<1x2x5x5xui8>) -> tensor<1x3x5x5xsi32> {
  %0 = kiln.cast %x {to = si32} : tensor<1x2x5x5xui8> -> tensor<1x2x5x5xsi32>
  %c = kiln.constant dense<-7> : tensor<si32>
  %1 = kiln.add %0, %c : (tensor<1x2x5x5xsi32>, tensor<si32>) -> tensor<1x2x5x5xsi32>
  %w = kiln.constant dense<-100> : tensor<3x2x3x3xsi32>
  %2 = kiln.conv %1, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x5x5xsi32>, tensor<3x2x3x3xsi32>) -> tensor<1x3x5x5xsi32>
  return %2 : tensor<1x3x5x5xsi32>
}

// -----

// An s8 filter given at run time, no zero points, a bias added after.
// CHECK-LABEL: func @conv_runtime_filter_bias
// CHECK: %[[Y:.*]] = kiln_lib.conv2d %arg0, %arg1 into
// CHECK-NOT: constant_weights
// CHECK-NOT: zero_point
// CHECK: %[[B:.*]] = kiln.reshape %arg2
// CHECK: %[[R:.*]] = kiln.add %[[Y]], %[[B]]
// CHECK: return %[[R]]
func.func @conv_runtime_filter_bias(%x: tensor<1x2x5x5xui8>, %w: tensor<3x2x3x3xsi8>, %b: tensor<3xsi32>) -> tensor<1x3x3x3xsi32> {
  %0 = kiln.cast %x {to = si32} : tensor<1x2x5x5xui8> -> tensor<1x2x5x5xsi32>
  %1 = kiln.cast %w {to = si32} : tensor<3x2x3x3xsi8> -> tensor<3x2x3x3xsi32>
  %2 = kiln.conv %0, %1, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x5x5xsi32>, tensor<3x2x3x3xsi32>, tensor<3xsi32>) -> tensor<1x3x3x3xsi32>
  return %2 : tensor<1x3x3x3xsi32>
}

// -----

// Filter values beyond s8 (a u8 filter without a zero point, folded), and
// a u8 filter given at run time: generated code.
// CHECK-LABEL: func @conv_wide_filter
// CHECK-NOT: kiln_lib
// CHECK: kiln.conv
// CHECK-LABEL: func @conv_runtime_u8_filter
// CHECK-NOT: kiln_lib
// CHECK: kiln.conv
func.func @conv_wide_filter(%x: tensor<1x2x5x5xui8>) -> tensor<1x3x5x5xsi32> {
  %0 = kiln.cast %x {to = si32} : tensor<1x2x5x5xui8> -> tensor<1x2x5x5xsi32>
  %w = kiln.constant dense<200> : tensor<3x2x3x3xsi32>
  %1 = kiln.conv %0, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x5x5xsi32>, tensor<3x2x3x3xsi32>) -> tensor<1x3x5x5xsi32>
  return %1 : tensor<1x3x5x5xsi32>
}
func.func @conv_runtime_u8_filter(%x: tensor<1x2x5x5xui8>, %w: tensor<3x2x3x3xui8>) -> tensor<1x3x5x5xsi32> {
  %0 = kiln.cast %x {to = si32} : tensor<1x2x5x5xui8> -> tensor<1x2x5x5xsi32>
  %1 = kiln.cast %w {to = si32} : tensor<3x2x3x3xui8> -> tensor<3x2x3x3xsi32>
  %2 = kiln.conv %0, %1 {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x5x5xsi32>, tensor<3x2x3x3xsi32>) -> tensor<1x3x5x5xsi32>
  return %2 : tensor<1x3x5x5xsi32>
}

// -----

// At the border of a channels-last region (kiln-layout) the input is a
// transpose of the shifted values: the 8-bit ones are transposed instead.
// CHECK-LABEL: func @conv_channels_last_border
// CHECK: %[[T:.*]] = kiln.transpose %arg0 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x2x5x5xui8> -> tensor<1x5x5x2xui8>
// CHECK: kiln_lib.conv2d %[[T]], %{{.*}} zero_point %{{.*}} into %{{.*}} {channels_last, constant_weights
// CHECK-SAME: tensor<1x5x5x2xui8>, tensor<3x2x3x3xsi8> zero_point tensor<1xsi32> into tensor<1x5x5x3xsi32>
func.func @conv_channels_last_border(%x: tensor<1x2x5x5xui8>) -> tensor<1x5x5x3xsi32> {
  %0 = kiln.cast %x {to = si32} : tensor<1x2x5x5xui8> -> tensor<1x2x5x5xsi32>
  %c = kiln.constant dense<-7> : tensor<si32>
  %1 = kiln.add %0, %c : (tensor<1x2x5x5xsi32>, tensor<si32>) -> tensor<1x2x5x5xsi32>
  %2 = kiln.transpose %1 {perm = array<i64: 0, 2, 3, 1>} : tensor<1x2x5x5xsi32> -> tensor<1x5x5x2xsi32>
  %w = kiln.constant dense<3> : tensor<3x2x3x3xsi32>
  %3 = kiln.conv %2, %w {channels_last = true, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x5x5x2xsi32>, tensor<3x2x3x3xsi32>) -> tensor<1x5x5x3xsi32>
  return %3 : tensor<1x5x5x3xsi32>
}

// -----

// Requantization after the product (QLinearConv's form: an int32 bias, a
// scale per output channel, round, zero point, the type's range) runs in
// oneDNN: an 8-bit init with the scales, the bias in accumulator units and
// the zero point.
// CHECK-LABEL: func @conv_requantized
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[5.000000e+00, -3.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = kiln_lib.conv2d %arg0, %{{.*}} bias %[[B]] into %{{.*}} {constant_weights, {{.*}}output_scales = array<f32: 2.500000e-01, 5.000000e-01>, output_zero_point = 3 : i64
// CHECK-SAME: into tensor<1x2x3x3xui8>
// CHECK-NOT: kiln.round
// CHECK: return %[[Y]]
func.func @conv_requantized(%x: tensor<1x2x3x3xui8>) -> tensor<1x2x3x3xui8> {
  %0 = kiln.cast %x {to = si32} : tensor<1x2x3x3xui8> -> tensor<1x2x3x3xsi32>
  %w = kiln.constant dense<1> : tensor<2x2x1x1xsi32>
  %1 = kiln.conv %0, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xsi32>, tensor<2x2x1x1xsi32>) -> tensor<1x2x3x3xsi32>
  %b = kiln.constant dense<[[[5]], [[-3]]]> : tensor<2x1x1xsi32>
  %2 = kiln.add %1, %b : (tensor<1x2x3x3xsi32>, tensor<2x1x1xsi32>) -> tensor<1x2x3x3xsi32>
  %3 = kiln.cast %2 {to = f32} : tensor<1x2x3x3xsi32> -> tensor<1x2x3x3xf32>
  %s = kiln.constant dense<[[[0.25]], [[0.5]]]> : tensor<2x1x1xf32>
  %4 = kiln.mul %3, %s : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %5 = kiln.round %4 : tensor<1x2x3x3xf32>
  %z = kiln.constant dense<3.0> : tensor<f32>
  %6 = kiln.add %5, %z : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %7 = kiln.clip %6 {max = 2.550000e+02 : f32, min = 0.000000e+00 : f32} : tensor<1x2x3x3xf32>
  %8 = kiln.cast %7 {to = ui8} : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xui8>
  return %8 : tensor<1x2x3x3xui8>
}

// -----

// QuantizeLinear's form after a dequantized product (a float bias, relu,
// a division by the output scale, signed output): the scale is S / ys,
// relu a post-op. A clip narrower than the type's range is not a
// requantization: the product stays s32.
// CHECK-LABEL: func @conv_qdq_requantized
// CHECK: kiln_lib.conv2d {{.*}}output_scales = array<f32: 2.000000e+00>, output_signed, {{.*}}post_ops = ["relu"]
// CHECK-SAME: into tensor<1x2x3x3xsi8>
// CHECK-LABEL: func @conv_narrow_clip
// CHECK: kiln_lib.conv2d {{.*}} into tensor<1x2x3x3xsi32>
// CHECK: kiln.clip
func.func @conv_qdq_requantized(%x: tensor<1x2x3x3xui8>) -> tensor<1x2x3x3xsi8> {
  %0 = kiln.cast %x {to = si32} : tensor<1x2x3x3xui8> -> tensor<1x2x3x3xsi32>
  %w = kiln.constant dense<1> : tensor<2x2x1x1xsi32>
  %1 = kiln.conv %0, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xsi32>, tensor<2x2x1x1xsi32>) -> tensor<1x2x3x3xsi32>
  %2 = kiln.cast %1 {to = f32} : tensor<1x2x3x3xsi32> -> tensor<1x2x3x3xf32>
  %s = kiln.constant dense<0.5> : tensor<f32>
  %3 = kiln.mul %2, %s : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %b = kiln.constant dense<[[[1.0]], [[2.0]]]> : tensor<2x1x1xf32>
  %4 = kiln.add %3, %b : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %5 = kiln.relu %4 : tensor<1x2x3x3xf32>
  %ys = kiln.constant dense<0.25> : tensor<f32>
  %6 = kiln.div %5, %ys : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %7 = kiln.round %6 : tensor<1x2x3x3xf32>
  %8 = kiln.clip %7 {max = 1.270000e+02 : f32, min = -1.280000e+02 : f32} : tensor<1x2x3x3xf32>
  %9 = kiln.cast %8 {to = si8} : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xsi8>
  return %9 : tensor<1x2x3x3xsi8>
}
func.func @conv_narrow_clip(%x: tensor<1x2x3x3xui8>) -> tensor<1x2x3x3xui8> {
  %0 = kiln.cast %x {to = si32} : tensor<1x2x3x3xui8> -> tensor<1x2x3x3xsi32>
  %w = kiln.constant dense<1> : tensor<2x2x1x1xsi32>
  %1 = kiln.conv %0, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xsi32>, tensor<2x2x1x1xsi32>) -> tensor<1x2x3x3xsi32>
  %2 = kiln.cast %1 {to = f32} : tensor<1x2x3x3xsi32> -> tensor<1x2x3x3xf32>
  %s = kiln.constant dense<0.5> : tensor<f32>
  %3 = kiln.mul %2, %s : (tensor<1x2x3x3xf32>, tensor<f32>) -> tensor<1x2x3x3xf32>
  %4 = kiln.round %3 : tensor<1x2x3x3xf32>
  %5 = kiln.clip %4 {max = 1.000000e+02 : f32, min = 0.000000e+00 : f32} : tensor<1x2x3x3xf32>
  %6 = kiln.cast %5 {to = ui8} : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xui8>
  return %6 : tensor<1x2x3x3xui8>
}

// -----

// The per-channel scale and bias as folding leaves them from a few hundred
// bytes up: dense_resource blobs (0.25, 0.5 and 1.25, -0.75). They are read
// as dense ones are; the bias comes back in accumulator units (1.25 / 0.25,
// -0.75 / 0.5).
// CHECK-LABEL: func @conv_requantized_resource_constants
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[5.000000e+00, -1.500000e+00]> : tensor<2xf32>
// CHECK: kiln_lib.conv2d %arg0, %{{.*}} bias %[[B]] into %{{.*}}output_scales = array<f32: 2.500000e-01, 5.000000e-01>
// CHECK-SAME: into tensor<1x2x3x3xui8>
// CHECK-NOT: kiln.round
func.func @conv_requantized_resource_constants(%x: tensor<1x2x3x3xui8>) -> tensor<1x2x3x3xui8> {
  %0 = kiln.cast %x {to = si32} : tensor<1x2x3x3xui8> -> tensor<1x2x3x3xsi32>
  %w = kiln.constant dense<1> : tensor<2x2x1x1xsi32>
  %1 = kiln.conv %0, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xsi32>, tensor<2x2x1x1xsi32>) -> tensor<1x2x3x3xsi32>
  %2 = kiln.cast %1 {to = f32} : tensor<1x2x3x3xsi32> -> tensor<1x2x3x3xf32>
  %s = kiln.constant dense_resource<scales> : tensor<2x1x1xf32>
  %3 = kiln.mul %2, %s : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %b = kiln.constant dense_resource<bias> : tensor<2x1x1xf32>
  %4 = kiln.add %3, %b : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %5 = kiln.round %4 : tensor<1x2x3x3xf32>
  %6 = kiln.clip %5 {max = 2.550000e+02 : f32, min = 0.000000e+00 : f32} : tensor<1x2x3x3xf32>
  %7 = kiln.cast %6 {to = ui8} : tensor<1x2x3x3xf32> -> tensor<1x2x3x3xui8>
  return %7 : tensor<1x2x3x3xui8>
}

{-#
  dialect_resources: {
    builtin: {
      scales: "0x040000000000803E0000003F",
      bias: "0x040000000000A03F000040BF"
    }
  }
#-}

// -----

// Rows and a batch known only at run time (a sequence and a batch axis: a
// dynamically quantized encoder): the output is sized from the u8 factor,
// and the corrections broadcast over the dynamic sizes. A right factor of
// dynamic sizes stays in generated code.
// CHECK-LABEL: func @matmul_dynamic_rows
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK: %[[B:.*]] = tensor.dim %arg0, %[[C0]] : tensor<?x?x3xui8>
// CHECK: %[[M:.*]] = tensor.dim %arg0, %[[C1]] : tensor<?x?x3xui8>
// CHECK: %[[E:.*]] = tensor.empty(%[[B]], %[[M]]) : tensor<?x?x2xsi32>
// CHECK: %[[P:.*]] = kiln_lib.matmul %arg0, %{{.*}} into %[[E]] {constant_weights} : tensor<?x?x3xui8>, tensor<3x2xsi8> into tensor<?x?x2xsi32>
// CHECK: %[[R:.*]] = kiln.sub %[[P]], %{{.*}} : (tensor<?x?x2xsi32>, tensor<1x2xsi32>) -> tensor<?x?x2xsi32>
// CHECK: return %[[R]]
// CHECK-LABEL: func @matmul_dynamic_rhs
// CHECK-NOT: kiln_lib
// CHECK: kiln.matmul
func.func @matmul_dynamic_rows(%a: tensor<?x?x3xui8>, %az: tensor<si32>) -> tensor<?x?x2xsi32> {
  %0 = kiln.cast %a {to = si32} : tensor<?x?x3xui8> -> tensor<?x?x3xsi32>
  %1 = kiln.sub %0, %az : (tensor<?x?x3xsi32>, tensor<si32>) -> tensor<?x?x3xsi32>
  %w = kiln.constant dense<[[1, 100], [-3, 0], [127, 100]]> : tensor<3x2xsi32>
  %2 = kiln.matmul %1, %w : (tensor<?x?x3xsi32>, tensor<3x2xsi32>) -> tensor<?x?x2xsi32>
  return %2 : tensor<?x?x2xsi32>
}
func.func @matmul_dynamic_rhs(%a: tensor<2x3xui8>, %b: tensor<3x?xsi8>) -> tensor<2x?xsi32> {
  %0 = kiln.cast %a {to = si32} : tensor<2x3xui8> -> tensor<2x3xsi32>
  %1 = kiln.cast %b {to = si32} : tensor<3x?xsi8> -> tensor<3x?xsi32>
  %2 = kiln.matmul %0, %1 : (tensor<2x3xsi32>, tensor<3x?xsi32>) -> tensor<2x?xsi32>
  return %2 : tensor<2x?xsi32>
}

// -----

// A batch, height and width known only at run time: the output is sized
// from the u8 input the call takes (not the si32 one it replaces), each
// spatial size by the window geometry. Channels known only at run time
// stay in generated code.
// CHECK-LABEL: func @conv_dynamic_sizes
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: %[[H:.*]] = tensor.dim %arg0, %[[C2]] : tensor<?x2x?x?xui8>
// CHECK: %[[W:.*]] = tensor.dim %arg0, %[[C3]] : tensor<?x2x?x?xui8>
// CHECK: cf.assert
// CHECK: cf.assert
// CHECK: %[[N:.*]] = tensor.dim %arg0, %[[C0]] : tensor<?x2x?x?xui8>
// CHECK: %[[E:.*]] = tensor.empty(%[[N]], %{{.*}}, %{{.*}}) : tensor<?x3x?x?xsi32>
// CHECK: %[[Y:.*]] = kiln_lib.conv2d %arg0, %{{.*}} zero_point %{{.*}} into %[[E]]
// CHECK-SAME: tensor<?x2x?x?xui8>, tensor<3x2x3x3xsi8> zero_point tensor<1xsi32> into tensor<?x3x?x?xsi32>
// CHECK: return %[[Y]]
// CHECK-LABEL: func @conv_dynamic_channels
// CHECK-NOT: kiln_lib
// CHECK: kiln.conv
func.func @conv_dynamic_sizes(%x: tensor<?x2x?x?xui8>) -> tensor<?x3x?x?xsi32> {
  %0 = kiln.cast %x {to = si32} : tensor<?x2x?x?xui8> -> tensor<?x2x?x?xsi32>
  %c = kiln.constant dense<-7> : tensor<si32>
  %1 = kiln.add %0, %c : (tensor<?x2x?x?xsi32>, tensor<si32>) -> tensor<?x2x?x?xsi32>
  %w = kiln.constant dense<-100> : tensor<3x2x3x3xsi32>
  %2 = kiln.conv %1, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x2x?x?xsi32>, tensor<3x2x3x3xsi32>) -> tensor<?x3x?x?xsi32>
  return %2 : tensor<?x3x?x?xsi32>
}
func.func @conv_dynamic_channels(%x: tensor<1x?x5x5xui8>) -> tensor<1x3x5x5xsi32> {
  %0 = kiln.cast %x {to = si32} : tensor<1x?x5x5xui8> -> tensor<1x?x5x5xsi32>
  %w = kiln.constant dense<-100> : tensor<3x2x3x3xsi32>
  %1 = kiln.conv %0, %w {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x?x5x5xsi32>, tensor<3x2x3x3xsi32>) -> tensor<1x3x5x5xsi32>
  return %1 : tensor<1x3x5x5xsi32>
}
