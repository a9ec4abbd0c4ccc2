// Row reductions with too few rows to fill a GPU run in two phases
// (backends/cuda/SplitReductions.cpp): rows x P threads combine every P-th
// element from the combiner's identity into partials, then each row
// combines its P partials from its original initial value.
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-cuda-split-reductions{max-rows=1000}))' | FileCheck %s

// A sum over 768 elements: P = 32, 24 elements per partial. The initial
// value (a load of the output) stays in phase 2; -0.0 starts phase 1.
// CHECK-LABEL: func @sum
// CHECK: %[[P:[a-z0-9_]+]] = memref.alloc() : memref<16x32xf32>
// CHECK: scf.parallel (%[[R:[a-z0-9_]+]], %[[K:[a-z0-9_]+]]) = ({{.*}}) to (%{{[a-z0-9_]+}}, %[[C32:[a-z0-9_]+]])
// CHECK:   %[[Z:[a-z0-9_]+]] = arith.constant -0.000000e+00 : f32
// CHECK:   %[[S:[a-z0-9_]+]] = scf.for %[[E:[a-z0-9_]+]] = %[[K]] to %{{.*}} step %[[C32]] iter_args(%[[A:[a-z0-9_]+]] = %[[Z]]) -> (f32) {
// CHECK:     %[[X:[a-z0-9_]+]] = memref.load %arg0[%[[R]], %[[E]]]
// CHECK:     arith.addf %[[X]], %[[A]] fastmath<reassoc>
// CHECK:   memref.store %[[S]], %[[P]][%[[R]], %[[K]]]
// CHECK: scf.parallel (%[[R2:[a-z0-9_]+]]) =
// CHECK:   %[[I:[a-z0-9_]+]] = memref.load %arg1[%[[R2]]]
// CHECK:   %[[T:[a-z0-9_]+]] = scf.for %[[Q:[a-z0-9_]+]] = %{{.*}} to %[[C32]] step %{{.*}} iter_args(%[[B:[a-z0-9_]+]] = %[[I]]) -> (f32) {
// CHECK:     %[[Y:[a-z0-9_]+]] = memref.load %[[P]][%[[R2]], %[[Q]]]
// CHECK:     arith.addf %[[Y]], %[[B]] fastmath<reassoc>
// CHECK:   memref.store %[[T]], %arg1[%[[R2]]]
// CHECK: memref.dealloc %[[P]]
func.func @sum(%x: memref<16x768xf32>, %y: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c768 = arith.constant 768 : index
  scf.parallel (%r) = (%c0) to (%c16) step (%c1) {
    %init = memref.load %y[%r] : memref<16xf32>
    %s = scf.for %k = %c0 to %c768 step %c1 iter_args(%a = %init) -> (f32) {
      %v = memref.load %x[%r, %k] : memref<16x768xf32>
      %n = arith.addf %v, %a fastmath<reassoc> : f32
      scf.yield %n : f32
    }
    memref.store %s, %y[%r] : memref<16xf32>
    scf.reduce
  }
  return
}

// -----

// A max over 128 elements of two-dimensional rows, with index arithmetic
// before the loop (computed again in phase 1) and work after it: P = 16,
// -inf starts phase 1, the constant initial value and the exp stay in
// phase 2.
// CHECK-LABEL: func @max_rows
// CHECK: memref.alloc() : memref<2x3x16xf32>
// CHECK: scf.parallel (%[[I:[a-z0-9_]+]], %[[J:[a-z0-9_]+]], %[[K:[a-z0-9_]+]]) =
// CHECK:   %[[ROW:[a-z0-9_]+]] = arith.addi %[[I]], %[[J]] : index
// CHECK:   arith.constant 0xFF800000 : f32
// CHECK:   scf.for
// CHECK:     memref.load %arg0[%[[ROW]], %{{.*}}]
// CHECK:     arith.maximumf
// CHECK: scf.parallel
// CHECK:   scf.for {{.*}} iter_args(%{{.*}} = %cst)
// CHECK:     arith.maximumf
// CHECK:   math.exp
func.func @max_rows(%x: memref<8x128xf32>, %y: memref<2x3xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c128 = arith.constant 128 : index
  %low = arith.constant -1.0e+30 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c2, %c3) step (%c1, %c1) {
    %row = arith.addi %i, %j : index
    %m = scf.for %k = %c0 to %c128 step %c1 iter_args(%a = %low) -> (f32) {
      %v = memref.load %x[%row, %k] : memref<8x128xf32>
      %n = arith.maximumf %a, %v : f32
      scf.yield %n : f32
    }
    %e = math.exp %m : f32
    memref.store %e, %y[%i, %j] : memref<2x3xf32>
    scf.reduce
  }
  return
}

