//===- HostToLlvm.cpp - the host side of a CUDA module to runtime calls ---===//
//
// MLIR's gpu-to-llvm lowers launches to its mgpu* wrapper library, loading
// the module from a global constructor and creating and synchronising a
// stream for every synchronous launch. Kiln artifacts call their own
// runtime instead (lib/runtime/cuda/CudaAbi.h): the module is loaded when a
// session opens, all work goes to one stream, and calls go through a table
// the runtime fills, so the artifact has no undefined CUDA symbols.
//
//===----------------------------------------------------------------------===//
#include "backends/cuda/GpuCostModel.h"
#include "backends/cuda/Passes.h"
#include "backends/library/RuntimeCalls.h"
#include "lib/runtime/cuda/CudaAbi.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/LLVMCommon/ConversionTarget.h"
#include "mlir/Conversion/LLVMCommon/MemRefBuilder.h"
#include "mlir/Conversion/LLVMCommon/Pattern.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Index/IR/IndexDialect.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_HOSTTOLLVM
#include "backends/cuda/Passes.h.inc"
} // namespace kiln

using namespace mlir;
namespace abi = kiln::cuda_abi;

namespace kiln::cuda {
namespace {

/// The runtime functions' LLVM types (without the context argument, which
/// only the thunks see).
LLVM::LLVMFunctionType slotType(MLIRContext *ctx, int slot) {
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i64 = IntegerType::get(ctx, 64), i32 = IntegerType::get(ctx, 32);
  Type voidTy = LLVM::LLVMVoidType::get(ctx);
  switch (slot) {
  case abi::kSlotAlloc:
    return LLVM::LLVMFunctionType::get(ptr, {i64});
  case abi::kSlotFree:
    return LLVM::LLVMFunctionType::get(voidTy, {ptr});
  case abi::kSlotLaunch:
    return LLVM::LLVMFunctionType::get(
        voidTy, {i32, i64, i64, i64, i64, i64, i64, i32, ptr});
  case abi::kSlotConv2d:
    return LLVM::LLVMFunctionType::get(voidTy, {ptr, ptr, ptr, ptr, ptr});
  case abi::kSlotMatmul:
    return LLVM::LLVMFunctionType::get(voidTy, {ptr, ptr, ptr, ptr});
  case abi::kSlotMatmulEpilogue:
    return LLVM::LLVMFunctionType::get(voidTy, {ptr, ptr, ptr, ptr, ptr});
  case abi::kSlotConv2dResidual:
    return LLVM::LLVMFunctionType::get(voidTy,
                                       {ptr, ptr, ptr, ptr, ptr, ptr});
  case abi::kSlotHostAlloc:
    return LLVM::LLVMFunctionType::get(ptr, {i64});
  case abi::kSlotHostFree:
    return LLVM::LLVMFunctionType::get(voidTy, {ptr});
  case abi::kSlotCopyToHost:
  case abi::kSlotCopyToDevice:
    return LLVM::LLVMFunctionType::get(voidTy, {ptr, ptr, i64});
  }
  llvm_unreachable("bad slot");
}

LLVM::LLVMFuncOp declareSlot(ModuleOp module, int slot) {
  return lib::declareRuntimeFunction(module, abi::kSlotNames[slot],
                                     slotType(module.getContext(), slot));
}

/// The exported table and a thunk for each declared runtime function.
void defineThunks(ModuleOp module) {
  lib::defineSlotThunks(module, abi::kApiSymbol,
                        ArrayRef<const char *>(abi::kSlotNames));
}

using lib::dataPointer;

int64_t dataTypeOf(Type element) {
  if (element.isF16())
    return abi::kF16;
  if (element.isBF16())
    return abi::kBF16;
  return abi::kF32;
}

/// Whether a product's operand is shared by every batch (rank 2) or has
/// the output's batch dimensions: the strided batches cuBLAS takes.
bool sameBatches(Value operand, Value init) {
  auto t = cast<MemRefType>(operand.getType());
  auto c = cast<MemRefType>(init.getType());
  return t.getRank() == 2 ||
         t.getShape().drop_back(2) == c.getShape().drop_back(2);
}

/// An epilogue the CUDA wrappers run, as post-ops spell it: an optional
/// "add" of the one post operand (a convolution's residual, a product's
/// bias), then an optional activation.
struct CudaEpilogue {
  Value addend;
  int64_t activation = abi::kActNone;
};

std::optional<CudaEpilogue> parseEpilogue(ArrayAttr postOps,
                                          ValueRange operands,
                                          bool allowGelu) {
  CudaEpilogue e;
  SmallVector<StringRef> ops;
  for (Attribute a : postOps)
    ops.push_back(cast<StringAttr>(a).getValue());
  size_t i = 0;
  if (i < ops.size() && ops[i] == "add") {
    if (operands.size() != 1)
      return std::nullopt;
    e.addend = operands[0];
    ++i;
  } else if (!operands.empty()) {
    return std::nullopt;
  }
  if (i < ops.size() && ops[i] == "relu") {
    e.activation = abi::kActRelu;
    ++i;
  } else if (allowGelu && i < ops.size() && ops[i] == "gelu_tanh") {
    e.activation = abi::kActGeluTanh;
    ++i;
  }
  if (i != ops.size())
    return std::nullopt;
  return e;
}

/// A convolution's epilogue as cuDNN's fused call runs it: a residual of
/// the result's shape (contiguous), then ReLU.
std::optional<CudaEpilogue> convEpilogueOf(lib::Conv2dOp conv) {
  std::optional<CudaEpilogue> e = parseEpilogue(
      conv.getPostOps(), conv.getPostOperands(), /*allowGelu=*/false);
  if (!e || !e->addend)
    return e;
  auto z = cast<MemRefType>(e->addend.getType());
  auto y = cast<MemRefType>(conv.getInit().getType());
  if (z.getShape() != y.getShape() || z.getElementType() != y.getElementType() ||
      !z.getLayout().isIdentity())
    return std::nullopt;
  return e;
}

/// A product's epilogue as cuBLASLt runs it: a bias (a vector of N, unit
/// stride, broadcast over the rest), then ReLU or tanh GELU; none when the
/// product accumulates.
std::optional<CudaEpilogue> productEpilogueOf(lib::MatmulOp mm) {
  std::optional<CudaEpilogue> e = parseEpilogue(
      mm.getPostOps(), mm.getPostOperands(), /*allowGelu=*/true);
  if (!e || (!mm.getPostOps().empty() && mm.getAccumulate()))
    return std::nullopt;
  if (!e->addend)
    return e;
  auto t = cast<MemRefType>(e->addend.getType());
  auto c = cast<MemRefType>(mm.getInit().getType());
  if (t.getRank() != c.getRank() || !t.hasStaticShape() ||
      t.getShape().back() != c.getShape().back() ||
      t.getElementType() != c.getElementType())
    return std::nullopt;
  for (int64_t d = 0; d + 1 < t.getRank(); ++d)
    if (t.getDimSize(d) != 1)
      return std::nullopt;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(t.getStridesAndOffset(strides, offset)) ||
      (t.getShape().back() > 1 && strides.back() != 1))
    return std::nullopt;
  return e;
}

LogicalResult lowerLibraryCalls(ModuleOp module, bool allowTf32) {
  SmallVector<Operation *> ops;
  module.walk([&](Operation *op) {
    if (isa<lib::Conv2dOp, lib::MatmulOp>(op))
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    // kiln-cuda-select-library-calls makes only what the wrappers take.
    auto conv2d = dyn_cast<lib::Conv2dOp>(op);
    auto matmul = dyn_cast<lib::MatmulOp>(op);
    ArrayRef<int64_t> pads = conv2d ? conv2d.getPads() : ArrayRef<int64_t>();
    std::optional<CudaEpilogue> epilogue =
        conv2d ? convEpilogueOf(conv2d) : productEpilogueOf(matmul);
    if (!epilogue ||
        (matmul && (!sameBatches(matmul.getLhs(), matmul.getInit()) ||
                    !sameBatches(matmul.getRhs(), matmul.getInit()))) ||
        (conv2d && (conv2d.getChannelsLast() || pads[0] != pads[2] ||
                    pads[1] != pads[3] || conv2d.getAutoPad() != "NOTSET")))
      return op->emitOpError("is not supported by the CUDA library wrappers "
                             "(NCHW, symmetric explicit padding, a residual then "
                             "ReLU on convolutions, a column bias then "
                             "ReLU or tanh GELU on products, no epilogue "
                             "when accumulating, batches shared or equal)");
    OpBuilder b(op);
    Location loc = op->getLoc();
    Value null = LLVM::ZeroOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()));
    if (auto conv = dyn_cast<lib::Conv2dOp>(op)) {
      auto in = cast<MemRefType>(conv.getInput().getType());
      auto f = cast<MemRefType>(conv.getFilter().getType());
      auto out = cast<MemRefType>(conv.getInit().getType());
      std::vector<int64_t> d(abi::kConvFields, 0);
      d[abi::kConvDType] = dataTypeOf(in.getElementType());
      d[abi::kConvN] = in.getDimSize(0);
      d[abi::kConvC] = in.getDimSize(1);
      d[abi::kConvH] = in.getDimSize(2);
      d[abi::kConvW] = in.getDimSize(3);
      d[abi::kConvK] = f.getDimSize(0);
      d[abi::kConvR] = f.getDimSize(2);
      d[abi::kConvS] = f.getDimSize(3);
      d[abi::kConvP] = out.getDimSize(2);
      d[abi::kConvQ] = out.getDimSize(3);
      d[abi::kConvPadH] = conv.getPads()[0];
      d[abi::kConvPadW] = conv.getPads()[1];
      d[abi::kConvStrideH] = conv.getStrides()[0];
      d[abi::kConvStrideW] = conv.getStrides()[1];
      d[abi::kConvDilationH] = conv.getDilations()[0];
      d[abi::kConvDilationW] = conv.getDilations()[1];
      d[abi::kConvGroups] = conv.getGroups();
      const CudaEpilogue &e = *epilogue;
      d[abi::kConvActivation] = e.activation;
      d[abi::kConvAllowTf32] = allowTf32;
      Value desc = lib::constantI64Array(b, module, loc, d, "kiln_cuda_desc_");
      Value bias = conv.getBias() ? dataPointer(b, loc, conv.getBias()) : null;
      // A residual is an argument of its own slot, before y.
      SmallVector<Value> args = {desc, dataPointer(b, loc, conv.getInput()),
                                 dataPointer(b, loc, conv.getFilter()), bias};
      if (e.addend)
        args.push_back(dataPointer(b, loc, e.addend));
      args.push_back(dataPointer(b, loc, conv.getInit()));
      LLVM::CallOp::create(
          b, loc,
          declareSlot(module, e.addend ? abi::kSlotConv2dResidual
                                         : abi::kSlotConv2d),
          args);
    } else {
      auto mm = cast<lib::MatmulOp>(op);
      auto a = cast<MemRefType>(mm.getLhs().getType());
      auto bt = cast<MemRefType>(mm.getRhs().getType());
      auto c = cast<MemRefType>(mm.getInit().getType());
      int64_t rank = c.getRank();
      int64_t m = c.getDimSize(rank - 2), n = c.getDimSize(rank - 1);
      int64_t k = a.getDimSize(a.getRank() - (mm.getTransA() ? 2 : 1));
      int64_t batch = 1;
      for (int64_t i = 0; i + 2 < rank; ++i)
        batch *= c.getDimSize(i);
      // A batch of row blocks against one shared right matrix ([b, s, k]
      // by a [k, n] weight) is one product of b * s rows: the blocks are
      // contiguous in A and C, and one large GEMM fills the GPU better
      // than b small ones.
      if (batchFoldsIntoRows(a.getRank(), bt.getRank(), rank, mm.getTransA())) {
        m *= batch;
        batch = 1;
      }
      std::vector<int64_t> d(abi::kMmFields, 0);
      d[abi::kMmDType] = dataTypeOf(c.getElementType());
      d[abi::kMmBatch] = batch;
      d[abi::kMmM] = m;
      d[abi::kMmN] = n;
      d[abi::kMmK] = k;
      d[abi::kMmTransA] = mm.getTransA();
      d[abi::kMmTransB] = mm.getTransB();
      d[abi::kMmStrideA] = a.getRank() == rank ? m * k : 0;
      d[abi::kMmStrideB] = bt.getRank() == rank ? k * n : 0;
      d[abi::kMmStrideC] = m * n;
      d[abi::kMmAccumulate] = mm.getAccumulate();
      d[abi::kMmAllowTf32] = allowTf32;
      double alpha = mm.getAlpha().convertToDouble();
      static_assert(sizeof(double) == sizeof(int64_t));
      std::memcpy(&d[abi::kMmAlphaBits], &alpha, sizeof alpha);
      // A product with an epilogue is a cuBLASLt call of its own slot.
      const CudaEpilogue &e = *epilogue;
      bool cublasLt = !mm.getPostOps().empty();
      d[abi::kMmActivation] = e.activation;
      Value desc = lib::constantI64Array(b, module, loc, d, "kiln_cuda_desc_");
      SmallVector<Value> args = {desc, dataPointer(b, loc, mm.getLhs()),
                                 dataPointer(b, loc, mm.getRhs())};
      if (cublasLt)
        args.push_back(e.addend ? dataPointer(b, loc, e.addend) : null);
      args.push_back(dataPointer(b, loc, mm.getInit()));
      LLVM::CallOp::create(
          b, loc,
          declareSlot(module, cublasLt ? abi::kSlotMatmulEpilogue
                                       : abi::kSlotMatmul),
          args);
    }
    op->erase();
  }
  return success();
}

