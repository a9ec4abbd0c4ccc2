//===- LowerRuntimeChecks.cpp - cf.assert to the artifact's trap ----------===//
#include "backends/cpu/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

namespace kiln {
#define GEN_PASS_DEF_LOWERRUNTIMECHECKS
#include "backends/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct LowerRuntimeChecksPass
    : impl::LowerRuntimeChecksBase<LowerRuntimeChecksPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cf::AssertOp> asserts;
    module.walk([&](cf::AssertOp op) { asserts.push_back(op); });
    if (asserts.empty())
      return;
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    auto trap = module.lookupSymbol<LLVM::LLVMFuncOp>(kTrapFunction);
    if (!trap) {
      b.setInsertionPointToStart(module.getBody());
      trap = LLVM::LLVMFuncOp::create(
          b, module.getLoc(), kTrapFunction,
          LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptrType}));
    }
    llvm::StringMap<LLVM::GlobalOp> messages;
    unsigned counter = 0;
    for (cf::AssertOp op : asserts) {
      Block *block = op->getBlock();
      if (!isa<FunctionOpInterface>(block->getParentOp())) {
        op.emitError("run-time check inside a structured region; lower SCF "
                     "to CFG first");
        return signalPassFailure();
      }
      Location loc = op.getLoc();
      Block *cont = block->splitBlock(op->getNextNode());
      Block *fail = b.createBlock(cont);
      // One global string per distinct message.
      LLVM::GlobalOp &global = messages[op.getMsg()];
      if (!global) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(module.getBody());
        std::string text = op.getMsg().str();
        text.push_back('\0');
        auto type = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8),
                                             text.size());
        global = LLVM::GlobalOp::create(
            b, loc, type, /*isConstant=*/true, LLVM::Linkage::Internal,
            "kiln_check_msg_" + std::to_string(counter++),
            b.getStringAttr(text));
      }
      Value address = LLVM::AddressOfOp::create(b, loc, global);
      LLVM::CallOp::create(b, loc, trap, ValueRange{address});
      LLVM::UnreachableOp::create(b, loc);
      b.setInsertionPoint(op);
      cf::CondBranchOp::create(b, loc, op.getArg(), cont, fail);
      op.erase();
    }
  }
};

} // namespace
} // namespace kiln
