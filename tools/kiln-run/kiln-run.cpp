//===- kiln-run.cpp - run (and time) a model or an artifact ---------------===//
#include "lib/runtime/RunDriver.h"

#ifdef KILN_WITH_COMPILER
#include "kiln/Compiler.h"
#endif

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  kiln::runtime::CompileHook compile;
#ifdef KILN_WITH_COMPILER
  compile = [](const kiln::runtime::ModelCompileRequest &r) {
    kiln::CompileOptions options;
    options.optLevel = r.optLevel;
    options.inputShapes = r.inputShapes;
    options.forceDynamic = r.forceDynamic;
    options.sequenceLengths = r.sequenceLengths;
    options.absentOptionals = r.absentOptionals;
    options.target = r.target;
    options.cpuKernels = r.cpuKernels;
    options.allowCpuFallback = r.allowCpuFallback;
    options.cpuConvAlgorithm = r.cpuConvAlgorithm;
    options.precision = r.precision;
    options.emulateLibraryCalls = r.emulateLibraryCalls;
    return kiln::compileFile(r.modelPath, r.artifactPath, options);
  };
#endif
  return kiln::runtime::runDriverMain(args, compile);
}