/// Whether `v` is a host buffer of the CPU fallback.
bool isHostBuffer(Value v) {
  auto alloc = v.getDefiningOp<gpu::AllocOp>();
  return alloc && alloc.getHostShared();
}

/// The address of a contiguous buffer (identity layout: offset 0).
Value bufferPointer(OpBuilder &b, Location loc, Value memref) {
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), base);
  return LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()), i64);
}

/// The CPU fallback's synchronous gpu.memcpy between a host buffer and a
/// device buffer (both contiguous, see HostFallback.cpp) ->
/// kiln_cuda_copy_to_host / kiln_cuda_copy_to_device(dst, src, bytes).
LogicalResult lowerHostCopies(ModuleOp module) {
  SmallVector<gpu::MemcpyOp> copies;
  module.walk([&](gpu::MemcpyOp op) { copies.push_back(op); });
  DataLayout layout(module);
  for (gpu::MemcpyOp op : copies) {
    bool toHost = isHostBuffer(op.getDst()), toDevice = isHostBuffer(op.getSrc());
    auto type = cast<MemRefType>(op.getSrc().getType());
    if (toHost == toDevice || op.getAsyncToken() ||
        !op.getAsyncDependencies().empty() || !type.getLayout().isIdentity())
      return op.emitOpError("is not a synchronous copy between a host buffer "
                            "and a contiguous device buffer");
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value bytes = arith::ConstantIndexOp::create(
        b, loc, int64_t(layout.getTypeSize(type.getElementType())));
    for (int64_t i = 0; i < type.getRank(); ++i)
      bytes = b.createOrFold<arith::MulIOp>(
          loc, bytes, b.createOrFold<memref::DimOp>(loc, op.getSrc(), i));
    bytes = arith::IndexCastOp::create(b, loc, b.getI64Type(), bytes);
    LLVM::CallOp::create(
        b, loc,
        declareSlot(module, toHost ? abi::kSlotCopyToHost
                                   : abi::kSlotCopyToDevice),
        ValueRange{bufferPointer(b, loc, op.getDst()),
                   bufferPointer(b, loc, op.getSrc()), bytes});
    op.erase();
  }
  return success();
}

