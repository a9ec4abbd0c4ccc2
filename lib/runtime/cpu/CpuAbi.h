//===- CpuAbi.h - the contract between CPU artifacts and the runtime -*- C++ -*-===//
//
// A CPU artifact that hands kernels to a library (oneDNN) or runs loops on
// the runtime's threads exports
//
//   void *kiln_artifact_cpu_api[kApiSlots];   filled by the runtime at load
//
// and calls the library wrappers through it (slot 0 is an opaque context
// passed back as each function's first argument), so that the artifact has
// no undefined symbols besides libm, as for CUDA (cuda/CudaAbi.h). A
// runtime built without oneDNN fills the slots with functions that fail
// the run with a clear message.
//
// Every call takes a descriptor, a constant int64 array in the artifact
// whose first element is its length (so the runtime can use its contents as
// a cache key for the primitive it creates once), and an array of buffer
// addresses. Buffers are dense and row-major in the layout described.
//
// This header is plain C++ with no dependencies: the compiler includes it to
// emit the calls, the runtime to implement them.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_CPU_CPUABI_H
#define KILN_LIB_RUNTIME_CPU_CPUABI_H

#include <cstdint>

namespace kiln::cpu_abi {

inline constexpr const char *kApiSymbol = "kiln_artifact_cpu_api";

/// Slots of kiln_artifact_cpu_api. Append only: the order is the ABI.
enum ApiSlot : int {
  kSlotContext = 0,
  kSlotConv2d, ///< void (void *ctx, const int64_t *desc, void **buffers)
               ///< buffers: input, filter, bias (or null), input zero point
               ///< (or null), post operands..., output
  kSlotMatmul, ///< void (void *ctx, const int64_t *desc, void **buffers)
               ///< buffers: lhs, rhs, post operands..., output
  kSlotParallelFor, ///< void (void *ctx, ParallelBody body, void *args,
                    ///<       int64_t n): body(args, lo, hi) over a split
                    ///< of [0, n) among the runtime's threads
  kSlotAlloc, ///< void *(void *ctx, int64_t bytes): the artifact's heap
              ///< buffers (outputs, sizes known at run time), from the
              ///< runtime's pool (HostBufferPool.h); 64-byte aligned
  kSlotFree,  ///< void (void *ctx, void *p): one of them back to the pool
  kApiSlots
};

inline constexpr const char *kSlotNames[kApiSlots] = {
    "", "kiln_cpu_conv2d", "kiln_cpu_matmul", "kiln_cpu_parallel_for",
    "kiln_cpu_alloc", "kiln_cpu_free"};

using ParallelBody = void (*)(void *args, int64_t lo, int64_t hi);
using ParallelForFn = void (*)(void *ctx, ParallelBody body, void *args,
                               int64_t n);

using LibraryCallFn = void (*)(void *ctx, const int64_t *desc, void **buffers);

/// Epilogue steps. Unary steps carry two constants (alpha, beta) as the
/// bits of doubles; binary steps take the next post operand, described by
/// its dimensions (the output's rank, each the output's size or 1).
enum PostOp : int64_t {
  kRelu = 1, kLeakyRelu, kElu, kGeluErf, kGeluTanh, kSigmoid, kTanh,
  kClip,     ///< alpha = lower bound, beta = upper bound
  kSwish,    ///< x * sigmoid(alpha * x)
  kHardSwish, kAbs, kExp, kSqrt,
  kLinear,   ///< alpha * x + beta
  kFirstBinary = 100,
  kAdd = kFirstBinary, kSub, kMul, kDiv, kMax, kMin,
};

/// conv2d descriptor fields, then the epilogue. Input [N, C, H, W] (or
/// [N, H, W, C] with channels_last), filter [K, C/groups, R, S], output
/// [N, K, P, Q] (or [N, P, Q, K]); pads top, left, bottom, right.
enum ConvField : int {
  kConvLength, ///< number of int64 in the whole descriptor
  kConvN, kConvC, kConvH, kConvW,
  kConvK, kConvR, kConvS,
  kConvP, kConvQ,
  kConvPadTop, kConvPadLeft, kConvPadBottom, kConvPadRight,
  kConvStrideH, kConvStrideW,
  kConvDilationH, kConvDilationW,
  kConvGroups,
  kConvChannelsLast,
  kConvHasBias,
  kConvConstantWeights, ///< the filter never changes: repack it once
  kConvAlgorithm,       ///< a ConvAlgorithm
  kConvWinogradMinPixels, ///< Winograd: direct below this many output
                          ///< pixels, N x P x Q (sizes known at run time)
  kConvInteger,         ///< a ConvInteger: u8 input, s8 filter, and output
  kConvHasZeroPoint,    ///< an integer convolution's input zero point (one
                        ///< s32, read at run time) is given
  kConvOutputZeroPoint, ///< requantized: added to the output
  kConvScales,          ///< requantized: how many output scales (1 or K),
                        ///< the descriptor's last entries (f32 bits)
  kConvEpilogue         ///< where the epilogue starts
};

/// An integer convolution's output: s32 accumulators, or requantized to
/// u8 / s8 (`output_scales[k] * (acc + bias[k])`, the epilogue, plus the
/// output zero point, rounded and saturated; the bias f32).
enum ConvInteger : int64_t {
  kConvFloat = 0, kConvToS32 = 1, kConvToU8 = 2, kConvToS8 = 3
};

/// How a convolution is computed. Winograd (F(2x2, 3x3)) takes oneDNN's
/// blocked layout: the runtime reorders the input into it and the output
/// back, and falls back to direct where its oneDNN has no such kernel.
enum ConvAlgorithm : int64_t { kConvDirect = 0, kConvWinograd = 1 };

/// matmul descriptor: out[b] = alpha * op(lhs[b]) op(rhs[b]) over the
/// output's leading dimensions; lhs/rhs dimensions padded to the output's
/// rank with leading 1s (a 1 broadcasts), as stored (before op).
enum MatmulField : int {
  kMmLength,
  kMmRank,
  kMmTransA, kMmTransB,
  kMmAlphaBits,
  kMmConstantWeights, ///< rhs never changes
  kMmInteger,         ///< u8 lhs, s8 rhs, s32 output
  kMmDims ///< lhs dims [rank], rhs dims [rank], output dims [rank], then
          ///< the epilogue
};

/// The epilogue, at the given offset: count, then per step: kind,
/// alpha bits, beta bits, and for a binary step the operand's dimensions
/// (the output's rank of them, in the output's stored order).

} // namespace kiln::cpu_abi

#endif // KILN_LIB_RUNTIME_CPU_CPUABI_H
