// Whole-tensor reductions in two steps, the first over rows that the
// threads share (backends/cpu/SplitFullReductions.cpp).
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-split-full-reductions))' -split-input-file | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-cpu-split-full-reductions{min-elements=1000000}))' -split-input-file | FileCheck %s --check-prefix=SMALL

// 3x256x257 = 197376 elements: 192 rows of 1028 (the largest divisor up
// to 256 that leaves rows of 1024 or more).
// CHECK-LABEL: func @max_all
// CHECK: %[[R:.*]] = kiln.reshape %arg0
// CHECK-SAME: -> tensor<192x1028xf32>
// CHECK: %[[P:.*]] = kiln.reduce_max %[[R]] {axes = array<i64: 1>} : tensor<192x1028xf32> -> tensor<192x1xf32>
// CHECK: %[[T:.*]] = kiln.reduce_max %[[P]] {axes = array<i64: 0, 1>} : tensor<192x1xf32> -> tensor<1x1xf32>
// CHECK: %[[Y:.*]] = kiln.reshape %[[T]]
// CHECK-SAME: -> tensor<f32>
// CHECK: return %[[Y]]
// SMALL-LABEL: func @max_all
// SMALL-NOT: kiln.reshape
// SMALL: kiln.reduce_max %arg0 {axes = array<i64: 0, 1, 2>, keepdims = false}
func.func @max_all(%x: tensor<3x256x257xf32>) -> tensor<f32> {
  %0 = kiln.reduce_max %x {axes = array<i64: 0, 1, 2>, keepdims = false} : tensor<3x256x257xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// keepdims: the original [1, 1, 1] shape comes back; unit dimensions need
// not be among the axes. Sums and means split the same way.
// CHECK-LABEL: func @sum_keepdims
// CHECK: kiln.reduce_sum %{{.*}} {axes = array<i64: 1>} : tensor<256x1024xsi32> -> tensor<256x1xsi32>
// CHECK: kiln.reduce_sum %{{.*}} {axes = array<i64: 0, 1>}
// CHECK: -> tensor<1x1x1xsi32>
// CHECK-LABEL: func @mean_all
// CHECK: kiln.reduce_mean %{{.*}} {axes = array<i64: 1>} : tensor<256x1024xf32> -> tensor<256x1xf32>
// CHECK: kiln.reduce_mean %{{.*}} {axes = array<i64: 0, 1>}
func.func @sum_keepdims(%x: tensor<1x512x512xsi32>) -> tensor<1x1x1xsi32> {
  %0 = kiln.reduce_sum %x {axes = array<i64: 1, 2>, keepdims = true} : tensor<1x512x512xsi32> -> tensor<1x1x1xsi32>
  return %0 : tensor<1x1x1xsi32>
}
func.func @mean_all(%x: tensor<262144xf32>) -> tensor<1xf32> {
  %0 = kiln.reduce_mean %x {axes = array<i64: 0>, keepdims = true} : tensor<262144xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

// Left alone: a kept dimension (two rows already run in parallel), a
// prime element count (no rows), too few elements, an integer mean (the
// mean of truncated means is not the mean).
// CHECK-LABEL: func @kept_dimension
// CHECK-NOT: kiln.reshape
// CHECK-LABEL: func @prime
// CHECK-NOT: kiln.reshape
// CHECK-LABEL: func @small
// CHECK-NOT: kiln.reshape
// CHECK-LABEL: func @integer_mean
// CHECK-NOT: kiln.reshape
func.func @kept_dimension(%x: tensor<2x131072xf32>) -> tensor<2x1xf32> {
  %0 = kiln.reduce_min %x {axes = array<i64: 1>} : tensor<2x131072xf32> -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}
func.func @prime(%x: tensor<65537xf32>) -> tensor<f32> {
  %0 = kiln.reduce_min %x {axes = array<i64: 0>, keepdims = false} : tensor<65537xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
func.func @small(%x: tensor<1000xf32>) -> tensor<f32> {
  %0 = kiln.reduce_min %x {axes = array<i64: 0>, keepdims = false} : tensor<1000xf32> -> tensor<f32>
  return %0 : tensor<f32>
}
func.func @integer_mean(%x: tensor<262144xsi32>) -> tensor<si32> {
  %0 = kiln.reduce_mean %x {axes = array<i64: 0>, keepdims = false} : tensor<262144xsi32> -> tensor<si32>
  return %0 : tensor<si32>
}
