//===- GraphPipeline.cpp - the target-independent graph pipeline ----------===//
#include "passes/GraphPipeline.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln {

std::string graphPipelineText(const GraphPipelineOptions &options) {
  // -O0 only makes the types as precise as the inputs allow; from -O1 on,
  // folding and CSE run before and after the types are refined.
  if (options.optLevel == 0)
    return "kiln-infer-shapes";
  return "canonicalize,cse,kiln-infer-shapes,canonicalize,cse";
}

LogicalResult buildGraphPipeline(OpPassManager &pm,
                                 const GraphPipelineOptions &options) {
  std::string error;
  llvm::raw_string_ostream os(error);
  if (failed(parsePassPipeline(graphPipelineText(options), pm, os))) {
    llvm::errs() << "internal error: bad graph pipeline: " << error << "\n";
    return failure();
  }
  return success();
}

void registerGraphPipelines() {
  for (int level = 0; level <= 3; ++level) {
    std::string name = "kiln-graph-O" + std::to_string(level);
    PassPipelineRegistration<>(
        name, "Kiln's graph pipeline at -O" + std::to_string(level),
        [level](OpPassManager &pm) { (void)buildGraphPipeline(pm, {level}); });
  }
}

} // namespace kiln
