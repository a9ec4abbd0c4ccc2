// With allow-cpu-fallback, the work whose values the host needs runs on the
// host on host copies of the buffers it touches: copied in only where it
// reads them (or partly writes a buffer an earlier op may have written),
// copied back only where it writes them and a later op may read them.
// RUN: kiln-opt %s --split-input-file --kiln-cuda-map-to-gpu='allow-cpu-fallback=true' | FileCheck %s
// The emulation runs the copies as copies between separate buffers.
// RUN: kiln-opt %s --split-input-file --kiln-cuda-map-to-gpu='allow-cpu-fallback=true' --kiln-cuda-emulate-launches | FileCheck %s --check-prefix=EMU

// A size read from an input: the input is copied to the host (it is read,
// not written: nothing goes back), the size is read there.
// CHECK-LABEL: func @data_dependent
// CHECK: %[[H:.*]] = gpu.alloc host_shared () : memref<4xindex>
// CHECK-NEXT: gpu.memcpy %[[H]], %arg0 : memref<4xindex>, memref<4xindex>
// CHECK-NEXT: %[[N:.*]] = memref.load %[[H]][%{{.*}}] : memref<4xindex>
// CHECK-NEXT: gpu.dealloc %[[H]]
// CHECK-NOT: gpu.memcpy
// CHECK: memref.alloc(%[[N]]) : memref<?xf32>
// EMU-LABEL: func @data_dependent
// EMU: %[[H:.*]] = memref.alloc() : memref<4xindex>
// EMU-NEXT: memref.copy %arg0, %[[H]]
// EMU-NEXT: memref.load %[[H]]
// EMU-NEXT: memref.dealloc %[[H]]
func.func @data_dependent(%a: memref<4xindex>) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %n = memref.load %a[%c0] : memref<4xindex>
  %out = memref.alloc(%n) : memref<?xf32>
  return %out : memref<?xf32>
}

// -----

// A scalar of an intermediate buffer that a later kernel needs: computed
// on the host (the buffer is fresh: nothing to copy in; nothing after
// the host work reads it: nothing to copy back), then a kernel parameter.
// CHECK-LABEL: func @intermediate_scalar
// CHECK: %[[H:.*]] = gpu.alloc host_shared () : memref<f32>
// CHECK-NOT: gpu.memcpy
// CHECK: memref.store %{{.*}}, %[[H]][]
// CHECK-NEXT: %[[S:.*]] = memref.load %[[H]][]
// CHECK-NEXT: gpu.dealloc %[[H]]
// CHECK-NOT: gpu.memcpy
// CHECK: gpu.launch
// CHECK: arith.mulf %{{.*}}, %[[S]]
func.func @intermediate_scalar(%a: memref<8xf32>) -> memref<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %two = arith.constant 2.0 : f32
  %buf = memref.alloc() : memref<f32>
  memref.store %two, %buf[] : memref<f32>
  %s = memref.load %buf[] : memref<f32>
  %out = memref.alloc() : memref<8xf32>
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %x = memref.load %a[%i] : memref<8xf32>
    %y = arith.mulf %x, %s : f32
    memref.store %y, %out[%i] : memref<8xf32>
    scf.reduce
  }
  memref.dealloc %buf : memref<f32>
  return %out : memref<8xf32>
}

// -----

// The host work writes a buffer that a later kernel reads (after a kernel
// wrote part of it): copied in (partial write), and back.
// CHECK-LABEL: func @host_result_feeds_kernel
// CHECK: gpu.launch
// CHECK: memref.store
// CHECK: gpu.terminator
// CHECK: %[[H0:.*]] = gpu.alloc host_shared () : memref<4xindex>
// CHECK-NEXT: gpu.memcpy %[[H0]], %arg0
// CHECK-NEXT: %[[H:.*]] = gpu.alloc host_shared () : memref<2xindex>
// CHECK-NEXT: gpu.memcpy %[[H]], %[[BUF:.*]] : memref<2xindex>, memref<2xindex>
// CHECK-NEXT: %[[N:.*]] = memref.load %[[H0]]
// CHECK-NEXT: memref.store %[[N]], %[[H]]
// CHECK-NEXT: gpu.dealloc %[[H0]]
// CHECK-NEXT: gpu.memcpy %[[BUF]], %[[H]] : memref<2xindex>, memref<2xindex>
// CHECK-NEXT: gpu.dealloc %[[H]]
// CHECK: memref.alloc(%[[N]])
// CHECK: gpu.launch
// CHECK: memref.load %[[BUF]]
func.func @host_result_feeds_kernel(%a: memref<4xindex>) -> memref<?xindex> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c7 = arith.constant 7 : index
  %buf = memref.alloc() : memref<2xindex>
  memref.store %c7, %buf[%c0] : memref<2xindex>
  %m = memref.alloc() : memref<f32>
  %n = memref.load %a[%c0] : memref<4xindex>
  memref.store %n, %buf[%c1] : memref<2xindex>
  %out = memref.alloc(%n) : memref<?xindex>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %k = arith.remui %i, %c1 : index
    %v = memref.load %buf[%k] : memref<2xindex>
    memref.store %v, %out[%i] : memref<?xindex>
    scf.reduce
  }
  memref.dealloc %buf : memref<2xindex>
  memref.dealloc %m : memref<f32>
  return %out : memref<?xindex>
}

// -----

// A loop whose condition the device computes and whose body allocates
// stays on the host: each iteration copies the counter to the host to
// decide, and the body's parallel loop is a kernel.
// CHECK-LABEL: func @device_trip_count
// CHECK: scf.while
// CHECK: %[[H:.*]] = gpu.alloc host_shared () : memref<index>
// CHECK-NEXT: gpu.memcpy %[[H]], %[[CNT:.*]] : memref<index>, memref<index>
// CHECK: %[[V:.*]] = memref.load %[[H]][]
// CHECK: %[[C:.*]] = arith.cmpi slt, %[[V]]
// CHECK: gpu.dealloc %[[H]]
// CHECK: scf.condition(%[[C]])
// CHECK: memref.alloc()
// CHECK: gpu.launch
// CHECK: gpu.launch
// CHECK: memref.store %{{.*}}, %[[CNT]][]
// CHECK: scf.yield
func.func @device_trip_count(%a: memref<index>, %x: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %count = memref.alloc() : memref<index>
  memref.store %c0, %count[] : memref<index>
  scf.while : () -> () {
    %i = memref.load %count[] : memref<index>
    %n = memref.load %a[] : memref<index>
    %go = arith.cmpi slt, %i, %n : index
    scf.condition(%go)
  } do {
    %tmp = memref.alloc() : memref<16xf32>
    scf.parallel (%j) = (%c0) to (%c16) step (%c1) {
      %v = memref.load %x[%j] : memref<16xf32>
      %w = arith.addf %v, %v : f32
      memref.store %w, %tmp[%j] : memref<16xf32>
      scf.reduce
    }
    memref.dealloc %tmp : memref<16xf32>
    %i = memref.load %count[] : memref<index>
    %next = arith.addi %i, %c1 : index
    memref.store %next, %count[] : memref<index>
    scf.yield
  }
  memref.dealloc %count : memref<index>
  return
}
