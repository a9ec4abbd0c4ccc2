// Reductions move outside the output's contiguous dimension, small windows
// inside it (backends/cpu/OrderLoops.cpp).
// RUN: kiln-opt %s --kiln-cpu-order-loops -split-input-file | FileCheck %s

// A matmul written (m, n | k) (k more than a window) becomes (m, k, n): the inner loop walks a row
// of B and a row of C.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func @matmul
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "reduction", "parallel"]}
#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
func.func @matmul(%a: tensor<3x17xf32>, %b: tensor<17x7xf32>, %c: tensor<3x7xf32>) -> tensor<3x7xf32> {
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<3x17xf32>, tensor<17x7xf32>) outs(%c : tensor<3x7xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x7xf32>
  return %0 : tensor<3x7xf32>
}

// -----

// Left alone: no reduction (elementwise); a row sum, already (parallel,
// reduction) with the output's last dimension outermost; and a generic
// already in the wanted order.
// CHECK-LABEL: func @unchanged
// CHECK: iterator_types = ["parallel", "parallel"]
// CHECK: iterator_types = ["parallel", "reduction"]
// CHECK: iterator_types = ["parallel", "reduction", "parallel"]
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
#in3 = affine_map<(m, k, n) -> (m, k)>
#w3 = affine_map<(m, k, n) -> (k, n)>
#o3 = affine_map<(m, k, n) -> (m, n)>
func.func @unchanged(%x: tensor<4x8xf32>, %r: tensor<4xf32>, %a: tensor<3x17xf32>, %b: tensor<17x7xf32>, %c: tensor<3x7xf32>) -> (tensor<4x8xf32>, tensor<4xf32>, tensor<3x7xf32>) {
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xf32>) outs(%x : tensor<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    linalg.yield %n : f32
  } -> tensor<4x8xf32>
  %1 = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<4x8xf32>) outs(%r : tensor<4xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %s = arith.addf %acc, %v : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %2 = linalg.generic {indexing_maps = [#in3, #w3, #o3], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%a, %b : tensor<3x17xf32>, tensor<17x7xf32>) outs(%c : tensor<3x7xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<3x7xf32>
  return %0, %1, %2 : tensor<4x8xf32>, tensor<4xf32>, tensor<3x7xf32>
}

// -----

// A small window (at most 16 reductions: a 3-tap max here, a 3x3 pool) goes
// inside the output's contiguous dimension rather than outside it: the
// window written (j, i | k) becomes (i, j | k), and a matmul of depth 5
// keeps (m, n | k). kiln-cpu-promote-reductions then unrolls the window.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0 + d2, d1)>
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func @small_window
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[WIN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
#win_in = affine_map<(j, i, k) -> (i + k, j)>
#win_out = affine_map<(j, i, k) -> (i, j)>
#win = affine_map<(j, i, k) -> (k)>
#a5 = affine_map<(m, n, k) -> (m, k)>
#b5 = affine_map<(m, n, k) -> (k, n)>
#c5 = affine_map<(m, n, k) -> (m, n)>
func.func @small_window(%x: tensor<10x64xf32>, %w: tensor<3xf32>, %y: tensor<8x64xf32>, %a: tensor<3x5xf32>, %b: tensor<5x7xf32>, %c: tensor<3x7xf32>) -> (tensor<8x64xf32>, tensor<3x7xf32>) {
  %0 = linalg.generic {indexing_maps = [#win_in, #win, #win_out], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<10x64xf32>, tensor<3xf32>) outs(%y : tensor<8x64xf32>) {
  ^bb0(%v: f32, %unused: f32, %acc: f32):
    %m = arith.maximumf %v, %acc : f32
    linalg.yield %m : f32
  } -> tensor<8x64xf32>
  %1 = linalg.generic {indexing_maps = [#a5, #b5, #c5], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<3x5xf32>, tensor<5x7xf32>) outs(%c : tensor<3x7xf32>) {
  ^bb0(%p: f32, %q: f32, %acc: f32):
    %m = arith.mulf %p, %q : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<3x7xf32>
  return %0, %1 : tensor<8x64xf32>, tensor<3x7xf32>
}

// -----

// One row times a 1024x512 matrix read along its columns (axpy form): the
// columns split into 4 blocks of 128, the block loop outermost for the
// threads; operands and result viewed as [.., 4, 128], no copy.
// CHECK-DAG: #[[XA:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-DAG: #[[WA:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d0, d3)>
// CHECK-DAG: #[[YA:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d0, d3)>
// CHECK-LABEL: func @axpy_columns
// CHECK-DAG: %[[W:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [1024, 4, 128] : tensor<1024x512xf32> into tensor<1024x4x128xf32>
// CHECK-DAG: %[[Y:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [1, 4, 128] : tensor<1x512xf32> into tensor<1x4x128xf32>
// CHECK: %[[G:.*]] = linalg.generic {indexing_maps = [#[[XA]], #[[WA]], #[[YA]]], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%{{.*}}, %[[W]] : tensor<1x1024xf32>, tensor<1024x4x128xf32>) outs(%[[Y]] : tensor<1x4x128xf32>)
// CHECK: arith.mulf
// CHECK: tensor.collapse_shape %[[G]] {{\[\[}}0], [1, 2]] : tensor<1x4x128xf32> into tensor<1x512xf32>
#xk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
func.func @axpy_columns(%x: tensor<1x1024xf32>, %w: tensor<1024x512xf32>, %y: tensor<1x512xf32>) -> tensor<1x512xf32> {
  %0 = linalg.generic {indexing_maps = [#xk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x1024xf32>, tensor<1024x512xf32>) outs(%y : tensor<1x512xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x512xf32>
  return %0 : tensor<1x512xf32>
}

// -----

// Not split: two rows (the row loop goes to the threads); too little work
// (1 x 64 x 512: 2^15 multiply-adds); 1000 columns (no block of 64-2048
// divides them); a body that reads its loop indices.
// CHECK-LABEL: func @axpy_unsplit
// CHECK-NOT: tensor.expand_shape
// CHECK-COUNT-4: iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-NOT: tensor.expand_shape
#xk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
func.func @axpy_unsplit(%x2: tensor<2x1024xf32>, %w: tensor<1024x512xf32>, %y2: tensor<2x512xf32>,
                        %xs: tensor<1x64xf32>, %ws: tensor<64x512xf32>, %y: tensor<1x512xf32>,
                        %x: tensor<1x1024xf32>, %wo: tensor<1024x1000xf32>, %yo: tensor<1x1000xf32>)
    -> (tensor<2x512xf32>, tensor<1x512xf32>, tensor<1x1000xf32>, tensor<1x512xf32>) {
  %0 = linalg.generic {indexing_maps = [#xk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x2, %w : tensor<2x1024xf32>, tensor<1024x512xf32>) outs(%y2 : tensor<2x512xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x512xf32>
  %1 = linalg.generic {indexing_maps = [#xk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xs, %ws : tensor<1x64xf32>, tensor<64x512xf32>) outs(%y : tensor<1x512xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x512xf32>
  %2 = linalg.generic {indexing_maps = [#xk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %wo : tensor<1x1024xf32>, tensor<1024x1000xf32>) outs(%yo : tensor<1x1000xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x1000xf32>
  %3 = linalg.generic {indexing_maps = [#xk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x1024xf32>, tensor<1024x512xf32>) outs(%y : tensor<1x512xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %n = linalg.index 1 : index
    %i = arith.index_cast %n : index to i32
    %f = arith.sitofp %i : i32 to f32
    %p = arith.mulf %a, %f : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<1x512xf32>
  return %0, %1, %2, %3 : tensor<2x512xf32>, tensor<1x512xf32>, tensor<1x1000xf32>, tensor<1x512xf32>
}