/// Lowerings of allocations whose memory comes from a runtime slot.
template <typename OpTy>
struct SlotAllocLowering : ConvertOpToLLVMPattern<OpTy> {
  using ConvertOpToLLVMPattern<OpTy>::ConvertOpToLLVMPattern;

protected:
  /// The descriptor of an identity-layout `type` (with `dynamicSizes`) on
  /// memory from `slot`.
  Value allocate(Operation *op, MemRefType type, ValueRange dynamicSizes,
                 int slot, ConversionPatternRewriter &rewriter) const {
    Location loc = op->getLoc();
    SmallVector<Value> sizes, strides;
    Value bytes;
    this->getMemRefDescriptorSizes(loc, type, dynamicSizes, rewriter, sizes,
                                   strides, bytes);
    auto module = op->template getParentOfType<ModuleOp>();
    Value ptr = LLVM::CallOp::create(rewriter, loc, declareSlot(module, slot),
                                     ValueRange{bytes})
                    .getResult();
    return this->createMemRefDescriptor(loc, type, ptr, ptr, sizes, strides,
                                        rewriter);
  }
};

/// Gives the memory of the converted memref `descriptor` back through
/// `slot`, in place of `op`.
void freeThroughSlot(Operation *op, Value descriptor, int slot,
                     ConversionPatternRewriter &rewriter) {
  auto module = op->getParentOfType<ModuleOp>();
  Value ptr = MemRefDescriptor(descriptor).allocatedPtr(rewriter, op->getLoc());
  LLVM::CallOp::create(rewriter, op->getLoc(), declareSlot(module, slot),
                       ValueRange{ptr});
  rewriter.eraseOp(op);
}

