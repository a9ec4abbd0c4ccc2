// Reduction accumulators become loop-carried values, their float sums
// re-associable (backends/cpu/PromoteReductions.cpp).
// RUN: kiln-opt %s --kiln-cpu-promote-reductions -split-input-file | FileCheck %s

// A sum and a max along the contiguous dimension: each accumulator is
// loaded once before its loop and stored once after; the addition may
// re-associate (LLVM then vectorises it). The maximum, which LLVM leaves
// scalar, becomes vector steps of 16 from -inf over the first 128 - 128
// mod 16 elements, their reduction combined with the accumulator, and the
// scalar loop over the rest from there.
// CHECK-LABEL: func @sum_and_max
// CHECK: %[[S0:.*]] = memref.load %arg1[%[[I:.*]]]
// CHECK: %[[S:.*]] = scf.for {{.*}} iter_args(%[[A:.*]] = %[[S0]]) -> (f32)
// CHECK-NOT: memref.store
// CHECK: arith.addf %{{.*}}, %[[A]] fastmath<reassoc>
// CHECK: memref.store %[[S]], %arg1[%[[I]]]
// CHECK: %[[M0:.*]] = memref.load %arg2
// CHECK: %[[REM:.*]] = arith.remsi %{{.*}}, %c16
// CHECK: %[[WHOLE:.*]] = arith.subi %{{.*}}, %[[REM]]
// CHECK: %[[END:.*]] = arith.addi %c0, %[[WHOLE]]
// CHECK: %[[NEGINF:.*]] = arith.constant dense<0xFF800000> : vector<16xf32>
// CHECK: %[[V:.*]] = scf.for %[[K:.*]] = %c0 to %[[END]] step %{{.*}} iter_args(%[[VA:.*]] = %[[NEGINF]]) -> (vector<16xf32>)
// CHECK: %[[X:.*]] = vector.load %arg0[%{{.*}}, %[[K]]] : memref<4x128xf32>, vector<16xf32>
// CHECK: arith.maximumf %[[X]], %[[VA]] : vector<16xf32>
// CHECK: %[[R:.*]] = vector.reduction <maximumf>, %[[V]] : vector<16xf32> into f32
// CHECK: %[[T0:.*]] = arith.maximumf %[[M0]], %[[R]] : f32
// CHECK: %[[M:.*]] = scf.for {{.*}} = %[[END]] to %c128 step %c1 iter_args(%[[B:.*]] = %[[T0]]) -> (f32)
// CHECK: arith.maximumf %{{.*}}, %[[B]] : f32
// CHECK: memref.store %[[M]], %arg2
func.func @sum_and_max(%x: memref<4x128xf32>, %sum: memref<4xf32>, %max: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c128 = arith.constant 128 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %k = %c0 to %c128 step %c1 {
      %v = memref.load %x[%i, %k] : memref<4x128xf32>
      %a = memref.load %sum[%i] : memref<4xf32>
      %e = math.exp %v : f32
      %s = arith.addf %e, %a : f32
      memref.store %s, %sum[%i] : memref<4xf32>
    }
    scf.for %k = %c0 to %c128 step %c1 {
      %v = memref.load %x[%i, %k] : memref<4x128xf32>
      %a = memref.load %max[%i] : memref<4xf32>
      %m = arith.maximumf %v, %a : f32
      memref.store %m, %max[%i] : memref<4xf32>
    }
    scf.reduce
  }
  return
}

// -----

