//===- FftLoops.h - a radix-2 FFT of one transform, as loops ------*- C++ -*-===//
//
// DFT and STFT of a power-of-two length go through an iterative radix-2
// FFT (O(L log L) per transform) instead of one sum per output bin
// (O(L^2)). The samples are read in bit-reversed order into a scratch of
// 2L f64 (real and imaginary interleaved), then log2(L) stages of
// butterflies run in place, with twiddles from a table made once per op.
// Arithmetic is in f64 as for the direct sums (LowerSignal.cpp), so a real
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

} // namespace kiln::lowering

#endif // KILN_BACKENDS_LINALG_FFTLOOPS_H
