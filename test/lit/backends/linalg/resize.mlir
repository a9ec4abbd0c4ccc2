// Resize: one pass per dimension that changes, the last first. Each pass
// first makes its tables, one entry per output position of the dimension:
// each tap's input position (clamped to the input) and coefficient, and
// for tf_crop_and_resize whether the position maps outside the input. The
// pass over the output then only reads them: the coordinate arithmetic (a
// division in f64) is not repeated for every element.
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s

// Linear, 1x2x8x6 -> 1x2x3x4 by sizes: the W pass (6 -> 4) makes two
// position tables and two coefficient tables of 4, the H pass (8 -> 3) of 3.
// CHECK-LABEL: func @linear_down
// CHECK: %[[P0:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4xi64>)
// CHECK: arith.divf
// CHECK: math.ceil
// CHECK: %[[C0:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4xf64>)
// CHECK: arith.divf
// CHECK: math.floor
// CHECK: %[[P1:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4xi64>)
// CHECK: %[[C1:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<4xf64>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x8x4xf32>)
// CHECK-NOT: math.floor
// CHECK-NOT: arith.divf
// CHECK: tensor.extract %[[P0]]
// CHECK: tensor.extract %[[C0]]
// CHECK: tensor.extract %[[P1]]
// CHECK: tensor.extract %[[C1]]
// CHECK: linalg.yield
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<3xi64>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x3x4xf32>)
// CHECK-NOT: math.floor
// CHECK: linalg.yield
func.func @linear_down(%x: tensor<1x2x8x6xf32>) -> tensor<1x2x3x4xf32> {
  %sizes = kiln.constant dense<[1, 2, 3, 4]> : tensor<4xsi64>
  %0 = kiln.resize %x sizes(%sizes : tensor<4xsi64>) {mode = "linear"} : tensor<1x2x8x6xf32> -> tensor<1x2x3x4xf32>
  return %0 : tensor<1x2x3x4xf32>
}

// -----

// Cubic with exclude_outside: four taps, their coefficients zero outside
// the input (in the tables), the sum divided by their total per element.
// CHECK-LABEL: func @cubic_exclude
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<5xi64>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<5xf64>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<5xi64>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<5xf64>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<5xi64>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<5xf64>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<5xi64>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<5xf64>)
// CHECK-NOT: tensor<5xi64>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x2x5xf32>)
// CHECK: arith.divf %{{.*}}, %{{.*}} : f64
func.func @cubic_exclude(%x: tensor<1x1x2x3xf32>) -> tensor<1x1x2x5xf32> {
  %scales = kiln.constant dense<[1.0, 1.0, 1.0, 1.67]> : tensor<4xf32>
  %0 = kiln.resize %x scales(%scales : tensor<4xf32>) {mode = "cubic", exclude_outside = true} : tensor<1x1x2x3xf32> -> tensor<1x1x2x5xf32>
  return %0 : tensor<1x1x2x5xf32>
}

// -----

// tf_crop_and_resize: an i8 table says which positions map outside the
// roi's input span; those elements take extrapolation_value (2.5).
// CHECK-LABEL: func @crop
// CHECK: %[[OUT:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<3xi8>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x4x3xf32>)
// CHECK: %[[O:.*]] = tensor.extract %[[OUT]]
// CHECK: %[[B:.*]] = arith.trunci %[[O]] : i8 to i1
// CHECK: arith.select %[[B]], %{{.*}}, %{{.*}} : f64
func.func @crop(%x: tensor<1x1x4x4xf32>, %roi: tensor<8xf32>) -> tensor<1x1x4x3xf32> {
  %scales = kiln.constant dense<[1.0, 1.0, 1.0, 0.75]> : tensor<4xf32>
  %0 = kiln.resize %x roi(%roi : tensor<8xf32>) scales(%scales : tensor<4xf32>) {mode = "linear", coordinate_transformation_mode = "tf_crop_and_resize", extrapolation_value = 2.5 : f32} : tensor<1x1x4x4xf32> -> tensor<1x1x4x3xf32>
  return %0 : tensor<1x1x4x3xf32>
}

// -----

// GridSample, bilinear: four position tables (y * W + x in the plane, -1
// outside it) and four weight tables over [N, Ho, Wo] = [1, 2, 3]; the
// output over [N, C, Ho, Wo] reads the image as [N, C, H * W] at them, 0
// where a position is -1, and does no coordinate arithmetic.
// CHECK-LABEL: func @grid_bilinear
// CHECK: %[[P0:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x3xindex>)
// CHECK: math.floor
// CHECK: arith.select %{{.*}}, %{{.*}}, %c-1 : index
// CHECK-COUNT-3: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x3xindex>)
// CHECK: %[[W0:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x3xf32>)
// CHECK-COUNT-3: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x3xf32>)
// CHECK: %[[PLANES:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : tensor<1x4x5x6xf32> into tensor<1x4x30xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x4x2x3xf32>)
// CHECK-NOT: math.floor
// CHECK: %[[P:.*]] = tensor.extract %[[P0]]{{.*}} : tensor<1x2x3xindex>
// CHECK: %[[OK:.*]] = arith.cmpi sge, %[[P]], %c0 : index
// CHECK: %[[AT:.*]] = arith.select %[[OK]], %[[P]], %c0 : index
// CHECK: tensor.extract %[[PLANES]][%{{.*}}, %{{.*}}, %[[AT]]] : tensor<1x4x30xf32>
// CHECK: linalg.yield
func.func @grid_bilinear(%x: tensor<1x4x5x6xf32>, %g: tensor<1x2x3x2xf32>) -> tensor<1x4x2x3xf32> {
  %0 = kiln.grid_sample %x, %g : (tensor<1x4x5x6xf32>, tensor<1x2x3x2xf32>) -> tensor<1x4x2x3xf32>
  return %0 : tensor<1x4x2x3xf32>
}
