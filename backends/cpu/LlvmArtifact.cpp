//===- LlvmArtifact.cpp - LLVM dialect module -> .ll / .o / .so -----------===//
#include "backends/cpu/LlvmArtifact.h"
#include "backends/ArtifactDescription.h"
#include "backends/cpu/MemoryPlan.h"
#include "backends/cpu/OutlineLoopNests.h"
#include "backends/cpu/Passes.h"
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/ModelInterface.h"

#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

#include <mutex>

using namespace mlir;

namespace kiln {
namespace {

void initializeLlvmTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

/// CPU name and feature string for `cpu` ("native" = this machine).
std::pair<std::string, std::string> cpuAndFeatures(const std::string &cpu) {
  if (cpu != "native")
    return {cpu, ""};
  std::string features;
  for (const auto &f : llvm::sys::getHostCPUFeatures())
    features += (features.empty() ? "" : ",") +
                std::string(f.second ? "+" : "-") + f.first().str();
  return {llvm::sys::getHostCPUName().str(), features};
}

} // namespace

bool isKnownHostCpu(const std::string &cpu) {
  if (cpu == "native")
    return true;
  initializeLlvmTargets();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return false;
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      target->createMCSubtargetInfo(triple, "", ""));
  return info && info->isCPUStringValid(cpu);
}

namespace {

/// kiln_artifact_run(void **args, void *results): forwards each argument's
/// descriptor pointer to the entry's C interface.
LogicalResult addRunEntryPoint(llvm::Module &m, ModuleOp where) {
  llvm::Function *ciface = nullptr;
  for (llvm::Function &f : m)
    if (!f.isDeclaration() && f.getName().starts_with("_mlir_ciface_")) {
      if (ciface)
        return where.emitError("more than one C interface function");
      ciface = &f;
    }
  if (!ciface)
    return where.emitError("the entry function has no C interface");
  // Its first parameter is where the results go; without results there is
  // nothing to run.
  if (ciface->arg_size() == 0)
    return where.emitError("the entry function has no results");
  llvm::LLVMContext &ctx = m.getContext();
  auto *ptr = llvm::PointerType::get(ctx, 0);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx),
                                       {ptr, ptr}, false);
  auto *run = llvm::Function::Create(type, llvm::Function::ExternalLinkage,
                                     runtime::kRunSymbol, m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", run));
  llvm::Value *args = run->getArg(0), *results = run->getArg(1);
  // The C interface takes the results pointer first, then one descriptor
  // pointer per argument.
  std::vector<llvm::Value *> callArgs = {results};
  unsigned numArgs = ciface->arg_size() - 1;
  for (unsigned i = 0; i < numArgs; ++i) {
    llvm::Value *slot = b.CreateConstGEP1_64(ptr, args, i);
    callArgs.push_back(b.CreateLoad(ptr, slot));
  }
  b.CreateCall(ciface, callArgs);
  b.CreateRetVoid();
  return success();
}

/// The handler pointer the runtime sets, and kiln_trap calling it.
void addTrapHandler(llvm::Module &m) {
  llvm::LLVMContext &ctx = m.getContext();
  auto *ptr = llvm::PointerType::get(ctx, 0);
  auto *handler = new llvm::GlobalVariable(
      m, ptr, false, llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantPointerNull::get(ptr), runtime::kTrapHandlerSymbol);
  llvm::Function *trap = m.getFunction(kTrapFunction);
  if (!trap || !trap->isDeclaration())
    return;
  auto *voidPtrFn =
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
  llvm::FunctionCallee abortFn = m.getOrInsertFunction(
      "abort", llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false));
  trap->setLinkage(llvm::GlobalValue::InternalLinkage);
  trap->addFnAttr(llvm::Attribute::NoReturn);
  trap->addFnAttr(llvm::Attribute::Cold);
  trap->addFnAttr(llvm::Attribute::NoInline);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", trap));
  llvm::Value *h = b.CreateLoad(ptr, handler);
  auto *call = llvm::BasicBlock::Create(ctx, "call", trap);
  auto *abort = llvm::BasicBlock::Create(ctx, "abort", trap);
  b.CreateCondBr(b.CreateIsNotNull(h), call, abort);
  b.SetInsertPoint(call);
  b.CreateCall(voidPtrFn, h, {trap->getArg(0)});
  b.CreateBr(abort);
  b.SetInsertPoint(abort);
  b.CreateCall(abortFn);
  b.CreateUnreachable();
}

