// Constants used in a launch are copied into it (backends/cuda/SinkConstants.cpp);
// values computed on the host stay operands.
// RUN: kiln-opt %s --kiln-cuda-sink-constants | FileCheck %s

// CHECK-LABEL: func @f
// CHECK: gpu.launch
// CHECK-DAG: arith.constant 8192 : index
// CHECK-DAG: arith.constant 2.500000e-01 : f32
// CHECK: arith.divui %{{.*}}, %{{.*}} : index
// CHECK: arith.addi %{{.*}}, %arg1 : index
func.func @f(%m: memref<8192xf32>, %n: index) {
  %c1 = arith.constant 1 : index
  %c8192 = arith.constant 8192 : index
  %quarter = arith.constant 0.25 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1) threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %q = arith.divui %tx, %c8192 : index
    %i = arith.addi %q, %n : index
    memref.store %quarter, %m[%i] : memref<8192xf32>
    gpu.terminator
  }
  return
}
