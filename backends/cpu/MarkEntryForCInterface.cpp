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
    MLIRContext *ctx = &getContext();
    auto dropKilnAttrs = [&](DictionaryAttr attrs) {
      SmallVector<NamedAttribute> kept;
      if (attrs)
        for (NamedAttribute a : attrs)
          if (!a.getName().strref().starts_with("kiln."))
            kept.push_back(a);
      return DictionaryAttr::get(ctx, kept);
    };
    for (unsigned i = 0; i < entry.getNumArguments(); ++i)
      entry.setArgAttrs(i, dropKilnAttrs(entry.getArgAttrDict(i)));
    for (unsigned i = 0; i < entry.getNumResults(); ++i)
      entry.setResultAttrs(i, dropKilnAttrs(entry.getResultAttrDict(i)));
  }
};
} // namespace
} // namespace kiln