struct AllocLowering : SlotAllocLowering<memref::AllocOp> {
  using SlotAllocLowering::SlotAllocLowering;
  LogicalResult
  matchAndRewrite(memref::AllocOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    MemRefType type = op.getType();
    if (!isConvertibleAndHasIdentityMaps(type))
      return rewriter.notifyMatchFailure(op, "not an identity layout");
    rewriter.replaceOp(op, allocate(op, type, adaptor.getDynamicSizes(),
                                    abi::kSlotAlloc, rewriter));
    return success();
  }
};

struct DeallocLowering : ConvertOpToLLVMPattern<memref::DeallocOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(memref::DeallocOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    freeThroughSlot(op, adaptor.getMemref(), abi::kSlotFree, rewriter);
    return success();
  }
};

/// The CPU fallback's host buffers: gpu.alloc host_shared ->
/// kiln_cuda_host_alloc, gpu.dealloc -> kiln_cuda_host_free (Kiln makes
/// gpu.alloc only for host buffers).
struct HostAllocLowering : SlotAllocLowering<gpu::AllocOp> {
  using SlotAllocLowering::SlotAllocLowering;
  LogicalResult
  matchAndRewrite(gpu::AllocOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    MemRefType type = op.getType();
    if (!op.getHostShared() || op.getAsyncToken() ||
        !op.getSymbolOperands().empty() ||
        !isConvertibleAndHasIdentityMaps(type))
      return rewriter.notifyMatchFailure(op, "not a host buffer");
    rewriter.replaceOp(op, {allocate(op, type, adaptor.getDynamicSizes(),
                                     abi::kSlotHostAlloc, rewriter),
                            Value()});
    return success();
  }
};

