// Type-inference errors of the spectral ops and roi_align.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics

func.func @dft_axis_is_the_complex_dimension(%x: tensor<4x8x1xf32>) {
  // expected-error @+2 {{axis 2 out of range [0, 1]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.dft %x {axis = 2 : i64} : tensor<4x8x1xf32> -> tensor<4x8x2xf32>
  return
}

// -----

func.func @dft_three_parts(%x: tensor<4x8x3xf32>) {
  // expected-error @+2 {{the last dimension must be 1 (real) or 2 (complex), got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.dft %x {axis = 1 : i64} : tensor<4x8x3xf32> -> tensor<4x8x2xf32>
  return
}

// -----

func.func @dft_zero_length(%x: tensor<4x8x1xf32>) {
  // expected-error @+2 {{dft_length must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.dft %x {axis = 1 : i64, length = 0 : i64} : tensor<4x8x1xf32> -> tensor<4x8x2xf32>
  return
}

// -----

func.func @dft_scalar(%x: tensor<8xf32>) {
  // expected-error @+2 {{input must have rank >= 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.dft %x {axis = 0 : i64} : tensor<8xf32> -> tensor<8xf32>
  return
}

// -----

func.func @stft_frame_longer_than_signal(%s: tensor<1x8x1xf32>, %w: tensor<16xf32>, %step: tensor<si64>) {
  // expected-error @+2 {{frame length 16 exceeds the signal length 8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.stft %s, %step, %w : (tensor<1x8x1xf32>, tensor<si64>, tensor<16xf32>) -> tensor<1x?x9x2xf32>
  return
}

// -----

func.func @stft_zero_step(%s: tensor<1x64x1xf32>, %w: tensor<16xf32>) {
  %c0 = kiln.constant dense<0> : tensor<si64>
  // expected-error @+2 {{frame_step must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.stft %s, %c0, %w : (tensor<1x64x1xf32>, tensor<si64>, tensor<16xf32>) -> tensor<1x?x9x2xf32>
  return
}

// -----

func.func @stft_rank(%s: tensor<64x1xf32>, %w: tensor<16xf32>, %step: tensor<si64>) {
  // expected-error @+2 {{signal must be [batch, length, 1 or 2]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.stft %s, %step, %w : (tensor<64x1xf32>, tensor<si64>, tensor<16xf32>) -> tensor<1x?x9x2xf32>
  return
}

// -----

func.func @mel_not_scalar(%m: tensor<2xsi32>, %d: tensor<si32>, %lo: tensor<f32>) {
  // expected-error @+2 {{every operand must be a scalar}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.mel_weight_matrix %m, %d, %d, %lo, %lo {output_type = f32} : (tensor<2xsi32>, tensor<si32>, tensor<si32>, tensor<f32>, tensor<f32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @mel_zero_bins(%d: tensor<si32>, %lo: tensor<f32>) {
  %m = kiln.constant dense<0> : tensor<si32>
  // expected-error @+2 {{num_mel_bins must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.mel_weight_matrix %m, %d, %d, %lo, %lo {output_type = f32} : (tensor<si32>, tensor<si32>, tensor<si32>, tensor<f32>, tensor<f32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @roi_align_rois_shape(%x: tensor<1x3x10x10xf32>, %r: tensor<5x5xf32>, %b: tensor<5xsi64>) {
  // expected-error @+2 {{rois must be [num_rois, 4]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.roi_align %x, %r, %b {half_pixel = true, output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 0 : i64, spatial_scale = 1.0 : f32} : (tensor<1x3x10x10xf32>, tensor<5x5xf32>, tensor<5xsi64>) -> tensor<5x3x2x2xf32>
  return
}

// -----

func.func @roi_align_counts(%x: tensor<1x3x10x10xf32>, %r: tensor<5x4xf32>, %b: tensor<4xsi64>) {
  // expected-error @+2 {{rois has 5 regions but batch_indices 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.roi_align %x, %r, %b {half_pixel = true, output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 0 : i64, spatial_scale = 1.0 : f32} : (tensor<1x3x10x10xf32>, tensor<5x4xf32>, tensor<4xsi64>) -> tensor<5x3x2x2xf32>
  return
}

// -----

func.func @roi_align_mode(%x: tensor<1x3x10x10xf32>, %r: tensor<5x4xf32>, %b: tensor<5xsi64>) {
  // expected-error @+2 {{mode must be avg or max, got 'min'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.roi_align %x, %r, %b {half_pixel = true, mode = "min", output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 0 : i64, spatial_scale = 1.0 : f32} : (tensor<1x3x10x10xf32>, tensor<5x4xf32>, tensor<5xsi64>) -> tensor<5x3x2x2xf32>
  return
}

// -----

func.func @roi_align_input_rank(%x: tensor<3x10x10xf32>, %r: tensor<5x4xf32>, %b: tensor<5xsi64>) {
  // expected-error @+2 {{input must be [N, C, H, W]}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.roi_align %x, %r, %b {half_pixel = false, output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 2 : i64, spatial_scale = 1.0 : f32} : (tensor<3x10x10xf32>, tensor<5x4xf32>, tensor<5xsi64>) -> tensor<5x3x2x2xf32>
  return
}
