// Ownership-based deallocation frees buffers that may alias (an operand
// broadcast by a copy or not, decided at run time) through a helper that
// compares pointers in small scratch arrays: host bookkeeping. The arrays
// become host stack memory at the entry, their stores, loads and the call
// stay on the host, and the helper is not mapped; the data (the copies and
// the add) still runs in kernels.
// RUN: kiln-opt %s --kiln-cuda-map-to-gpu='block-size=128' | FileCheck %s
// CHECK-LABEL: func.func @main_graph
// CHECK-DAG: memref.alloca() : memref<2xindex>
// CHECK-DAG: memref.alloca() : memref<0xindex>
// CHECK-NOT: memref.alloc() :
// CHECK-COUNT-4: gpu.launch
// CHECK-NOT: gpu.launch
// CHECK: %[[PTR:.*]] = memref.extract_aligned_pointer_as_index
// CHECK-NEXT: memref.store %[[PTR]], %[[P:alloca[_0-9]*]][%c0] : memref<2xindex>
// CHECK: call @dealloc_helper
// CHECK-NEXT: %[[OWN:.*]] = memref.load %[[O:alloca[_0-9]*]][%c0] : memref<2xi1>
// CHECK-NEXT: scf.if %[[OWN]] {
// CHECK-NEXT: memref.dealloc
// CHECK-NOT: memref.dealloc %[[P]]
// CHECK: return
// CHECK-LABEL: func.func private @dealloc_helper
// CHECK-NOT: gpu.launch
// CHECK: return
module attributes {kiln.param_names = [], kiln.param_values = []} {
  func.func @main_graph(%arg0: memref<?x4xf32>, %arg1: memref<?x4xf32>) -> memref<?x4xf32> attributes {kiln.entry, llvm.emit_c_interface} {
    %c4 = arith.constant 4 : index
    %c1 = arith.constant 1 : index
    %c0 = arith.constant 0 : index
    %dim = memref.dim %arg0, %c0 : memref<?x4xf32>
    %dim_0 = memref.dim %arg1, %c0 : memref<?x4xf32>
    %0 = arith.cmpi eq, %dim, %c1 : index
    %1 = arith.select %0, %dim_0, %dim : index
    %2 = arith.cmpi eq, %dim, %1 : index
    %3 = arith.ori %2, %0 : i1
    cf.assert %3, "op 'kiln.add': operand shapes do not broadcast"
    %4 = arith.cmpi eq, %dim_0, %1 : index
    %5 = arith.cmpi eq, %dim_0, %c1 : index
    %6 = arith.ori %4, %5 : i1
    cf.assert %6, "op 'kiln.add': operand shapes do not broadcast"
    %7 = arith.cmpi ne, %dim, %1 : index
    %8 = scf.if %7 -> (memref<?x4xf32>) {
      %alloc_16 = memref.alloc(%1) {alignment = 64 : i64} : memref<?x4xf32>
      scf.parallel (%arg2, %arg3) = (%c0, %c0) to (%1, %c4) step (%c1, %c1) {
        %13 = arith.select %0, %c0, %arg2 : index
        %14 = memref.load %arg0[%13, %arg3] : memref<?x4xf32>
        memref.store %14, %alloc_16[%arg2, %arg3] : memref<?x4xf32>
        scf.reduce 
      }
      scf.yield %alloc_16 : memref<?x4xf32>
    } else {
      scf.yield %arg0 : memref<?x4xf32>
    }
    %9 = arith.cmpi ne, %dim_0, %1 : index
    %10 = scf.if %9 -> (memref<?x4xf32>) {
      %alloc_16 = memref.alloc(%1) {alignment = 64 : i64} : memref<?x4xf32>
      scf.parallel (%arg2, %arg3) = (%c0, %c0) to (%1, %c4) step (%c1, %c1) {
        %13 = arith.select %5, %c0, %arg2 : index
        %14 = memref.load %arg1[%13, %arg3] : memref<?x4xf32>
        memref.store %14, %alloc_16[%arg2, %arg3] : memref<?x4xf32>
        scf.reduce 
      }
      scf.yield %alloc_16 : memref<?x4xf32>
    } else {
      scf.yield %arg1 : memref<?x4xf32>
    }
    %alloc = memref.alloc(%1) {alignment = 64 : i64} : memref<?x4xf32>
    %dim_1 = memref.dim %8, %c0 : memref<?x4xf32>
    scf.parallel (%arg2, %arg3) = (%c0, %c0) to (%dim_1, %c4) step (%c1, %c1) {
      %13 = memref.load %8[%arg2, %arg3] : memref<?x4xf32>
      %14 = memref.load %10[%arg2, %arg3] : memref<?x4xf32>
      %15 = arith.addf %13, %14 : f32
      memref.store %15, %alloc[%arg2, %arg3] : memref<?x4xf32>
      scf.reduce 
    }
    %base_buffer, %offset, %sizes:2, %strides:2 = memref.extract_strided_metadata %8 : memref<?x4xf32> -> memref<f32>, index, index, index, index, index
    %base_buffer_2, %offset_3, %sizes_4:2, %strides_5:2 = memref.extract_strided_metadata %10 : memref<?x4xf32> -> memref<f32>, index, index, index, index, index
    %alloc_6 = memref.alloc() : memref<2xindex>
    %alloc_7 = memref.alloc() : memref<2xi1>
    %alloc_8 = memref.alloc() : memref<0xindex>
    %intptr = memref.extract_aligned_pointer_as_index %base_buffer : memref<f32> -> index
    memref.store %intptr, %alloc_6[%c0] : memref<2xindex>
    %intptr_9 = memref.extract_aligned_pointer_as_index %base_buffer_2 : memref<f32> -> index
    memref.store %intptr_9, %alloc_6[%c1] : memref<2xindex>
    memref.store %7, %alloc_7[%c0] : memref<2xi1>
    memref.store %9, %alloc_7[%c1] : memref<2xi1>
    %cast = memref.cast %alloc_6 : memref<2xindex> to memref<?xindex>
    %cast_10 = memref.cast %alloc_7 : memref<2xi1> to memref<?xi1>
    %cast_11 = memref.cast %alloc_8 : memref<0xindex> to memref<?xindex>
    %alloc_12 = memref.alloc() : memref<2xi1>
    %alloc_13 = memref.alloc() : memref<0xi1>
    %cast_14 = memref.cast %alloc_12 : memref<2xi1> to memref<?xi1>
    %cast_15 = memref.cast %alloc_13 : memref<0xi1> to memref<?xi1>
    call @dealloc_helper(%cast, %cast_11, %cast_10, %cast_14, %cast_15) : (memref<?xindex>, memref<?xindex>, memref<?xi1>, memref<?xi1>, memref<?xi1>) -> ()
    %11 = memref.load %alloc_12[%c0] : memref<2xi1>
    scf.if %11 {
      memref.dealloc %base_buffer : memref<f32>
    }
    %12 = memref.load %alloc_12[%c1] : memref<2xi1>
    scf.if %12 {
      memref.dealloc %base_buffer_2 : memref<f32>
    }
    memref.dealloc %alloc_6 : memref<2xindex>
    memref.dealloc %alloc_8 : memref<0xindex>
    memref.dealloc %alloc_7 : memref<2xi1>
    memref.dealloc %alloc_12 : memref<2xi1>
    memref.dealloc %alloc_13 : memref<0xi1>
    return %alloc : memref<?x4xf32>
  }
  func.func private @dealloc_helper(%arg0: memref<?xindex>, %arg1: memref<?xindex>, %arg2: memref<?xi1>, %arg3: memref<?xi1>, %arg4: memref<?xi1>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %true = arith.constant true
    %false = arith.constant false
    %dim = memref.dim %arg0, %c0 : memref<?xindex>
    %dim_0 = memref.dim %arg1, %c0 : memref<?xindex>
    scf.for %arg5 = %c0 to %dim_0 step %c1 {
      memref.store %false, %arg4[%arg5] : memref<?xi1>
    }
    scf.for %arg5 = %c0 to %dim step %c1 {
      %0 = memref.load %arg0[%arg5] : memref<?xindex>
      %1 = memref.load %arg2[%arg5] : memref<?xi1>
      %2 = scf.for %arg6 = %c0 to %dim_0 step %c1 iter_args(%arg7 = %true) -> (i1) {
        %5 = memref.load %arg1[%arg6] : memref<?xindex>
        %6 = arith.cmpi eq, %5, %0 : index
        scf.if %6 {
          %9 = memref.load %arg4[%arg6] : memref<?xi1>
          %10 = arith.ori %9, %1 : i1
          memref.store %10, %arg4[%arg6] : memref<?xi1>
        }
        %7 = arith.cmpi ne, %5, %0 : index
        %8 = arith.andi %arg7, %7 : i1
        scf.yield %8 : i1
      }
      %3 = scf.for %arg6 = %c0 to %arg5 step %c1 iter_args(%arg7 = %2) -> (i1) {
        %5 = memref.load %arg0[%arg6] : memref<?xindex>
        %6 = arith.cmpi ne, %5, %0 : index
        %7 = arith.andi %arg7, %6 : i1
        scf.yield %7 : i1
      }
      %4 = arith.andi %3, %1 : i1
      memref.store %4, %arg3[%arg5] : memref<?xi1>
    }
    return
  }
}

