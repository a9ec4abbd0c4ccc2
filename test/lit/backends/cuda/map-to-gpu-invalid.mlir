// What the CUDA mapping cannot do is reported, naming the op, not crashed on.
// RUN: kiln-opt %s --kiln-cuda-map-to-gpu --verify-diagnostics
// RUN: not kiln-opt %s --kiln-cuda-map-to-gpu='block-size=100' 2>&1 | FileCheck %s --check-prefix=BLOCK
// BLOCK: error: block-size must be a multiple of 32 in [32, 1024]

// A size that only the device knows: the host would have to read it back.
func.func @data_dependent(%a: memref<4xindex>) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  // expected-note @+1 {{computed here}}
  %n = memref.load %a[%c0] : memref<4xindex>
  // expected-error @+1 {{the host needs a value that is only known on the device}}
  %out = memref.alloc(%n) : memref<?xf32>
  return %out : memref<?xf32>
}
