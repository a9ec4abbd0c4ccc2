// Elementwise loops give each thread 16 contiguous bytes
// (backends/cuda/VectorizeLoops.cpp): the innermost dimension steps by V,
// accesses along it become aligned vector loads and stores, the arithmetic
// works on vectors, and values that do not depend on it are broadcast.
// Loops that do not qualify are left exactly as they are.
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-cuda-vectorize-loops))' | FileCheck %s

// float32: V = 4. The row's scale (indexed by an outer variable) stays a
// scalar load and is broadcast; the bias along the row is a vector load.
// CHECK-LABEL: func @f32_rows
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) = ({{.*}}) to ({{.*}}) step (%{{.*}}, %[[C4]])
// CHECK:   %[[X:.*]] = vector.load %arg0[%[[I]], %[[J]]] {alignment = 16 : i64} : memref<3x8xf32>, vector<4xf32>
// CHECK:   %[[S:.*]] = memref.load %arg1[%[[I]]] : memref<3xf32>
// CHECK:   %[[B:.*]] = vector.load %arg2[%[[J]]] {alignment = 16 : i64} : memref<8xf32>, vector<4xf32>
// CHECK:   %[[SB:.*]] = vector.broadcast %[[S]] : f32 to vector<4xf32>
// CHECK:   %[[M:.*]] = arith.mulf %[[X]], %[[SB]] fastmath<contract> : vector<4xf32>
// CHECK:   %[[A:.*]] = arith.addf %[[M]], %[[B]] : vector<4xf32>
// CHECK:   %[[E:.*]] = math.erf %[[A]] : vector<4xf32>
// CHECK:   %[[Z:.*]] = vector.broadcast %{{.*}} : f32 to vector<4xf32>
// CHECK:   %[[R:.*]] = arith.maximumf %[[E]], %[[Z]] : vector<4xf32>
// CHECK:   vector.store %[[R]], %arg3[%[[I]], %[[J]]] {alignment = 16 : i64} : memref<3x8xf32>, vector<4xf32>
// CHECK-NOT: memref.store
func.func @f32_rows(%x: memref<3x8xf32>, %s: memref<3xf32>, %b: memref<8xf32>,
                    %y: memref<3x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c3, %c8) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<3x8xf32>
    %scale = memref.load %s[%i] : memref<3xf32>
    %bias = memref.load %b[%j] : memref<8xf32>
    %m = arith.mulf %v, %scale fastmath<contract> : f32
    %a = arith.addf %m, %bias : f32
    %e = math.erf %a : f32
    %r = arith.maximumf %e, %zero : f32
    memref.store %r, %y[%i, %j] : memref<3x8xf32>
    scf.reduce
  }
  return
}

// -----

// float16 data computed in float32: V counts the accessed elements (f16),
// so each thread moves 16 bytes (8 halves) and computes on vector<8xf32>.
// Comparisons and selects work on vectors of i1.
// CHECK-LABEL: func @f16_through_f32
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK: step (%[[C8]])
// CHECK: %[[H:.*]] = vector.load %arg0[%{{.*}}] {alignment = 16 : i64} : memref<16xf16>, vector<8xf16>
// CHECK: %[[F:.*]] = arith.extf %[[H]] : vector<8xf16> to vector<8xf32>
// CHECK: %[[C:.*]] = arith.cmpf ogt, %[[F]], %{{.*}} : vector<8xf32>
// CHECK: %[[S:.*]] = arith.select %[[C]], %[[F]], %{{.*}} : vector<8xi1>, vector<8xf32>
// CHECK: %[[T:.*]] = arith.truncf %[[S]] : vector<8xf32> to vector<8xf16>
// CHECK: vector.store %[[T]], %arg1[%{{.*}}] {alignment = 16 : i64} : memref<16xf16>, vector<8xf16>
func.func @f16_through_f32(%x: memref<16xf16>, %y: memref<16xf16>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    %h = memref.load %x[%i] : memref<16xf16>
    %f = arith.extf %h : f16 to f32
    %c = arith.cmpf ogt, %f, %zero : f32
    %s = arith.select %c, %f, %zero : f32
    %t = arith.truncf %s : f32 to f16
    memref.store %t, %y[%i] : memref<16xf16>
    scf.reduce
  }
  return
}

