//===- PooledAllocations.cpp - heap buffers from the runtime's pool -------===//
//
// malloc and free calls of the lowered module (outputs, buffers sized at
// run time) become calls of the artifact's table slots kiln_cpu_alloc and
// kiln_cpu_free (lib/runtime/cpu/CpuAbi.h), served by the runtime's buffer
// pool (lib/runtime/cpu/HostBufferPool.h): a run in steady state then
// reuses the blocks of the previous one instead of faulting in fresh pages.
// The runtime fails the run when memory runs out, naming the size.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"
#include "backends/library/RuntimeCalls.h"
#include "lib/runtime/cpu/CpuAbi.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace kiln {
#define GEN_PASS_DEF_POOLEDALLOCATIONS
#include "backends/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;
namespace abi = kiln::cpu_abi;

namespace kiln {
namespace {

struct PooledAllocationsPass
    : impl::PooledAllocationsBase<PooledAllocationsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    Type i64 = IntegerType::get(ctx, 64);
    auto allocType = LLVM::LLVMFunctionType::get(ptr, {i64});
    auto freeType =
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr});
    bool any = false;
    WalkResult walk = module.walk([&](LLVM::CallOp call) {
      std::optional<StringRef> callee = call.getCallee();
      if (!callee || (*callee != "malloc" && *callee != "free"))
        return WalkResult::advance();
      bool alloc = *callee == "malloc";
      if (call.getCalleeFunctionType() != (alloc ? allocType : freeType)) {
        call.emitOpError("calls ")
            << *callee << " with an unexpected type (expected "
            << (alloc ? allocType : freeType) << ")";
        return WalkResult::interrupt();
      }
      int slot = alloc ? abi::kSlotAlloc : abi::kSlotFree;
      LLVM::LLVMFuncOp f = lib::declareRuntimeFunction(
          module, abi::kSlotNames[slot], alloc ? allocType : freeType);
      call.setCallee(f.getSymName());
      any = true;
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();
    if (!any)
      return;
    lib::defineSlotThunks(module, abi::kApiSymbol,
                          ArrayRef<const char *>(abi::kSlotNames));
    auto alloc =
        module.lookupSymbol<LLVM::LLVMFuncOp>(abi::kSlotNames[abi::kSlotAlloc]);
    if (alloc) {
      alloc.setResultAttr(0, LLVM::LLVMDialect::getNoAliasAttrName(),
                          UnitAttr::get(ctx));
      alloc.setNoInline(true);
    }
  }
};

} // namespace
} // namespace kiln
