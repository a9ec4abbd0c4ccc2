// Epilogues the CUDA library wrappers do not run are rejected with the
// op named (kiln-cuda-select-library-calls never makes them).
// RUN: kiln-opt %s --kiln-cuda-host-to-llvm --split-input-file --verify-diagnostics

// An added matrix, not a column bias.
func.func @full(%a: memref<3x4xf32>, %b: memref<4x5xf32>, %r: memref<3x5xf32>, %c: memref<3x5xf32>) {
  // expected-error @+1 {{is not supported by the CUDA library wrappers}}
  kiln_lib.matmul %a, %b post %r into %c {post_ops = ["add"], post_args = array<f32: 0.0, 0.0>} : memref<3x4xf32>, memref<4x5xf32>, memref<3x5xf32> into memref<3x5xf32>
  return
}

// -----

// The erf GELU (cuBLASLt's GELU is the tanh form).
func.func @gelu_erf(%a: memref<3x4xf32>, %b: memref<4x5xf32>, %c: memref<3x5xf32>) {
  // expected-error @+1 {{is not supported by the CUDA library wrappers}}
  kiln_lib.matmul %a, %b into %c {post_ops = ["gelu_erf"], post_args = array<f32: 0.0, 0.0>} : memref<3x4xf32>, memref<4x5xf32> into memref<3x5xf32>
  return
}

// -----

// The activation before the bias.
func.func @relu_then_bias(%a: memref<3x4xf32>, %b: memref<4x5xf32>, %bias: memref<1x5xf32>, %c: memref<3x5xf32>) {
  // expected-error @+1 {{is not supported by the CUDA library wrappers}}
  kiln_lib.matmul %a, %b post %bias into %c {post_ops = ["relu", "add"], post_args = array<f32: 0.0, 0.0, 0.0, 0.0>} : memref<3x4xf32>, memref<4x5xf32>, memref<1x5xf32> into memref<3x5xf32>
  return
}

// -----

// An epilogue on a product that accumulates into C.
func.func @accumulate(%a: memref<3x4xf32>, %b: memref<4x5xf32>, %c: memref<3x5xf32>) {
  // expected-error @+1 {{is not supported by the CUDA library wrappers}}
  kiln_lib.matmul %a, %b into %c {accumulate, post_ops = ["relu"], post_args = array<f32: 0.0, 0.0>} : memref<3x4xf32>, memref<4x5xf32> into memref<3x5xf32>
  return
}

// -----

// A bias of another length than N.
func.func @short_bias(%a: memref<3x4xf32>, %b: memref<4x5xf32>, %bias: memref<1x1xf32>, %c: memref<3x5xf32>) {
  // expected-error @+1 {{is not supported by the CUDA library wrappers}}
  kiln_lib.matmul %a, %b post %bias into %c {post_ops = ["add"], post_args = array<f32: 0.0, 0.0>} : memref<3x4xf32>, memref<4x5xf32>, memref<1x1xf32> into memref<3x5xf32>
  return
}

// -----

// A convolution's addend of another shape than y (a broadcast).
func.func @conv_broadcast(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %z: memref<1x4x1x1xf32>, %y: memref<1x4x8x8xf32>) {
  // expected-error @+1 {{is not supported by the CUDA library wrappers}}
  kiln_lib.conv2d %x, %w post %z into %y {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, post_ops = ["add"], post_args = array<f32: 0.0, 0.0>, strides = array<i64: 1, 1>} : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>, memref<1x4x1x1xf32> into memref<1x4x8x8xf32>
  return
}

// -----

// A ReLU before the residual (cuDNN adds z before the activation).
func.func @conv_relu_then_add(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %z: memref<1x4x8x8xf32>, %y: memref<1x4x8x8xf32>) {
  // expected-error @+1 {{is not supported by the CUDA library wrappers}}
  kiln_lib.conv2d %x, %w post %z into %y {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, post_ops = ["relu", "add"], post_args = array<f32: 0.0, 0.0, 0.0, 0.0>, strides = array<i64: 1, 1>} : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>, memref<1x4x8x8xf32> into memref<1x4x8x8xf32>
  return
}
