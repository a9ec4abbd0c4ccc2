// kiln-cpu-plan-memory's errors.
// RUN: kiln-opt %s --kiln-cpu-plan-memory -split-input-file -verify-diagnostics
// RUN: not kiln-opt %s --kiln-cpu-plan-memory=alignment=48 -split-input-file 2>&1 | FileCheck %s --check-prefix=ALIGN
// ALIGN: error: kiln-cpu-plan-memory: alignment 48 is not a power of two

// The plan goes into the entry's signature: there must be an entry.
// expected-error @below {{no function is marked kiln.entry}}
module {
  func.func @f(%x: memref<16xf32>) {
    %a = memref.alloc() : memref<16xf32>
    linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
    return
  }
}

// -----

// Planning twice would add a second arena.
// expected-error @below {{kiln-cpu-plan-memory: the module already has a memory plan}}
module attributes {kiln.memory_plan = {arena_bytes = 0 : i64}} {
  func.func @f() attributes {kiln.entry} {
    return
  }
}