void addBytes(llvm::Module &m, const char *name, llvm::StringRef bytes,
              unsigned alignment) {
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Constant *data = llvm::ConstantDataArray::getRaw(
      bytes, bytes.size(), llvm::Type::getInt8Ty(ctx));
  auto *g = new llvm::GlobalVariable(m, data->getType(), true,
                                     llvm::GlobalValue::ExternalLinkage, data,
                                     name);
  g->setAlignment(llvm::Align(alignment));
}

LogicalResult writeFile(ModuleOp where, const std::string &path,
                        llvm::function_ref<void(llvm::raw_pwrite_stream &)> fn) {
  std::string error;
  auto out = openOutputFile(path, &error);
  if (!out)
    return where.emitError() << "cannot write " << path << ": " << error;
  fn(out->os());
  out->keep();
  return success();
}

/// Deletes a temporary file when it goes out of scope.
struct Remove {
  llvm::SmallString<128> path;
  ~Remove() {
    if (!path.empty())
      llvm::sys::fs::remove(path);
  }
};

LogicalResult writeParamsFile(ModuleOp lowered,
                              const runtime::ArtifactMetadata &metadata,
                              const std::string &path) {
  LogicalResult written = success();
  if (failed(writeFile(lowered, path, [&](llvm::raw_pwrite_stream &os) {
        written = writeParams(lowered, metadata, os);
      })))
    return failure();
  return written;
}

/// Assembly defining the parameters' symbol over the bytes of `binPath`, as
/// addBytes would (read-only, exported, aligned).
void writeParamsAssembly(llvm::raw_ostream &os, llvm::StringRef binPath,
                         uint64_t bytes) {
  os << "  .section .rodata." << runtime::kParamsSymbol << ",\"a\",@progbits\n"
     << "  .globl " << runtime::kParamsSymbol << "\n"
     << "  .type " << runtime::kParamsSymbol << ",@object\n"
     << "  .p2align " << llvm::Log2_64(runtime::kParamAlignment) << "\n"
     << runtime::kParamsSymbol << ":\n"
     << "  .incbin \"";
  os.write_escaped(binPath);
  os << "\"\n"
     << "  .size " << runtime::kParamsSymbol << ", " << bytes << "\n"
     << "  .section .note.GNU-stack,\"\",@progbits\n";
}

} // namespace

