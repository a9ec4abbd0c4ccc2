// Kernels dissolve before lowering (kiln-inline-kernels) and elementwise
// linalg ops fuse only inside one kernel (kiln-fuse-kernel-elementwise).
// RUN: kiln-opt %s --kiln-inline-kernels --mlir-print-debuginfo -split-input-file | FileCheck %s --check-prefix=INLINE
// RUN: kiln-opt %s --kiln-inline-kernels --kiln-convert-to-linalg --kiln-fuse-kernel-elementwise --canonicalize -split-input-file | FileCheck %s --check-prefix=FUSE

// INLINE-LABEL: func @two_kernels
// INLINE-NOT: kiln.fused
// INLINE: kiln.sub %arg0, %arg1 {{.*}} loc(#[[K0:loc[0-9]+]])
// INLINE: kiln.exp {{.*}} loc(#[[K0B:loc[0-9]+]])
// INLINE: kiln.neg {{.*}} loc(#[[K1:loc[0-9]+]])
// INLINE: kiln.relu %arg0 {{.*}} loc(#[[PLAIN:loc[0-9]+]])
// INLINE-DAG: #[[K0]] = loc(fused<{kiln.kernel = 0 : i64}>[
// INLINE-DAG: #[[K0B]] = loc(fused<{kiln.kernel = 0 : i64}>[
// INLINE-DAG: #[[K1]] = loc(fused<{kiln.kernel = 1 : i64}>[
// INLINE-DAG: #[[PLAIN]] = loc("{{.*}}kernels.mlir"

// sub and exp share kernel 0: one generic computes both. neg is kernel 1:
// its own generic. relu and abs belong to no kernel: not fused.
// FUSE-LABEL: func @two_kernels
// FUSE: linalg.generic
// FUSE: arith.subf
// FUSE-NEXT: math.exp
// FUSE-NEXT: linalg.yield
// FUSE: linalg.generic
// FUSE: arith.negf
// FUSE: linalg.generic
// FUSE: arith.maximumf
// FUSE: linalg.generic
// FUSE: math.absf
// FUSE-NOT: linalg.generic
func.func @two_kernels(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = kiln.fused (%x, %y) {anchor = "sub", kernel = 0 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
    %s = kiln.sub %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %e = kiln.exp %s : tensor<4xf32>
    kiln.yield %e : tensor<4xf32>
  }
  %1 = kiln.fused (%0) {anchor = "neg", kernel = 1 : i64} : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%a: tensor<4xf32>):
    %n = kiln.neg %a : tensor<4xf32>
    kiln.yield %n : tensor<4xf32>
  }
  %2 = kiln.relu %x : tensor<4xf32>
  %3 = kiln.abs %2 : tensor<4xf32>
  return %1, %3 : tensor<4xf32>, tensor<4xf32>
}

// -----

// A kernel value that is also a kernel result (used outside) is written
// out, so its producer is not fused into the consumer (it would be
// computed twice). Dynamic shapes fuse like static ones.
// FUSE-LABEL: func @escaping_value
// FUSE: linalg.generic
// FUSE: math.exp
// FUSE-NEXT: linalg.yield
// FUSE: linalg.generic
// FUSE: arith.negf
// FUSE-NEXT: math.absf
// FUSE-NEXT: linalg.yield
func.func @escaping_value(%x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  %0:2 = kiln.fused (%x) {anchor = "exp", kernel = 0 : i64} : (tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>) {
  ^bb0(%a: tensor<?xf32>):
    %e = kiln.exp %a : tensor<?xf32>
    %n = kiln.neg %e : tensor<?xf32>
    %b = kiln.abs %n : tensor<?xf32>
    kiln.yield %e, %b : tensor<?xf32>, tensor<?xf32>
  }
  return %0#0, %0#1 : tensor<?xf32>, tensor<?xf32>
}
