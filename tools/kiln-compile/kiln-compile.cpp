//===- kiln-compile.cpp - compile a model to an artifact ------------------===//
//
// kiln-compile MODEL [-o OUT] [--emit=so|obj|mlir|llvm|ptx] [--target=cpu|cuda]
//              [-O0..-O3] [--input-shape NAME=DIMS]... [--cpu=NAME]
//              [--external-params] [--gpu-arch=sm_80|sm_90] [--cuda-path=DIR]
//              [--kernel-report[=FILE]] [--memory-report[=FILE]]
//              [--memory-plan=false]
//              [--gpu-libraries=false] [--precision=fp32|tf32|fp16|bf16]
//              [--allow-cpu-fallback] [--emulate-library-calls]
//              [MLIR pass-manager options]
//
//===----------------------------------------------------------------------===//
#include "kiln/Compiler.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

// --help lists these; LLVM's and MLIR's own options still work and are
// listed by --help-hidden.
static cl::OptionCategory kilnCategory("Kiln options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model>"),
                                      cl::Required, cl::cat(kilnCategory));
static cl::opt<std::string> outputFile("o", cl::desc("Output file ('-' for stdout)"),
                                       cl::value_desc("file"), cl::cat(kilnCategory));
static cl::opt<kiln::EmitKind> emit(
    "emit", cl::desc("What to write"), cl::init(kiln::EmitKind::SharedLibrary),
    cl::values(clEnumValN(kiln::EmitKind::SharedLibrary, "so",
                          "the artifact (shared library)"),
               clEnumValN(kiln::EmitKind::Object, "obj", "its object file"),
               clEnumValN(kiln::EmitKind::Mlir, "mlir",
                          "the kiln dialect after the graph pipeline"),
               clEnumValN(kiln::EmitKind::LlvmIr, "llvm", "the LLVM IR"),
               clEnumValN(kiln::EmitKind::Ptx, "ptx",
                          "the device code as PTX (--target=cuda)")), cl::cat(kilnCategory));
static cl::opt<std::string> target("target", cl::desc("Target: cpu (the default), cuda, or cuda-emulate (the CUDA pipeline on the host, for testing without a GPU)"),
                                   cl::init("cpu"), cl::cat(kilnCategory));
enum OptLevel { O0, O1, O2, O3 };
static cl::opt<OptLevel> optLevel(
    cl::desc("Optimisation level"), cl::init(O2),
    cl::values(clEnumVal(O0, "no graph optimisation, plain loops"),
               clEnumVal(O1, "folding and CSE"), clEnumVal(O2, "the default"),
               clEnumVal(O3, "everything")), cl::cat(kilnCategory));
static cl::list<std::string> inputShapes(
    "input-shape", cl::desc("Fix an input's dimensions: NAME=1x3x224x224"),
    cl::value_desc("name=dims"), cl::cat(kilnCategory));
static cl::opt<std::string> cpu("cpu", cl::desc("CPU to generate code for "
                                                "(native or an LLVM CPU name)"),
                                cl::init("native"), cl::cat(kilnCategory));
static cl::list<std::string> sequenceLengths(
    "sequence-length",
    cl::desc("The length of a sequence input: NAME=N (its elements are the "
             "tensor inputs NAME[0] ... NAME[N-1])"),
    cl::value_desc("name=n"), cl::cat(kilnCategory));
static cl::list<std::string> absentOptionals(
    "optional-absent", cl::desc("An optional input that is empty"),
    cl::value_desc("name"), cl::cat(kilnCategory));
static cl::opt<bool> forceDynamic(
    "force-dynamic",
    cl::desc("Make every input dimension dynamic (testing dynamic shapes)"), cl::cat(kilnCategory));
static cl::opt<bool> fastMath(
    "fast-math",
    cl::desc("Allow graph rewrites that change floating-point results"), cl::cat(kilnCategory));
static cl::opt<std::string> layout(
    "layout", cl::desc("Layout of convolution regions at -O2+: nhwc or nchw "
                       "(default: the target's choice)"), cl::cat(kilnCategory));
static cl::opt<bool> passTiming(
    "pass-timing",
    cl::desc("Print the time of each pass, once for the graph pipeline and "
             "once for the backend (to stderr)"), cl::cat(kilnCategory));
static cl::opt<std::string> kernelReport(
    "kernel-report", cl::ValueOptional, cl::value_desc("file"),
    cl::desc("List each fused kernel and the ops in it (to stdout, or to "
             "--kernel-report=FILE)"), cl::cat(kilnCategory));
static cl::opt<std::string> memoryReport(
    "memory-report", cl::ValueOptional, cl::value_desc("file"),
    cl::desc("Print the static memory plan: each intermediate buffer's "
             "offset and lifetime, the arena size and its lower bound (to "
             "stdout, or to --memory-report=FILE)"), cl::cat(kilnCategory));
static cl::opt<bool> memoryPlan(
    "memory-plan",
    cl::desc("CPU: intermediate buffers in one arena the runtime allocates "
             "once (default on; =false mallocs each per run)"),
    cl::init(true), cl::cat(kilnCategory));
static cl::opt<bool> externalParams(
    "external-params",
    cl::desc("Write the weights to <output>.params instead of embedding them"), cl::cat(kilnCategory));

static cl::opt<std::string> gpuArch(
    "gpu-arch", cl::desc("GPU architecture for --target=cuda (sm_80, sm_90)"),
    cl::init("sm_90"), cl::cat(kilnCategory));
static cl::opt<std::string> cudaPath(
    "cuda-path", cl::desc("CUDA toolkit for --target=cuda (ptxas, libdevice)"), cl::cat(kilnCategory));
