//===- ModelInterface.cpp - how a module describes the model it holds -----===//
#include "dialects/kiln/ModelInterface.h"

using namespace mlir;

namespace kiln {

func::FuncOp getEntryFunction(ModuleOp module) {
  func::FuncOp entry;
  for (auto f : module.getOps<func::FuncOp>()) {
    if (!f->hasAttr(kEntryAttr))
      continue;
    if (entry) {
      module.emitError() << "more than one function is marked " << kEntryAttr;
      return nullptr;
    }
    entry = f;
  }
  if (!entry)
    module.emitError() << "no function is marked " << kEntryAttr;
  return entry;
}

} // namespace kiln
