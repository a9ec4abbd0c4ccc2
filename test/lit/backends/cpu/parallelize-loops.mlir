// Outermost parallel loops with enough work run on the runtime's threads
// (backends/cpu/ParallelizeLoops.cpp).
// RUN: kiln-opt %s --kiln-cpu-parallelize-loops=min-work=1000 -split-input-file | FileCheck %s

// A 64x64 elementwise loop: the body is outlined (iterations [lo, hi) of
// the first dimension, bounds clamped to the loop's), the values it uses
// (two memrefs; constants are copied into the body) go through a struct on
// the stack, and the call passes its trip count.
// CHECK-LABEL: func @large
// CHECK: %[[ARGS:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>, struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>)>
// CHECK-NOT: scf.parallel
// CHECK: %[[N:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: %[[F:.*]] = constant @kiln_parallel_body_0
// CHECK: %[[FP:.*]] = builtin.unrealized_conversion_cast %[[F]]
// CHECK: llvm.call @kiln_cpu_parallel_for(%[[FP]], %[[ARGS]], %[[N]])
// CHECK: func.func private @kiln_parallel_body_0(%[[A:.*]]: !llvm.ptr, %[[LO:.*]]: i64, %[[HI:.*]]: i64)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)> to memref<64x64xf32>
// CHECK: %[[TO:.*]] = arith.minsi %[[C64]]
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) = (%{{.*}}, %[[C0]]) to (%[[TO]], %[[C64]])
// CHECK: llvm.mlir.global external @kiln_artifact_cpu_api()
func.func @large(%x: memref<64x64xf32>, %y: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) {
    %v = memref.load %x[%i, %j] : memref<64x64xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %y[%i, %j] : memref<64x64xf32>
  }
  return
}

// -----

// Too small, a run-time check inside, a reduction into a value: sequential.
// CHECK-LABEL: func @stays
// CHECK-NOT: kiln_cpu_parallel_for
// CHECK: scf.parallel
// CHECK: scf.parallel
// CHECK: cf.assert
// CHECK: scf.parallel
// CHECK: scf.reduce
// CHECK-NOT: kiln_artifact_cpu_api
// CHECK: // -----
func.func @stays(%x: memref<64x64xf32>, %y: memref<64x64xf32>, %ok: i1) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    %v = memref.load %x[%i, %i] : memref<64x64xf32>
    memref.store %v, %y[%i, %i] : memref<64x64xf32>
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) {
    cf.assert %ok, "node 'g' (Gather): index out of range"
    %v = memref.load %x[%i, %j] : memref<64x64xf32>
    memref.store %v, %y[%i, %j] : memref<64x64xf32>
  }
  %s = scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) init (%zero) -> f32 {
    %v = memref.load %x[%i, %j] : memref<64x64xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %r = arith.addf %a, %b : f32
      scf.reduce.return %r : f32
    }
  }
  return %s : f32
}

// -----

// Dynamic bounds count as large; the trip count is computed at run time
// with the step.
// CHECK-LABEL: func @dynamic
// CHECK: %[[SPAN:.*]] = arith.subi %arg2, %{{.*}} : index
// CHECK: arith.ceildivsi %[[SPAN]], %{{.*}} : index
// CHECK: llvm.call @kiln_cpu_parallel_for
func.func @dynamic(%x: memref<?xf32>, %y: memref<?xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c2) {
    %v = memref.load %x[%i] : memref<?xf32>
    memref.store %v, %y[%i] : memref<?xf32>
  }
  return
}

// -----

// A leading dimension of one iteration (batch 1) is not split: the next is.
// CHECK-LABEL: func.func private @kiln_parallel_body_0
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[TO:.*]] = arith.minsi %[[C64]]
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) = (%{{.*}}, %{{.*}}) to (%[[C1]], %[[TO]])
func.func @batch_one(%x: memref<1x64x64xf32>, %y: memref<1x64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%n, %i) = (%c0, %c0) to (%c1, %c64) step (%c1, %c1) {
    scf.for %j = %c0 to %c64 step %c1 {
      %v = memref.load %x[%n, %i, %j] : memref<1x64x64xf32>
      memref.store %v, %y[%n, %i, %j] : memref<1x64x64xf32>
    }
  }
  return
}

// -----

