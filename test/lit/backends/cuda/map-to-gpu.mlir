// Every memory access of the bufferized host code moves into a kernel:
// parallel loops become one thread per iteration (linearised, innermost
// dimension fastest), copies become parallel copies, lone stores a
// single-thread launch. Kernels are named k<N> in @kiln_kernels.
// RUN: kiln-opt %s --kiln-cuda-map-to-gpu='block-size=128' | FileCheck %s

// CHECK: module attributes {gpu.container_module}
// CHECK-LABEL: func @add
// CHECK-DAG: %[[N:.*]] = arith.constant 1000 : index
// CHECK-DAG: %[[OUT:.*]] = memref.alloc()
// CHECK-DAG: %[[B:.*]] = arith.constant 128 : index
// CHECK-DAG: %[[G:.*]] = arith.constant 8 : index
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[G]], {{.*}} threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%[[BD:.*]] = %[[B]], {{.*}} module(@kiln_kernels) function(@k0)
// CHECK:   %[[T0:.*]] = arith.muli %[[BX]], %[[BD]]
// CHECK:   %[[T:.*]] = arith.addi %[[T0]], %[[TX]]
// CHECK:   %[[IN:.*]] = arith.cmpi ult, %[[T]], %[[N]]
// CHECK:   scf.if %[[IN]]
// CHECK:     memref.load %arg0
// CHECK:     memref.load %arg1
// CHECK:     arith.addf
// CHECK:     memref.store %{{.*}}, %[[OUT]]
// CHECK:   gpu.terminator
// CHECK-NOT: memref.load
// CHECK: return %[[OUT]]
func.func @add(%a: memref<1000xf32>, %b: memref<1000xf32>) -> memref<1000xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 1000 : index
  %out = memref.alloc() {alignment = 64 : i64} : memref<1000xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %x = memref.load %a[%i] : memref<1000xf32>
    %y = memref.load %b[%i] : memref<1000xf32>
    %s = arith.addf %x, %y : f32
    memref.store %s, %out[%i] : memref<1000xf32>
  }
  return %out : memref<1000xf32>
}

// Blocks are no larger than the work: 32 threads for 32 elements.
// CHECK-LABEL: func @copy
// CHECK-NOT: memref.copy
// CHECK: gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %c32{{.*}} function(@k1)
// CHECK:   arith.remui %{{.*}}, %c8
// CHECK:   arith.divui %{{.*}}, %c8
// CHECK:   memref.load %arg0
// CHECK:   memref.store
func.func @copy(%a: memref<4x8xf32>) -> memref<4x8xf32> {
  %out = memref.alloc() : memref<4x8xf32>
  memref.copy %a, %out : memref<4x8xf32> to memref<4x8xf32>
  return %out : memref<4x8xf32>
}

// CHECK-LABEL: func @scalar
// CHECK: %[[ONE:.*]] = arith.constant 1 : index
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %[[ONE]], {{.*}} threads({{.*}}) in (%{{.*}} = %[[ONE]], {{.*}} function(@k2)
// CHECK-NEXT: memref.store %{{.*}}, %arg0[]
func.func @scalar(%a: memref<f32>) {
  %cst = arith.constant 1.0 : f32
  memref.store %cst, %a[] : memref<f32>
  return
}

// A reshape to a static shape is a view on the host, not a memory access
// (its shape operand is a constant global that only a kernel could read).
// CHECK-LABEL: func @static_reshape
// CHECK-NOT: memref.reshape
// CHECK: %[[VIEW:.*]] = memref.reinterpret_cast %arg0 to offset: [0], sizes: [1, 120], strides: [120, 1]
// CHECK: gpu.launch
// CHECK: memref.load %[[VIEW]]
memref.global "private" constant @shape : memref<2xindex> = dense<[1, 120]>
func.func @static_reshape(%a: memref<2x3x4x5xf32>) -> memref<1x120xf32> {
  %s = memref.get_global @shape : memref<2xindex>
  %v = memref.reshape %a(%s) : (memref<2x3x4x5xf32>, memref<2xindex>) -> memref<1x120xf32>
  %out = memref.alloc() : memref<1x120xf32>
  memref.copy %v, %out : memref<1x120xf32> to memref<1x120xf32>
  return %out : memref<1x120xf32>
}

// A scalar input read on the device (here by a first access, then by the
// loop): each thread reads it again, and the kernel that only computed it
// is gone.
// CHECK-LABEL: func @scalar_input
// CHECK: memref.alloc
// CHECK: gpu.launch
// CHECK: scf.if
// CHECK: %[[K:.*]] = memref.load %arg1[]
// CHECK: %[[KI:.*]] = arith.index_cast %[[K]]
// CHECK: arith.cmpi sle, %{{.*}}, %[[KI]]
// CHECK: gpu.terminator
// CHECK-NOT: gpu.launch
// CHECK: return
func.func @scalar_input(%a: memref<4x5xi64>, %k: memref<i64>) -> memref<4x5xi64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %zero = arith.constant 0 : i64
  %kv = memref.load %k[] : memref<i64>
  %ki = arith.index_cast %kv : i64 to index
  %out = memref.alloc() : memref<4x5xi64>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c5) step (%c1, %c1) {
    %d = arith.subi %j, %i : index
    %keep = arith.cmpi sle, %d, %ki : index
    %x = memref.load %a[%i, %j] : memref<4x5xi64>
    %y = arith.select %keep, %x, %zero : i64
    memref.store %y, %out[%i, %j] : memref<4x5xi64>
    scf.reduce
  }
  return %out : memref<4x5xi64>
}