// -----

// Left alone: too many rows (max-rows=1000), rows too short (15 elements),
// a subtraction (not associative), an accumulator used twice, two
// accumulators, a store in the loop, a dynamic length, a nested loop.
// CHECK-LABEL: func @left_alone
// CHECK-NOT: memref.alloc
// CHECK: return
func.func @left_alone(%x: memref<2000x64xf32>, %y: memref<2000xf32>,
                      %s: memref<4x15xf32>, %t: memref<4xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c15 = arith.constant 15 : index
  %c64 = arith.constant 64 : index
  %c2000 = arith.constant 2000 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%r) = (%c0) to (%c2000) step (%c1) {
    %v = scf.for %k = %c0 to %c64 step %c1 iter_args(%a = %zero) -> (f32) {
      %e = memref.load %x[%r, %k] : memref<2000x64xf32>
      %b = arith.addf %e, %a : f32
      scf.yield %b : f32
    }
    memref.store %v, %y[%r] : memref<2000xf32>
    scf.reduce
  }
  scf.parallel (%r) = (%c0) to (%c4) step (%c1) {
    %v = scf.for %k = %c0 to %c15 step %c1 iter_args(%a = %zero) -> (f32) {
      %e = memref.load %s[%r, %k] : memref<4x15xf32>
      %b = arith.addf %e, %a : f32
      scf.yield %b : f32
    }
    memref.store %v, %t[%r] : memref<4xf32>
    scf.reduce
  }
  scf.parallel (%r) = (%c0) to (%c4) step (%c1) {
    %v = scf.for %k = %c0 to %c64 step %c1 iter_args(%a = %zero) -> (f32) {
      %e = memref.load %x[%r, %k] : memref<2000x64xf32>
      %b = arith.subf %a, %e : f32
      scf.yield %b : f32
    }
    memref.store %v, %t[%r] : memref<4xf32>
    scf.reduce
  }
  scf.parallel (%r) = (%c0) to (%c4) step (%c1) {
    %v = scf.for %k = %c0 to %c64 step %c1 iter_args(%a = %zero) -> (f32) {
      %e = memref.load %x[%r, %k] : memref<2000x64xf32>
      %w = arith.mulf %e, %a : f32
      %b = arith.addf %w, %a : f32
      scf.yield %b : f32
    }
    memref.store %v, %t[%r] : memref<4xf32>
    scf.reduce
  }
  scf.parallel (%r) = (%c0) to (%c4) step (%c1) {
    %v:2 = scf.for %k = %c0 to %c64 step %c1 iter_args(%a = %zero, %m = %zero) -> (f32, f32) {
      %e = memref.load %x[%r, %k] : memref<2000x64xf32>
      %b = arith.addf %e, %a : f32
      %c = arith.maximumf %e, %m : f32
      scf.yield %b, %c : f32, f32
    }
    memref.store %v#0, %t[%r] : memref<4xf32>
    scf.reduce
  }
  scf.parallel (%r) = (%c0) to (%c4) step (%c1) {
    %v = scf.for %k = %c0 to %c64 step %c1 iter_args(%a = %zero) -> (f32) {
      %e = memref.load %x[%r, %k] : memref<2000x64xf32>
      memref.store %e, %y[%k] : memref<2000xf32>
      %b = arith.addf %e, %a : f32
      scf.yield %b : f32
    }
    memref.store %v, %t[%r] : memref<4xf32>
    scf.reduce
  }
  scf.parallel (%r) = (%c0) to (%c4) step (%c1) {
    %v = scf.for %k = %c0 to %n step %c1 iter_args(%a = %zero) -> (f32) {
      %e = memref.load %x[%r, %k] : memref<2000x64xf32>
      %b = arith.addf %e, %a : f32
      scf.yield %b : f32
    }
    memref.store %v, %t[%r] : memref<4xf32>
    scf.reduce
  }
  scf.parallel (%r) = (%c0) to (%c4) step (%c1) {
    %v = scf.for %k = %c0 to %c64 step %c1 iter_args(%a = %zero) -> (f32) {
      %in = scf.for %l = %c0 to %c4 step %c1 iter_args(%b = %a) -> (f32) {
        %e = memref.load %x[%r, %k] : memref<2000x64xf32>
        %c = arith.addf %e, %b : f32
        scf.yield %c : f32
      }
      scf.yield %in : f32
    }
    memref.store %v, %t[%r] : memref<4xf32>
    scf.reduce
  }
  return
}
