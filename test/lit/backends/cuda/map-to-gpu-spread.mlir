// A static launch too small to give every multiprocessor a full block gets
// smaller blocks (backends/cuda/MapToGpu.cpp), a multiple of 32.
// RUN: kiln-opt %s -split-input-file --kiln-cuda-map-to-gpu='block-size=256 multiprocessors=16' | FileCheck %s
// RUN: kiln-opt %s -split-input-file --kiln-cuda-map-to-gpu='block-size=256' | FileCheck %s --check-prefix=UNKNOWN

// 1000 threads over 16 multiprocessors: ceil(1000 / 16) = 63 -> blocks of
// 64, 16 of them. Without the count: blocks of 256, 4 of them.
// CHECK-LABEL: func @small
// CHECK-DAG: %[[B:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[G:.*]] = arith.constant 16 : index
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %[[G]], {{.*}} threads({{.*}}) in (%{{.*}} = %[[B]],
// UNKNOWN-LABEL: func @small
// UNKNOWN-DAG: %[[B:.*]] = arith.constant 256 : index
// UNKNOWN-DAG: %[[G:.*]] = arith.constant 4 : index
// UNKNOWN: gpu.launch blocks({{.*}}) in (%{{.*}} = %[[G]], {{.*}} threads({{.*}}) in (%{{.*}} = %[[B]],
func.func @small(%a: memref<1000xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 1000 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %one, %a[%i] : memref<1000xf32>
  }
  return
}

// -----

// Edge cases: 40 threads still get one warp per block, 2 blocks; 4096 (=
// 256 x 16) and more keep full blocks; a dynamic size keeps block-size.
// CHECK-LABEL: func @edges
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c2{{.*}} threads({{.*}}) in (%{{.*}} = %c32{{.*}} function(@k0)
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c16{{.*}} threads({{.*}}) in (%{{.*}} = %c256{{.*}} function(@k1)
// CHECK: gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c256{{.*}} function(@k2)
func.func @edges(%a: memref<4096xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c40 = arith.constant 40 : index
  %c4096 = arith.constant 4096 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c0) to (%c40) step (%c1) {
    memref.store %one, %a[%i] : memref<4096xf32>
  }
  scf.parallel (%i) = (%c0) to (%c4096) step (%c1) {
    memref.store %one, %a[%i] : memref<4096xf32>
  }
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %one, %a[%i] : memref<4096xf32>
  }
  return
}