LogicalResult emitLlvmArtifact(ModuleOp lowered,
                               runtime::ArtifactMetadata metadata,
                               const CompileOptions &options,
                               const std::string &outputPath) {
  initializeLlvmTargets();
  if (failed(layoutParams(lowered, metadata)))
    return failure();
  bool hasParams = metadata.paramsBytes > 0;
  bool external = options.externalParams && hasParams;
  // Where the weights go without --external-params: a shared library gets
  // them from the linker (.incbin of a file written straight from the
  // module's constants, so that no copy of them is ever held in memory); an
  // object file or LLVM IR, which no link step follows, carries them as an
  // LLVM constant.
  bool linked = options.emit == EmitKind::SharedLibrary;
  std::string paramsPath = outputPath + ".params";
  // The entry takes the arena after the parameters when memory is planned.
  metadata.arenaBytes = plannedArenaBytes(lowered);
  if (external)
    metadata.paramsFile = llvm::sys::path::filename(paramsPath).str();

  // Weights leave memory before code generation: written to their file now
  // and dropped from the module, which nothing reads them from afterwards
  // (LLVM and the linker then run without them).
  llvm::SmallString<128> paramsBin, paramsAsm;
  Remove removeBin, removeAsm;
  if (external && options.emit != EmitKind::LlvmIr &&
      failed(writeParamsFile(lowered, metadata, paramsPath)))
    return failure();
  if (hasParams && !external && linked) {
    if (llvm::sys::fs::createTemporaryFile("kiln-params", "bin", paramsBin) ||
        llvm::sys::fs::createTemporaryFile("kiln-params", "s", paramsAsm))
      return lowered.emitError("cannot create temporary files for the weights");
    removeBin.path = paramsBin;
    removeAsm.path = paramsAsm;
    if (failed(writeParamsFile(lowered, metadata, paramsBin.str().str())) ||
        failed(writeFile(lowered, paramsAsm.str().str(),
                         [&](llvm::raw_pwrite_stream &os) {
                           writeParamsAssembly(os, paramsBin, metadata.paramsBytes);
                         })))
      return failure();
  }
  bool embedInIr = hasParams && !external && !linked;
  if (!embedInIr) {
    lowered->removeAttr(kParamValuesAttr);
    releaseUnreferencedBlobs(lowered);
  }

  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  lowered.getContext()->appendDialectRegistry(registry);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> m =
      translateModuleToLLVMIR(lowered, llvmContext, "kiln_artifact");
  if (!m)
    return lowered.emitError("translation to LLVM IR failed");

  if (failed(addRunEntryPoint(*m, lowered)))
    return failure();
  addTrapHandler(*m);
  std::string text = runtime::serializeMetadata(metadata);
  addBytes(*m, runtime::kMetadataSymbol, llvm::StringRef(text.c_str(),
                                                         text.size() + 1),
           1);
  if (embedInIr) {
    std::string bytes;
    llvm::raw_string_ostream os(bytes);
    if (failed(writeParams(lowered, metadata, os)))
      return failure();
    addBytes(*m, runtime::kParamsSymbol, bytes, runtime::kParamAlignment);
  }

  // Target machine for the chosen CPU.
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return lowered.emitError() << "no LLVM target: " << error;
  auto [cpu, features] = cpuAndFeatures(options.cpu);
  llvm::CodeGenOptLevel level = options.optLevel == 0   ? llvm::CodeGenOptLevel::None
                                : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                                        : llvm::CodeGenOptLevel::Aggressive;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, level));
  if (!tm)
    return lowered.emitError() << "cannot target CPU '" << cpu << "'";
  m->setTargetTriple(triple);
  m->setDataLayout(tm->createDataLayout());
  // Thousands of kernels in the entry function (a detection model's
  // post-processing per class) made LLVM's passes superlinear: one function
  // per loop nest there (OutlineLoopNests.cpp). The benchmark models stay
  // under the bound (BERT's entry: 1167 blocks) and keep their one function.
  constexpr unsigned kOutlineAboveBlocks = 2000;
  outlineLoopNests(*m, kOutlineAboveBlocks);
  // The target CPU's own features (the host's, or those of --cpu=NAME).
  bool avx512 = tm->getMCSubtargetInfo()->checkFeatures("+avx512f");
  for (llvm::Function &f : *m) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", cpu);
    if (!features.empty())
      f.addFnAttr("target-features", features);
    // LLVM's tuning for AVX-512 CPUs vectorises loops 256 bits wide (to
    // spare old Skylake-SP's clock); the host's widest vectors measured
    // faster here (BERT, whose softmax, LayerNorm and GELU are generated
    // loops: 128-143 ms against 142-212 ms, nine of nine alternations).
    if (avx512)
      f.addFnAttr("prefer-vector-width", "512");
  }
  if (llvm::verifyModule(*m, &llvm::errs()))
    return lowered.emitError("internal error: invalid LLVM IR");

  // Optimise.
  {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm.get());
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::OptimizationLevel ol = options.optLevel == 0   ? llvm::OptimizationLevel::O0
                                 : options.optLevel == 1 ? llvm::OptimizationLevel::O1
                                 : options.optLevel == 2 ? llvm::OptimizationLevel::O2
                                                         : llvm::OptimizationLevel::O3;
    llvm::ModulePassManager mpm = ol == llvm::OptimizationLevel::O0
                                      ? pb.buildO0DefaultPipeline(ol)
                                      : pb.buildPerModuleDefaultPipeline(ol);
    mpm.run(*m, mam);
  }

  if (options.emit == EmitKind::LlvmIr)
    return writeFile(lowered, outputPath,
                     [&](llvm::raw_pwrite_stream &os) { m->print(os, nullptr); });

  auto emitObject = [&](const std::string &path) -> LogicalResult {
    return writeFile(lowered, path, [&](llvm::raw_pwrite_stream &os) {
      llvm::legacy::PassManager codegen;
      if (tm->addPassesToEmitFile(codegen, os, nullptr,
                                  llvm::CodeGenFileType::ObjectFile))
        return;
      codegen.run(*m);
    });
  };
  if (options.emit == EmitKind::Object)
    return emitObject(outputPath);

  // Shared library: object in a temporary file, then link.
  llvm::SmallString<128> objPath;
  if (llvm::sys::fs::createTemporaryFile("kiln-artifact", "o", objPath))
    return lowered.emitError("cannot create a temporary object file");
  Remove remove{objPath};
  if (failed(emitObject(objPath.str().str())))
    return failure();
  std::string linker = options.linker.empty() ? KILN_DEFAULT_LINKER
                                              : options.linker;
  std::vector<llvm::StringRef> argv = {linker, "-shared", "-o", outputPath,
                                       objPath, "-lm", "-Wl,-z,noexecstack"};
  if (!paramsAsm.empty())
    argv.push_back(paramsAsm);
  std::string linkError;
  int rc = llvm::sys::ExecuteAndWait(linker, argv, std::nullopt, {}, 0, 0,
                                     &linkError);
  if (rc != 0)
    return lowered.emitError() << "linking " << outputPath << " with "
                               << linker << " failed"
                               << (linkError.empty() ? "" : ": " + linkError);
  return success();
}

} // namespace kiln
