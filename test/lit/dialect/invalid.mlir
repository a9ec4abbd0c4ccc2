// Verifier and type-inference errors name the problem with expected and
// actual values.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @broadcast_mismatch(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{shapes [2x3] and [4] do not broadcast (dimension 1: 3 vs 4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @element_mismatch(%a: tensor<3xf32>, %b: tensor<3xf16>) {
  // expected-error @+2 {{operand element types differ: 'f32' vs 'f16'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.mul %a, %b : (tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>
  return
}

// -----

func.func @result_conflicts(%a: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'kiln.add' op inferred type(s) 'tensor<3xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.add %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_k(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{contraction dimensions differ: 3 vs 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @conv_groups(%x: tensor<1x6x8x8xf32>, %w: tensor<4x4x3x3xf32>) {
  // expected-error @+2 {{input has 6 channels but weight expects 4 x group 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv %x, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64}
    : (tensor<1x6x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_window(%x: tensor<1x3x2x2xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{window of size 3 (dilation 1) does not fit spatial dimension 0 of size 2 with its padding}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.conv %x, %w {pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>}
    : (tensor<1x3x2x2xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32>
  return
}

// -----

func.func @pool_attrs(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{window attributes have the wrong length for 2 spatial dimensions (pads 2, strides 2, dilations 2)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>}
    : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  %s = kiln.constant dense<[4, 2]> : tensor<2xsi64>
  // expected-error @+2 {{cannot reshape [2x3] (6 elements) to [4x2] (8 elements)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reshape %x, %s : (tensor<2x3xf32>, tensor<2xsi64>) -> tensor<4x2xf32>
  return
}

// -----

func.func @reshape_two_inferred(%x: tensor<2x3xf32>) {
  %s = kiln.constant dense<[-1, -1]> : tensor<2xsi64>
  // expected-error @+2 {{more than one -1 in the target shape}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reshape %x, %s : (tensor<2x3xf32>, tensor<2xsi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{perm is not a permutation}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.transpose %x {perm = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<2x2xf32>
  return
}

// -----

func.func @squeeze_not_one(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{cannot squeeze dimension 1 of size 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.squeeze %x {axes = array<i64: 1>} : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @reduce_axes(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{axes must be sorted and unique}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<1x1xf32>
  return
}

// -----

func.func @reduce_axis_range(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{axis 2 out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 2>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+2 {{inputs differ in dimension 1: 3 vs 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'kiln.softmax' op axis 2 out of range for rank 2}}
  %0 = kiln.softmax %x {axis = 2 : i64} : tensor<2x3xf32>
  return
}

// -----

func.func @clip_bound_type(%x: tensor<3xf32>) {
  // expected-error @+1 {{'min' has type 'f64', expected the element type 'f32'}}
  %0 = kiln.clip %x {min = 0.0 : f64} : tensor<3xf32>
  return
}

// -----

func.func @cast_mismatch(%x: tensor<3xf32>) {
  // expected-error @+1 {{result element type 'si32' differs from 'to' 'si64'}}
  %0 = kiln.cast %x {to = si64} : tensor<3xf32> -> tensor<3xsi32>
  return
}

// -----

func.func @gemm_c(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>) {
  // expected-error @+2 {{C of shape [3] does not broadcast to [M, N] = [2x4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @bad_element(%a: tensor<3xi32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = kiln.add %a, %b : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{axis 2 out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.layer_norm %x {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @layer_norm_scale(%x: tensor<2x3xf32>, %g: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{scale and bias must not have more than 1 dimensions}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.layer_norm %x, %g {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @attention_heads(%q: tensor<1x4x6xf32>) -> tensor<1x4x6xf32> {
  // expected-error @+2 {{last dimension 6 is not a multiple of num_heads 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.attention %q, %q, %q {num_heads = 4 : i64, scale = 1.0 : f32} : (tensor<1x4x6xf32>, tensor<1x4x6xf32>, tensor<1x4x6xf32>) -> tensor<1x4x6xf32>
  return %0 : tensor<1x4x6xf32>
}

// -----

func.func @attention_mask(%q: tensor<1x4x6xf32>, %m: tensor<3x4xf32>) -> tensor<1x4x6xf32> {
  // expected-error @+2 {{mask does not broadcast against the scores}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.attention %q, %q, %q, %m {num_heads = 2 : i64, scale = 1.0 : f32} : (tensor<1x4x6xf32>, tensor<1x4x6xf32>, tensor<1x4x6xf32>, tensor<3x4xf32>) -> tensor<1x4x6xf32>
  return %0 : tensor<1x4x6xf32>
}

// -----

func.func @fused_yield(%x: tensor<2xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{yields}}
  %0 = kiln.fused (%x) {kernel = 0 : i64, anchor = "relu"} : (tensor<2xf32>) -> tensor<3xf32> {
  ^bb0(%a: tensor<2xf32>):
    %r = kiln.relu %a : tensor<2xf32>
    kiln.yield %r : tensor<2xf32>
  }
  return %0 : tensor<3xf32>
}

// -----

// channels_last moves the channel to the end: a channels-first result type
// contradicts it.
func.func @pool_channels_last_type(%x: tensor<1x8x8x3xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<1x4x4x3xf32>' are incompatible with return type(s) of operation 'tensor<1x3x4x4xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.max_pool %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, channels_last = true}
    : tensor<1x8x8x3xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @truncate_bf16_to_f16(%a: tensor<3xf32>) {
  // expected-error @+1 {{truncate_bf16 needs a float input and a bf16 result}}
  %0 = kiln.cast %a {to = f16, truncate_bf16} : tensor<3xf32> -> tensor<3xf16>
  return
}

// -----

// The result type of cum_sum is inferred while parsing, from the attribute
// just parsed: a bad or missing axis is an error, not a crash.
func.func @cum_sum_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 2 out of range for rank 2}}
  %0 = kiln.cum_sum %x {axis = 2 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @cum_sum_no_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{requires attribute 'axis'}}
  %0 = kiln.cum_sum %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
