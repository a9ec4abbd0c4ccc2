//===- FftLoops.h - FFTs of one transform, as loops -----------------*- C++ -*-===//
//
// DFT and STFT go through an FFT (O(L log L) per transform) instead of one
// sum per output bin (O(L^2)). A power-of-two length is an iterative
// radix-2 FFT; any other length is Bluestein's algorithm, a convolution
// with a chirp made of radix-2 FFTs of a power of two M >= 2L - 1 (two
// per transform, one per op for the chirp).
//
// In the radix-2 FFT the samples are read in bit-reversed order into a
// scratch of 2L f64 (real and imaginary interleaved), then log2(L) stages
// of butterflies run in place, with twiddles from a table made once per
// op. Arithmetic is in f64 as for the direct sums (LowerSignal.cpp), so a real
// signal's imaginary parts that cancel come out ~1e-13, as np.fft's do.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_LINALG_FFTLOOPS_H
#define KILN_BACKENDS_LINALG_FFTLOOPS_H

#include "mlir/IR/Builders.h"

namespace kiln::lowering {

/// Sample n (< count) of a transform, as f64 (real, imaginary).
using ReadSample = llvm::function_ref<std::pair<mlir::Value, mlir::Value>(
    mlir::OpBuilder &, mlir::Location, mlir::Value n)>;

/// i1: `length` is a power of two (and positive).
mlir::Value isPowerOfTwo(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value length);

/// tensor<?xf64> of 2 * length entries: cos and sin of 2 pi m / length for
/// m in [0, length), interleaved.
mlir::Value twiddleTable(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value length);

/// What every transform of one length shares, made once per op.
struct FftPlan {
  mlir::Value length;    // a power of two
  mlir::Value bits;      // its log2
  mlir::Value twiddles;  // twiddleTable(length)
  mlir::Value reversal;  // tensor<?xindex>: n -> n with its `bits` reversed
};
FftPlan fftPlan(mlir::OpBuilder &b, mlir::Location loc, mlir::Value length);

/// The plan's DFT of the `count` samples `read` gives, zeros after them,
/// written into `scratch` (tensor<?xf64>, at least 2 * length entries;
/// returned): bin k's real part at 2k, its imaginary part at 2k + 1.
/// `inverse` uses exp(+i...) and does not scale.
mlir::Value fftInto(mlir::OpBuilder &b, mlir::Location loc,
                    mlir::Value scratch, const FftPlan &plan,
                    mlir::Value count, bool inverse, ReadSample read);

/// What every Bluestein transform of one length and direction shares, made
/// once per op. With c_m = exp(-+ i pi m^2 / length) (- forward),
///   X_k = c_k * sum_n (x_n c_n) conj(c_(k-n)),
/// since k n = (k^2 + n^2 - (k - n)^2) / 2: a convolution, done as a
/// product of M-point FFTs.
struct BluesteinPlan {
  mlir::Value length;  // L, any positive length
  FftPlan fft;         // of M, the least power of two >= 2L - 1
  mlir::Value chirp;   // tensor<?xf64>, 2L: c_m, real and imaginary
  mlir::Value filter;  // tensor<?xf64>, 2M: the FFT of conj(c_|m|), m mod M
};
BluesteinPlan bluesteinPlan(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value length, bool inverse);

/// fftInto's contract for the plan's length and direction (bin k at 2k,
/// 2k + 1 of the returned tensor, unscaled): `scratch` and `work` are tensor<?xf64> of at
/// least 2M entries each (both returned; the bins are in the first).
std::pair<mlir::Value, mlir::Value>
bluesteinInto(mlir::OpBuilder &b, mlir::Location loc, mlir::Value scratch,
              mlir::Value work, const BluesteinPlan &plan, mlir::Value count,
              ReadSample read);

} // namespace kiln::lowering

#endif // KILN_BACKENDS_LINALG_FFTLOOPS_H
