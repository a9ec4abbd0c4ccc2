// RoiAlign: a generic over [R, C, Ho, Wo]. With a fixed sampling ratio,
// two tables made once per region, bin and sample (each of the four
// bilinear taps' position in the image plane, and its weight) that every
// channel reads; with sampling_ratio 0, per element, loops over the
// region's sample points (their count depends on it) reading four taps
// each. Every region's image index is checked once.
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @avg_fixed_ratio
// CHECK-NOT: different lengths
// CHECK: scf.for %{{.*}} = %c0 to %c3
// CHECK: cf.assert %{{.*}}, "{{.*}}batch index out of range"
// The tables: [R, Ho, Wo, 2, 2, 4] positions (row * 10 + column) and
// weights.
// CHECK: %[[POS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<3x5x5x2x2x4xindex>)
// CHECK: math.floor
// CHECK: arith.muli %{{.*}}, %c10 : index
// CHECK: %[[WEIGHTS:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<3x5x5x2x2x4xf64>)
// CHECK: %[[PLANES:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : tensor<1x1x10x10xf32> into tensor<1x1x100xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<3x1x5x5xf32>)
// CHECK-NOT: math.floor
// CHECK: scf.for %[[SY:.*]] = %c0 to %c2
// CHECK: scf.for %[[SX:.*]] = %c0 to %c2
// CHECK: scf.for %[[Q:.*]] = %c0 to %c4
// CHECK: %[[P:.*]] = tensor.extract %[[POS]][%{{.*}}, %{{.*}}, %{{.*}}, %[[SY]], %[[SX]], %[[Q]]]
// CHECK: %[[W:.*]] = tensor.extract %[[WEIGHTS]][%{{.*}}, %{{.*}}, %{{.*}}, %[[SY]], %[[SX]], %[[Q]]]
// CHECK: tensor.extract %[[PLANES]][%{{.*}}, %{{.*}}, %[[P]]] : tensor<1x1x100xf32>
// CHECK: arith.mulf %[[W]], %{{.*}} : f64
// CHECK: arith.addf
// Averaged over the 4 samples.
// CHECK: arith.divf %{{.*}}, %{{.*}} : f64
func.func @avg_fixed_ratio(%x: tensor<1x1x10x10xf32>, %r: tensor<3x4xf32>, %b: tensor<3xsi64>) -> tensor<3x1x5x5xf32> {
  %0 = kiln.roi_align %x, %r, %b {half_pixel = true, mode = "avg", output_height = 5 : i64, output_width = 5 : i64, sampling_ratio = 2 : i64, spatial_scale = 1.0 : f32} : (tensor<1x1x10x10xf32>, tensor<3x4xf32>, tensor<3xsi64>) -> tensor<3x1x5x5xf32>
  return %0 : tensor<3x1x5x5xf32>
}

// -----

// Adaptive sampling: ceil(bin size) samples; the legacy mode makes the
// region at least 1 x 1; max pooling keeps the largest weighted tap.
// CHECK-LABEL: func @max_adaptive
// CHECK: cf.assert %{{.*}}, "{{.*}}rois and batch_indices have different lengths"
// CHECK: linalg.generic
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f64
// CHECK: math.ceil
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.maximumf
func.func @max_adaptive(%x: tensor<2x3x?x?xf32>, %r: tensor<?x4xf32>, %b: tensor<?xsi64>) -> tensor<?x3x2x2xf32> {
  %0 = kiln.roi_align %x, %r, %b {half_pixel = false, mode = "max", output_height = 2 : i64, output_width = 2 : i64, sampling_ratio = 0 : i64, spatial_scale = 0.25 : f32} : (tensor<2x3x?x?xf32>, tensor<?x4xf32>, tensor<?xsi64>) -> tensor<?x3x2x2xf32>
  return %0 : tensor<?x3x2x2xf32>
}
