//===- KernelReport.h - the fusion decisions, for people -------*- C++ -*-===//
//
// After the graph pipeline every kernel is a kiln.fused op. The report
// lists them in program order: number, anchor op, estimated FLOPs, and
// the ops inside (with their ONNX node names), then the ops that run
// outside any kernel, and a summary line:
//
//   kernels=56 fused_ops=162 standalone_ops=1 gflop=8.18
//
// The backend may annotate each kernel with its plan (CPU: oneDNN or
// generated code, from backends/cpu/CostModel.h, with FLOPs, bytes and an
// estimated time).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_KERNELREPORT_H
#define KILN_PASSES_KERNELREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <string>

namespace kiln {

/// The target's word on a kernel (given its kiln.fused op): how it will
/// run it and at what estimated cost, in milliseconds (negative: none).
struct KernelPlanText {
  std::string text;
  double milliseconds = -1;
};
using KernelAnnotator = std::function<KernelPlanText(mlir::Operation *)>;

/// With `annotate`, each kernel line ends with the target's plan and the
/// summary adds `estimated_ms=`.
void printKernelReport(mlir::ModuleOp module, llvm::raw_ostream &os,
                       const KernelAnnotator &annotate = {});

} // namespace kiln

#endif // KILN_PASSES_KERNELREPORT_H
