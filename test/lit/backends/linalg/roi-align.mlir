// RoiAlign: a generic over [R, C, Ho, Wo]; each bin loops over its sample
// points (scf.for: with sampling_ratio 0 the count depends on the region)
// and reads four bilinear taps of image batch_indices[r].
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @avg_fixed_ratio
// CHECK-NOT: different lengths
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<3x1x5x5xf32>)
// CHECK: cf.assert %{{.*}}, "{{.*}}batch index out of range"
// Two samples per axis.
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C2:c2.*]] step
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C2]] step
// CHECK-COUNT-4: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x1x10x10xf32>
// CHECK: arith.addf
// CHECK: scf.yield
// Averaged over the sample count.
// CHECK: arith.divf
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
