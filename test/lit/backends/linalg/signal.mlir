// DFT, STFT and mel filters. Lengths below 64 that are not a power of two,
// and every length with along-axis=parallel (the GPU's): one generic over
// the output whose body sums the signal in f64 with an scf.for; twiddles
// from a table, entry (k * n) mod L. Powers of two with along-axis=serial
// (the CPU's): a radix-2 FFT per transform, in f64, twiddles from a table
// made once; other lengths from 64: Bluestein's FFT, through radix-2 FFTs.
// RUN: kiln-opt %s --kiln-convert-to-linalg --canonicalize -split-input-file | FileCheck %s --check-prefixes=CHECK,SERIAL
// RUN: kiln-opt %s --kiln-convert-to-linalg=along-axis=parallel --canonicalize -split-input-file | FileCheck %s --check-prefixes=CHECK,PARALLEL

// A real signal, 10 points, onesided: 6 bins; the last output dimension
// picks the real or imaginary sum. The twiddles: a table of 10 (cos, sin)
// pairs made once; term n of bin k reads entry (k * n) mod 10, stepped by
// k with one wrap.
// CHECK-LABEL: func @dft_real
// CHECK-DAG: %[[TWO_PI:.*]] = arith.constant 6.2831853071795862 : f64
// CHECK-DAG: %[[C10:.*]] = arith.constant 10 : index
// CHECK: %[[TABLE:.*]] = scf.for %{{.*}} = %c0 to %[[C10]] {{.*}} -> (tensor<?xf64>)
// CHECK: arith.mulf %{{.*}}, %[[TWO_PI]] : f64
// CHECK: math.cos
// CHECK: math.sin
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x6x10x2xf32>)
// CHECK: %[[K:.*]] = linalg.index 1 : index
// CHECK: %[[PART:.*]] = linalg.index 3 : index
// CHECK: scf.for %[[N:.*]] = %{{.*}} to %[[C10]] {{.*}} iter_args({{.*}}, %[[KN:.*]] = %c0) -> (f64, f64, index)
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %[[N]], %{{.*}}, %{{.*}}] : tensor<1x10x10x1xf32>
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK: %[[STEP:.*]] = arith.addi %[[KN]], %[[K]] : index
// CHECK: %[[WRAP:.*]] = arith.cmpi uge, %[[STEP]], %[[C10]] : index
// CHECK: %[[LESS:.*]] = arith.subi %[[STEP]], %[[C10]] : index
// CHECK: %[[NEXT:.*]] = arith.select %[[WRAP]], %[[LESS]], %[[STEP]] : index
// CHECK: %[[AT:.*]] = arith.addi %[[KN]], %[[KN]] : index
// CHECK: tensor.extract %[[TABLE]][%[[AT]]] : tensor<?xf64>
// CHECK-NOT: math.cos
// CHECK: scf.yield %{{.*}}, %{{.*}}, %[[NEXT]] : f64, f64, index
// CHECK: arith.cmpi eq, %[[PART]], %{{.*}} : index
// CHECK: arith.truncf %{{.*}} : f64 to f32
func.func @dft_real(%x: tensor<1x10x10x1xf32>) -> tensor<1x6x10x2xf32> {
  %0 = kiln.dft %x {axis = 1 : i64, onesided = true} : tensor<1x10x10x1xf32> -> tensor<1x6x10x2xf32>
  return %0 : tensor<1x6x10x2xf32>
}

// -----

