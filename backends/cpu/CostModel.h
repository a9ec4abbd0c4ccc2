//===- CostModel.h - which CPU path runs a kernel, and how fast -*- C++ -*-===//
//
// A roofline estimate per kernel and path: time = fixed cost per call +
// max(FLOPs / compute rate, bytes / memory bandwidth), with rates per path
// and thread, and the bandwidth of the caches when the data fits in them.
// The figures are this machine's class (AVX-512, 2 cores), measured with
// bench/run.sh and kiln-run --bench: oneDNN sgemm reaches 65-100 GFLOP/s
// per core; Kiln's generated loops 2.5 on general loop nests. A oneDNN call
// costs ~5 us of fixed work (plan lookup, memory objects, stream), a
// generated loop nest almost none. So matrix-vector products, whose
// generated loops vectorise (dot products with promoted accumulators, or
// axpys) and run near the bandwidth, are faster generated: 256x256 at
// batch 1, 3.3-5 us against oneDNN's 9-11; MobileNetV2's 1280x1000
// classifier, 0.11-0.12 ms against 0.12-0.13.
//
// kiln-cpu-select-library-calls asks it which path is faster, and
// --kernel-report prints its choice and estimate for every kernel. It is
// the interface the autotuner is to refine with measurements.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_COSTMODEL_H
#define KILN_BACKENDS_CPU_COSTMODEL_H

#include "mlir/IR/Operation.h"

#include <string>

namespace kiln::cpu {

enum class CpuPath { Library, Codegen };

struct KernelEstimate {
  CpuPath path;
  double flops = 0, bytes = 0;
  double milliseconds = 0;
};

struct CpuCostModel {
  int threads = 2;
  double libraryGflopsPerThread = 60;
  double codegenGflopsPerThread = 2.5;
  /// Generated matrix-vector products (fewer rows than the packed kernel's
  /// tile, one shared right operand): 28-40 GFLOP/s on one thread when the
  /// operand is in cache.
  double matvecGflopsPerThread = 25;
  double bandwidthGBs = 12;
  /// Data that fits in the caches moves this much faster.
  double cacheBytes = 2 << 20;
  double cacheBandwidthGBs = 100;
  /// Kiln's packed GEMM kernel (kiln-cpu-pack-matmul) reaches 85-95% of
  /// oneDNN's sgemm on large square products, but it packs the right
  /// operand on every run (oneDNN reorders constant weights once) and its
  /// epilogue is a separate loop nest, so less is assumed here.
  double packedGemmGflopsPerThread = 40;
  double libraryCallUs = 5;
  /// oneDNN's integer products (u8 x s8 -> s32) against its f32 rate: AMX
  /// here (128x768x768 in 0.09 ms at 2 threads: ~1.7 TOPS); VNNI alone
  /// would give ~4x.
  double libraryInt8Speedup = 10;
  double codegenCallUs = 0.1;
  /// oneDNN 2.6's Winograd F(2x2, 3x3) against its direct NHWC kernel in
  /// a whole model at batch 1, 2 threads (ONEDNN_VERBOSE, medians of 30
  /// runs, reorders to and from its blocked layout counted apart: each is
  /// 2-10% of the convolution): ResNet-50's 56x56, 28x28 and 14x14 layers
  /// 1.4-1.6x, its 7x7 ones 1.15x; SqueezeNet's expansions 1.7-2.2x.
  double winogradSpeedup = 1.5;
  /// Winograd is considered at all (kiln-compile --cpu-conv-algorithm).
  bool winograd = true;
  /// Below this many output pixels (batch x height x width) the
  /// transformed filter (16/9 of the direct one) is read for too little
  /// work: 512 -> 512 channels on 4x4 lose 10% (a warm loop), on 7x7 gain
  /// 15% in ResNet-50 (0.17 ms a layer at batch 1, 1.3 ms at batch 8).
  int64_t winogradMinPixels = 49;
  /// Fewer output channels leave the output transform too little work per
  /// pixel: 16 -> 16 on 112x112 takes 2x as long as direct, 32 -> 32 1.2x,
  /// 16 -> 32 on 224x224 the same; 16 -> 64 (SqueezeNet's first expansion,
  /// 55x55) is 1.9x faster. Input channels need only oneDNN's block of 16.
  int64_t winogradMinOutputChannels = 64;

  /// Whether oneDNN runs the kiln.conv `op` as Winograd F(2x2, 3x3): a 3x3
  /// filter that never changes (`constantWeights`: transformed once),
  /// stride and dilation 1, one group, input and output channels multiples
  /// of 16 (oneDNN's blocked layout), at least winogradMinOutputChannels
  /// output channels, an epilogue without binary steps
  /// (`binaryEpilogue`: an addend would need the blocked layout too), and
  /// at least winogradMinPixels output pixels (counted at run time when
  /// the output's sizes are known only then).
  bool winogradApplies(mlir::Operation *op, bool constantWeights,
                       bool binaryEpilogue) const;

  /// The estimate for running `op` (a kiln op, its operands and results the
  /// data it moves) on `path`; `winograd`: a convolution on the library
  /// path with the Winograd algorithm.
  KernelEstimate estimate(mlir::Operation *op, CpuPath path,
                          bool winograd = false) const;
  /// The faster of the library (when `libraryCanRun`) and codegen.
  KernelEstimate choose(mlir::Operation *op, bool libraryCanRun) const;
};

/// Whether oneDNN can run `op` (kiln-cpu-select-library-calls' conditions:
/// f32 static convolutions in 2-D and products of matrices, and the integer
/// products of integerLibraryCanRun, SelectIntegerProducts.h).
bool libraryCanRun(mlir::Operation *op);

/// Whether codegen runs `op` (a kiln.matmul or kiln.gemm) as the packed
/// GEMM kernel: kiln-cpu-pack-matmul's conditions on its default shape.
bool packedGemmApplies(mlir::Operation *op);

/// The threads generated loops run the matrix-vector product `op` on (a
/// kiln.matmul or kiln.gemm with fewer rows than the packed kernel's tile
/// and one 2-D right operand), at most `threads`; 0 when `op` is not one.
int matrixVectorThreads(mlir::Operation *op, int threads);

/// The block of output columns that kiln-cpu-order-loops gives each
/// iteration of a parallel outer loop in a one-row product whose right
/// operand is read along its columns (the axpy form: its only parallel
/// loop is the contiguous inner one, which cannot go to the threads), or 0
/// where it leaves the loops alone: too little work (`depth` x `cols`
/// below 2^18 multiply-adds), or `cols` not a multiple of a block of 64 to
/// 2048 columns (a power of two) that leaves at least two blocks. The
/// largest block that leaves four, else two.
int64_t axpyColumnBlock(int64_t cols, int64_t depth);

/// `v` as seen from outside its kernel: a block argument of a kiln.fused
/// body stands for the kernel's input (how --kernel-report sees weights).
mlir::Value outsideKernel(mlir::Value v);

/// Whether `op` is a one-row product in the axpy form, large enough for
/// column blocks (axpyColumnBlock), whose matrix is a constant: oneDNN
/// repacks it once and is faster than the generated blocks.
bool constantAxpyMatrix(mlir::Operation *op);

/// "onednn" or "codegen".
const char *pathName(CpuPath path);

} // namespace kiln::cpu

#endif // KILN_BACKENDS_CPU_COSTMODEL_H