// -----

// A view whose offset and strides are multiples of V qualifies; a store of
// a value that does not depend on the innermost variable is broadcast.
// CHECK-LABEL: func @aligned_view_fill
// CHECK: %[[V:.*]] = vector.broadcast %arg1 : f32 to vector<4xf32>
// CHECK: vector.store %[[V]], %{{.*}}[%{{.*}}, %{{.*}}] {alignment = 16 : i64} : memref<2x8xf32, strided<[16, 1], offset: 4>>, vector<4xf32>
func.func @aligned_view_fill(%m: memref<4x16xf32>, %value: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %view = memref.subview %m[0, 4] [2, 8] [1, 1]
      : memref<4x16xf32> to memref<2x8xf32, strided<[16, 1], offset: 4>>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c2, %c8) step (%c1, %c1) {
    memref.store %value, %view[%i, %j] : memref<2x8xf32, strided<[16, 1], offset: 4>>
    scf.reduce
  }
  return
}

// -----

// Loops that do not qualify keep one element per iteration.
// CHECK-LABEL: func @left_alone
// CHECK-NOT: vector.
// CHECK: return
func.func @left_alone(%x: memref<3x7xf32>, %y: memref<3x7xf32>,
                      %t: memref<8x8xf32>, %u: memref<8x8xf32>,
                      %o: memref<4x6xf32, strided<[8, 1], offset: 2>>,
                      %p: memref<4x6xf32>, %q: memref<8xf32>,
                      %r: memref<8x4xf32>, %bools: memref<16xi1>,
                      %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c6 = arith.constant 6 : index
  %c7 = arith.constant 7 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %zero = arith.constant 0.0 : f32
  // 7 is no multiple of 4.
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c7) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<3x7xf32>
    memref.store %v, %y[%i, %j] : memref<3x7xf32>
    scf.reduce
  }
  // A transposed read.
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) {
    %v = memref.load %t[%j, %i] : memref<8x8xf32>
    memref.store %v, %u[%i, %j] : memref<8x8xf32>
    scf.reduce
  }
  // An offset of 2 floats: not 16-byte aligned.
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c4) step (%c1, %c1) {
    %v = memref.load %o[%i, %j] : memref<4x6xf32, strided<[8, 1], offset: 2>>
    memref.store %v, %p[%i, %j] : memref<4x6xf32>
    scf.reduce
  }
  // The innermost variable as a value (an iota).
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %k = arith.index_cast %i : index to i32
    %f = arith.sitofp %k : i32 to f32
    memref.store %f, %q[%i] : memref<8xf32>
    scf.reduce
  }
  // A reduction loop inside.
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %s = scf.for %k = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> f32 {
      %v = memref.load %r[%i, %k] : memref<8x4xf32>
      %a = arith.addf %acc, %v : f32
      scf.yield %a : f32
    }
    memref.store %s, %q[%i] : memref<8xf32>
    scf.reduce
  }
  // A store that does not run along the innermost variable.
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) {
    %v = memref.load %t[%i, %j] : memref<8x8xf32>
    memref.store %v, %q[%i] : memref<8xf32>
    scf.reduce
  }
  // Booleans (i1 is not byte-addressable as a vector element here).
  scf.parallel (%i) = (%c0) to (%c16) step (%c1) {
    %b = memref.load %bools[%i] : memref<16xi1>
    %nb = arith.xori %b, %b : i1
    memref.store %nb, %bools[%i] : memref<16xi1>
    scf.reduce
  }
  // A dynamic bound.
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %zero, %q[%i] : memref<8xf32>
    scf.reduce
  }
  return
}

// -----

// A global (the device module's copy need not be 16-byte aligned).
memref.global "private" constant @table : memref<8xf32> = dense<1.0>
// CHECK-LABEL: func @global_read
// CHECK-NOT: vector.
// CHECK: return
func.func @global_read(%y: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %g = memref.get_global @table : memref<8xf32>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %v = memref.load %g[%i] : memref<8xf32>
    memref.store %v, %y[%i] : memref<8xf32>
    scf.reduce
  }
  return
}
