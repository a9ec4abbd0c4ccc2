//===- WeightsToParams.cpp - large constants become entry parameters ------===//
#include "backends/library/IR/KilnLibDialect.h"
#include "backends/linalg/Passes.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ModelInterface.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringSet.h"

namespace kiln {
#define GEN_PASS_DEF_WEIGHTSTOPARAMS
#include "backends/linalg/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Bytes of a constant as stored (bools take a byte each).
static int64_t storageBytes(RankedTensorType type) {
  unsigned bits = type.getElementTypeBitWidth();
  return type.getNumElements() * int64_t(std::max(8u, bits) / 8);
}

/// A parameter name from the constant's location (the importer names
/// initializers), unique within the function.
static std::string paramName(Operation *op, llvm::StringSet<> &used) {
  std::string base = "param";
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    base = name.getName().str();
  std::string name = base;
  for (int i = 1; used.contains(name); ++i)
    name = base + "_" + std::to_string(i);
  used.insert(name);
  return name;
}

/// Whether a kiln_lib op reads `v`'s data, directly or through reshapes (a
/// bias reshaped to the result's rank; not the reshape's shape operand).
static bool readByLibrary(Value v) {
  for (Operation *user : v.getUsers()) {
    if (isa<lib::KilnLibDialect>(user->getDialect()))
      return true;
    if (auto reshape = dyn_cast<ReshapeOp>(user);
        reshape && reshape.getInput() == v && readByLibrary(reshape))
      return true;
  }
  return false;
}

struct WeightsToParamsPass : impl::WeightsToParamsBase<WeightsToParamsPass> {
  using WeightsToParamsBase::WeightsToParamsBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp entry = getEntryFunction(module);
    if (!entry)
      return signalPassFailure();
    SmallVector<ConstantOp> weights;
    entry.walk([&](ConstantOp c) {
      auto type = cast<RankedTensorType>(c.getType());
      if (type.hasStaticShape() &&
          (storageBytes(type) >= minBytes ||
           (libraryOperands && readByLibrary(c.getResult()))))
        weights.push_back(c);
    });
    SmallVector<Attribute> values, names;
    if (auto existing = module->getAttrOfType<ArrayAttr>(kParamValuesAttr))
      values.assign(existing.begin(), existing.end());
    if (auto existing = module->getAttrOfType<ArrayAttr>(kParamNamesAttr))
      names.assign(existing.begin(), existing.end());
    llvm::StringSet<> used;
    for (unsigned i = 0; i < entry.getNumArguments(); ++i)
      if (auto n = entry.getArgAttrOfType<StringAttr>(i, kParamAttr))
        used.insert(n.getValue());
    Block &body = entry.getBody().front();
    MLIRContext *ctx = &getContext();
    for (ConstantOp c : weights) {
      unsigned index = entry.getNumArguments();
      StringAttr name = StringAttr::get(ctx, paramName(c, used));
      SmallVector<NamedAttribute> attrs = {
          NamedAttribute(StringAttr::get(ctx, kParamAttr), name),
          NamedAttribute(StringAttr::get(
                             ctx, bufferization::BufferizationDialect::
                                      kWritableAttrName),
                         BoolAttr::get(ctx, false))};
      if (failed(entry.insertArgument(index, c.getType(),
                                      DictionaryAttr::get(ctx, attrs),
                                      c.getLoc())))
        return signalPassFailure();
      c.getResult().replaceAllUsesWith(body.getArgument(index));
      values.push_back(c.getValue());
      names.push_back(name);
      c.erase();
    }
    module->setAttr(kParamValuesAttr, ArrayAttr::get(ctx, values));
    module->setAttr(kParamNamesAttr, ArrayAttr::get(ctx, names));
  }
};

} // namespace
} // namespace kiln
