// The kiln_lib ops' verifiers: each bad op gets one clear error.
// RUN: kiln-opt %s --split-input-file --verify-diagnostics

func.func @int64_conv(%x: tensor<1x3x8x8xi64>, %w: tensor<4x3x3x3xi64>, %i: tensor<1x4x8x8xi64>) -> tensor<1x4x8x8xi64> {
  // expected-error @+1 {{element type must be f32, f16 or bf16 (or i32 for an integer product)}}
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xi64>, tensor<4x3x3x3xi64> into tensor<1x4x8x8xi64> -> tensor<1x4x8x8xi64>
  return %0 : tensor<1x4x8x8xi64>
}

// -----

// An integer product multiplies 8-bit values.
func.func @int32_factors(%x: tensor<1x3x8x8xi32>, %w: tensor<4x3x3x3xi32>, %i: tensor<1x4x8x8xi32>) -> tensor<1x4x8x8xi32> {
  // expected-error @+1 {{an integer product takes 8-bit factors, not 'i32'}}
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xi32>, tensor<4x3x3x3xi32> into tensor<1x4x8x8xi32> -> tensor<1x4x8x8xi32>
  return %0 : tensor<1x4x8x8xi32>
}

// -----

func.func @int_zero_point_width(%x: tensor<1x3x8x8xi8>, %w: tensor<4x3x3x3xi8>, %z: tensor<1xi8>, %i: tensor<1x4x8x8xi32>) -> tensor<1x4x8x8xi32> {
  // expected-error @+1 {{an integer product takes 32-bit integers otherwise, not 'i8'}}
  %0 = kiln_lib.conv2d %x, %w zero_point %z into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xi8>, tensor<4x3x3x3xi8> zero_point tensor<1xi8> into tensor<1x4x8x8xi32> -> tensor<1x4x8x8xi32>
  return %0 : tensor<1x4x8x8xi32>
}

// -----

func.func @int_zero_points(%x: tensor<1x3x8x8xi8>, %w: tensor<4x3x3x3xi8>, %z: tensor<2xi32>, %i: tensor<1x4x8x8xi32>) -> tensor<1x4x8x8xi32> {
  // expected-error @+1 {{the input zero point must be one value}}
  %0 = kiln_lib.conv2d %x, %w zero_point %z into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xi8>, tensor<4x3x3x3xi8> zero_point tensor<2xi32> into tensor<1x4x8x8xi32> -> tensor<1x4x8x8xi32>
  return %0 : tensor<1x4x8x8xi32>
}

// -----

func.func @float_zero_point(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %z: tensor<1xf32>, %i: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{only an integer product takes a zero point}}
  %0 = kiln_lib.conv2d %x, %w zero_point %z into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> zero_point tensor<1xf32> into tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @int_conv_epilogue(%x: tensor<1x3x8x8xi8>, %w: tensor<4x3x3x3xi8>, %i: tensor<1x4x8x8xi32>) -> tensor<1x4x8x8xi32> {
  // expected-error @+1 {{an integer product has no bias, epilogue, scales or algorithm but direct}}
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, post_ops = ["relu"]} : tensor<1x3x8x8xi8>, tensor<4x3x3x3xi8> into tensor<1x4x8x8xi32> -> tensor<1x4x8x8xi32>
  return %0 : tensor<1x4x8x8xi32>
}

// -----

func.func @int_matmul_transposed(%a: tensor<3x4xi8>, %b: tensor<5x4xi8>, %c: tensor<3x5xi32>) -> tensor<3x5xi32> {
  // expected-error @+1 {{an integer product has no transposes, accumulation, scaling or epilogue}}
  %0 = kiln_lib.matmul %a, %b into %c {trans_b} : tensor<3x4xi8>, tensor<5x4xi8> into tensor<3x5xi32> -> tensor<3x5xi32>
  return %0 : tensor<3x5xi32>
}

// -----

