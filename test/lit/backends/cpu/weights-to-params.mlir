// Large constants of the entry function become non-writable parameters,
// named after their location; small ones stay.
// RUN: kiln-opt %s --kiln-weights-to-params=min-bytes=64 -split-input-file -verify-diagnostics | FileCheck %s

// CHECK: module attributes {kiln.param_names = ["w"], kiln.param_values = [dense<1.000000e+00> : tensor<4x4xf32>]}
// CHECK-LABEL: func @main_graph
// CHECK-SAME: (%[[X:.*]]: tensor<1x4xf32>, %[[W:.*]]: tensor<4x4xf32> {bufferization.writable = false, kiln.param = "w"})
// CHECK: %[[SMALL:.*]] = kiln.constant dense<2.000000e+00> : tensor<4xf32>
// CHECK: kiln.matmul %[[X]], %[[W]]
func.func @main_graph(%x: tensor<1x4xf32>) -> tensor<1x4xf32> attributes {kiln.entry} {
  %w = kiln.constant dense<1.0> : tensor<4x4xf32> loc("w")
  %s = kiln.constant dense<2.0> : tensor<4xf32>
  %0 = kiln.matmul %x, %w : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
  %1 = kiln.add %0, %s : (tensor<1x4xf32>, tensor<4xf32>) -> tensor<1x4xf32>
  return %1 : tensor<1x4xf32>
}

// -----

// Two weights with the same name get distinct parameter names.
// CHECK: kiln.param_names = ["w", "w_1"]
// CHECK-LABEL: func @main_graph
func.func @main_graph(%x: tensor<16xf32>) -> tensor<16xf32> attributes {kiln.entry} {
  %a = kiln.constant dense<1.0> : tensor<16xf32> loc("w")
  %b = kiln.constant dense<2.0> : tensor<16xf32> loc("w")
  %0 = kiln.add %x, %a : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  %1 = kiln.add %0, %b : (tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  return %1 : tensor<16xf32>
}

// -----

// expected-error @+1 {{no function is marked kiln.entry}}
module {
  func.func @f() {
    return
  }
}