// Two accumulators in one loop (LayerNorm's sum and sum of squares), and a
// reduction over two dimensions: the inner loop promotes, then the outer.
// (32 iterations: more than a window, so neither unrolls.)
// CHECK-LABEL: func @nested_two_outputs
// CHECK: memref.load %arg1[%c0]
// CHECK: memref.load %arg2[%c0]
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (f32, f32)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (f32, f32)
// CHECK: arith.addf {{.*}} fastmath<reassoc>
// CHECK: arith.addf {{.*}} fastmath<reassoc>
// CHECK-NOT: memref.store
// CHECK: scf.yield
// CHECK: scf.yield
// CHECK: memref.store {{.*}}, %arg1[%c0]
// CHECK: memref.store {{.*}}, %arg2[%c0]
func.func @nested_two_outputs(%x: memref<8x32xf32>, %s: memref<1xf32>, %q: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c32 step %c1 {
      %v = memref.load %x[%i, %j] : memref<8x32xf32>
      %a = memref.load %s[%c0] : memref<1xf32>
      %b = memref.load %q[%c0] : memref<1xf32>
      %sq = arith.mulf %v, %v : f32
      %a2 = arith.addf %a, %v : f32
      %b2 = arith.addf %b, %sq : f32
      memref.store %a2, %s[%c0] : memref<1xf32>
      memref.store %b2, %q[%c0] : memref<1xf32>
    }
  }
  return
}

// -----

// Left alone: the accumulator's address moves with the loop; the loop
// also writes another buffer; the buffer is read elsewhere in the loop;
// a call of unknown effects.
// CHECK-LABEL: func @not_promoted
// CHECK-NOT: iter_args
// CHECK-NOT: fastmath
func.func private @opaque(f32) -> f32
func.func @not_promoted(%x: memref<128xf32>, %s: memref<128xf32>, %t: memref<128xf32>, %u: memref<2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  scf.for %k = %c0 to %c128 step %c1 {
    %v = memref.load %x[%k] : memref<128xf32>
    %a = memref.load %s[%k] : memref<128xf32>
    %r = arith.addf %a, %v : f32
    memref.store %r, %s[%k] : memref<128xf32>
  }
  scf.for %k = %c0 to %c128 step %c1 {
    %v = memref.load %x[%k] : memref<128xf32>
    %a = memref.load %u[%c0] : memref<2xf32>
    %r = arith.addf %a, %v : f32
    memref.store %r, %u[%c0] : memref<2xf32>
    memref.store %r, %t[%k] : memref<128xf32>
  }
  scf.for %k = %c0 to %c128 step %c1 {
    %v = memref.load %u[%c1] : memref<2xf32>
    %a = memref.load %u[%c0] : memref<2xf32>
    %r = arith.addf %a, %v : f32
    memref.store %r, %u[%c0] : memref<2xf32>
  }
  scf.for %k = %c0 to %c128 step %c1 {
    %v = memref.load %x[%k] : memref<128xf32>
    %a = memref.load %u[%c0] : memref<2xf32>
    %w = func.call @opaque(%v) : (f32) -> f32
    %r = arith.addf %a, %w : f32
    memref.store %r, %u[%c0] : memref<2xf32>
  }
  return
}

// -----

// A 3x3 window around a channel loop (a max pool in NHWC order): both
// window loops promote and, being short, unroll, so the channel loop holds
// nine loads, eight maxima and one store, which LLVM vectorises.
// CHECK-LABEL: func @window
// CHECK: scf.parallel
// CHECK-NOT: scf.for
// CHECK-COUNT-9: memref.load %arg0
// CHECK-NOT: memref.load %arg0
// CHECK: memref.store
// CHECK-NOT: memref.store
// CHECK: scf.reduce
func.func @window(%x: memref<9x9x64xf32>, %y: memref<7x7x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c7 = arith.constant 7 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%h, %w, %c) = (%c0, %c0, %c0) to (%c7, %c7, %c64) step (%c1, %c1, %c1) {
    scf.for %kh = %c0 to %c3 step %c1 {
      scf.for %kw = %c0 to %c3 step %c1 {
        %ih = arith.addi %h, %kh : index
        %iw = arith.addi %w, %kw : index
        %v = memref.load %x[%ih, %iw, %c] : memref<9x9x64xf32>
        %a = memref.load %y[%h, %w, %c] : memref<7x7x64xf32>
        %m = arith.maximumf %v, %a : f32
        memref.store %m, %y[%h, %w, %c] : memref<7x7x64xf32>
      }
    }
    scf.reduce
  }
  return
}

// -----

