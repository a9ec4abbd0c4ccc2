// What the CUDA mapping cannot do is reported, naming the op (and the flag
// that runs it on the host instead), not crashed on.
// RUN: kiln-opt %s --split-input-file --kiln-cuda-map-to-gpu --verify-diagnostics
// RUN: not kiln-opt %s --split-input-file --kiln-cuda-map-to-gpu='block-size=100' 2>&1 | FileCheck %s --check-prefix=BLOCK
// BLOCK: error: block-size must be a multiple of 32 in [32, 1024]

// A size that only the device knows: the host would have to read it back.
func.func @data_dependent(%a: memref<4xindex>) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  // expected-note @+1 {{computed here}}
  %n = memref.load %a[%c0] : memref<4xindex>
  // expected-error @+1 {{the host needs a value that is only known on the device (a data-dependent size or decision) (pass --allow-cpu-fallback to run it on the host)}}
  %out = memref.alloc(%n) : memref<?xf32>
  return %out : memref<?xf32>
}

// -----

// A value that an earlier kernel computed from an intermediate buffer (not
// an input, which each thread could read again).
func.func @intermediate_scalar(%a: memref<8xf32>) -> memref<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %two = arith.constant 2.0 : f32
  %buf = memref.alloc() : memref<f32>
  memref.store %two, %buf[] : memref<f32>
  // expected-note @+1 {{computed here}}
  %s = memref.load %buf[] : memref<f32>
  %out = memref.alloc() : memref<8xf32>
  // expected-error @+1 {{it needs a value that an earlier kernel computed from data on the device (pass --allow-cpu-fallback to run it on the host)}}
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %x = memref.load %a[%i] : memref<8xf32>
    %y = arith.mulf %x, %s : f32
    memref.store %y, %out[%i] : memref<8xf32>
    scf.reduce
  }
  return %out : memref<8xf32>
}
