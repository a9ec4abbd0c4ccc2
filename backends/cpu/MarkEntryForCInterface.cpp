//===- MarkEntryForCInterface.cpp - request the C interface for the entry -===//
#include "backends/cpu/Passes.h"
#include "dialects/kiln/ModelInterface.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace kiln {
#define GEN_PASS_DEF_MARKENTRYFORCINTERFACE
#include "backends/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {
struct MarkEntryForCInterfacePass
    : impl::MarkEntryForCInterfaceBase<MarkEntryForCInterfacePass> {
  void runOnOperation() override {
    func::FuncOp entry = getEntryFunction(getOperation());
    if (!entry)
      return signalPassFailure();
    entry->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                   UnitAttr::get(&getContext()));
  }
};
} // namespace
} // namespace kiln
