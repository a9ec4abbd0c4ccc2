// Producer-consumer fusion into kiln.fused kernels (passes/Fuse.cpp).
// RUN: kiln-opt %s --kiln-fuse -split-input-file | FileCheck %s

// Conv with its epilogue (residual add, relu): one kernel named by the conv.
// CHECK-LABEL: func @conv_epilogue
// CHECK: %[[K:.*]] = kiln.fused (%arg0, %arg1, %arg2, %arg3) {anchor = "conv", kernel = 0 : i64}
// CHECK-NEXT: ^bb0
// CHECK-NEXT: kiln.conv
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.relu
// CHECK-NEXT: kiln.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %[[K]]
func.func @conv_epilogue(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>, %skip: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %c = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  %a = kiln.add %c, %skip : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %r = kiln.relu %a : tensor<1x4x6x6xf32>
  return %r : tensor<1x4x6x6xf32>
}

// -----

// MatMul + bias (the bias broadcasts, the product does not) + GELU; a small
// constant is copied into the kernel, not passed in.
// CHECK-LABEL: func @matmul_bias_gelu
// CHECK: kiln.fused (%arg0, %arg1) {anchor = "matmul", kernel = 0 : i64}
// CHECK: kiln.constant dense<{{.*}}> : tensor<4xf32>
// CHECK-NEXT: kiln.matmul
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.gelu
// CHECK-NEXT: kiln.yield
// CHECK-NOT: kiln.fused
func.func @matmul_bias_gelu(%x: tensor<2x8xf32>, %w: tensor<8x4xf32>) -> tensor<2x4xf32> {
  %b = kiln.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %m = kiln.matmul %x, %w : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  %a = kiln.add %m, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %g = kiln.gelu %a : tensor<2x4xf32>
  return %g : tensor<2x4xf32>
}

// -----