// Short loops nested four deep (a loss summed over a [16, 16, 16, 16]
// block): the innermost unrolls, the next would exceed the bound on an
// unrolled whole (1024 operations), so it and the outer loops stay loops.
// Unrolling every level made one block of 65536 additions that LLVM
// compiled for minutes.
// CHECK-LABEL: func @bounded_unrolling
// CHECK-COUNT-3: scf.for
// CHECK-NOT: scf.for
// CHECK-COUNT-16: memref.load %arg0
// CHECK-NOT: memref.load %arg0
func.func @bounded_unrolling(%x: memref<16x16x16x16xf32>, %y: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.for %a = %c0 to %c16 step %c1 {
    scf.for %b = %c0 to %c16 step %c1 {
      scf.for %c = %c0 to %c16 step %c1 {
        scf.for %d = %c0 to %c16 step %c1 {
          %v = memref.load %x[%a, %b, %c, %d] : memref<16x16x16x16xf32>
          %acc = memref.load %y[] : memref<f32>
          %s = arith.addf %v, %acc : f32
          memref.store %s, %y[] : memref<f32>
        }
      }
    }
  }
  return
}

// -----

// The same pool after the fill of its output with -inf: the reduction's
// parallel loop reads each output element once (its indices are the
// loop's variables, in another order than the loops, each over its whole
// dimension), so the first read is the fill's value and the fill goes.
// CHECK-LABEL: func @fill_folded
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: scf.parallel
// CHECK-NOT: memref.load %arg1
// CHECK: memref.load %arg0
// CHECK-NEXT: arith.maximumf %{{.*}}, %[[NEGINF]]
// CHECK-COUNT-8: memref.load %arg0
// CHECK: memref.store %{{.*}}, %arg1
// CHECK-NOT: memref.store
// CHECK: return
func.func @fill_folded(%x: memref<9x9x64xf32>, %y: memref<64x7x7xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c7 = arith.constant 7 : index
  %c64 = arith.constant 64 : index
  %neginf = arith.constant 0xFF800000 : f32
  scf.parallel (%c, %h, %w) = (%c0, %c0, %c0) to (%c64, %c7, %c7) step (%c1, %c1, %c1) {
    memref.store %neginf, %y[%c, %h, %w] : memref<64x7x7xf32>
    scf.reduce
  }
  scf.parallel (%h, %w, %c) = (%c0, %c0, %c0) to (%c7, %c7, %c64) step (%c1, %c1, %c1) {
    scf.for %kh = %c0 to %c3 step %c1 {
      scf.for %kw = %c0 to %c3 step %c1 {
        %ih = arith.addi %h, %kh : index
        %iw = arith.addi %w, %kw : index
        %v = memref.load %x[%ih, %iw, %c] : memref<9x9x64xf32>
        %a = memref.load %y[%c, %h, %w] : memref<64x7x7xf32>
        %m = arith.maximumf %v, %a : f32
        memref.store %m, %y[%c, %h, %w] : memref<64x7x7xf32>
      }
    }
    scf.reduce
  }
  return
}

// -----

// A keepdims reduction ([4, 32] -> [4, 1], LayerNorm's mean): the unit
// dimension's index is the constant 0 in the fill and in the reduction,
// which still visit each element once; the fill goes.
// CHECK-LABEL: func @fill_folded_keepdims
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NOT: memref.store
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[ZERO]])
// CHECK: memref.store %{{.*}}, %arg1
// CHECK-NOT: memref.store
// CHECK: return
func.func @fill_folded_keepdims(%x: memref<4x32xf32>, %y: memref<4x1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    memref.store %zero, %y[%i, %c0] : memref<4x1xf32>
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %k = %c0 to %c32 step %c1 {
      %v = memref.load %x[%i, %k] : memref<4x32xf32>
      %a = memref.load %y[%i, %c0] : memref<4x1xf32>
      %n = arith.addf %v, %a : f32
      memref.store %n, %y[%i, %c0] : memref<4x1xf32>
    }
    scf.reduce
  }
  return
}

// -----

