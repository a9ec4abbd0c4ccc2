// The CPU fallback's host buffers and copies become calls of the runtime:
// gpu.alloc host_shared -> kiln_cuda_host_alloc(bytes), a synchronous
// gpu.memcpy into a host buffer -> kiln_cuda_copy_to_host(host, device,
// bytes), out of one -> kiln_cuda_copy_to_device(device, host, bytes),
// gpu.dealloc -> kiln_cuda_host_free. Host loads read the host buffer.
// RUN: kiln-opt %s --split-input-file --kiln-cuda-host-to-llvm --verify-diagnostics | FileCheck %s

// The thunks, through the table's new slots.
// CHECK-DAG: llvm.func internal @kiln_cuda_host_alloc(%{{.*}}: i64) -> !llvm.ptr
// CHECK-DAG: llvm.func internal @kiln_cuda_copy_to_host(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64)
// CHECK-DAG: llvm.func internal @kiln_cuda_copy_to_device(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64)
// CHECK-DAG: llvm.func internal @kiln_cuda_host_free(%{{.*}}: !llvm.ptr)
// CHECK-LABEL: llvm.func @fallback
// CHECK: %[[HB:.*]] = llvm.call @kiln_cuda_host_alloc(%{{.*}}) : (i64) -> !llvm.ptr
// CHECK: %[[BYTES:.*]] = llvm.mul %{{.*}}, %{{.*}} : i64
// CHECK: llvm.call @kiln_cuda_copy_to_host(%{{.*}}, %{{.*}}, %[[BYTES]]) : (!llvm.ptr, !llvm.ptr, i64) -> ()
// CHECK: %[[V:.*]] = llvm.load %{{.*}} : !llvm.ptr -> i64
// CHECK: llvm.store %[[V]]
// CHECK: llvm.call @kiln_cuda_copy_to_device(%{{.*}}, %{{.*}}, %{{.*}}) : (!llvm.ptr, !llvm.ptr, i64) -> ()
// CHECK: llvm.call @kiln_cuda_host_free(%{{.*}}) : (!llvm.ptr) -> ()
// CHECK: llvm.return %[[V]]
module attributes {gpu.container_module} {
  func.func @fallback(%d: memref<?xi64>) -> i64 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %n = memref.dim %d, %c0 : memref<?xi64>
    %h = gpu.alloc host_shared (%n) : memref<?xi64>
    gpu.memcpy %h, %d : memref<?xi64>, memref<?xi64>
    %v = memref.load %h[%c0] : memref<?xi64>
    memref.store %v, %h[%c1] : memref<?xi64>
    gpu.memcpy %d, %h : memref<?xi64>, memref<?xi64>
    gpu.dealloc %h : memref<?xi64>
    return %v : i64
  }
}

// -----

// Copies between device buffers are not the fallback's.
module attributes {gpu.container_module} {
  func.func @device_to_device(%a: memref<4xf32>, %b: memref<4xf32>) {
    // expected-error @+1 {{is not a synchronous copy between a host buffer and a contiguous device buffer}}
    gpu.memcpy %a, %b : memref<4xf32>, memref<4xf32>
    return
  }
}