// A chain of elementwise ops through a view is one kernel; the reshape
// joins it.
// CHECK-LABEL: func @elementwise_chain
// CHECK-NOT: kiln.constant
// CHECK: kiln.fused (%arg0, %arg1) {anchor = "sub", kernel = 0 : i64}
// CHECK-NEXT: ^bb0
// CHECK-NEXT: kiln.constant
// CHECK-NEXT: kiln.sub
// CHECK-NEXT: kiln.exp
// CHECK-NEXT: kiln.reshape
// CHECK-NEXT: kiln.neg
// CHECK-NEXT: kiln.yield
// CHECK-NOT: kiln.fused
func.func @elementwise_chain(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<6xf32> {
  %s = kiln.sub %x, %y : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %e = kiln.exp %s : tensor<2x3xf32>
  %shape = kiln.constant dense<6> : tensor<1xsi64>
  %r = kiln.reshape %e, %shape : (tensor<2x3xf32>, tensor<1xsi64>) -> tensor<6xf32>
  %n = kiln.neg %r : tensor<6xf32>
  return %n : tensor<6xf32>
}

// -----

// A value used twice is written out once: both users start their own
// kernels (nothing computed twice).
// CHECK-LABEL: func @shared_producer
// CHECK: %[[E:.*]] = kiln.fused (%arg0) {anchor = "exp", kernel = 0 : i64}
// CHECK: kiln.fused (%[[E]]) {anchor = "neg", kernel = 1 : i64}
// CHECK: kiln.fused (%[[E]]) {anchor = "abs", kernel = 2 : i64}
func.func @shared_producer(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %e = kiln.exp %x : tensor<4xf32>
  %n = kiln.neg %e : tensor<4xf32>
  %a = kiln.abs %e : tensor<4xf32>
  return %n, %a : tensor<4xf32>, tensor<4xf32>
}

// -----

// Broadcasting a reduction's result to a larger shape would recompute it
// per copy: the reduction's kernel ends there.
// CHECK-LABEL: func @no_broadcast_growth
// CHECK: %[[R:.*]] = kiln.fused (%arg0) {anchor = "reduce_max", kernel = 0 : i64}
// CHECK: kiln.fused (%arg1, %[[R]]) {anchor = "add", kernel = 1 : i64}
func.func @no_broadcast_growth(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %r = kiln.reduce_max %x {axes = array<i64: 1>, keepdims = true} : tensor<4x8xf32> -> tensor<4x1xf32>
  %a = kiln.add %y, %r : (tensor<4x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// -----

// The reduction's output is used outside before the elementwise op that
// could join it: joining would move the use before its definition.
// CHECK-LABEL: func @earlier_outside_use
// CHECK: %[[M:.*]] = kiln.fused (%arg0, %arg1) {anchor = "matmul", kernel = 0 : i64}
// CHECK-NEXT: ^bb0
// CHECK-NEXT: kiln.matmul
// CHECK-NEXT: kiln.yield
// CHECK: kiln.fused (%[[M]]) {anchor = "reduce_sum"
// CHECK: kiln.fused (%[[M]]) {anchor = "relu"
func.func @earlier_outside_use(%x: tensor<2x2xf32>, %w: tensor<2x2xf32>) -> (tensor<2x1xf32>, tensor<2x2xf32>) {
  %m = kiln.matmul %x, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %s = kiln.reduce_sum %m {axes = array<i64: 1>, keepdims = true} : tensor<2x2xf32> -> tensor<2x1xf32>
  %r = kiln.relu %m : tensor<2x2xf32>
  return %s, %r : tensor<2x1xf32>, tensor<2x2xf32>
}

// -----

// Edge cases: dynamic shapes, zero-size tensors, scalars, a function with
// no ops, and a lone view (free: stays outside kernels).
// CHECK-LABEL: func @edges
// CHECK: kiln.fused (%arg0) {anchor = "relu", kernel = 0 : i64}
// CHECK: kiln.fused (%arg1) {anchor = "neg", kernel = 1 : i64}
// CHECK: kiln.fused (%arg2) {anchor = "exp", kernel = 2 : i64}
// CHECK: kiln.reshape %arg3
// CHECK-NOT: kiln.fused
// CHECK-LABEL: func @empty
// CHECK-NEXT: return %arg0
func.func @edges(%d: tensor<?x?xf32>, %z: tensor<0x3xf32>, %s: tensor<f32>, %v: tensor<2x3xf32>) -> (tensor<?x?xf32>, tensor<0x3xf32>, tensor<f32>, tensor<6xf32>) {
  %0 = kiln.relu %d : tensor<?x?xf32>
  %1 = kiln.sigmoid %0 : tensor<?x?xf32>
  %2 = kiln.neg %z : tensor<0x3xf32>
  %3 = kiln.exp %s : tensor<f32>
  %shape = kiln.constant dense<6> : tensor<1xsi64>
  %4 = kiln.reshape %v, %shape : (tensor<2x3xf32>, tensor<1xsi64>) -> tensor<6xf32>
  return %1, %2, %3, %4 : tensor<?x?xf32>, tensor<0x3xf32>, tensor<f32>, tensor<6xf32>
}
func.func @empty(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// -----

// A dequantization (u8 -> f32, a scale) whose one result feeds one
// elementwise op of a later kernel moves into that kernel, before its
// user: the consumer reads the u8 tensor, and no f32 copy is written. The
// u8 tensor's other user (a widening the function returns) does not stop
// it.
// CHECK-LABEL: func @dequantize_sinks
// CHECK: kiln.fused (%arg0, %arg1) {anchor = "conv", kernel = 0 : i64}
// CHECK: %[[Q:.*]] = kiln.fused ({{.*}}) {anchor = "cast", kernel = 1 : i64}
// CHECK: kiln.fused ({{.*}}) {anchor = "conv", kernel = 2 : i64}
// CHECK: kiln.fused (%{{.*}}, %{{.*}}, %[[Q]]) {anchor = "conv", kernel = 3 : i64}
// CHECK-NEXT: ^bb0
// CHECK: kiln.conv
// CHECK-NEXT: kiln.cast {{.*}} {to = f32} : tensor<1x4x6x6xui8> -> tensor<1x4x6x6xf32>
// CHECK-NEXT: kiln.mul
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.yield
// The widening that the function returns stays a kernel of its own.
// CHECK: kiln.fused (%[[Q]]) {anchor = "cast", kernel = 4 : i64}
// CHECK-NOT: kiln.fused
// CHECK: return
func.func @dequantize_sinks(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %w2: tensor<4x4x1x1xf32>) -> (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) {
  %c = kiln.conv %x, %w {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  %q = kiln.cast %c {to = ui8} : tensor<1x4x6x6xf32> -> tensor<1x4x6x6xui8>
  %f = kiln.cast %q {to = f32} : tensor<1x4x6x6xui8> -> tensor<1x4x6x6xf32>
  %s = kiln.constant dense<0.5> : tensor<f32>
  %dq = kiln.mul %f, %s : (tensor<1x4x6x6xf32>, tensor<f32>) -> tensor<1x4x6x6xf32>
  %c2 = kiln.conv %c, %w2 {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %c3 = kiln.conv %c2, %w2 {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) -> tensor<1x4x6x6xf32>
  %a = kiln.add %c3, %dq : (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %o = kiln.cast %q {to = f32} : tensor<1x4x6x6xui8> -> tensor<1x4x6x6xf32>
  return %a, %o : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>
}

// -----

// Left where they are: an f32 -> f32 chain (it reads as much as it
// writes), a dequantization whose result has two users, and one that its
// user broadcasts.
// CHECK-LABEL: func @no_sink
// CHECK-COUNT-6: kiln.fused
// CHECK-NOT: kiln.fused
// CHECK: return
func.func @no_sink(%x: tensor<4x6xf32>, %q: tensor<4x6xui8>, %r: tensor<1x6xui8>, %w: tensor<6x6xf32>) -> (tensor<4x6xf32>, tensor<4x6xf32>, tensor<4x6xf32>) {
  %e = kiln.exp %x : tensor<4x6xf32>
  %m = kiln.matmul %x, %w : (tensor<4x6xf32>, tensor<6x6xf32>) -> tensor<4x6xf32>
  %a = kiln.add %m, %e : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  %f = kiln.cast %q {to = f32} : tensor<4x6xui8> -> tensor<4x6xf32>
  %m2 = kiln.matmul %x, %w : (tensor<4x6xf32>, tensor<6x6xf32>) -> tensor<4x6xf32>
  %a2 = kiln.add %m2, %f : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  %a3 = kiln.mul %a2, %f : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  %g = kiln.cast %r {to = f32} : tensor<1x6xui8> -> tensor<1x6xf32>
  %m3 = kiln.matmul %x, %w : (tensor<4x6xf32>, tensor<6x6xf32>) -> tensor<4x6xf32>
  %a4 = kiln.add %m3, %g : (tensor<4x6xf32>, tensor<1x6xf32>) -> tensor<4x6xf32>
  return %a, %a3, %a4 : tensor<4x6xf32>, tensor<4x6xf32>, tensor<4x6xf32>
}
