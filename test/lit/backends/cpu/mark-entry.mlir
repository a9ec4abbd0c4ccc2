// The entry gets the C interface and loses its kiln.* argument attributes.
// RUN: kiln-opt %s --kiln-cpu-mark-entry | FileCheck %s

// CHECK-LABEL: func @main_graph
// CHECK-SAME: (%{{.*}}: tensor<4xf32>, %{{.*}}: tensor<4xf32> {bufferization.writable = false})
// CHECK-NOT: kiln.output
// CHECK-SAME: attributes {kiln.entry, llvm.emit_c_interface}
func.func @main_graph(%x: tensor<4xf32> {kiln.input = "x", kiln.dims = [""]},
                      %w: tensor<4xf32> {kiln.param = "w", bufferization.writable = false})
    -> (tensor<4xf32> {kiln.output = "y"}) attributes {kiln.entry} {
  return %x : tensor<4xf32>
}

// CHECK-LABEL: func @other
// CHECK-NOT: llvm.emit_c_interface
func.func @other() {
  return
}
