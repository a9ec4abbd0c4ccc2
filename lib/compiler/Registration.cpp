//===- Registration.cpp - everything kiln-opt and the compiler register ---===//
#include "lib/compiler/Registration.h"

#include "backends/cpu/CpuPipeline.h"
#include "backends/cpu/Passes.h"
#include "backends/cuda/CudaPipeline.h"
#include "backends/library/IR/KilnLibDialect.h"
#include "backends/cuda/Passes.h"
#include "backends/linalg/Passes.h"
#include "dialects/kiln/KilnDialect.h"
#include "passes/GraphPipeline.h"
#include "passes/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

#include <mutex>

namespace kiln {

void registerAllDialects(mlir::DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<KilnDialect, lib::KilnLibDialect>();
  lib::registerBufferizationInterfaces(registry);
}

void registerAllPasses() {
  static std::once_flag once;
  std::call_once(once, [] {
    mlir::registerAllPasses();
    registerKilnPasses();
    registerKilnLinalgPasses();
    registerKilnCpuPasses();
    registerGraphPipelines();
    registerCpuPipeline();
    registerKilnCudaPasses();
    registerCudaPipelines();
  });
}

} // namespace kiln
