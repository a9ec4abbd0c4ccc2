//===- CostModel.h - which CPU path runs a kernel, and how fast -*- C++ -*-===//
//
// A roofline estimate per kernel and path: time = fixed cost per call +
// max(FLOPs / compute rate, bytes / memory bandwidth), with rates per path
// and thread, and the bandwidth of the caches when the data fits in them.
// The figures are this machine's class (AVX-512, 2 cores), measured with
// bench/run.sh and kiln-run --bench: oneDNN sgemm reaches 65-100 GFLOP/s
// per core, Kiln's generated loops 8-14 GFLOP/s on large products but ~2.5
// on matrix-vector ones, which also stay far from the memory bandwidth
// (MobileNetV2's 1280x1000 classifier: 2.4 ms), so 2.5 is used; a oneDNN
// call costs ~5 us of fixed work (plan lookup, memory objects, stream), a
// generated loop nest almost none (a three-layer 256-wide MLP at batch 1:
// oneDNN 20 us, loops 155 us).
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
  double codegenCallUs = 0.1;

  /// The estimate for running `op` (a kiln op, its operands and results the
  /// data it moves) on `path`.
  KernelEstimate estimate(mlir::Operation *op, CpuPath path) const;
  /// The faster of the library (when `libraryCanRun`) and codegen.
  KernelEstimate choose(mlir::Operation *op, bool libraryCanRun) const;
};

/// Whether oneDNN can run `op` (kiln-cpu-select-library-calls' conditions:
/// f32 static convolutions in 2-D and products of matrices).
bool libraryCanRun(mlir::Operation *op);

/// Whether codegen runs `op` (a kiln.matmul or kiln.gemm) as the packed
/// GEMM kernel: kiln-cpu-pack-matmul's conditions on its default shape.
bool packedGemmApplies(mlir::Operation *op);

/// "onednn" or "codegen".
const char *pathName(CpuPath path);

} // namespace kiln::cpu

#endif // KILN_BACKENDS_CPU_COSTMODEL_H
