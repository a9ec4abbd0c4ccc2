// A failed check calls kiln_trap with its message instead of aborting.
// RUN: kiln-opt %s --kiln-lower-runtime-checks -split-input-file -verify-diagnostics | FileCheck %s

// CHECK: llvm.mlir.global internal constant @kiln_check_msg_0("node 'g' (Gather): index out of range\00")
// CHECK: llvm.func @kiln_trap(!llvm.ptr)
// CHECK-LABEL: func @check
// CHECK: cf.cond_br %{{.*}}, ^[[OK:.*]], ^[[TRAP:.*]]
// CHECK: ^[[TRAP]]:
// CHECK: %[[M:.*]] = llvm.mlir.addressof @kiln_check_msg_0
// CHECK: llvm.call @kiln_trap(%[[M]])
// CHECK: llvm.unreachable
// CHECK: ^[[OK]]:
// CHECK: return
func.func @check(%c: i1) {
  cf.assert %c, "node 'g' (Gather): index out of range"
  return
}

// -----

// Structured regions must be lowered to a CFG first.
func.func @in_loop(%c: i1, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    // expected-error @+1 {{run-time check inside a structured region; lower SCF to CFG first}}
    cf.assert %c, "oops"
  }
  return
}
