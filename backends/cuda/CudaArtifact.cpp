//===- CudaArtifact.cpp - lowered CUDA module -> artifact -----------------===//
#include "backends/cuda/CudaArtifact.h"
#include "backends/cpu/LlvmArtifact.h"
#include "lib/runtime/cuda/CudaAbi.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Support/FileUtilities.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace abi = kiln::cuda_abi;

namespace kiln {

namespace {

struct TempFile {
  llvm::SmallString<128> path;
  explicit TempFile(llvm::StringRef suffix) {
    if (llvm::sys::fs::createTemporaryFile("kiln-cuda", suffix, path))
      path.clear();
  }
  ~TempFile() {
    if (!path.empty())
      llvm::sys::fs::remove(path);
  }
};

bool readFile(llvm::StringRef path, std::string &out) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return false;
  out = (*buffer)->getBuffer().str();
  return true;
}

/// A constant byte array in the host module, exported under `name`.
void addBytes(OpBuilder &b, Location loc, llvm::StringRef name,
              llvm::StringRef bytes) {
  auto type = LLVM::LLVMArrayType::get(b.getI8Type(), bytes.size());
  LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                         LLVM::Linkage::External, name,
                         b.getStringAttr(bytes), /*alignment=*/16);
}

/// Names, each NUL-ended, then an empty one.
std::string nameList(ArrayAttr names) {
  std::string s;
  if (names)
    for (Attribute a : names) {
      s += cast<StringAttr>(a).getValue().str();
      s.push_back('\0');
    }
  s.push_back('\0');
  return s;
}

} // namespace

std::string cudaToolkitPath(const CompileOptions &options) {
  return options.cudaPath.empty() ? KILN_DEFAULT_CUDA_PATH : options.cudaPath;
}

bool assemblePtx(const std::string &ptxas, const std::string &ptx,
                 const std::string &arch, std::string &cubin,
                 std::string &error, std::string *report) {
  TempFile in("ptx"), out("cubin"), log("log");
  if (in.path.empty() || out.path.empty() || log.path.empty()) {
    error = "cannot create temporary files";
    return false;
  }
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(in.path, ec);
    if (ec) {
      error = "cannot write " + in.path.str().str();
      return false;
    }
    os << ptx;
  }
  std::string archFlag = "-arch=" + arch;
  std::vector<llvm::StringRef> argv = {ptxas, archFlag, "-O3"};
  if (report)
    argv.push_back("-v");
  argv.insert(argv.end(), {in.path.str(), "-o", out.path.str()});
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, log.path.str(),
                                                log.path.str()};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(ptxas, argv, std::nullopt, redirects, 0,
                                     0, &execError);
  std::string messages;
  readFile(log.path, messages);
  if (report)
    *report = messages;
  if (rc != 0) {
    error = ptxas + " failed" + (execError.empty() ? "" : ": " + execError) +
            (messages.empty() ? "" : "\n" + messages);
    return false;
  }
  if (!readFile(out.path, cubin)) {
    error = "ptxas wrote no cubin";
    return false;
  }
  return true;
}

LogicalResult emitCudaArtifact(ModuleOp lowered,
                               runtime::ArtifactMetadata metadata,
                               const CompileOptions &options,
                               const std::string &outputPath) {
  Location loc = lowered.getLoc();
  std::string ptx;
  SmallVector<gpu::BinaryOp> binaries(lowered.getOps<gpu::BinaryOp>());
  if (binaries.size() > 1)
    return lowered.emitError("expected one device module, found ")
           << binaries.size();
  if (!binaries.empty()) {
    auto objects = binaries.front().getObjects();
    auto object = objects.size() == 1
                      ? dyn_cast<gpu::ObjectAttr>(objects[0])
                      : gpu::ObjectAttr();
    if (!object || object.getFormat() != gpu::CompilationTarget::Assembly)
      return lowered.emitError("the device module is not one PTX object");
    ptx = object.getObject().getValue().str();
    binaries.front().erase();
  }

  if (options.emit == EmitKind::Ptx) {
    std::string error;
    auto out = openOutputFile(outputPath, &error);
    if (!out)
      return lowered.emitError() << "cannot write " << outputPath << ": "
                                 << error;
    out->os() << ptx;
    out->keep();
    return success();
  }

  std::string cubin;
  if (!ptx.empty() && options.emit != EmitKind::LlvmIr) {
    std::string ptxas = cudaToolkitPath(options) + "/bin/ptxas";
    std::string error;
    if (!llvm::sys::fs::can_execute(ptxas))
      return lowered.emitError()
             << "ptxas not found at " << ptxas
             << " (the CUDA toolkit is needed to compile for --target=cuda; "
                "see --cuda-path)";
    if (!assemblePtx(ptxas, ptx, options.gpuArch, cubin, error))
      return lowered.emitError() << "assembling the kernels for "
                                 << options.gpuArch << ": " << error;
  }

  OpBuilder b(lowered.getBodyRegion());
  b.setInsertionPointToEnd(lowered.getBody());
  addBytes(b, loc, abi::kPtxSymbol, llvm::StringRef(ptx.c_str(), ptx.size() + 1));
  addBytes(b, loc, abi::kCubinSymbol, cubin.empty() ? llvm::StringRef("", 1)
                                                    : llvm::StringRef(cubin));
  LLVM::GlobalOp::create(b, loc, b.getI64Type(), /*isConstant=*/true,
                         LLVM::Linkage::External, abi::kCubinSizeSymbol,
                         b.getI64IntegerAttr(int64_t(cubin.size())));
  std::string arch = options.gpuArch;
  addBytes(b, loc, abi::kArchSymbol,
           llvm::StringRef(arch.c_str(), arch.size() + 1));
  addBytes(b, loc, abi::kKernelsSymbol,
           nameList(lowered->getAttrOfType<ArrayAttr>("kiln_cuda.kernels")));
  addBytes(b, loc, abi::kChecksSymbol,
           nameList(lowered->getAttrOfType<ArrayAttr>("kiln_cuda.checks")));
  lowered->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());

  metadata.target = "cuda";
  return emitLlvmArtifact(lowered, std::move(metadata), options, outputPath);
}

} // namespace kiln