// Inverse, zero-padded to 16 points: 8 samples summed, scaled by 1 / 16.
// The FFT's plan, made once: log2(16), the bit reversal of each of the 16
// positions, a table of 16 (cos, sin) pairs. Then the samples read in
// bit-reversed order (zeros past 8), and the stages of butterflies,
// exp(+i theta) for the inverse (no negated sine).
// CHECK-LABEL: func @dft_inverse_padded
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[L:.*]] = arith.constant 1.600000e+01 : f64
// SERIAL: %[[BITS:.*]] = scf.for %{{.*}} = %c0 to %c63 {{.*}} -> (index)
// SERIAL: %[[REVERSAL:.*]] = scf.for %{{.*}} = %c0 to %c16 {{.*}} -> (tensor<16xindex>)
// SERIAL: scf.for %{{.*}} = %c0 to %[[BITS]]
// SERIAL: arith.shrui
// SERIAL: %[[TABLE:.*]] = scf.for %{{.*}} = %c0 to %c16 {{.*}} -> (tensor<?xf64>)
// SERIAL: math.cos
// SERIAL: math.sin
// SERIAL: scf.for %[[N:.*]] = %c0 to %c16
// SERIAL: tensor.extract %[[REVERSAL]][%[[N]]] : tensor<16xindex>
// SERIAL: arith.cmpi slt, %[[N]], %[[C8]] : index
// SERIAL: scf.for %[[S:.*]] = %c0 to %[[BITS]]
// SERIAL: %[[HALF:.*]] = arith.shli %c1, %[[S]] : index
// SERIAL: scf.for %{{.*}} = %c0 to %[[HALF]]
// SERIAL: tensor.extract %[[TABLE]]
// SERIAL-NOT: arith.negf
// SERIAL: arith.subf
// SERIAL: arith.divf %{{.*}}, %[[L]] : f64
// PARALLEL: scf.for %{{.*}} = %{{.*}} to %[[C8]]
// PARALLEL: arith.divf %{{.*}}, %[[L]] : f64
func.func @dft_inverse_padded(%x: tensor<8x2xf64>) -> tensor<16x2xf64> {
  %0 = kiln.dft %x {axis = 0 : i64, inverse = true, length = 16 : i64} : tensor<8x2xf64> -> tensor<16x2xf64>
  return %0 : tensor<16x2xf64>
}

// -----

// 100 points, serial: Bluestein's. Made once: M, the least power of two
// >= 199 (a search over the 63 shifts); the chirp exp(-i pi m^2 / 100),
// m^2 kept mod 200 by adding 2m + 1 and one wrap; the FFT of the filter
// (M points). Per transform (3), two scratches carried by the loop: the
// forward FFT of the samples times the chirp, then the inverse FFT of its
// product with the filter (no negated sine), then the 100 bins times the
// chirp and 1 / M.
// CHECK-LABEL: func @dft_bluestein
// SERIAL-DAG: %[[C199:.*]] = arith.constant 199 : index
// SERIAL-DAG: %[[PI:.*]] = arith.constant 3.1415926535897931 : f64
// SERIAL-DAG: %[[C200:.*]] = arith.constant 200 : index
// SERIAL: %[[M:.*]] = scf.for %{{.*}} = %c0 to %c63 {{.*}} -> (index)
// SERIAL: arith.cmpi uge, %{{.*}}, %[[C199]] : index
// SERIAL: scf.for %{{.*}} = %c0 to %c100 {{.*}} -> (tensor<?xf64>, index)
// SERIAL: arith.mulf %{{.*}}, %[[PI]] : f64
// SERIAL: math.sin
// SERIAL: arith.negf
// SERIAL: math.cos
// SERIAL: %[[WRAP:.*]] = arith.cmpi uge, %{{.*}}, %[[C200]] : index
// SERIAL: scf.for %{{.*}} = %c0 to %[[M]]
// SERIAL: scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args(%[[OUT:.*]] = %{{.*}}, %[[S1:.*]] = %{{.*}}, %[[S2:.*]] = %{{.*}}) -> (tensor<3x51x2xf32>, tensor<?xf64>, tensor<?xf64>)
// SERIAL: scf.for %{{.*}} = %c0 to %[[M]] step %c1 iter_args(%{{.*}} = %[[S1]])
// SERIAL: tensor.extract %{{.*}} : tensor<3x100x1xf32>
// SERIAL: arith.negf
// SERIAL: scf.for %{{.*}} = %c0 to %[[M]] step %c1 iter_args(%{{.*}} = %[[S2]])
// SERIAL: scf.for
// SERIAL-NOT: arith.negf
// SERIAL: arith.divf %{{.*}}, %{{.*}} : f64
// SERIAL: scf.for %{{.*}} = %c0 to %c100
// SERIAL: scf.for %{{.*}} = %c0 to %c51
// PARALLEL: linalg.generic {{.*}} outs(%{{.*}} : tensor<3x51x2xf32>)
// PARALLEL: scf.for %{{.*}} = %c0 to %c100
func.func @dft_bluestein(%x: tensor<3x100x1xf32>) -> tensor<3x51x2xf32> {
  %0 = kiln.dft %x {axis = 1 : i64, onesided = true} : tensor<3x100x1xf32> -> tensor<3x51x2xf32>
  return %0 : tensor<3x51x2xf32>
}