struct HostFreeLowering : ConvertOpToLLVMPattern<gpu::DeallocOp> {
  using ConvertOpToLLVMPattern::ConvertOpToLLVMPattern;
  LogicalResult
  matchAndRewrite(gpu::DeallocOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getAsyncToken())
      return rewriter.notifyMatchFailure(op, "async");
    freeThroughSlot(op, adaptor.getMemref(), abi::kSlotHostFree, rewriter);
    return success();
  }
};

/// gpu.launch_func -> kiln_cuda_launch(index, grid, block, shared, params):
/// params points to one pointer per kernel parameter, each to a copy of the
/// value, as cuLaunchKernel takes them. Memrefs expand to their descriptor
/// fields, the way convert-gpu-to-nvvm expands kernel arguments.
struct LaunchLowering : ConvertOpToLLVMPattern<gpu::LaunchFuncOp> {
  LaunchLowering(const LLVMTypeConverter &converter,
                 const llvm::StringMap<int32_t> &indices)
      : ConvertOpToLLVMPattern(converter), indices(indices) {}

  LogicalResult
  matchAndRewrite(gpu::LaunchFuncOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getAsyncToken() || !op.getAsyncDependencies().empty() ||
        op.hasClusterSize())
      return rewriter.notifyMatchFailure(op, "async or clustered launch");
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    Type i32 = rewriter.getI32Type(), i64 = rewriter.getI64Type();
    SmallVector<Value> params;
    for (auto [original, converted] :
         llvm::zip(op.getKernelOperands(), adaptor.getKernelOperands())) {
      if (auto type = dyn_cast<MemRefType>(original.getType()))
        MemRefDescriptor::unpack(rewriter, loc, converted, type, params);
      else
        params.push_back(converted);
    }
    Value stack = LLVM::StackSaveOp::create(rewriter, loc, ptr);
    Value one = LLVM::ConstantOp::create(rewriter, loc, i64, 1);
    Value count = LLVM::ConstantOp::create(
        rewriter, loc, i64, std::max<int64_t>(1, params.size()));
    Value array = LLVM::AllocaOp::create(rewriter, loc, ptr, ptr, count, 8);
    for (auto [i, value] : llvm::enumerate(params)) {
      Value slot =
          LLVM::AllocaOp::create(rewriter, loc, ptr, value.getType(), one, 8);
      LLVM::StoreOp::create(rewriter, loc, value, slot);
      Value at = LLVM::GEPOp::create(rewriter, loc, ptr, ptr, array,
                                     ArrayRef<LLVM::GEPArg>{int32_t(i)});
      LLVM::StoreOp::create(rewriter, loc, slot, at);
    }
    auto it = indices.find(op.getKernelName().getValue());
    assert(it != indices.end() && "kernel without an index");
    Value index = LLVM::ConstantOp::create(rewriter, loc, i32, it->second);
    Value shared = adaptor.getDynamicSharedMemorySize();
    if (!shared)
      shared = LLVM::ConstantOp::create(rewriter, loc, i32, 0);
    auto module = op->getParentOfType<ModuleOp>();
    LLVM::CallOp::create(
        rewriter, loc, declareSlot(module, abi::kSlotLaunch),
        ValueRange{index, adaptor.getGridSizeX(), adaptor.getGridSizeY(),
                   adaptor.getGridSizeZ(), adaptor.getBlockSizeX(),
                   adaptor.getBlockSizeY(), adaptor.getBlockSizeZ(), shared,
                   array});
    LLVM::StackRestoreOp::create(rewriter, loc, stack);
    rewriter.eraseOp(op);
    return success();
  }

  const llvm::StringMap<int32_t> &indices;
};

