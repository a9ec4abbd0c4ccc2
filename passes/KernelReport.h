//===- KernelReport.h - the fusion decisions, for people -------*- C++ -*-===//
//
// After the graph pipeline every kernel is a kiln.fused op. The report
// lists them in program order: number, anchor op, estimated FLOPs, and
// the ops inside (with their ONNX node names), then the ops that run
// outside any kernel, and a summary line:
//
//   kernels=56 fused_ops=162 standalone_ops=1 gflop=8.18
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_KERNELREPORT_H
#define KILN_PASSES_KERNELREPORT_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

namespace kiln {

void printKernelReport(mlir::ModuleOp module, llvm::raw_ostream &os);

} // namespace kiln

#endif // KILN_PASSES_KERNELREPORT_H
