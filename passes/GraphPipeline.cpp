//===- GraphPipeline.cpp - the target-independent graph pipeline ----------===//
#include "passes/GraphPipeline.h"

#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln {

std::string graphPipelineText(const GraphPipelineOptions &options) {
  // -O0 only makes the types as precise as the inputs allow; -O1 adds
  // folding and CSE; -O2 and -O3 the algebraic simplifier.
  if (options.optLevel == 0)
    return "kiln-infer-shapes";
  std::string simplify = options.fastMath ? "kiln-simplify{fast-math}" : "kiln-simplify";
  if (options.optLevel == 1)
    return "canonicalize,cse,kiln-infer-shapes,kiln-fold-constants,canonicalize,cse";
  // The layout pass leaves transposes of constants (folded) and unit-dim
  // transposes (reshapes after kiln-simplify).
  std::string layout =
      options.layout == "nchw" ? ""
                               : "kiln-layout{layout=" + options.layout + "}," + simplify +
                                     ",kiln-fold-constants,";
  // -O2: folding makes shapes static and operands constant, which the
  // simplifier's rules need; they in turn expose more to fold and CSE.
  // Fusion comes last: every pass before it sees plain ops.
  return "canonicalize,cse,kiln-infer-shapes,kiln-fold-constants," + simplify +
         ",kiln-fold-constants,kiln-recognize-patterns," + layout +
         "canonicalize,cse,kiln-infer-shapes,kiln-fuse";
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