struct HostToLlvmPass : kiln::impl::HostToLlvmBase<HostToLlvmPass> {
  using HostToLlvmBase::HostToLlvmBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();

    // Kernels get indices in order of first launch; all live in one module.
    llvm::StringMap<int32_t> indices;
    SmallVector<Attribute> names;
    StringRef kernelModule;
    WalkResult r = module.walk([&](gpu::LaunchFuncOp op) {
      StringRef mod = op.getKernelModuleName().getValue();
      if (!kernelModule.empty() && mod != kernelModule) {
        op.emitError("kernels must all be in one module, found ")
            << kernelModule << " and " << mod;
        return WalkResult::interrupt();
      }
      kernelModule = mod;
      StringRef name = op.getKernelName().getValue();
      if (indices.try_emplace(name, int32_t(names.size())).second)
        names.push_back(StringAttr::get(ctx, name));
      return WalkResult::advance();
    });
    if (r.wasInterrupted())
      return signalPassFailure();

    // Declared up front: patterns then only look them up.
    for (int slot = 1; slot < abi::kApiSlots; ++slot)
      declareSlot(module, slot);
    if (failed(lowerLibraryCalls(module, allowTf32)) ||
        failed(lowerHostCopies(module)))
      return signalPassFailure();

    LLVMTypeConverter converter(ctx);
    RewritePatternSet patterns(ctx);
    populateFuncToLLVMConversionPatterns(converter, patterns);
    populateFinalizeMemRefToLLVMConversionPatterns(converter, patterns);
    arith::populateArithToLLVMConversionPatterns(converter, patterns);
    cf::populateControlFlowToLLVMConversionPatterns(converter, patterns);
    index::populateIndexToLLVMConversionPatterns(converter, patterns);
    ub::populateUBToLLVMConversionPatterns(converter, patterns);
    // Ahead of the memref patterns that would call malloc/free.
    patterns.add<AllocLowering, DeallocLowering>(converter, /*benefit=*/10);
    patterns.add<LaunchLowering>(converter, indices);
    patterns.add<HostAllocLowering, HostFreeLowering>(converter);

    LLVMConversionTarget target(*ctx);
    target.addIllegalDialect<func::FuncDialect, memref::MemRefDialect,
                             arith::ArithDialect, cf::ControlFlowDialect,
                             index::IndexDialect, ub::UBDialect,
                             lib::KilnLibDialect>();
    target.addIllegalOp<gpu::LaunchFuncOp, gpu::AllocOp, gpu::DeallocOp,
                        gpu::MemcpyOp>();
    target.addLegalOp<gpu::BinaryOp, gpu::GPUModuleOp>();
    // Device code is lowered separately.
    target.markOpRecursivelyLegal<gpu::GPUModuleOp>();
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      return signalPassFailure();

    defineThunks(module);
    module->setAttr("kiln_cuda.kernels", ArrayAttr::get(ctx, names));
  }
};

} // namespace
} // namespace kiln::cuda
