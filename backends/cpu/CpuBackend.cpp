//===- CpuBackend.cpp - the host CPU target -------------------------------===//
#include "backends/Backend.h"
#include "backends/cpu/CostModel.h"
#include "backends/cpu/CpuPipeline.h"
#include "backends/cpu/LibraryEpilogue.h"
#include "backends/cpu/PackedGemm.h"
#include "backends/cpu/SelectIntegerProducts.h"
#include "dialects/kiln/KilnDialect.h"

#include "llvm/Support/Format.h"
#include "backends/cpu/LlvmArtifact.h"

using namespace mlir;

namespace kiln {
namespace {

class CpuBackend : public Backend {
public:
  llvm::StringRef name() const override { return "cpu"; }

  // Measured on ResNet-50, batch 1, 2 cores: with oneDNN, NHWC 78 ms and
  // NCHW 387 ms (oneDNN's fast convolutions take channels-last activations;
  // plain NCHW ones are slower); with generated loops (kiln-cpu-order-loops
  // vectorises over the output's last dimension) NCHW 2.8 s and NHWC
  // 12.3 s, because channels-last makes the inner loop run over output
  // channels, whose weights are strided in ONNX's [M, C, kH, kW].
  std::string defaultLayout(const CompileOptions &options) const override {
    return options.cpuKernels == "codegen" ? "nchw" : "nhwc";
  }

  // The kernel's anchor (its first op of the anchor's kind) decides the
  // path: the cost model's choice between oneDNN and generated loops.
  std::string planOf(Operation *fused, const CompileOptions &options,
                     double &milliseconds) const override {
    Operation *anchor = kernelAnchor(fused);
    if (!anchor)
      return "";
    cpu::CpuCostModel model;
    model.winograd = options.cpuConvAlgorithm == "auto";
    // Attention decomposes into two batched products (oneDNN) around a
    // softmax (generated); the rest is the anchor's own choice.
    bool library = options.cpuKernels != "codegen" &&
                   (cpu::libraryCanRun(anchor) || isa<AttentionOp>(anchor));
    cpu::KernelEstimate e =
        options.cpuKernels == "onednn" && library
            ? model.estimate(anchor, cpu::CpuPath::Library)
            : model.choose(anchor, library);
    // The weight as the kernel receives it.
    Value weight = cpu::outsideKernel(
        anchor->getNumOperands() > 1 ? anchor->getOperand(1) : Value());
    bool constantWeight = weight && weight.getDefiningOp<ConstantOp>();
    // kiln-cpu-select-library-calls' Winograd choice: whether the
    // epilogue oneDNN absorbs has a binary step.
    bool binaryEpilogue =
        !cpu::collectEpilogue(anchor->getResult(0)).operands.empty();
    bool winograd = e.path == cpu::CpuPath::Library &&
                    model.winogradApplies(anchor, constantWeight, binaryEpilogue);
    if (winograd)
      e = model.estimate(anchor, cpu::CpuPath::Library, /*winograd=*/true);
    milliseconds = e.milliseconds;
    std::string text;
    llvm::raw_string_ostream os(text);
    os << cpu::pathName(e.path);
    if (e.path == cpu::CpuPath::Library) {
      auto conv = dyn_cast<ConvOp>(anchor);
      bool int8 = cpu::integerLibraryCanRun(anchor);
      if (isa<AttentionOp>(anchor))
        os << " 2 batched matmuls + codegen softmax";
      else if (conv)
        os << " conv2d " << (conv.getChannelsLast() ? "nhwc" : "nchw")
           << " groups=" << conv.getGroup()
           << (!winograd ? " direct"
               : cast<RankedTensorType>(conv.getType()).hasStaticShape()
                   ? " winograd F(2x2,3x3) via nChw16c"
                   : " winograd F(2x2,3x3) via nChw16c from " +
                         std::to_string(model.winogradMinPixels) +
                         " output pixels (counted at run time), else direct");
      else
        os << " matmul";
      if (int8)
        os << " u8s8s32";
      os << " weights=" << (constantWeight ? "repacked-once" : "as-is");
    } else if (cpu::packedGemmApplies(anchor)) {
      const cpu::PackedGemmShape &t = cpu::kPackedGemm;
      os << " packed-gemm tile=" << t.mr << "x" << t.nr << " kc=" << t.kc
         << " (panels packed per run, blocks on threads)";
      if (isa<ConvTransposeOp>(anchor))
        os << " + gather of the taps per output";
    } else if (int t = cpu::matrixVectorThreads(anchor, model.threads)) {
      os << " matrix-vector loops ("
         << (t > 1 ? "on threads when large" : "one thread") << ")";
    } else {
      os << " loops (outer parallel loop on threads when large)";
    }
    os << " bytes=" << llvm::format("%.0f", e.bytes)
       << " est_ms=" << llvm::format("%.4f", e.milliseconds);
    return text;
  }

  LogicalResult buildPipeline(OpPassManager &pm,
                              const CompileOptions &options) const override {
    CpuPipelineOptions o;
    o.optLevel = options.optLevel;
    o.libraries = options.cpuKernels != "codegen";
    o.costModel = options.cpuKernels == "auto";
    o.winograd = options.cpuConvAlgorithm == "auto";
    o.planMemory = options.memoryPlan;
    return buildCpuPipeline(pm, o);
  }

  LogicalResult emit(ModuleOp lowered, runtime::ArtifactMetadata metadata,
                     const CompileOptions &options,
                     const std::string &outputPath) const override {
    metadata.target = "cpu";
    return emitLlvmArtifact(lowered, std::move(metadata), options, outputPath);
  }
};

} // namespace

std::unique_ptr<Backend> createCpuBackend() {
  return std::make_unique<CpuBackend>();
}

} // namespace kiln
