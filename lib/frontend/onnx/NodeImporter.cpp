//===- NodeImporter.cpp - what an operator importer works with ------------===//
#include "lib/frontend/onnx/NodeImporter.h"
#include "dialects/kiln/ConstantEvaluator.h"
#include "dialects/kiln/ConstantUtils.h"
#include "lib/frontend/onnx/GraphImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace kiln::onnx_frontend {

NodeImporter::NodeImporter(GraphImporter &graph, const onnx::NodeProto &node,
                           int opset, Location loc)
    : graph_(graph), node_(node), opset_(opset), loc_(loc) {}

OpBuilder &NodeImporter::builder() { return graph_.builder(); }
MLIRContext *NodeImporter::context() { return graph_.context(); }

InFlightDiagnostic NodeImporter::error() { return emitError(loc_); }

bool NodeImporter::hasInput(size_t i) const {
  return int(i) < node_.input_size() && !node_.input(int(i)).empty();
}

Value NodeImporter::input(size_t i) {
  if (!hasInput(i)) {
    error() << "input " << i << " is required";
    return nullptr;
  }
  Value v = graph_.lookup(node_.input(int(i)));
  if (!v && graph_.lookupComposite(node_.input(int(i))))
    error() << "input " << i << " is "
            << graph_.lookupComposite(node_.input(int(i)))->describe()
            << "; this operator takes a tensor there";
  return v;
}

FailureOr<SmallVector<Value>> NodeImporter::inputs(size_t count) {
  SmallVector<Value> values;
  for (size_t i = 0; i < count; ++i) {
    Value v = input(i);
    if (!v)
      return failure();
    values.push_back(v);
  }
  return values;
}

CompositeRef NodeImporter::composite(size_t i) {
  if (!hasInput(i)) {
    error() << "input " << i << " is required";
    return nullptr;
  }
  CompositeRef c = graph_.lookupComposite(node_.input(int(i)));
  if (!c)
    error() << "input " << i << " must be a sequence or an optional, not a "
                                "tensor";
  return c;
}

AnyValue NodeImporter::anyInput(size_t i) {
  if (!hasInput(i)) {
    error() << "input " << i << " is required";
    return {};
  }
  return graph_.lookupAny(node_.input(int(i)));
}

RankedTensorType NodeImporter::inputType(size_t i) {
  Value v = input(i);
  return v ? cast<RankedTensorType>(v.getType()) : nullptr;
}

FailureOr<SmallVector<int64_t>> NodeImporter::constantInts(size_t i,
                                                           StringRef what) {
  Value v = input(i);
  if (!v)
    return failure();
  auto values = getConstantIntValues(v);
  if (!values)
    return error() << what << " (input " << i
                   << ") must be a constant known at compile time";
  return *values;
}

std::optional<SmallVector<int64_t>> NodeImporter::maybeConstantInts(size_t i) {
  Value v = input(i);
  return v ? getConstantIntValues(v) : std::nullopt;
}

