// A reshape to sizes known at run time reads them from a small array that
// the host fills (a 1-D MatMul's unit dimension): the array becomes host
// stack memory and its stores, the reshape and the loads stay on the host,
// instead of a kernel writing sizes the host then needs. Sizes that come
// from device data still cannot be read back.
// RUN: kiln-opt %s --kiln-cuda-map-to-gpu='block-size=128' -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @reshape_sizes
// CHECK: %[[SHAPE:.*]] = memref.alloca() : memref<2xindex>
// CHECK: %[[N:.*]] = memref.dim %arg0, %c0
// CHECK: memref.store %c1, %[[SHAPE]][%c0]
// CHECK: memref.store %[[N]], %[[SHAPE]][%c1]
// CHECK: %[[VIEW:.*]] = memref.reshape %arg0(%[[SHAPE]])
// CHECK: %[[COLS:.*]] = memref.load %[[SHAPE]][%c1]
// CHECK: %[[OUT:.*]] = memref.alloc(%[[COLS]])
// CHECK: gpu.launch
// CHECK: memref.load %[[VIEW]]
// CHECK-NOT: memref.dealloc %[[SHAPE]]
// CHECK: return %[[OUT]]
func.func @reshape_sizes(%arg0: memref<?xf32>) -> memref<1x?xf32> attributes {kiln.entry} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %dim = memref.dim %arg0, %c0 : memref<?xf32>
  %shape = memref.alloc() : memref<2xindex>
  memref.store %c1, %shape[%c0] : memref<2xindex>
  memref.store %dim, %shape[%c1] : memref<2xindex>
  %view = memref.reshape %arg0(%shape) : (memref<?xf32>, memref<2xindex>) -> memref<1x?xf32>
  %n = memref.load %shape[%c1] : memref<2xindex>
  %out = memref.alloc(%n) : memref<1x?xf32>
  memref.copy %view, %out : memref<1x?xf32> to memref<1x?xf32>
  memref.dealloc %shape : memref<2xindex>
  return %out : memref<1x?xf32>
}

// -----

func.func @reshape_sizes_from_data(%arg0: memref<?xf32>, %sizes: memref<2xindex>) -> memref<?x?xf32> attributes {kiln.entry} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %shape = memref.alloc() : memref<2xindex>
  %rows = memref.load %sizes[%c0] : memref<2xindex>
  memref.store %rows, %shape[%c0] : memref<2xindex>
  memref.store %c1, %shape[%c1] : memref<2xindex>
  %view = memref.reshape %arg0(%shape) : (memref<?xf32>, memref<2xindex>) -> memref<?x?xf32>
  // expected-note @+1 {{computed here}}
  %n = memref.load %shape[%c0] : memref<2xindex>
  // expected-error @+1 {{the host needs a value that is only known on the device}}
  %out = memref.alloc(%n, %c1) : memref<?x?xf32>
  memref.copy %view, %out : memref<?x?xf32> to memref<?x?xf32>
  return %out : memref<?x?xf32>
}
