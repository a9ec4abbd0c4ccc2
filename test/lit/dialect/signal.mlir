// The spectral ops and roi_align: round trip and inferred result types
// (the verifier's errors are in signal-invalid.mlir).
// RUN: kiln-opt %s -split-input-file | kiln-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func @dft
func.func @dft(%x: tensor<1x10x10x1xf32>, %c: tensor<2x?x2xf64>) -> (tensor<1x6x10x2xf32>, tensor<2x8x2xf64>, tensor<2x?x2xf64>) {
  // CHECK: kiln.dft %{{.*}} {axis = 1 : i64, onesided = true} : tensor<1x10x10x1xf32> -> tensor<1x6x10x2xf32>
  %0 = kiln.dft %x {axis = 1 : i64, onesided = true} : tensor<1x10x10x1xf32> -> tensor<1x6x10x2xf32>
  // CHECK: kiln.dft %{{.*}} {axis = 1 : i64, inverse = true, length = 8 : i64} : tensor<2x?x2xf64> -> tensor<2x8x2xf64>
  %1 = kiln.dft %c {axis = 1 : i64, inverse = true, length = 8 : i64} : tensor<2x?x2xf64> -> tensor<2x8x2xf64>
  // CHECK: kiln.dft %{{.*}} {axis = 1 : i64} : tensor<2x?x2xf64> -> tensor<2x?x2xf64>
  %2 = kiln.dft %c {axis = 1 : i64} : tensor<2x?x2xf64> -> tensor<2x?x2xf64>
  return %0, %1, %2 : tensor<1x6x10x2xf32>, tensor<2x8x2xf64>, tensor<2x?x2xf64>
}

// CHECK-LABEL: func @stft
func.func @stft(%s: tensor<1x128x1xf32>, %w: tensor<16xf32>, %step: tensor<si64>) -> (tensor<1x15x9x2xf32>, tensor<1x?x16x2xf32>) {
  %c8 = kiln.constant dense<8> : tensor<si64>
  // A constant step gives the frame count: (128 - 16) / 8 + 1.
  // CHECK: kiln.stft {{.*}} : (tensor<1x128x1xf32>, tensor<si64>, tensor<16xf32>) -> tensor<1x15x9x2xf32>
  %0 = kiln.stft %s, %c8, %w : (tensor<1x128x1xf32>, tensor<si64>, tensor<16xf32>) -> tensor<1x15x9x2xf32>
  // CHECK: kiln.stft {{.*}} {onesided = false} : (tensor<1x128x1xf32>, tensor<si64>, tensor<16xf32>) -> tensor<1x?x16x2xf32>
  %1 = kiln.stft %s, %step, %w {onesided = false} : (tensor<1x128x1xf32>, tensor<si64>, tensor<16xf32>) -> tensor<1x?x16x2xf32>
  return %0, %1 : tensor<1x15x9x2xf32>, tensor<1x?x16x2xf32>
}

// CHECK-LABEL: func @mel
func.func @mel(%m: tensor<si32>, %sr: tensor<si32>, %lo: tensor<f32>, %hi: tensor<f32>) -> (tensor<9x?xf32>, tensor<?x?xf64>) {
  %d = kiln.constant dense<16> : tensor<si32>
  // CHECK: kiln.mel_weight_matrix {{.*}} {output_type = f32} : (tensor<si32>, tensor<si32>, tensor<si32>, tensor<f32>, tensor<f32>) -> tensor<9x?xf32>
  %0 = kiln.mel_weight_matrix %m, %d, %sr, %lo, %hi {output_type = f32} : (tensor<si32>, tensor<si32>, tensor<si32>, tensor<f32>, tensor<f32>) -> tensor<9x?xf32>
  // CHECK: kiln.mel_weight_matrix {{.*}} {output_type = f64} : {{.*}} -> tensor<?x?xf64>
  %1 = kiln.mel_weight_matrix %m, %m, %sr, %lo, %hi {output_type = f64} : (tensor<si32>, tensor<si32>, tensor<si32>, tensor<f32>, tensor<f32>) -> tensor<?x?xf64>
  return %0, %1 : tensor<9x?xf32>, tensor<?x?xf64>
}

// CHECK-LABEL: func @roi_align
func.func @roi_align(%x: tensor<1x3x10x10xf32>, %r: tensor<?x4xf32>, %b: tensor<5xsi64>) -> tensor<5x3x2x4xf32> {
  // The region count comes from batch_indices when rois has it dynamic.
  // CHECK: kiln.roi_align {{.*}} {half_pixel = true, mode = "max", output_height = 2 : i64, output_width = 4 : i64, sampling_ratio = 0 : i64, spatial_scale = 5.000000e-01 : f32} : (tensor<1x3x10x10xf32>, tensor<?x4xf32>, tensor<5xsi64>) -> tensor<5x3x2x4xf32>
  %0 = kiln.roi_align %x, %r, %b {half_pixel = true, mode = "max", output_height = 2 : i64, output_width = 4 : i64, sampling_ratio = 0 : i64, spatial_scale = 0.5 : f32} : (tensor<1x3x10x10xf32>, tensor<?x4xf32>, tensor<5xsi64>) -> tensor<5x3x2x4xf32>
  return %0 : tensor<5x3x2x4xf32>
}