// Fills that stay: the reduction covers part of the buffer (rows 0..3 of
// 4..), reads an element twice (the same variable for two dimensions), a
// write lies between the fill and the reduction, an index is a constant,
// a loop variable is missing from a keepdims buffer's indices, or the
// "fill" stores a value computed inside its loop.
// CHECK-LABEL: func @fill_kept
// CHECK-COUNT-4: memref.load %arg1
// CHECK: memref.load %arg3
// CHECK: memref.load %arg1
// CHECK: return
func.func @fill_kept(%x: memref<8x8xf32>, %y: memref<8x8xf32>, %z: memref<8xf32>, %w: memref<8x1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  // Part of the buffer.
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) {
    memref.store %zero, %y[%i, %j] : memref<8x8xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {
    %s = scf.for %k = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %x[%i, %k] : memref<8x8xf32>
      %a = memref.load %y[%i, %j] : memref<8x8xf32>
      %n = arith.addf %v, %a : f32
      memref.store %n, %y[%i, %j] : memref<8x8xf32>
      scf.yield %acc : f32
    }
    scf.reduce
  }
  // The diagonal, read for each of its elements twice over.
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) {
    memref.store %zero, %y[%i, %j] : memref<8x8xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) {
    %a = memref.load %y[%i, %i] : memref<8x8xf32>
    %v = memref.load %x[%i, %j] : memref<8x8xf32>
    %n = arith.addf %v, %a : f32
    memref.store %n, %y[%i, %i] : memref<8x8xf32>
    scf.reduce
  }
  // A write in between.
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) {
    memref.store %zero, %y[%i, %j] : memref<8x8xf32>
    scf.reduce
  }
  memref.store %zero, %z[%c0] : memref<8xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) {
    %a = memref.load %y[%i, %j] : memref<8x8xf32>
    %v = memref.load %x[%i, %j] : memref<8x8xf32>
    %n = arith.addf %v, %a : f32
    memref.store %n, %y[%i, %j] : memref<8x8xf32>
    scf.reduce
  }
  // A constant index: column 0 only.
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) {
    memref.store %zero, %y[%i, %j] : memref<8x8xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c1) step (%c1, %c1) {
    %a = memref.load %y[%i, %c0] : memref<8x8xf32>
    %v = memref.load %x[%i, %j] : memref<8x8xf32>
    %n = arith.addf %v, %a : f32
    memref.store %n, %y[%i, %c0] : memref<8x8xf32>
    scf.reduce
  }
  // A keepdims buffer whose loop has a variable the indices skip.
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    memref.store %zero, %w[%i, %c0] : memref<8x1xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c1) step (%c1, %c1) {
    %a = memref.load %w[%i, %c0] : memref<8x1xf32>
    %v = memref.load %x[%i, %j] : memref<8x8xf32>
    %n = arith.addf %v, %a : f32
    memref.store %n, %w[%i, %c0] : memref<8x1xf32>
    scf.reduce
  }
  // A value made inside the loop.
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) {
    %v = memref.load %x[%j, %i] : memref<8x8xf32>
    memref.store %v, %y[%i, %j] : memref<8x8xf32>
    scf.reduce
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) {
    %a = memref.load %y[%i, %j] : memref<8x8xf32>
    %v = memref.load %x[%i, %j] : memref<8x8xf32>
    %n = arith.addf %v, %a : f32
    memref.store %n, %y[%i, %j] : memref<8x8xf32>
    scf.reduce
  }
  return
}

// -----

// A minimum of |x| in f64 over a length known at run time: 8-lane steps,
// the abs on vectors, +inf to start from; the remainder scalar.
// CHECK-LABEL: func @min_abs_f64
// CHECK: %[[INF:.*]] = arith.constant dense<0x7FF0000000000000> : vector<8xf64>
// CHECK: scf.for {{.*}} iter_args(%[[VA:.*]] = %[[INF]]) -> (vector<8xf64>)
// CHECK: %[[X:.*]] = vector.load %arg0[%{{.*}}, %{{.*}}] : memref<?x?xf64>, vector<8xf64>
// CHECK: %[[A:.*]] = math.absf %[[X]] : vector<8xf64>
// CHECK: arith.minimumf %[[A]], %[[VA]] : vector<8xf64>
// CHECK: vector.reduction <minimumf>
// CHECK: scf.for {{.*}} -> (f64)
// CHECK: math.absf %{{.*}} : f64
func.func @min_abs_f64(%x: memref<?x?xf64>, %out: memref<?xf64>, %n: index, %m: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    scf.for %k = %c0 to %m step %c1 {
      %v = memref.load %x[%i, %k] : memref<?x?xf64>
      %a = memref.load %out[%i] : memref<?xf64>
      %abs = math.absf %v : f64
      %r = arith.minimumf %abs, %a : f64
      memref.store %r, %out[%i] : memref<?xf64>
    }
    scf.reduce
  }
  return
}