static cl::opt<bool> gpuLibraries(
    "gpu-libraries",
    cl::desc("Run convolutions and matrix products through cuDNN/cuBLAS "
             "(--target=cuda; default on)"),
    cl::init(true), cl::cat(kilnCategory));
static cl::opt<bool> allowCpuFallback(
    "allow-cpu-fallback",
    cl::desc("--target=cuda: run on the host, with copies, what needs a "
             "value only known on the device (data-dependent sizes, loop "
             "conditions) instead of rejecting the model"), cl::cat(kilnCategory));

static cl::opt<bool> emulateLibraryCalls(
    "emulate-library-calls",
    cl::desc("--target=cuda-emulate: select cuDNN/cuBLAS calls as "
             "--target=cuda does and run them as generated code of their "
             "definition (checks the selection without a GPU)"), cl::cat(kilnCategory));

static cl::opt<std::string> precision(
    "precision",
    cl::desc("--target=cuda: fp32 (the default: float32, no TF32), tf32 "
             "(float32 library calls may use TF32 tensor cores), fp16 or bf16 "
             "(tensors and weights in that type, tensor cores, float32 inputs "
             "and outputs)"),
    cl::init("fp32"), cl::cat(kilnCategory));

static cl::opt<std::string> cpuKernels(
    "cpu-kernels",
    cl::desc("--target=cpu: f32 convolutions and matrix products through "
             "oneDNN with fused post-ops where the cost model finds it faster "
             "(auto, the default), wherever oneDNN can run them (onednn), or "
             "generated loops for everything (codegen)"),
    cl::init("auto"), cl::cat(kilnCategory));

static cl::opt<std::string> cpuConvAlgorithm(
    "cpu-conv-algorithm",
    cl::desc("--target=cpu: oneDNN convolutions as Winograd F(2x2, 3x3) "
             "where the cost model finds it faster (auto, the default) or "
             "always direct (direct)"),
    cl::init("auto"), cl::cat(kilnCategory));

static const char *defaultExtension(kiln::EmitKind kind) {
  switch (kind) {
  case kiln::EmitKind::SharedLibrary: return ".so";
  case kiln::EmitKind::Object: return ".o";
  case kiln::EmitKind::Mlir: return ".mlir";
  case kiln::EmitKind::LlvmIr: return ".ll";
  case kiln::EmitKind::Ptx: return ".ptx";
  }
  return ".out";
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerPassManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  cl::HideUnrelatedOptions(kilnCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "Kiln model compiler\n\n"
      "  kiln-compile MODEL.onnx -o MODEL.so [options]\n\n"
      "LLVM's and MLIR's own options (--mlir-print-ir-after-all, ...) are "
      "listed by --help-hidden.\n");

  kiln::CompileOptions options;
  options.target = target;
  options.optLevel = int(optLevel);
  options.emit = emit;
  options.cpu = cpu;
  options.externalParams = externalParams;
  options.forceDynamic = forceDynamic;
  options.fastMath = fastMath;
  options.layout = layout;
  if (kernelReport.getNumOccurrences())
    options.kernelReportPath = kernelReport.empty() ? "-" : std::string(kernelReport);
  if (memoryReport.getNumOccurrences())
    options.memoryReportPath = memoryReport.empty() ? "-" : std::string(memoryReport);
  options.memoryPlan = memoryPlan;
  options.gpuArch = gpuArch;
  options.cudaPath = cudaPath;
  options.gpuLibraries = gpuLibraries;
  options.allowCpuFallback = allowCpuFallback;
  options.emulateLibraryCalls = emulateLibraryCalls;
  options.cpuKernels = cpuKernels;
  options.cpuConvAlgorithm = cpuConvAlgorithm;
  options.precision = precision;
  for (const std::string &spec : sequenceLengths) {
    size_t eq = spec.find('=');
    int64_t n;
    if (eq == std::string::npos || eq == 0 ||
        llvm::StringRef(spec).drop_front(eq + 1).getAsInteger(10, n) || n < 0) {
      llvm::errs() << "kiln-compile: error: --sequence-length expects NAME=N "
                      "as in seq=3, got '"
                   << spec << "'\n";
      return 2;
    }
    options.sequenceLengths[spec.substr(0, eq)] = n;
  }
  for (const std::string &name : absentOptionals)
    options.absentOptionals.insert(name);
  for (const std::string &spec : inputShapes) {
    size_t eq = spec.find('=');
    std::vector<int64_t> dims;
    bool ok = eq != std::string::npos && eq > 0;
    llvm::SmallVector<llvm::StringRef> parts;
    if (ok)
      llvm::StringRef(spec).drop_front(eq + 1).split(parts, 'x');
    for (llvm::StringRef p : parts) {
      int64_t d;
      if (p == "?") {
        dims.push_back(-1);
      } else if (p.getAsInteger(10, d) || d < 0) {
        ok = false;
      } else {
        dims.push_back(d);
      }
    }
    if (!ok) {
      llvm::errs() << "kiln-compile: error: --input-shape expects "
                      "NAME=DIMS as in input=1x3x224x224, got '"
                   << spec << "'\n";
      return 2;
    }
    options.inputShapes[spec.substr(0, eq)] = dims;
  }
  options.configurePassManager = [](mlir::PassManager &pm) {
    (void)mlir::applyPassManagerCLOptions(pm);
    if (passTiming)
      pm.enableTiming();
  };

  std::string output = outputFile;
  if (output.empty())
    output = llvm::sys::path::stem(inputFile).str() + defaultExtension(emit);
  kiln::Status status = kiln::compileFile(inputFile, output, options);
  if (!status) {
    llvm::errs() << status.message();
    return 1;
  }
  return 0;
}
