// The whole CPU pipeline leaves only the LLVM dialect, with the entry's C
// interface and the trap for run-time checks.
// RUN: kiln-opt %s --kiln-cpu-codegen | FileCheck %s

// CHECK: module attributes {{{.*}}kiln.param_names = ["w"]
// CHECK-NOT: = kiln.
// CHECK-NOT: linalg.
// CHECK-NOT: memref.
// CHECK-DAG: llvm.func @kiln_trap(!llvm.ptr)
// CHECK-DAG: llvm.func @main_graph(
// CHECK-DAG: llvm.func @_mlir_ciface_main_graph(
module {
  func.func @main_graph(%x: tensor<?x4xf32> {kiln.input = "x"}, %i: tensor<2xsi64> {kiln.input = "i"})
      -> (tensor<2x64xf32> {kiln.output = "y"}) attributes {kiln.entry} {
    %w = kiln.constant dense<0.5> : tensor<4x64xf32> loc("w")
    %0 = kiln.matmul %x, %w : (tensor<?x4xf32>, tensor<4x64xf32>) -> tensor<?x64xf32>
    %1 = kiln.gather %0, %i {axis = 0 : i64} : (tensor<?x64xf32>, tensor<2xsi64>) -> tensor<2x64xf32>
    %2 = kiln.relu %1 : tensor<2x64xf32>
    return %2 : tensor<2x64xf32>
  }
}