// Leading sizes known only at run time (a batch and a sequence) before a
// static one: the first that runs more than once in the run is split, so a
// batch of 1 does not leave one thread all the work. The caller picks it
// (the sequence unless the batch is more than 1, the static 64 unless
// either is) and passes it last in the struct; the body narrows only the
// chosen dimension's bounds.
// CHECK-LABEL: func @dynamic_leading
// CHECK: %[[ARGS:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(i64, i64, {{.*}}, i64)>
// CHECK: %[[T2:.*]] = arith.ceildivsi
// CHECK: %[[K2:.*]] = arith.constant 2 : index
// CHECK: %[[K1:.*]] = arith.constant 1 : index
// CHECK: %[[S:.*]] = arith.subi %arg3
// CHECK: %[[T1:.*]] = arith.ceildivsi %[[S]]
// CHECK: %[[M1:.*]] = arith.cmpi sgt, %[[T1]], %[[K1]]
// CHECK: %[[N1:.*]] = arith.select %[[M1]], %[[T1]], %[[T2]]
// CHECK: %[[KS:.*]] = arith.constant 1 : index
// CHECK: %[[D1:.*]] = arith.select %[[M1]], %[[KS]], %[[K2]]
// CHECK: %[[B:.*]] = arith.subi %arg2
// CHECK: %[[T0:.*]] = arith.ceildivsi %[[B]]
// CHECK: %[[M0:.*]] = arith.cmpi sgt, %[[T0]], %[[K1]]
// CHECK: %[[N:.*]] = arith.select %[[M0]], %[[T0]], %[[N1]]
// CHECK: %[[KZ:.*]] = arith.constant 0 : index
// CHECK: %[[D:.*]] = arith.select %[[M0]], %[[KZ]], %[[D1]]
// CHECK: %[[AT:.*]] = llvm.getelementptr %[[ARGS]][0, 4]
// CHECK: %[[DI:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK: llvm.store %[[DI]], %[[AT]]
// CHECK: %[[NI:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: llvm.call @kiln_cpu_parallel_for(%{{.*}}, %[[ARGS]], %[[NI]])
// CHECK: func.func private @kiln_parallel_body_0
// CHECK: %[[P:.*]] = llvm.getelementptr %arg0[0, 4]
// CHECK: %[[C:.*]] = llvm.load %[[P]] : !llvm.ptr -> i64
// CHECK: %[[CI:.*]] = arith.index_cast %[[C]] : i64 to index
// CHECK: %[[IS0:.*]] = arith.cmpi eq, %[[CI]], %{{.*}}
// CHECK: %[[F0:.*]] = arith.select %[[IS0]]
// CHECK: %[[E0:.*]] = arith.select %[[IS0]]
// CHECK: %[[IS1:.*]] = arith.cmpi eq, %[[CI]], %{{.*}}
// CHECK: %[[F1:.*]] = arith.select %[[IS1]]
// CHECK: %[[E1:.*]] = arith.select %[[IS1]]
// CHECK: %[[IS2:.*]] = arith.cmpi eq, %[[CI]], %{{.*}}
// CHECK: %[[F2:.*]] = arith.select %[[IS2]]
// CHECK: %[[E2:.*]] = arith.select %[[IS2]]
// CHECK: scf.parallel ({{.*}}) = (%[[F0]], %[[F1]], %[[F2]]) to (%[[E0]], %[[E1]], %[[E2]])
func.func @dynamic_leading(%x: memref<?x?x64xf32>, %y: memref<?x?x64xf32>, %b: index, %s: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%n, %i, %j) = (%c0, %c0, %c0) to (%b, %s, %c64) step (%c1, %c1, %c1) {
    %v = memref.load %x[%n, %i, %j] : memref<?x?x64xf32>
    memref.store %v, %y[%n, %i, %j] : memref<?x?x64xf32>
  }
  return
}

// -----

// Work counts scalar ops of a loop LLVM vectorises. 16x16 elements copied
// contiguously (768 ops) stay sequential; the same elements read across
// rows (a transpose: each read strides along the innermost loop, 16 ops'
// worth) are 4608 and run on the threads, as do 32 rows copied as 16-lane
// vectors (each vector op counts its lanes: 1056, against 96 counted
// as ops).
// CHECK-LABEL: func @weighted
// CHECK: scf.parallel
// CHECK-NEXT: memref.load %arg0[%{{.*}}, %{{.*}}]
// CHECK: llvm.call @kiln_cpu_parallel_for
// CHECK: llvm.call @kiln_cpu_parallel_for
// CHECK-NOT: scf.parallel
// CHECK: return
func.func @weighted(%x: memref<16x16xf32>, %y: memref<16x16xf32>,
                    %v: memref<32x16xf32>, %w: memref<32x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c16, %c16) step (%c1, %c1) {
    %e = memref.load %x[%i, %j] : memref<16x16xf32>
    memref.store %e, %y[%i, %j] : memref<16x16xf32>
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%c16, %c16) step (%c1, %c1) {
    %e = memref.load %x[%j, %i] : memref<16x16xf32>
    memref.store %e, %y[%i, %j] : memref<16x16xf32>
  }
  scf.parallel (%i) = (%c0) to (%c32) step (%c1) {
    %r = vector.load %v[%i, %c0] : memref<32x16xf32>, vector<16xf32>
    vector.store %r, %w[%i, %c0] : memref<32x16xf32>, vector<16xf32>
  }
  return
}
