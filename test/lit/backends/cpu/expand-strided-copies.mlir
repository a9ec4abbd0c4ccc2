// Copies between non-contiguous buffers become linalg.copy; contiguous ones
// stay memref.copy (memcpy).
// RUN: kiln-opt %s --kiln-expand-strided-copies | FileCheck %s

// CHECK-LABEL: func @copies
// CHECK: memref.copy %arg0, %arg1 : memref<4x4xf32> to memref<4x4xf32>
// CHECK: linalg.copy ins(%{{.*}} : memref<4x2xf32, strided<[4, 1]>>) outs(%{{.*}} : memref<4x2xf32>)
func.func @copies(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %c: memref<4x2xf32>) {
  memref.copy %a, %b : memref<4x4xf32> to memref<4x4xf32>
  %v = memref.subview %a[0, 0] [4, 2] [1, 1] : memref<4x4xf32> to memref<4x2xf32, strided<[4, 1]>>
  memref.copy %v, %c : memref<4x2xf32, strided<[4, 1]>> to memref<4x2xf32>
  return
}
