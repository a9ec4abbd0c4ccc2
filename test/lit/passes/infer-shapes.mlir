// Result types become as precise as inference allows; function results
// follow; contradictions are errors.
// RUN: kiln-opt %s --kiln-infer-shapes -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func @refine
// CHECK-SAME: -> tensor<2x3xf32>
// CHECK: kiln.reshape %{{.*}}, %{{.*}} : (tensor<6xf32>, tensor<2xsi64>) -> tensor<2x3xf32>
// CHECK: kiln.relu %{{.*}} : tensor<2x3xf32>
func.func @refine(%x: tensor<6xf32>) -> tensor<?x?xf32> {
  %s = kiln.constant dense<[2, 3]> : tensor<2xsi64>
  %0 = kiln.reshape %x, %s : (tensor<6xf32>, tensor<2xsi64>) -> tensor<?x?xf32>
  %1 = kiln.relu %0 : tensor<?x?xf32>
  return %1 : tensor<?x?xf32>
}

// -----

// A dimension that is only known dynamically stays dynamic.
// CHECK-LABEL: func @keep_dynamic
// CHECK: -> tensor<?x4xf32>
func.func @keep_dynamic(%x: tensor<?x4xf32>, %b: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = kiln.add %x, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
