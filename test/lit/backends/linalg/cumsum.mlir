// CumSum under the two settings of kiln-convert-to-linalg{along-axis=}:
// serial (the CPU's: a loop nest in the input's order, each position adding
// to the sum before it: O(n)), and parallel (the GPU's: every sum its own
// reduction over the prefix, O(n^2), one thread each).
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s --check-prefix=SERIAL
// RUN: kiln-opt %s --kiln-convert-to-linalg=along-axis=parallel --canonicalize -split-input-file | FileCheck %s --check-prefix=PARALLEL

// The middle axis: the loop over it sits between the outer and the inner
// dimension, so the inner reads and writes stay contiguous. Exclusive and
// reversed: position i takes the sum at i + 1 plus the input at i + 1, the
// last position takes 0.
// SERIAL-LABEL: func @middle_reverse_exclusive
// SERIAL: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4x?x3xf32>)
// SERIAL: scf.for %[[O:.*]] = %c0 to %c4
// SERIAL: scf.for %[[P:.*]] = %c0 to %{{.*}} step %c1
// SERIAL: scf.for %[[IN:.*]] = %c0 to %c3
// SERIAL: %[[I:.*]] = arith.subi %{{.*}}, %[[P]] : index
// SERIAL: %[[NEXT:.*]] = arith.addi %[[I]], %c1 : index
// SERIAL: %[[PREV:.*]] = arith.minsi %[[NEXT]], %{{.*}} : index
// SERIAL: %[[S:.*]] = tensor.extract %{{.*}}[%[[O]], %[[PREV]], %[[IN]]]
// SERIAL: %[[X:.*]] = tensor.extract %{{.*}}[%[[O]], %[[PREV]], %[[IN]]]
// SERIAL: %[[ADD:.*]] = arith.addf %[[S]], %[[X]] : f32
// SERIAL: %[[FIRST:.*]] = arith.cmpi eq, %[[P]], %c0 : index
// SERIAL: %[[SUM:.*]] = arith.select %[[FIRST]], %{{.*}}, %[[ADD]] : f32
// SERIAL: tensor.insert %[[SUM]] into %{{.*}}[%[[O]], %[[I]], %[[IN]]]
// SERIAL-NOT: linalg.generic
// SERIAL: return
// PARALLEL-LABEL: func @middle_reverse_exclusive
// PARALLEL: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// PARALLEL: arith.cmpi sgt
// PARALLEL-NOT: scf.for
// PARALLEL: return
func.func @middle_reverse_exclusive(%x: tensor<4x?x3xf32>) -> tensor<4x?x3xf32> {
  %0 = kiln.cum_sum %x {axis = 1 : i64, exclusive = true, reverse = true} : tensor<4x?x3xf32>
  return %0 : tensor<4x?x3xf32>
}

// -----

// Integers add as integers; forward and inclusive: the input at i is added
// after the sum before it (numpy's order).
// SERIAL-LABEL: func @last_axis_int
// SERIAL: scf.for %[[P:.*]] = %c0 to %c7
// SERIAL: %[[PREV:.*]] = arith.maxsi
// SERIAL: %[[S:.*]] = tensor.extract %{{.*}}[%{{.*}}, %[[PREV]]] : tensor<2x7xi64>
// SERIAL: %[[SUM:.*]] = arith.select %{{.*}}, %c0_i64, %[[S]] : i64
// SERIAL: %[[X:.*]] = tensor.extract %{{.*}}[%{{.*}}, %[[P]]] : tensor<2x7xi64>
// SERIAL: arith.addi %[[SUM]], %[[X]] : i64
// PARALLEL-LABEL: func @last_axis_int
// PARALLEL: linalg.generic
// PARALLEL: arith.addi %{{.*}}, %{{.*}} : i64
func.func @last_axis_int(%x: tensor<2x7xsi64>) -> tensor<2x7xsi64> {
  %0 = kiln.cum_sum %x {axis = 1 : i64} : tensor<2x7xsi64>
  return %0 : tensor<2x7xsi64>
}

// -----

// An axis known at run time: checked, then one branch per axis.
// SERIAL-LABEL: func @dynamic_axis
// SERIAL: cf.assert %{{.*}}, "op 'kiln.cum_sum': axis out of range"
// SERIAL: scf.if
// SERIAL: scf.if
// PARALLEL-LABEL: func @dynamic_axis
// PARALLEL: cf.assert
// PARALLEL: linalg.generic
func.func @dynamic_axis(%x: tensor<2x7xf32>, %a: tensor<si32>) -> tensor<2x7xf32> {
  %0 = kiln.cum_sum %x axis(%a : tensor<si32>) {axis = 0 : i64} : tensor<2x7xf32>
  return %0 : tensor<2x7xf32>
}
