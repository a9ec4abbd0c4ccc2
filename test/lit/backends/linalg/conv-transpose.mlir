// ConvTranspose as a product and a gather (backends/linalg/LowerConvTranspose.cpp):
// the input as [G, C/G, N * positions] (one transpose), a contraction over
// the group's input channels into cols [G, M/G, K..., N * positions], then
// one generic over the output, starting from the bias, that adds the taps
// landing on each position.
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s

// Stride 2, a 4x4 kernel, pads 1: per spatial dimension the taps start at
// (o + 1) mod 2 and step by 2 (2 of 4 taps, never the other 2).
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d5, d1, d2, d3)>
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d5, d4)>
// CHECK-DAG: #[[COLS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3, d4)>
// CHECK-LABEL: func @upsample
// CHECK: linalg.transpose ins(%{{.*}} : tensor<1x1x8x5x5xf32>) outs(%{{.*}} : tensor<1x8x1x5x5xf32>) permutation = [1, 2, 0, 3, 4]
// CHECK: %[[XC:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3, 4]] : tensor<1x8x1x5x5xf32> into tensor<1x8x25xf32>
// CHECK: %[[PRODUCT:.*]] = linalg.generic {indexing_maps = [#[[W]], #[[X]], #[[COLS]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %[[XC]] : tensor<1x8x4x4x4xf32>, tensor<1x8x25xf32>) outs(%{{.*}} : tensor<1x4x4x4x25xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x4x10x10xf32>)
// CHECK: %[[T:.*]] = arith.addi %{{.*}}, %c1 : index
// CHECK: %[[Q:.*]] = arith.floordivsi %[[T]], %c2 : index
// CHECK: %[[M:.*]] = arith.muli %[[Q]], %c2 : index
// CHECK: %[[FIRST:.*]] = arith.subi %[[T]], %[[M]] : index
// CHECK: scf.for %{{.*}} = %[[FIRST]] to %c4 step %c2
// CHECK: scf.for %{{.*}} = %{{.*}} to %c4 step %c2
// CHECK: tensor.extract %[[PRODUCT]][%c0, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<1x4x4x4x25xf32>
// CHECK: arith.select
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3], [4]] : tensor<1x1x4x10x10xf32> into tensor<1x4x10x10xf32>
func.func @upsample(%x: tensor<1x8x5x5xf32>, %w: tensor<8x4x4x4xf32>, %b: tensor<4xf32>) -> tensor<1x4x10x10xf32> {
  %0 = kiln.conv_transpose %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>} : (tensor<1x8x5x5xf32>, tensor<8x4x4x4xf32>, tensor<4xf32>) -> tensor<1x4x10x10xf32>
  return %0 : tensor<1x4x10x10xf32>
}

// -----

// Dilation 2: every tap, each tested for landing on a multiple of the
// stride. Two groups: the product's first dimension is the group. No
// bias: the output starts from zeros.
// CHECK-LABEL: func @dilated_groups
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x3x2x3xf32>, tensor<2x3x7xf32>) outs(%{{.*}} : tensor<2x2x3x7xf32>)
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x2x17xf32>)
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK: arith.muli %{{.*}}, %c2 : index
// CHECK: arith.cmpi eq
func.func @dilated_groups(%x: tensor<1x6x7xf32>, %w: tensor<6x2x3xf32>) -> tensor<1x4x17xf32> {
  %0 = kiln.conv_transpose %x, %w {group = 2 : i64, pads = array<i64: 0, 0>, strides = array<i64: 2>, dilations = array<i64: 2>, output_padding = array<i64: 0>} : (tensor<1x6x7xf32>, tensor<6x2x3xf32>) -> tensor<1x4x17xf32>
  return %0 : tensor<1x4x17xf32>
}

// -----

// A batch of dynamic size: the columns are N * 25 (the collapsed
// input's size); the gather reads column n * 25 + q_h * 5 + q_w.
// CHECK-LABEL: func @dynamic_batch
// CHECK: %[[XC:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3, 4]] : tensor<1x8x?x5x5xf32> into tensor<1x8x?xf32>
// CHECK: %[[P:.*]] = tensor.dim %[[XC]], %c2 : tensor<1x8x?xf32>
// CHECK: tensor.empty(%[[P]]) : tensor<1x4x4x4x?xf32>
// CHECK: %[[BATCH:.*]] = linalg.index 0 : index
// CHECK: arith.muli %[[BATCH]], %c25 : index
func.func @dynamic_batch(%x: tensor<?x8x5x5xf32>, %w: tensor<8x4x4x4xf32>) -> tensor<?x4x10x10xf32> {
  %0 = kiln.conv_transpose %x, %w {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, output_padding = array<i64: 0, 0>} : (tensor<?x8x5x5xf32>, tensor<8x4x4x4xf32>) -> tensor<?x4x10x10xf32>
  return %0 : tensor<?x4x10x10xf32>
}
