//===- KernelReport.cpp - the fusion decisions, for people ----------------===//
#include "passes/KernelReport.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/NodeName.h"
#include "dialects/kiln/OpClasses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Format.h"

using namespace mlir;

namespace kiln {
namespace {

std::string describe(Operation &op) {
  std::string text = op.getName().stripDialect().str();
  if (std::optional<std::string> node = nodeNameOf(op.getLoc()))
    text += "(" + *node + ")";
  return text;
}

} // namespace

void printKernelReport(ModuleOp module, llvm::raw_ostream &os,
                       const KernelAnnotator &annotate) {
  int64_t kernels = 0, fusedOps = 0, standalone = 0, flops = 0;
  double estimatedMs = 0;
  module.walk([&](func::FuncOp func) {
    if (func.isExternal())
      return;
    os << "== kernels of @" << func.getSymName() << "\n";
    SmallVector<std::string> outside;
    for (Operation &op : func.getBody().front()) {
      if (auto fused = dyn_cast<FusedOp>(op)) {
        int64_t kernelFlops = 0;
        std::string ops;
        for (Operation &inner : fused.getBody().front().without_terminator()) {
          if (isa<ConstantOp>(inner))
            continue;
          kernelFlops += estimateFlops(&inner);
          ops += (ops.empty() ? "" : ", ") + describe(inner);
          ++fusedOps;
        }
        flops += kernelFlops;
        ++kernels;
        os << "kernel " << fused.getKernel() << " [" << fused.getAnchor() << "] "
           << llvm::format("%.3f", kernelFlops / 1e6) << " MFLOP: " << ops;
        if (annotate) {
          KernelPlanText plan = annotate(fused);
          if (plan.milliseconds >= 0)
            estimatedMs += plan.milliseconds;
          os << " -> " << plan.text;
        }
        os << "\n";
        continue;
      }
      if (!isa<KilnDialect>(op.getDialect()) || isa<ConstantOp>(op))
        continue;
      ++standalone;
      flops += estimateFlops(&op);
      outside.push_back(describe(op) + (isView(&op) ? " (view)" : ""));
    }
    if (!outside.empty()) {
      os << "outside kernels:";
      for (const std::string &s : outside)
        os << " " << s;
      os << "\n";
    }
  });
  os << "kernels=" << kernels << " fused_ops=" << fusedOps
     << " standalone_ops=" << standalone << " gflop=" << llvm::format("%.3f", flops / 1e9);
  if (annotate)
    os << " estimated_ms=" << llvm::format("%.3f", estimatedMs);
  os << "\n";
}

} // namespace kiln