// -----

// Dynamic sizes: the complex dimension is checked at run time. Serial:
// a power of two, else from 64 points Bluestein's, else the sums.
// CHECK-LABEL: func @dft_dynamic
// CHECK: tensor.dim
// CHECK: cf.assert %{{.*}}, "{{.*}}the last dimension must be 1 (real) or 2 (complex)"
// SERIAL: scf.if
// SERIAL: } else {
// SERIAL: %[[LONG:.*]] = arith.cmpi sge, %{{.*}}, %c64 : index
// SERIAL: scf.if %[[LONG]]
// SERIAL: } else {
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x?x2xf32>)
func.func @dft_dynamic(%x: tensor<?x?x?xf32>) -> tensor<?x?x2xf32> {
  %0 = kiln.dft %x {axis = 1 : i64} : tensor<?x?x?xf32> -> tensor<?x?x2xf32>
  return %0 : tensor<?x?x2xf32>
}

// -----

// A step known only at run time: checked, and the frame count computed
// (the frame length, static here, needs no check).
// CHECK-LABEL: func @stft
// CHECK: %[[STEP:.*]] = arith.index_cast %{{.*}} : i64 to index
// CHECK: cf.assert %{{.*}}, "{{.*}}frame_step must be positive"
// CHECK: arith.divsi %{{.*}}, %[[STEP]] : index
// Forward: the sine is negated.
// SERIAL: tensor.empty(%{{.*}}) : tensor<1x?x9x2xf32>
// SERIAL: scf.for %[[FRAME:.*]] = %c0 to
// SERIAL: scf.for %{{.*}} = %c0 to %c16
// SERIAL: arith.muli %[[FRAME]], %[[STEP]] : index
// SERIAL: tensor.extract %{{.*}}[%{{.*}}] : tensor<16xf32>
// SERIAL: arith.negf
// SERIAL: scf.for %{{.*}} = %c0 to %c9
// PARALLEL: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x?x9x2xf32>)
// PARALLEL: scf.for
// PARALLEL: arith.muli %{{.*}}, %[[STEP]] : index
// The window multiplies each sample.
// PARALLEL: tensor.extract %{{.*}}[%{{.*}}] : tensor<16xf32>
func.func @stft(%s: tensor<1x128x1xf32>, %step: tensor<si64>, %w: tensor<16xf32>) -> tensor<1x?x9x2xf32> {
  %0 = kiln.stft %s, %step, %w : (tensor<1x128x1xf32>, tensor<si64>, tensor<16xf32>) -> tensor<1x?x9x2xf32>
  return %0 : tensor<1x?x9x2xf32>
}

// -----

// Mel points: 2595 * log10(1 + hz / 700) and back with 10^x, bins floored.
// CHECK-LABEL: func @mel
// CHECK: cf.assert %{{.*}}, "{{.*}}num_mel_bins and dft_length must be positive"
// CHECK: cf.assert %{{.*}}, "{{.*}}sample_rate must be positive"
// CHECK: math.log10
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x?xf32>)
// CHECK: math.powf
// CHECK: math.floor
// CHECK: arith.select
// CHECK: arith.truncf %{{.*}} : f64 to f32
func.func @mel(%m: tensor<si32>, %d: tensor<si32>, %sr: tensor<si32>, %lo: tensor<f32>, %hi: tensor<f32>) -> tensor<?x?xf32> {
  %0 = kiln.mel_weight_matrix %m, %d, %sr, %lo, %hi {output_type = f32} : (tensor<si32>, tensor<si32>, tensor<si32>, tensor<f32>, tensor<f32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A signal of dynamic length: the frame length is checked against it.
// CHECK-LABEL: func @stft_dynamic_signal
// CHECK: cf.assert %{{.*}}, "{{.*}}the frame length must be in [1, signal length]"
// SERIAL: tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?x16x2xf32>
// PARALLEL: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x?x16x2xf32>)
func.func @stft_dynamic_signal(%s: tensor<?x?x2xf32>, %w: tensor<16xf32>) -> tensor<?x?x16x2xf32> {
  %c4 = kiln.constant dense<4> : tensor<si32>
  %0 = kiln.stft %s, %c4, %w {onesided = false} : (tensor<?x?x2xf32>, tensor<si32>, tensor<16xf32>) -> tensor<?x?x16x2xf32>
  return %0 : tensor<?x?x16x2xf32>
}
