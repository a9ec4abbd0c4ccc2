//===- CostModel.h - which CPU path runs a kernel, and how fast -*- C++ -*-===//
//
// A roofline estimate per kernel and path: time = fixed cost per call +
// max(FLOPs / compute rate, bytes / memory bandwidth), with rates per path
// and thread. The figures are this machine's class (AVX-512, 2 cores),
// measured with bench/run.sh: oneDNN sgemm reaches ~60-150 GFLOP/s per core
// on large products, Kiln's generated loops ~9 GFLOP/s; a oneDNN call costs
// a few microseconds of fixed work (argument wrapping, stream), a generated
// loop nest almost none.
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
  double codegenGflopsPerThread = 9;
  double bandwidthGBs = 12;
  double libraryCallUs = 4;
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

/// "onednn" or "codegen".
const char *pathName(CpuPath path);

} // namespace kiln::cpu

#endif // KILN_BACKENDS_CPU_COSTMODEL_H