// -----

// Left scalar: a maximum read across rows (the loop runs along a strided
// dimension), and one along its rows that also uses the induction
// variable as a value.
// CHECK-LABEL: func @max_not_vectorized
// CHECK-NOT: vector.
// CHECK: return
func.func @max_not_vectorized(%x: memref<64x4xf32>, %y: memref<4x64xf32>, %out: memref<4xf32>, %out2: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %k = %c0 to %c64 step %c1 {
      %v = memref.load %x[%k, %i] : memref<64x4xf32>
      %a = memref.load %out[%i] : memref<4xf32>
      %r = arith.maximumf %v, %a : f32
      memref.store %r, %out[%i] : memref<4xf32>
    }
    scf.for %k = %c0 to %c64 step %c1 {
      %v = memref.load %y[%i, %k] : memref<4x64xf32>
      %a = memref.load %out2[%i] : memref<4xf32>
      %kk = arith.index_cast %k : index to i32
      %kf = arith.sitofp %kk : i32 to f32
      %s = arith.addf %v, %kf : f32
      %r = arith.maximumf %s, %a : f32
      memref.store %r, %out2[%i] : memref<4xf32>
    }
    scf.reduce
  }
  return
}

// -----

// ArgMax's loop (a value and an i64 index; the first element always
// taken, then strictly greater ones): the first iteration peeled under
// scf.if, 16 lanes each keeping their best value and index (lane numbers
// added to the step's first index), the lanes merged into the peeled
// state (a lane that took nothing has index -1 and never wins; ties go to
// the earlier index), and the scalar loop for the remainder from there.
// CHECK-LABEL: func @arg_max
// CHECK: %[[PEEL:.*]]:2 = scf.if %{{.*}} -> (f32, i64)
// CHECK: arith.cmpf ogt
// CHECK: %[[LANES:.*]] = arith.constant dense<[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]> : vector<16xi64>
// CHECK: %[[V:.*]]:2 = scf.for {{.*}} -> (vector<16xf32>, vector<16xi64>)
// CHECK: vector.load %arg0[%{{.*}}, %{{.*}}] : memref<4x100xf32>, vector<16xf32>
// CHECK: arith.cmpf ogt, %{{.*}}, %{{.*}} : vector<16xf32>
// CHECK: arith.addi %{{.*}}, %[[LANES]] : vector<16xi64>
// CHECK-COUNT-16: vector.extract %[[V]]#1
// CHECK: scf.for {{.*}} -> (f32, i64)
// CHECK: arith.cmpi slt
func.func @arg_max(%x: memref<4x100xf32>, %val: memref<4xf32>, %idx: memref<4xi64>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c100 = arith.constant 100 : index
  %zero = arith.constant 0 : i64
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %k = %c0 to %c100 step %c1 {
      %v = memref.load %x[%i, %k] : memref<4x100xf32>
      %best = memref.load %val[%i] : memref<4xf32>
      %bi = memref.load %idx[%i] : memref<4xi64>
      %gt = arith.cmpf ogt, %v, %best : f32
      %none = arith.cmpi slt, %bi, %zero : i64
      %take = arith.ori %gt, %none : i1
      %j = arith.index_cast %k : index to i64
      %nv = arith.select %take, %v, %best : f32
      %ni = arith.select %take, %j, %bi : i64
      memref.store %nv, %val[%i] : memref<4xf32>
      memref.store %ni, %idx[%i] : memref<4xi64>
    }
    scf.reduce
  }
  return
}
