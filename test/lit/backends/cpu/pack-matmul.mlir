// Products on buffers become the packed GEMM kernel
// (backends/cpu/PackMatmul.cpp). A small tile keeps the IR readable:
// 2 x 8 register tiles of 4-lane vectors, k blocks of at most 4, row
// blocks of at most 4 rows (2 tiles).
// RUN: kiln-opt %s --kiln-cpu-pack-matmul="mr=2 nr=8 kc=4 mc=4 vector-width=4 min-flops=64" -split-input-file -verify-diagnostics | FileCheck %s
// The default shape (6 x 64 tiles of 16 lanes, k blocks of 256).
// RUN: kiln-opt %s --kiln-cpu-pack-matmul -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=DEFAULT
// RUN: not kiln-opt %s --kiln-cpu-pack-matmul="nr=24" 2>&1 | FileCheck %s --check-prefix=BADTILE

// BADTILE: kiln-cpu-pack-matmul: need mr >= 1, kc >= 1 and nr a multiple of vector-width; got mr=6 nr=24 kc=256 vector-width=16

#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>

// 5 x 10 x 9: an edge in every dimension. Panels are padded to 3 row
// panels of 2 and 2 column panels of 8; the right operand is copied a
// vector at a time (the part past column 10 masked off), the left one
// element by element (rows past 5 read row 4 and store 0) into its k
// blocks: K = 9 is three equal blocks of 3 (not 4, 4, 1), and
// Ap[k / 3][panel][k % 3][row] holds each block's panels one after
// another. Then per k block, two row blocks of 2 panels (3 panels in
// all: the second block's missing panel is skipped), each a parallel loop
// over (column panel, row panel of the block): the tile of C loaded
// (masked columns, rows past the edge zero), the next row panel's tile
// prefetched, a k loop carrying the four accumulators and reading the
// block's panel at k - kBegin, and the tile stored back where it is
// inside C.
// CHECK-LABEL: func @edges
// CHECK-SAME: (%[[A:.*]]: memref<5x9xf32>, %[[B:.*]]: memref<9x10xf32>, %[[C:.*]]: memref<5x10xf32>)
// CHECK: %[[AP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x3x3x3x2xf32>
// CHECK: %[[BP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x2x9x8xf32>
// CHECK: scf.parallel
// CHECK: vector.create_mask
// CHECK: vector.maskedload %[[B]]
// CHECK: vector.store %{{.*}}, %[[BP]]
// CHECK: vector.maskedload %[[B]]
// CHECK: vector.store %{{.*}}, %[[BP]]
// CHECK: scf.parallel (%[[PANEL:.*]]) =
// CHECK: scf.for %[[K:.*]] =
// CHECK: %[[KB:.*]] = arith.divui %[[K]], %{{.*}} : index
// CHECK: %[[KK:.*]] = arith.remui %[[K]], %{{.*}} : index
// CHECK: memref.load %[[A]]
// CHECK: arith.select
// CHECK: memref.store %{{.*}}, %[[AP]][%{{.*}}, %[[KB]], %[[PANEL]], %[[KK]], %{{.*}}]
// CHECK: memref.load %[[A]]
// CHECK: memref.store %{{.*}}, %[[AP]][%{{.*}}, %[[KB]], %[[PANEL]], %[[KK]], %{{.*}}]
// CHECK: scf.for %[[KC:.*]] = %{{.*}} to %{{.*}} step %[[C3B:.*]] {
// CHECK: %[[KEND:.*]] = arith.minsi
// CHECK: scf.for %[[MB:.*]] = %{{.*}} to %{{.*}} step %[[C2A:.*]] {
// CHECK: scf.parallel (%[[N1:.*]], %[[I:.*]]) = ({{.*}}) to (%[[C2B:.*]], %[[C2C:.*]]) step
// CHECK: %[[M1:.*]] = arith.addi %[[MB]], %[[I]] : index
// CHECK: %[[INSIDE:.*]] = arith.cmpi slt, %[[M1]], %{{.*}} : index
// CHECK: scf.if %[[INSIDE]] {
// CHECK: %[[BLOCK:.*]] = arith.divui %[[KC]], %{{.*}} : index
// CHECK-COUNT-2: scf.if {{.*}} -> (vector<4xf32>, vector<4xf32>)
// CHECK-COUNT-4: memref.prefetch %[[C]]
// CHECK: scf.for %[[KI:.*]] = %[[KC]] to %[[KEND]] step %{{.*}} iter_args({{.*}}) -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHECK: %[[KIN:.*]] = arith.subi %[[KI]], %[[KC]] : index
// CHECK-COUNT-2: vector.load %[[BP]]
// CHECK: memref.load %[[AP]][%{{.*}}, %[[BLOCK]], %[[M1]], %[[KIN]], %{{.*}}]
// CHECK: vector.broadcast
// CHECK-COUNT-2: vector.fma
// CHECK: memref.load %[[AP]][%{{.*}}, %[[BLOCK]], %[[M1]], %[[KIN]], %{{.*}}]
// CHECK: vector.broadcast
// CHECK-COUNT-2: vector.fma
// CHECK: scf.yield
// CHECK-COUNT-2: vector.maskedstore %[[C]]
// CHECK-COUNT-2: vector.maskedstore %[[C]]
// CHECK-NOT: linalg.generic
// CHECK: return
// DEFAULT-LABEL: func @edges
// DEFAULT: linalg.generic
func.func @edges(%x: memref<5x9xf32>, %y: memref<9x10xf32>, %z: memref<5x10xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %y : memref<5x9xf32>, memref<9x10xf32>) outs(%z : memref<5x10xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// The loop order kiln-cpu-order-loops gives contractions (m, k, n) is the
// same product; with the default tile, 128 x 128 x 64 is large enough.
// DEFAULT-LABEL: func @default_tile
// DEFAULT: memref.alloc() {alignment = 64 : i64} : memref<1x1x22x64x6xf32>
// DEFAULT: memref.alloc() {alignment = 64 : i64} : memref<1x2x64x64xf32>
// DEFAULT: scf.for %{{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// DEFAULT-COUNT-24: vector.fma
// DEFAULT-NOT: linalg.generic
// DEFAULT: return
#a2 = affine_map<(m, k, n) -> (m, k)>
#b2 = affine_map<(m, k, n) -> (k, n)>
#c2 = affine_map<(m, k, n) -> (m, n)>
func.func @default_tile(%x: memref<128x64xf32>, %y: memref<64x128xf32>, %z: memref<128x128xf32>) {
  linalg.generic {indexing_maps = [#a2, #b2, #c2], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %y : memref<128x64xf32>, memref<64x128xf32>) outs(%z : memref<128x128xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Batched, the right operand transposed (attention's Q K^T): each batch
// index is an iteration of an outer parallel loop with its own panels; the
// right operand, not contiguous along n, is packed element by element with
// the column clamped.
// CHECK-LABEL: func @batched_transposed
// CHECK-SAME: (%[[A:.*]]: memref<3x4x8xf32>, %[[B:.*]]: memref<3x12x8xf32>, %[[C:.*]]: memref<3x4x12xf32>)
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<3x2x2x4x2xf32>
// CHECK: %[[BP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<3x2x8x8xf32>
// CHECK: scf.parallel (%[[BATCH:.*]]) =
// CHECK: %[[LIN:.*]] = arith.addi %{{.*}}, %[[BATCH]] : index
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK: scf.for %[[J:.*]] =
// CHECK: %[[COL:.*]] = arith.addi %{{.*}}, %[[J]]
// CHECK: %[[CL:.*]] = arith.minsi %[[COL]]
// CHECK: memref.load %[[B]][%[[BATCH]], %[[CL]], %{{.*}}]
// CHECK: memref.store %{{.*}}, %[[BP]][%[[LIN]],
// CHECK: vector.maskedstore %[[C]][%[[BATCH]],
// CHECK-NOT: linalg.generic
// CHECK: return
#qa = affine_map<(b, m, n, k) -> (b, m, k)>
#qb = affine_map<(b, m, n, k) -> (b, n, k)>
#qc = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @batched_transposed(%x: memref<3x4x8xf32>, %y: memref<3x12x8xf32>, %z: memref<3x4x12xf32>) {
  linalg.generic {indexing_maps = [#qa, #qb, #qc], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %y : memref<3x4x8xf32>, memref<3x12x8xf32>) outs(%z : memref<3x4x12xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// [2, 3, 8] x [8, 12]: the two leading dimensions are the rows (M = 6) of
// one product with one right panel; row r is (r / 3, r % 3).
// CHECK-LABEL: func @rows_together
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<1x2x3x4x2xf32>
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<1x2x8x8xf32>
// CHECK: arith.remui %{{.*}}, %[[C3:c3[_0-9]*]] : index
// CHECK: arith.divui %{{.*}}, %[[C3]] : index
// CHECK-NOT: linalg.generic
// CHECK: return
#ra = affine_map<(b, m, n, k) -> (b, m, k)>
#rb = affine_map<(b, m, n, k) -> (k, n)>
#rc = affine_map<(b, m, n, k) -> (b, m, n)>
func.func @rows_together(%x: memref<2x3x8xf32>, %y: memref<8x12xf32>, %z: memref<2x3x12xf32>) {
  linalg.generic {indexing_maps = [#ra, #rb, #rc], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %y : memref<2x3x8xf32>, memref<8x12xf32>) outs(%z : memref<2x3x12xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// The fill that initialises C right before the product (MatMul's zeros,
// here 1.5; an allocation between is no write) is folded in: the tile is
// loaded only when the row is inside C and the k block is not the first,
// and otherwise starts from the fill's value.
// CHECK-LABEL: func @fill_folded
// CHECK-SAME: (%[[A:.*]]: memref<5x9xf32>, %[[B:.*]]: memref<9x10xf32>, %[[C:.*]]: memref<5x10xf32>)
// CHECK: %[[INIT:.*]] = arith.constant 1.500000e+00 : f32
// CHECK-NOT: linalg.fill
// CHECK: scf.for %[[KC:.*]] = %{{.*}} to %{{.*}} step %c3{{.*}} {
// CHECK: %[[LATER:.*]] = arith.cmpi ne, %[[KC]], %{{.*}} : index
// CHECK: %[[LOAD:.*]] = arith.andi %{{.*}}, %[[LATER]] : i1
// CHECK: scf.if %[[LOAD]] -> (vector<4xf32>, vector<4xf32>)
// CHECK: vector.maskedload %[[C]]
// CHECK: } else {
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[INIT]] : f32 to vector<4xf32>
// CHECK: scf.yield %[[SPLAT]], %[[SPLAT]]
// CHECK-NOT: linalg.fill
// CHECK: return
#fa = affine_map<(m, n, k) -> (m, k)>
#fb = affine_map<(m, n, k) -> (k, n)>
#fc = affine_map<(m, n, k) -> (m, n)>
func.func @fill_folded(%x: memref<5x9xf32>, %y: memref<9x10xf32>, %z: memref<5x10xf32>) {
  %init = arith.constant 1.5 : f32
  linalg.fill ins(%init : f32) outs(%z : memref<5x10xf32>)
  %unrelated = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [#fa, #fb, #fc], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %y : memref<5x9xf32>, memref<9x10xf32>) outs(%z : memref<5x10xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  memref.dealloc %unrelated : memref<4xf32>
  return
}

// -----

// A fill that is not the last write before the product stays, and the
// tile is loaded at every block: another write in between (which could
// alias C), a fill of another buffer, a fill that a subview of C follows.
// CHECK-LABEL: func @fill_kept
// CHECK: linalg.fill ins(%{{.*}}) outs(%arg2
// CHECK: memref.store
// CHECK-NOT: arith.andi
// CHECK: scf.if %{{.*}} -> (vector<4xf32>, vector<4xf32>)
// CHECK: linalg.fill ins(%{{.*}}) outs(%arg3
// CHECK-NOT: arith.andi
// CHECK: scf.if %{{.*}} -> (vector<4xf32>, vector<4xf32>)
// CHECK: return
#ka = affine_map<(m, n, k) -> (m, k)>
#kb = affine_map<(m, n, k) -> (k, n)>
#kc = affine_map<(m, n, k) -> (m, n)>
func.func @fill_kept(%x: memref<5x9xf32>, %y: memref<9x10xf32>, %z: memref<5x10xf32>,
                     %other: memref<5x10xf32>, %i: index) {
  %init = arith.constant 0.0 : f32
  linalg.fill ins(%init : f32) outs(%z : memref<5x10xf32>)
  memref.store %init, %other[%i, %i] : memref<5x10xf32>
  linalg.generic {indexing_maps = [#ka, #kb, #kc], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %y : memref<5x9xf32>, memref<9x10xf32>) outs(%z : memref<5x10xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  linalg.fill ins(%init : f32) outs(%other : memref<5x10xf32>)
  linalg.generic {indexing_maps = [#ka, #kb, #kc], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %y : memref<5x9xf32>, memref<9x10xf32>) outs(%z : memref<5x10xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// What stays loops: a product below min-flops, a matrix-vector product
// (fewer rows than a tile), f64, a body that is not a multiply-add, and C
// not contiguous along n.
// CHECK-LABEL: func @stays
// CHECK-NOT: memref.alloc
// CHECK-COUNT-5: linalg.generic
#sa = affine_map<(m, n, k) -> (m, k)>
#sb = affine_map<(m, n, k) -> (k, n)>
#sc = affine_map<(m, n, k) -> (m, n)>
#sct = affine_map<(m, n, k) -> (n, m)>
func.func @stays(%x: memref<2x2xf32>, %y: memref<2x2xf32>, %z: memref<2x2xf32>,
                 %v: memref<1x64xf32>, %w: memref<64x64xf32>, %u: memref<1x64xf32>,
                 %xd: memref<8x8xf64>, %yd: memref<8x8xf64>, %zd: memref<8x8xf64>,
                 %x8: memref<8x8xf32>, %y8: memref<8x8xf32>, %z8: memref<8x8xf32>) {
  linalg.generic {indexing_maps = [#sa, #sb, #sc], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %y : memref<2x2xf32>, memref<2x2xf32>) outs(%z : memref<2x2xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [#sa, #sb, #sc], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%v, %w : memref<1x64xf32>, memref<64x64xf32>) outs(%u : memref<1x64xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [#sa, #sb, #sc], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xd, %yd : memref<8x8xf64>, memref<8x8xf64>) outs(%zd : memref<8x8xf64>) {
  ^bb0(%p: f64, %q: f64, %acc: f64):
    %0 = arith.mulf %p, %q : f64
    %1 = arith.addf %acc, %0 : f64
    linalg.yield %1 : f64
  }
  linalg.generic {indexing_maps = [#sa, #sb, #sc], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x8, %y8 : memref<8x8xf32>, memref<8x8xf32>) outs(%z8 : memref<8x8xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %0 = arith.maximumf %p, %q : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [#sa, #sb, #sct], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x8, %y8 : memref<8x8xf32>, memref<8x8xf32>) outs(%z8 : memref<8x8xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %0 = arith.mulf %p, %q : f32
    %1 = arith.addf %acc, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

#ia = affine_map<(m, n, k) -> (m, k)>
#ib = affine_map<(m, n, k) -> (k, n)>
#ic = affine_map<(m, n, k) -> (m, n)>

// A product in a loop whose right operand (a view of a weight) no
// iteration changes, as a recurrent layer's weights in its loop over time:
// its panels are packed once, before the loop; each iteration packs only
// the left operand (written in the loop) and runs the blocks.
// CHECK-LABEL: func @invariant_rhs
// CHECK-SAME: (%[[A:.*]]: memref<5x9xf32>, %[[W:.*]]: memref<2x9x10xf32>, %[[C:.*]]: memref<5x10xf32>, %{{.*}}: index)
// CHECK: %[[VIEW:.*]] = memref.subview %[[W]]
// CHECK: %[[BP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x2x9x8xf32>
// CHECK: vector.maskedload %[[VIEW]]
// CHECK: vector.store %{{.*}}, %[[BP]]
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[A]]
// CHECK: %[[AP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x3x3x3x2xf32>
// CHECK-NOT: vector.store %{{.*}}, %[[BP]]
// CHECK: vector.fma
// CHECK: return
func.func @invariant_rhs(%x: memref<5x9xf32>, %w: memref<2x9x10xf32>, %z: memref<5x10xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  %y = memref.subview %w[1, 0, 0] [1, 9, 10] [1, 1, 1] : memref<2x9x10xf32> to memref<9x10xf32, strided<[10, 1], offset: 90>>
  scf.for %i = %c0 to %n step %c1 {
    memref.store %one, %x[%c0, %c0] : memref<5x9xf32>
    linalg.generic {indexing_maps = [#ia, #ib, #ic], iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%x, %y : memref<5x9xf32>, memref<9x10xf32, strided<[10, 1], offset: 90>>) outs(%z : memref<5x10xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %0 = arith.mulf %p, %q : f32
      %1 = arith.addf %acc, %0 : f32
      linalg.yield %1 : f32
    }
  }
  return
}

// -----

#wa = affine_map<(m, n, k) -> (m, k)>
#wb = affine_map<(m, n, k) -> (k, n)>
#wc = affine_map<(m, n, k) -> (m, n)>

// The loop writes the buffer the right operand views: its panels are
// packed in every iteration, after the write.
// CHECK-LABEL: func @rhs_written_in_loop
// CHECK-SAME: (%[[A:.*]]: memref<5x9xf32>, %[[W:.*]]: memref<2x9x10xf32>, %[[C:.*]]: memref<5x10xf32>, %{{.*}}: index)
// CHECK: %[[VIEW:.*]] = memref.subview %[[W]]
// CHECK-NOT: memref.alloc
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[W]]
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<1x3x3x3x2xf32>
// CHECK: %[[BP:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x2x9x8xf32>
// CHECK: vector.maskedload %[[VIEW]]
// CHECK: vector.store %{{.*}}, %[[BP]]
func.func @rhs_written_in_loop(%x: memref<5x9xf32>, %w: memref<2x9x10xf32>, %z: memref<5x10xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  %y = memref.subview %w[1, 0, 0] [1, 9, 10] [1, 1, 1] : memref<2x9x10xf32> to memref<9x10xf32, strided<[10, 1], offset: 90>>
  scf.for %i = %c0 to %n step %c1 {
    memref.store %one, %w[%c1, %c0, %c0] : memref<2x9x10xf32>
    linalg.generic {indexing_maps = [#wa, #wb, #wc], iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%x, %y : memref<5x9xf32>, memref<9x10xf32, strided<[10, 1], offset: 90>>) outs(%z : memref<5x10xf32>) {
    ^bb0(%p: f32, %q: f32, %acc: f32):
      %0 = arith.mulf %p, %q : f32
      %1 = arith.addf %acc, %0 : f32
      linalg.yield %1 : f32
    }
  }
  return
}
