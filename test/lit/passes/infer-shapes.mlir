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

// -----

// A range of constant integers has a static length: max(ceil((limit -
// start) / delta), 0), counting down with a negative delta; a zero delta
// (an error at run time), float bounds and bounds known only at run time
// stay dynamic.
// CHECK-LABEL: func @range_lengths
// CHECK: kiln.range {{.*}} -> tensor<56xsi64>
// CHECK: kiln.range {{.*}} -> tensor<4xsi32>
// CHECK: kiln.range {{.*}} -> tensor<0xsi64>
// CHECK: kiln.range {{.*}} -> tensor<?xsi64>
// CHECK: kiln.range {{.*}} -> tensor<?xf32>
// CHECK: kiln.range {{.*}} -> tensor<?xsi64>
func.func @range_lengths(%n: tensor<si64>) -> (tensor<?xsi64>, tensor<?xsi32>, tensor<?xsi64>, tensor<?xsi64>, tensor<?xf32>, tensor<?xsi64>) {
  %c0 = kiln.constant dense<0> : tensor<si64>
  %c1 = kiln.constant dense<1> : tensor<si64>
  %c56 = kiln.constant dense<56> : tensor<si64>
  %r0 = kiln.range %c0, %c56, %c1 : (tensor<si64>, tensor<si64>, tensor<si64>) -> tensor<?xsi64>
  %a = kiln.constant dense<10> : tensor<si32>
  %b = kiln.constant dense<-1> : tensor<si32>
  %d = kiln.constant dense<-3> : tensor<si32>
  %r1 = kiln.range %a, %b, %d : (tensor<si32>, tensor<si32>, tensor<si32>) -> tensor<?xsi32>
  %r2 = kiln.range %c56, %c0, %c1 : (tensor<si64>, tensor<si64>, tensor<si64>) -> tensor<?xsi64>
  %r3 = kiln.range %c0, %c56, %c0 : (tensor<si64>, tensor<si64>, tensor<si64>) -> tensor<?xsi64>
  %f0 = kiln.constant dense<0.0> : tensor<f32>
  %f1 = kiln.constant dense<2.5> : tensor<f32>
  %r4 = kiln.range %f0, %f1, %f1 : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  %r5 = kiln.range %c0, %n, %c1 : (tensor<si64>, tensor<si64>, tensor<si64>) -> tensor<?xsi64>
  return %r0, %r1, %r2, %r3, %r4, %r5 : tensor<?xsi64>, tensor<?xsi32>, tensor<?xsi64>, tensor<?xsi64>, tensor<?xf32>, tensor<?xsi64>
}
