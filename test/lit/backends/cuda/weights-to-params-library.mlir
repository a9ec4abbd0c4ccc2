// On CUDA (library-operands=true) a small constant that a library call
// reads, directly or through a reshape, is a parameter too (the library
// reads device memory; a constant in the code would be written there by a
// kernel at every run). Small constants that generated code reads stay;
// without the option, every small constant stays.
// RUN: kiln-opt %s --kiln-weights-to-params="min-bytes=256 library-operands=true" | FileCheck %s
// RUN: kiln-opt %s --kiln-weights-to-params="min-bytes=256" | FileCheck %s --check-prefix=OFF

// The shape of the bias's reshape stays a constant (only data counts).
// CHECK: module attributes {kiln.param_names = ["w", "bias"]
// CHECK-LABEL: func @main_graph
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<4x5xf32> {bufferization.writable = false, kiln.param = "w"}
// CHECK-SAME: %[[B:[a-z0-9]+]]: tensor<5xf32> {bufferization.writable = false, kiln.param = "bias"})
// CHECK: kiln.constant dense<3.000000e+00> : tensor<3x5xf32>
// CHECK: %[[S:.*]] = kiln.constant dense<[1, 5]> : tensor<2xsi64>
// CHECK: kiln.reshape %[[B]], %[[S]]
// OFF: kiln.param_names = []
// OFF-NOT: kiln.param =
func.func @main_graph(%x: tensor<3x4xf32>) -> tensor<3x5xf32> attributes {kiln.entry} {
  %w = kiln.constant dense<1.0> : tensor<4x5xf32> loc("w")
  %b = kiln.constant dense<2.0> : tensor<5xf32> loc("bias")
  %other = kiln.constant dense<3.0> : tensor<3x5xf32> loc("other")
  %shape = kiln.constant dense<[1, 5]> : tensor<2xsi64>
  %b2 = kiln.reshape %b, %shape : (tensor<5xf32>, tensor<2xsi64>) -> tensor<1x5xf32>
  %e = tensor.empty() : tensor<3x5xf32>
  %y = kiln_lib.matmul %x, %w post %b2 into %e {post_ops = ["add"], post_args = array<f32: 0.0, 0.0>} : tensor<3x4xf32>, tensor<4x5xf32>, tensor<1x5xf32> into tensor<3x5xf32> -> tensor<3x5xf32>
  %z = kiln.add %y, %other : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  return %z : tensor<3x5xf32>
}
