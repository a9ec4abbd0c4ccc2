// ConvTranspose that the lowering never sees: the op's type inference
// refuses it with the reason.
// RUN: kiln-opt %s --kiln-convert-to-linalg -split-input-file -verify-diagnostics

// The input's channels must be the weight's first dimension.
func.func @channels_mismatch(%x: tensor<1x6x5x5xf32>, %w: tensor<8x4x4x4xf32>) -> tensor<1x4x10x10xf32> {
  // expected-error @+2 {{input has 6 channels, weight expects 8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv_transpose %x, %w {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>} : (tensor<1x6x5x5xf32>, tensor<8x4x4x4xf32>) -> tensor<1x4x10x10xf32>
  return %0 : tensor<1x4x10x10xf32>
}

// -----

// The group must divide the input channels.
func.func @group_does_not_divide(%x: tensor<1x8x5x5xf32>, %w: tensor<8x4x4x4xf32>) -> tensor<1x12x10x10xf32> {
  // expected-error @+2 {{group 3 does not divide the 8 input channels}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv_transpose %x, %w {group = 3 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>} : (tensor<1x8x5x5xf32>, tensor<8x4x4x4xf32>) -> tensor<1x12x10x10xf32>
  return %0 : tensor<1x12x10x10xf32>
}

// -----

// A stride of 0 has no output geometry (and would divide by zero).
func.func @zero_stride(%x: tensor<1x8x5x5xf32>, %w: tensor<8x4x4x4xf32>) -> tensor<1x4x10x10xf32> {
  // expected-error @+2 {{strides and dilations must be positive}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv_transpose %x, %w {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 0, 2>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>} : (tensor<1x8x5x5xf32>, tensor<8x4x4x4xf32>) -> tensor<1x4x10x10xf32>
  return %0 : tensor<1x4x10x10xf32>
}

// -----

// The weight's channel dimensions split into groups of static size.
func.func @dynamic_weight_channels(%x: tensor<1x8x5x5xf32>, %w: tensor<8x?x4x4xf32>) -> tensor<1x?x10x10xf32> {
  // expected-error @+2 {{the weight's channel dimensions must be static}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv_transpose %x, %w {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>} : (tensor<1x8x5x5xf32>, tensor<8x?x4x4xf32>) -> tensor<1x?x10x10xf32>
  return %0 : tensor<1x?x10x10xf32>
}
