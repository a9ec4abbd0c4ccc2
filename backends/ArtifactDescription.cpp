//===- ArtifactDescription.cpp - a kiln module's artifact metadata --------===//
#include "backends/ArtifactDescription.h"
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/ModelInterface.h"

using namespace mlir;

namespace kiln {

std::optional<DType> toDType(Type t) {
  if (t.isF32())
    return DType::Float32;
  if (t.isF64())
    return DType::Float64;
  if (t.isF16())
    return DType::Float16;
  if (t.isBF16())
    return DType::BFloat16;
  auto i = dyn_cast<IntegerType>(t);
  if (!i)
    return std::nullopt;
  bool u = i.isUnsigned();
  switch (i.getWidth()) {
  case 1:
    return DType::Bool;
  case 8:
    return u ? DType::UInt8 : DType::Int8;
  case 16:
    return u ? DType::UInt16 : DType::Int16;
  case 32:
    return u ? DType::UInt32 : DType::Int32;
  case 64:
    return u ? DType::UInt64 : DType::Int64;
  }
  return std::nullopt;
}

static FailureOr<runtime::TensorSpec>
describeTensor(Operation *where, Type type, StringRef name, ArrayAttr dims) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  std::optional<DType> dtype =
      tensor ? toDType(tensor.getElementType()) : std::nullopt;
  if (!dtype)
    return where->emitError() << "'" << name << "' has type " << type
                              << ", which an artifact cannot pass";
  runtime::TensorSpec spec;
  spec.name = name.str();
  spec.dtype = *dtype;
  for (int64_t i = 0; i < tensor.getRank(); ++i) {
    spec.shape.push_back(tensor.isDynamicDim(i) ? -1 : tensor.getDimSize(i));
    std::string sym;
    if (dims && i < int64_t(dims.size()))
      if (auto s = dyn_cast<StringAttr>(dims[i]))
        sym = s.str();
    spec.dimNames.push_back(tensor.isDynamicDim(i) ? sym : "");
  }
  return spec;
}

LogicalResult describeEntry(ModuleOp module,
                            runtime::ArtifactMetadata &metadata) {
  func::FuncOp entry = getEntryFunction(module);
  if (!entry)
    return failure();
  for (unsigned i = 0; i < entry.getNumArguments(); ++i) {
    if (entry.getArgAttr(i, kParamAttr))
      continue;
    auto name = entry.getArgAttrOfType<StringAttr>(i, kInputAttr);
    std::string n = name ? name.str() : "input_" + std::to_string(i);
    auto spec = describeTensor(entry, entry.getArgument(i).getType(), n,
                               entry.getArgAttrOfType<ArrayAttr>(i, kDimsAttr));
    if (failed(spec))
      return failure();
    spec->unread = entry.getArgument(i).use_empty();
    metadata.inputs.push_back(*spec);
  }
  for (unsigned i = 0; i < entry.getNumResults(); ++i) {
    auto name = entry.getResultAttrOfType<StringAttr>(i, kOutputAttr);
    std::string n = name ? name.str() : "output_" + std::to_string(i);
    auto spec = describeTensor(entry, entry.getResultTypes()[i], n,
                               entry.getResultAttrOfType<ArrayAttr>(i, kDimsAttr));
    if (failed(spec))
      return failure();
    metadata.outputs.push_back(*spec);
  }
  return success();
}

/// The module's parameter values with their names, checked.
static LogicalResult
forEachParam(ModuleOp module,
             llvm::function_ref<LogicalResult(ElementsAttr, StringAttr)> fn) {
  auto values = module->getAttrOfType<ArrayAttr>(kParamValuesAttr);
  auto names = module->getAttrOfType<ArrayAttr>(kParamNamesAttr);
  if (!values)
    return success();
  if (!names || names.size() != values.size())
    return module.emitError() << kParamNamesAttr << " does not match "
                              << kParamValuesAttr;
  for (auto [value, name] : llvm::zip(values, names)) {
    auto elements = dyn_cast<ElementsAttr>(value);
    auto n = dyn_cast<StringAttr>(name);
    if (!elements || !n)
      return module.emitError() << "malformed parameter list";
    if (failed(fn(elements, n)))
      return failure();
  }
  return success();
}

static uint64_t alignParam(uint64_t offset) {
  return (offset + runtime::kParamAlignment - 1) / runtime::kParamAlignment *
         runtime::kParamAlignment;
}

LogicalResult layoutParams(ModuleOp module, runtime::ArtifactMetadata &metadata) {
  uint64_t size = 0;
  if (failed(forEachParam(module, [&](ElementsAttr elements, StringAttr n) -> LogicalResult {
        auto spec = describeTensor(module, elements.getType(), n.getValue(),
                                   nullptr);
        if (failed(spec))
          return failure();
        if (!elements.getElementType().isIntOrFloat())
          return module.emitError() << "cannot read the value of parameter '"
                                    << n.getValue() << "'";
        runtime::ParamSpec p;
        p.tensor = *spec;
        p.offset = alignParam(size);
        p.bytes = uint64_t(elements.getNumElements()) *
                  elementStorageBytes(elements.getElementType());
        size = p.offset + p.bytes;
        metadata.params.push_back(std::move(p));
        return success();
      })))
    return failure();
  metadata.paramsBytes = size;
  return success();
}

LogicalResult writeParams(ModuleOp module,
                          const runtime::ArtifactMetadata &metadata,
                          llvm::raw_ostream &os) {
  uint64_t at = 0;
  size_t i = 0;
  return forEachParam(module, [&](ElementsAttr elements, StringAttr n) -> LogicalResult {
    if (i >= metadata.params.size())
      return module.emitError() << "parameters changed since their layout";
    const runtime::ParamSpec &p = metadata.params[i++];
    os.write_zeros(p.offset - at);
    if (!writeElementBytes(elements, os))
      return module.emitError() << "cannot read the value of parameter '"
                                << n.getValue() << "'";
    at = p.offset + p.bytes;
    return success();
  });
}

} // namespace kiln
