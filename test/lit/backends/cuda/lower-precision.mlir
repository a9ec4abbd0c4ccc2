// --precision=fp16|bf16: library calls and data movement take the low type,
// the other kiln ops compute in f32 between casts, weights are converted at
// compile time, and the entry keeps its f32 signature.
// RUN: kiln-opt %s -split-input-file --kiln-cuda-lower-precision | FileCheck %s
// RUN: kiln-opt %s -split-input-file --kiln-cuda-lower-precision=precision=bf16 | FileCheck %s --check-prefix=BF16

// The input is cast down once; the weights (a splat and a blob, rounded to
// nearest even: 0.1 -> 0x2E66, 3.0e38 -> inf) become f16 constants; the
// convolution's init is a new f16 tensor. The f32 add reads the result
// through a cast of its own, keeps its epsilon in f32 (1e-12 is 0 in f16)
// and is rounded down after; the softmax computes in f32 too; the result
// leaves as f32. Integer ops are untouched.
// CHECK-LABEL: func @main
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[IDS:.*]]: tensor<2xsi64>) -> (tensor<1x4x8x8xf32>, tensor<2xsi64>)
// CHECK-DAG: %[[XL:.*]] = kiln.cast %[[X]] {to = f16} : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xf16>
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<9.997550e-02> : tensor<4x3x3x3xf16>
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[9.997550e-02, 1.000000e+00, -2.000000e+00, 0x7C00]> : tensor<4xf16>
// CHECK-DAG: %[[INIT:.*]] = tensor.empty() : tensor<1x4x8x8xf16>
// CHECK: %[[Y:.*]] = kiln_lib.conv2d %[[XL]], %[[W]] bias %[[B]] into %[[INIT]]
// CHECK-SAME: : tensor<1x3x8x8xf16>, tensor<4x3x3x3xf16> bias tensor<4xf16> into tensor<1x4x8x8xf16> -> tensor<1x4x8x8xf16>
// CHECK: %[[EPS:.*]] = kiln.constant dense<9.99999996E-13> : tensor<f32>
// CHECK: %[[Y1:.*]] = kiln.cast %[[Y]] {to = f32} : tensor<1x4x8x8xf16> -> tensor<1x4x8x8xf32>
// CHECK: %[[A:.*]] = kiln.add %[[Y1]], %[[EPS]] : (tensor<1x4x8x8xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>
// CHECK: %[[AL:.*]] = kiln.cast %[[A]] {to = f16}
// CHECK: %[[A32:.*]] = kiln.cast %[[AL]] {to = f32}
// CHECK: %[[S:.*]] = kiln.softmax %[[A32]] {axis = 1 : i64} : tensor<1x4x8x8xf32>
// CHECK: %[[SL:.*]] = kiln.cast %[[S]] {to = f16}
// CHECK: %[[S32:.*]] = kiln.cast %[[SL]] {to = f32}
// CHECK: %[[Y2:.*]] = kiln.cast %[[Y]] {to = f32}
// CHECK: %[[M:.*]] = kiln.mul %[[S32]], %[[Y2]] : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
// CHECK: %[[ML:.*]] = kiln.cast %[[M]] {to = f16}
// CHECK: %[[I:.*]] = kiln.add %[[IDS]], %[[IDS]] : (tensor<2xsi64>, tensor<2xsi64>) -> tensor<2xsi64>
// CHECK: %[[OUT:.*]] = kiln.cast %[[ML]] {to = f32} : tensor<1x4x8x8xf16> -> tensor<1x4x8x8xf32>
// CHECK: return %[[OUT]], %[[I]] : tensor<1x4x8x8xf32>, tensor<2xsi64>
// BF16-LABEL: func @main
// BF16-DAG: kiln.constant dense<1.000980e-01> : tensor<4x3x3x3xbf16>
// BF16-DAG: kiln.constant dense<[1.000980e-01, 1.000000e+00, -2.000000e+00, 3.004060e+38]> : tensor<4xbf16>
// BF16: kiln_lib.conv2d {{.*}} : tensor<1x3x8x8xbf16>, tensor<4x3x3x3xbf16> bias tensor<4xbf16> into tensor<1x4x8x8xbf16> -> tensor<1x4x8x8xbf16>
// BF16: kiln.softmax %{{.*}} : tensor<1x4x8x8xf32>
func.func @main(%x: tensor<1x3x8x8xf32>, %ids: tensor<2xsi64>) -> (tensor<1x4x8x8xf32>, tensor<2xsi64>) attributes {kiln.entry} {
  %w = kiln.constant dense<0.1> : tensor<4x3x3x3xf32>
  %b = kiln.constant dense_resource<bias> : tensor<4xf32>
  %init = tensor.empty() : tensor<1x4x8x8xf32>
  %y = kiln_lib.conv2d %x, %w bias %b into %init {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> bias tensor<4xf32> into tensor<1x4x8x8xf32> -> tensor<1x4x8x8xf32>
  %eps = kiln.constant dense<1.0e-12> : tensor<f32>
  %a = kiln.add %y, %eps : (tensor<1x4x8x8xf32>, tensor<f32>) -> tensor<1x4x8x8xf32>
  %s = kiln.softmax %a {axis = 1 : i64} : tensor<1x4x8x8xf32>
  %m = kiln.mul %s, %y : (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %i = kiln.add %ids, %ids : (tensor<2xsi64>, tensor<2xsi64>) -> tensor<2xsi64>
  return %m, %i : tensor<1x4x8x8xf32>, tensor<2xsi64>
}
{-#
  dialect_resources: {
    builtin: {
      bias: "0x04000000CDCCCC3D0000803F000000C0B4F8617F"
    }
  }
#-}

// -----

// Data movement copies f16; a product left to generated code computes in
// f32 from its f16 input and a weight rounded to f16's values but kept
// f32; an f32 input that only f32 ops read is not cast at all.
// CHECK-LABEL: func @movement
// CHECK: %[[XL:.*]] = kiln.cast %arg0 {to = f16} : tensor<2x3x4xf32> -> tensor<2x3x4xf16>
// CHECK: %[[T:.*]] = kiln.transpose %[[XL]] {perm = array<i64: 0, 2, 1>} : tensor<2x3x4xf16> -> tensor<2x4x3xf16>
// CHECK: %[[R:.*]] = kiln.reshape %[[T]], %{{.*}} : (tensor<2x4x3xf16>, tensor<2xsi64>) -> tensor<8x3xf16>
// CHECK: %[[W:.*]] = kiln.constant dense<0.0999755859> : tensor<3x5xf32>
// CHECK: %[[R32:.*]] = kiln.cast %[[R]] {to = f32}
// CHECK: %[[P:.*]] = kiln.matmul %[[R32]], %[[W]] : (tensor<8x3xf32>, tensor<3x5xf32>) -> tensor<8x5xf32>
// CHECK: kiln.cast %[[P]] {to = f16}
// CHECK: kiln.exp %arg1 : tensor<8x5xf32>
// CHECK-NOT: kiln.constant dense<1.000000e-01>
func.func @movement(%x: tensor<2x3x4xf32>, %z: tensor<8x5xf32>) -> (tensor<8x5xf32>, tensor<8x5xf32>) attributes {kiln.entry} {
  %t = kiln.transpose %x {perm = array<i64: 0, 2, 1>} : tensor<2x3x4xf32> -> tensor<2x4x3xf32>
  %shape = kiln.constant dense<[8, 3]> : tensor<2xsi64>
  %r = kiln.reshape %t, %shape : (tensor<2x4x3xf32>, tensor<2xsi64>) -> tensor<8x3xf32>
  %w = kiln.constant dense<0.1> : tensor<3x5xf32>
  %p = kiln.matmul %r, %w : (tensor<8x3xf32>, tensor<3x5xf32>) -> tensor<8x5xf32>
  %e = kiln.exp %z : tensor<8x5xf32>
  return %p, %e : tensor<8x5xf32>, tensor<8x5xf32>
}

// -----

// Max pooling compares f16 values directly; the ReLU before it computes in
// f32 and is rounded.
// CHECK-LABEL: func @pool
// CHECK: %[[R:.*]] = kiln.relu %{{.*}} : tensor<1x2x4x4xf32>
// CHECK: %[[RL:.*]] = kiln.cast %[[R]] {to = f16}
// CHECK: %[[P:.*]] = kiln.max_pool %[[RL]] {{.*}} : tensor<1x2x4x4xf16> -> tensor<1x2x2x2xf16>
// CHECK: %[[P32:.*]] = kiln.cast %[[P]] {to = f32}
// CHECK: return %[[P32]]
func.func @pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> attributes {kiln.entry} {
  %r = kiln.relu %x : tensor<1x2x4x4xf32>
  %p = kiln.max_pool %r {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %p : tensor<1x2x2x2xf32>
}

// -----

// Tensors already f16 or f64 in the model are left alone.
// CHECK-LABEL: func @other_floats
// CHECK-NEXT: kiln.add %arg0, %arg0 : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
// CHECK-NEXT: kiln.transpose %arg1 {{.*}} : tensor<2x3xf64> -> tensor<3x2xf64>
// CHECK-NEXT: return
func.func @other_floats(%h: tensor<4xf16>, %d: tensor<2x3xf64>) -> (tensor<4xf16>, tensor<3x2xf64>) attributes {kiln.entry} {
  %a = kiln.add %h, %h : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  %t = kiln.transpose %d {perm = array<i64: 1, 0>} : tensor<2x3xf64> -> tensor<3x2xf64>
  return %a, %t : tensor<4xf16>, tensor<3x2xf64>
}

// -----

// A low value read inside a region is cast up before the region's op.
// CHECK-LABEL: func @region
// CHECK: %[[T:.*]] = kiln.transpose %{{.*}} : tensor<2x2xf16> -> tensor<2x2xf16>
// CHECK: %[[T32:.*]] = kiln.cast %[[T]] {to = f32} : tensor<2x2xf16> -> tensor<2x2xf32>
// CHECK: kiln.if
// CHECK: kiln.neg %[[T32]] : tensor<2x2xf32>
func.func @region(%x: tensor<2x2xf32>, %c: tensor<i1>) -> tensor<2x2xf32> attributes {kiln.entry} {
  %t = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x2xf32> -> tensor<2x2xf32>
  %r = kiln.if %c : tensor<i1> -> (tensor<2x2xf32>) {
    %n = kiln.neg %t : tensor<2x2xf32>
    kiln.yield %n : tensor<2x2xf32>
  } else {
    kiln.yield %x : tensor<2x2xf32>
  }
  return %r : tensor<2x2xf32>
}