const onnx::AttributeProto *NodeImporter::attribute(StringRef name) const {
  for (const onnx::AttributeProto &a : node_.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeImporter::intAttr(StringRef name, int64_t fallback) const {
  const auto *a = attribute(name);
  return a ? a->i() : fallback;
}

float NodeImporter::floatAttr(StringRef name, float fallback) const {
  const auto *a = attribute(name);
  return a ? a->f() : fallback;
}

std::string NodeImporter::stringAttr(StringRef name, StringRef fallback) const {
  const auto *a = attribute(name);
  return a ? a->s() : fallback.str();
}

std::optional<SmallVector<int64_t>>
NodeImporter::intsAttr(StringRef name) const {
  const auto *a = attribute(name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

std::optional<SmallVector<float>>
NodeImporter::floatsAttr(StringRef name) const {
  const auto *a = attribute(name);
  if (!a)
    return std::nullopt;
  return SmallVector<float>(a->floats().begin(), a->floats().end());
}

const onnx::GraphProto *NodeImporter::graphAttr(StringRef name) {
  const auto *a = attribute(name);
  if (!a || !a->has_g()) {
    error() << "attribute '" << name << "' (a graph) is required";
    return nullptr;
  }
  return &a->g();
}

FailureOr<int64_t> NodeImporter::requiredInt(StringRef name) {
  if (!hasAttribute(name))
    return error() << "attribute '" << name << "' is required";
  return intAttr(name, 0);
}

FailureOr<SmallVector<int64_t>> NodeImporter::requiredInts(StringRef name) {
  auto v = intsAttr(name);
  if (!v)
    return error() << "attribute '" << name << "' is required";
  return *v;
}

FailureOr<Value> NodeImporter::constantI64(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(
      {int64_t(values.size())},
      IntegerType::get(context(), 64, IntegerType::Signed));
  SmallVector<APInt> ints;
  for (int64_t v : values)
    ints.push_back(APInt(64, v, /*isSigned=*/true));
  return build<ConstantOp>(
      {}, {named("value", DenseElementsAttr::get(type, ints))});
}

/// Results of at most this many elements are folded while importing.
constexpr int64_t kImportFoldLimit = 4096;

SmallVector<Value> NodeImporter::foldIfConstant(Operation *op) {
  SmallVector<Value> results(op->getResults().begin(), op->getResults().end());
  if (isa<ConstantOp>(op))
    return results;
  SmallVector<Attribute> constants;
  SmallVector<ElementsAttr> elements;
  bool allConstant = true;
  for (Value v : op->getOperands()) {
    ElementsAttr a = getConstantValue(v);
    constants.push_back(a);
    elements.push_back(a);
    allConstant &= bool(a);
  }
  SmallVector<OpFoldResult> folded;
  SmallVector<Attribute> values;
  if (succeeded(op->fold(constants, folded)) && !folded.empty()) {
    for (auto [i, f] : llvm::enumerate(folded)) {
      if (auto v = dyn_cast<Value>(f)) {
        if (v.getType() != op->getResult(i).getType())
          return results;
        values.push_back(nullptr);
        results[i] = v;
      } else {
        values.push_back(cast<Attribute>(f));
      }
    }
  } else if (allConstant) {
    auto evaluated = evaluateConstantOp(op, elements, kImportFoldLimit);
    if (failed(evaluated))
      return results;
    values.assign(evaluated->begin(), evaluated->end());
  } else {
    return results;
  }
  for (auto [i, attr] : llvm::enumerate(values)) {
    if (!attr)
      continue;
    auto e = dyn_cast<ElementsAttr>(attr);
    if (!e || e.getType() != op->getResult(i).getType())
      return SmallVector<Value>(op->getResults().begin(), op->getResults().end());
    results[i] = ConstantOp::create(builder(), loc_, e);
  }
  op->erase();
  return results;
}

bool NodeImporter::wantsOutput(size_t i) const {
  return int(i) < node_.output_size() && !node_.output(int(i)).empty();
}

void NodeImporter::setOutput(size_t i, Value value) {
  if (wantsOutput(i))
    graph_.bind(node_.output(int(i)), value);
}

void NodeImporter::setOutput(size_t i, const AnyValue &value) {
  if (wantsOutput(i))
    graph_.bindAny(node_.output(int(i)), value);
}

ImportFn lookupOpImporter(StringRef opType) {
  static const llvm::StringMap<ImportFn> table = [] {
    llvm::StringMap<ImportFn> t;
    for (auto family : {elementwiseImporters(), nnImporters(),
                        reductionImporters(), tensorImporters(),
                        indexingImporters(), normalizationImporters(),
                        quantizationImporters(), recurrentImporters(),
                        controlFlowImporters(), scanImporters(),
                        sequenceImporters(), signalImporters()})
      for (const OpImporter &op : family)
        t[op.opType] = op.import;
    return t;
  }();
  return table.lookup(opType);
}

} // namespace kiln::onnx_frontend
