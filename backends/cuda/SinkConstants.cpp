//===- SinkConstants.cpp - constants into the kernels that use them -------===//
//
// Canonicalization gathers constants at the function's entry, outside the
// gpu.launch bodies; kernel outlining then passes them as parameters, and
// the device compiler no longer sees that the sizes a thread index is
// divided by are constants (a run-time 32-bit division per element
// instead of a shift). Run right before gpu-kernel-outlining, this pass
// copies every constant a launch uses into its body.
//
//===----------------------------------------------------------------------===//
#include "backends/cuda/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace kiln {
#define GEN_PASS_DEF_SINKCONSTANTS
#include "backends/cuda/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

void sinkConstants(gpu::LaunchOp launch) {
  llvm::SetVector<Value> above;
  getUsedValuesDefinedAbove(launch.getBody(), above);
  Block &entry = launch.getBody().front();
  OpBuilder b(&entry, entry.begin());
  for (Value v : above) {
    Operation *def = v.getDefiningOp();
    if (!def || !def->hasTrait<OpTrait::ConstantLike>() || def->getNumResults() != 1)
      continue;
    Value copy = b.clone(*def)->getResult(0);
    replaceAllUsesInRegionWith(v, copy, launch.getBody());
  }
}

struct SinkConstantsPass : impl::SinkConstantsBase<SinkConstantsPass> {
  void runOnOperation() override { getOperation().walk(sinkConstants); }
};

} // namespace
} // namespace kiln
