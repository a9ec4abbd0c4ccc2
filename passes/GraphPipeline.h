//===- GraphPipeline.h - the target-independent graph pipeline --*- C++ -*-===//
#ifndef KILN_PASSES_GRAPHPIPELINE_H
#define KILN_PASSES_GRAPHPIPELINE_H

#include "mlir/Pass/PassManager.h"

#include <string>

namespace kiln {

struct GraphPipelineOptions {
  int optLevel = 2;
  /// Allow rewrites that change floating-point results (kiln-simplify's
  /// fast-math rules).
  bool fastMath = false;
  /// The layout of convolution regions at -O2 and up: "nhwc" (kiln-layout)
  /// or "nchw" (ONNX's, unchanged).
  std::string layout = "nchw";
};

/// The graph pipeline for an optimisation level, as pass-pipeline text.
std::string graphPipelineText(const GraphPipelineOptions &options);

mlir::LogicalResult buildGraphPipeline(mlir::OpPassManager &pm,
                                       const GraphPipelineOptions &options);

/// Registers `kiln-graph-O0` .. `kiln-graph-O3` for kiln-opt.
void registerGraphPipelines();

} // namespace kiln

#endif // KILN_PASSES_GRAPHPIPELINE_H