func.func @conv_channels(%x: tensor<1x2x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{channels do not match the filter and groups}}
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x2x8x8xf32>, tensor<4x3x3x3xf32> into tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<5xf32>, %i: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{bias must be [4]}}
  %0 = kiln_lib.conv2d %x, %w bias %b into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> bias tensor<5xf32> into tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_output(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x7x7xf32>) -> tensor<1x4x7x7xf32> {
  // expected-error @+1 {{output dimension}}
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> into tensor<1x4x7x7xf32> -> tensor<1x4x7x7xf32>
  return %0 : tensor<1x4x7x7xf32>
}

// -----

func.func @matmul_k(%a: tensor<3x4xf32>, %b: tensor<5x5xf32>, %i: tensor<3x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{contraction sizes differ: 4 and 5}}
  %0 = kiln_lib.matmul %a, %b into %i : tensor<3x4xf32>, tensor<5x5xf32> into tensor<3x5xf32> -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @matmul_init(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %i: tensor<3x6xf32>) -> tensor<3x6xf32> {
  // expected-error @+1 {{init must end in [3, 5]}}
  %0 = kiln_lib.matmul %a, %b into %i : tensor<3x4xf32>, tensor<4x5xf32> into tensor<3x6xf32> -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

// A convolution's batch, height and width may be known only at run time
// (a product's sizes all may: below); its channels and filter may not.
func.func @conv2d_dynamic_channels(%x: tensor<1x?x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{the input's channels must be known at compile time}}
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x?x8x8xf32>, tensor<4x3x3x3xf32> into tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @conv2d_dynamic_filter(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x?x3xf32>, %i: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{operands must have static shapes}}
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x?x3xf32> into tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// A static height must still give its output's height when the width is
// known only at run time.
func.func @conv2d_dynamic_width_height_mismatch(%x: tensor<1x3x8x?xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x7x?xf32>) -> tensor<1x4x7x?xf32> {
  // expected-error @+1 {{output dimension 2 should be 8}}
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x?xf32>, tensor<4x3x3x3xf32> into tensor<1x4x7x?xf32> -> tensor<1x4x7x?xf32>
  return %0 : tensor<1x4x7x?xf32>
}

// -----

func.func @conv2d_min_pixels_direct(%x: tensor<?x16x8x8xf32>, %w: tensor<64x16x3x3xf32>, %i: tensor<?x64x8x8xf32>) -> tensor<?x64x8x8xf32> {
  // expected-error @+1 {{winograd_min_pixels must be 0 or more, and only with algorithm "winograd"}}
  %0 = kiln_lib.conv2d %x, %w into %i {constant_weights, dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, winograd_min_pixels = 49 : i64} : tensor<?x16x8x8xf32>, tensor<64x16x3x3xf32> into tensor<?x64x8x8xf32> -> tensor<?x64x8x8xf32>
  return %0 : tensor<?x64x8x8xf32>
}

// -----

func.func @conv2d_dynamic_batch_ok(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32> {
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32> into tensor<?x4x8x8xf32> -> tensor<?x4x8x8xf32>
  return %0 : tensor<?x4x8x8xf32>
}

// -----

func.func @conv2d_dynamic_spatial_ok(%x: tensor<?x3x?x?xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32> into tensor<?x4x?x?xf32> -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

func.func @conv2d_batch_mismatch(%x: tensor<2x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<3x4x8x8xf32>) -> tensor<3x4x8x8xf32> {
  // expected-error @+1 {{init must be [N, K, P, Q]}}
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32> into tensor<3x4x8x8xf32> -> tensor<3x4x8x8xf32>
  return %0 : tensor<3x4x8x8xf32>
}

// -----

// A dynamic size may match a static one; two static ones must agree.
func.func @matmul_dynamic_contraction_mismatch(%a: tensor<?x4xf32>, %b: tensor<3x5xf32>, %i: tensor<?x5xf32>) -> tensor<?x5xf32> {
  // expected-error @+1 {{contraction sizes differ: 4 and 3}}
  %0 = kiln_lib.matmul %a, %b into %i : tensor<?x4xf32>, tensor<3x5xf32> into tensor<?x5xf32> -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

func.func @matmul_dynamic_ok(%a: tensor<?x?xf32>, %b: tensor<4x5xf32>, %i: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = kiln_lib.matmul %a, %b into %i : tensor<?x?xf32>, tensor<4x5xf32> into tensor<?x?xf32> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @memref_result(%a: memref<3x4xf32>, %b: memref<4x5xf32>, %i: memref<3x5xf32>) {
  // expected-error @+1 {{on memrefs, must not return values}}
  %0 = kiln_lib.matmul %a, %b into %i : memref<3x4xf32>, memref<4x5xf32> into memref<3x5xf32> -> tensor<3x5xf32>
  return
}

// -----

func.func @conv_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{pads need 4 values}}
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> into tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_channels_last_init(%x: tensor<1x8x8x3xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{init must be [N, P, Q, K]}}
  %0 = kiln_lib.conv2d %x, %w into %i {channels_last, dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x8x8x3xf32>, tensor<4x3x3x3xf32> into tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @unknown_post_op(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %i: tensor<3x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{unknown post-op 'softmax'}}
  %0 = kiln_lib.matmul %a, %b into %i {post_ops = ["softmax"]} : tensor<3x4xf32>, tensor<4x5xf32> into tensor<3x5xf32> -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @missing_post_operand(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %i: tensor<3x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{expected 1 post operands for the binary post-ops, got 0}}
  %0 = kiln_lib.matmul %a, %b into %i {post_ops = ["add", "relu"]} : tensor<3x4xf32>, tensor<4x5xf32> into tensor<3x5xf32> -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @post_args_count(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %i: tensor<3x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{post_args needs two values per post-op}}
  %0 = kiln_lib.matmul %a, %b into %i {post_ops = ["clip"], post_args = array<f32: 0.0>} : tensor<3x4xf32>, tensor<4x5xf32> into tensor<3x5xf32> -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @post_operand_shape(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %r: tensor<3x4xf32>, %i: tensor<3x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{post operand does not broadcast to init}}
  %0 = kiln_lib.matmul %a, %b post %r into %i {post_ops = ["add"]} : tensor<3x4xf32>, tensor<4x5xf32>, tensor<3x4xf32> into tensor<3x5xf32> -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @post_operand_rank(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %r: tensor<5xf32>, %i: tensor<3x5xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{post operands must have init's rank}}
  %0 = kiln_lib.matmul %a, %b post %r into %i {post_ops = ["add"]} : tensor<3x4xf32>, tensor<4x5xf32>, tensor<5xf32> into tensor<3x5xf32> -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @unknown_algorithm(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>, %i: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  // expected-error @+1 {{algorithm must be "direct" or "winograd"}}
  %0 = kiln_lib.conv2d %x, %w into %i {algorithm = "fft", constant_weights, dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32> into tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

// Winograd transforms the filter once: it must be constant.
func.func @winograd_filter_not_constant(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>, %i: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  // expected-error @+1 {{winograd needs a constant 3x3 filter, stride and dilation 1, one group and no binary epilogue step}}
  %0 = kiln_lib.conv2d %x, %w into %i {algorithm = "winograd", dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32> into tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

func.func @winograd_strided(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>, %i: tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32> {
  // expected-error @+1 {{winograd needs a constant 3x3 filter}}
  %0 = kiln_lib.conv2d %x, %w into %i {algorithm = "winograd", constant_weights, dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32> into tensor<1x16x4x4xf32> -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}

// -----

// An addend would have to be in oneDNN's blocked layout too.
func.func @winograd_binary_epilogue(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>, %b: tensor<16xf32>, %r: tensor<1x16x8x8xf32>, %i: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  // expected-error @+1 {{winograd needs a constant 3x3 filter}}
  %0 = kiln_lib.conv2d %x, %w bias %b post %r into %i {algorithm = "winograd", constant_weights, dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, post_ops = ["add"], strides = array<i64: 1, 1>} : tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32> bias tensor<16xf32>, tensor<1x16x8x8xf32> into tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

func.func @winograd_5x5(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x5x5xf32>, %i: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  // expected-error @+1 {{winograd needs a constant 3x3 filter}}
  %0 = kiln_lib.conv2d %x, %w into %i {algorithm = "winograd", constant_weights, dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 1, 1>} : tensor<1x16x8x8xf32>, tensor<16x16x5x5xf32> into tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

func.func @requantized_scales(%x: tensor<1x3x8x8xi8>, %w: tensor<4x3x3x3xi8>, %i: tensor<1x4x8x8xi8>) -> tensor<1x4x8x8xi8> {
  // expected-error @+1 {{a requantized product needs one output scale or 4}}
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, output_scales = array<f32: 1.0, 2.0>} : tensor<1x3x8x8xi8>, tensor<4x3x3x3xi8> into tensor<1x4x8x8xi8> -> tensor<1x4x8x8xi8>
  return %0 : tensor<1x4x8x8xi8>
}

// -----

func.func @requantized_epilogue(%x: tensor<1x3x8x8xi8>, %w: tensor<4x3x3x3xi8>, %i: tensor<1x4x8x8xi8>) -> tensor<1x4x8x8xi8> {
  // expected-error @+1 {{a requantized product's epilogue is relu only}}
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, output_scales = array<f32: 1.0>, post_ops = ["sigmoid"]} : tensor<1x3x8x8xi8>, tensor<4x3x3x3xi8> into tensor<1x4x8x8xi8> -> tensor<1x4x8x8xi8>
  return %0 : tensor<1x4x8x8xi8>
}

// -----

func.func @requantized_zero_point(%x: tensor<1x3x8x8xi8>, %w: tensor<4x3x3x3xi8>, %i: tensor<1x4x8x8xi8>) -> tensor<1x4x8x8xi8> {
  // expected-error @+1 {{output zero point out of range}}
  %0 = kiln_lib.conv2d %x, %w into %i {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>, output_scales = array<f32: 1.0>, output_signed, output_zero_point = 200 : i64} : tensor<1x3x8x8xi8>, tensor<4x3x3x3xi8> into tensor<1x4x8x8xi8> -> tensor<1x4x8x8xi8>
  return %0 : tensor<1x4x8x8xi8>
}

// -----

func.func @requantized_matmul(%a: tensor<3x4xi8>, %b: tensor<4x5xi8>, %c: tensor<3x5xi8>) -> tensor<3x5xi8> {
  // expected-error @+1 {{a matrix product is not requantized (init i32)}}
  %0 = kiln_lib.matmul %a, %b into %c : tensor<3x4xi8>, tensor<4x5xi8> into tensor<3x5xi8> -> tensor<3x5xi8>
  return %0 : tensor<3x5xi8>
}

// -----

func.func @conv_auto_pad_unknown(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{auto_pad must be NOTSET, SAME_UPPER or SAME_LOWER}}
  %0 = kiln_lib.conv2d %x, %w into %i {auto_pad = "VALID", dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> into tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

func.func @conv_same_with_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  // expected-error @+1 {{pads must be zeros with auto_pad SAME_UPPER}}
  %0 = kiln_lib.conv2d %x, %w into %i {auto_pad = "SAME_UPPER", dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> into tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// SAME makes the output ceil(7 / 2) = 4 rows whatever the window.
func.func @conv_same_output_size(%x: tensor<1x3x7x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<1x4x3x8xf32>) -> tensor<1x4x3x8xf32> {
  // expected-error @+1 {{output dimension 2 should be 4}}
  %0 = kiln_lib.conv2d %x, %w into %i {auto_pad = "SAME_LOWER", dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 1>} : tensor<1x3x7x8xf32>, tensor<4x3x3x3xf32> into tensor<1x4x3x8xf32> -> tensor<1x4x3x8xf32>
  return %0 : tensor<1x4x3x8xf32>
}
