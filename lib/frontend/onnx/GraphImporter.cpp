//===- GraphImporter.cpp - ONNX graph -> kiln entry function --------------===//
#include "lib/frontend/onnx/GraphImporter.h"
#include "dialects/kiln/ModelInterface.h"
#include "lib/frontend/onnx/TensorImport.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/ScopeExit.h"

#include <onnx/defs/schema.h>
#include <set>

using namespace mlir;

namespace kiln::onnx_frontend {

/// The opset versions Kiln reads for the default (ai.onnx) domain. Models
/// declaring an older opset are accepted when every operator they use is
/// still defined as it is at kMinOpset (checked against ONNX's schemas).
constexpr int kMinOpset = 7;
constexpr int kMaxOpset = 21;

/// The version of `opType` in effect at `opset`, from ONNX's registry (which
/// knows the opsets up to the ONNX release Kiln is built with), or -1.
static int definitionVersion(const std::string &opType, int opset) {
  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(opType, opset, "");
  return schema ? schema->since_version() : -1;
}

GraphImporter::GraphImporter(ModuleOp module, onnx::ModelProto &model,
                             std::string modelName, std::string baseDirectory,
                             const ImportOptions &options)
    : module_(module), model_(model), modelName_(std::move(modelName)),
      baseDirectory_(std::move(baseDirectory)), options_(options),
      builder_(module.getContext()) {
  for (const auto &o : model.opset_import())
    opsets_[o.domain() == "ai.onnx" ? "" : o.domain()] = int(o.version());
}

Value GraphImporter::lookup(const std::string &name) const {
  return values_.lookup(name);
}

void GraphImporter::bind(const std::string &name, Value value) {
  values_[name] = value;
  composites_.erase(name);
}

CompositeRef GraphImporter::lookupComposite(const std::string &name) const {
  return composites_.lookup(name);
}

void GraphImporter::bindComposite(const std::string &name, CompositeRef value) {
  composites_[name] = std::move(value);
  values_.erase(name);
}

AnyValue GraphImporter::lookupAny(const std::string &name) const {
  if (Value v = lookup(name))
    return v;
  return AnyValue(lookupComposite(name));
}

void GraphImporter::bindAny(const std::string &name, const AnyValue &value) {
  if (value.composite)
    bindComposite(name, value.composite);
  else
    bind(name, value.tensor);
}

int GraphImporter::opsetFor(const std::string &domain) const {
  auto it = opsets_.find(domain == "ai.onnx" ? "" : domain);
  return it == opsets_.end() ? -1 : it->second;
}

Location GraphImporter::nodeLocation(const onnx::NodeProto &node, int index) {
  std::string name = node.name().empty() ? "#" + std::to_string(index)
                                         : "'" + node.name() + "'";
  std::string text = "node " + name + " (" + node.op_type() + ")";
  return NameLoc::get(builder_.getStringAttr(text),
                      FileLineColLoc::get(context(), modelName_, 0, 0));
}

LogicalResult GraphImporter::checkOperators() {
  Location modelLoc = FileLineColLoc::get(context(), modelName_, 0, 0);
  int version = opsetFor("");
  bool usesDefaultDomain = llvm::any_of(model_.graph().node(), [](auto &n) {
    return n.domain().empty() || n.domain() == "ai.onnx";
  });
  if (version < 0 && usesDefaultDomain)
    return emitError(modelLoc) << "the model imports no ai.onnx opset";
  if (version >= 0 && (version < 1 || version > kMaxOpset))
    return emitError(modelLoc) << "opset " << version
                               << " is outside the supported range "
                               << kMinOpset << " to " << kMaxOpset;
  bool ok = true;
  int index = 0;
  for (const onnx::NodeProto &node : model_.graph().node()) {
    Location loc = nodeLocation(node, index++);
    const std::string &domain = node.domain();
    if (!domain.empty() && domain != "ai.onnx") {
      emitError(loc) << "operator domain '" << domain << "' is not supported"
                     << (domain == "ai.onnx.preview.training"
                             ? " (training operators)"
                             : "");
      ok = false;
    } else if (!lookupOpImporter(node.op_type()) &&
               !hasFunctionBody(node.op_type(), version)) {
      emitError(loc) << "operator " << node.op_type() << " is not supported";
      ok = false;
    } else if (version < kMinOpset &&
               definitionVersion(node.op_type(), version) !=
                   definitionVersion(node.op_type(), kMinOpset)) {
      emitError(loc) << "the model's opset " << version << " defines "
                     << node.op_type() << " as it was before opset "
                     << kMinOpset << ", which is not supported";
      ok = false;
    }
  }
  return success(ok);
}

FailureOr<RankedTensorType>
GraphImporter::inputType(const onnx::ValueInfoProto &info, ArrayAttr &dimNames) {
  Location loc = NameLoc::get(builder_.getStringAttr("input '" + info.name() + "'"),
                              FileLineColLoc::get(context(), modelName_, 0, 0));
  if (!info.type().has_tensor_type())
    return emitError(loc) << "only tensor inputs are supported";
  const auto &tt = info.type().tensor_type();
  Type element = elementTypeFromOnnx(context(), tt.elem_type());
  if (!element)
    return emitError(loc) << "element type " << onnxTypeName(tt.elem_type())
                          << " is not supported";
  auto fixed = options_.inputShapes.find(info.name());
  if (!tt.has_shape() && fixed == options_.inputShapes.end())
    return emitError(loc) << "has no shape (not even a rank); give one in the "
                             "model or with --input-shape";
  SmallVector<int64_t> shape;
  SmallVector<Attribute> names;
  if (!tt.has_shape()) {
    // The rank and sizes come from --input-shape alone.
    for (int64_t d : fixed->second) {
      shape.push_back(d < 0 ? ShapedType::kDynamic : d);
      names.push_back(builder_.getStringAttr(""));
    }
  } else {
    // Forced-dynamic mode keeps the length of 1-D integer inputs: ONNX uses
    // them as shapes, axes and pads, whose length is a result's rank, which
    // ranked tensors need at compile time.
    bool shapeLike = tt.shape().dim_size() == 1 && isa<IntegerType>(element) &&
                     !element.isInteger(1);
    for (const auto &d : tt.shape().dim()) {
      bool known = d.has_dim_value() && d.dim_value() >= 0 &&
                   (!options_.forceDynamic || shapeLike);
      shape.push_back(known ? d.dim_value() : ShapedType::kDynamic);
      names.push_back(builder_.getStringAttr(
          d.has_dim_param() ? d.dim_param() : std::string()));
    }
    if (fixed != options_.inputShapes.end()) {
      const std::vector<int64_t> &dims = fixed->second;
      if (dims.size() != shape.size())
        return emitError(loc) << "--input-shape gives " << dims.size()
                              << " dimensions, the model's input has rank "
                              << shape.size();
      for (size_t i = 0; i < dims.size(); ++i) {
        if (dims[i] < 0)
          continue;
        const auto &d = tt.shape().dim(int(i));
        if (d.has_dim_value() && d.dim_value() != dims[i])
          return emitError(loc)
                 << "--input-shape sets dimension " << i << " to " << dims[i]
                 << ", the model fixes it at " << d.dim_value();
        shape[i] = dims[i];
      }
    }
  }
  if (auto why = unsupportedShape(shape))
    return emitError(loc) << *why;
  dimNames = builder_.getArrayAttr(names);
  return RankedTensorType::get(shape, element);
}

LogicalResult GraphImporter::addInput(const onnx::ValueInfoProto &info,
                                      SmallVectorImpl<Type> &types,
                                      SmallVectorImpl<DictionaryAttr> &attrs,
                                      std::set<std::string> &known) {
  Location loc = NameLoc::get(builder_.getStringAttr("input '" + info.name() + "'"),
                              FileLineColLoc::get(context(), modelName_, 0, 0));
  // One entry argument per tensor, named `name`.
  auto addTensor = [&](const std::string &name,
                       const onnx::TypeProto &type) -> LogicalResult {
    onnx::ValueInfoProto element;
    element.set_name(name);
    *element.mutable_type() = type;
    known.insert(name);
    ArrayAttr dimNames;
    auto t = inputType(element, dimNames);
    if (failed(t))
      return failure();
    types.push_back(*t);
    attrs.push_back(builder_.getDictionaryAttr(
        {builder_.getNamedAttr(kInputAttr, builder_.getStringAttr(name)),
         builder_.getNamedAttr(kDimsAttr, dimNames)}));
    return success();
  };
  // A sequence: its length from the options, one argument per element.
  auto addSequence = [&](const onnx::TypeProto::Sequence &seq)
      -> FailureOr<CompositeRef> {
    auto length = options_.sequenceLengths.find(info.name());
    if (length == options_.sequenceLengths.end())
      return emitError(loc) << "is a sequence, whose length Kiln needs at "
                               "compile time: give it with --sequence-length "
                            << info.name() << "=N";
    if (!seq.elem_type().has_tensor_type())
      return emitError(loc) << "only sequences of tensors are supported";
    SmallVector<Value> placeholders(length->second, Value());
    // Each element has its own sizes: a dimension name in the element type
    // does not tie the elements together.
    onnx::TypeProto elementType = seq.elem_type();
    for (auto &d : *elementType.mutable_tensor_type()
                        ->mutable_shape()
                        ->mutable_dim())
      if (d.has_dim_param())
        d.clear_dim_param();
    if (!seq.elem_type().tensor_type().has_shape())
      elementType.mutable_tensor_type()->clear_shape();
    for (int64_t k = 0; k < length->second; ++k)
      if (failed(addTensor(info.name() + "[" + std::to_string(k) + "]",
                           elementType)))
        return failure();
    return CompositeValue::makeSequence(placeholders);
  };
  const onnx::TypeProto &type = info.type();
  if (type.has_sequence_type()) {
    auto seq = addSequence(type.sequence_type());
    if (failed(seq))
      return failure();
    inputLayout_.push_back({info.name(), *seq});
    return success();
  }
  if (type.has_optional_type()) {
    const onnx::TypeProto &inner = type.optional_type().elem_type();
    if (options_.absentOptionals.count(info.name())) {
      inputLayout_.push_back(
          {info.name(), CompositeValue::makeOptional(nullptr, nullptr)});
      return success();
    }
    if (inner.has_sequence_type()) {
      auto seq = addSequence(inner.sequence_type());
      if (failed(seq))
        return failure();
      inputLayout_.push_back(
          {info.name(), CompositeValue::makeOptional(nullptr, *seq)});
      return success();
    }
    if (failed(addTensor(info.name(), inner)))
      return failure();
    // A placeholder tensor: the argument is bound in importGraph.
    auto opt = std::make_shared<CompositeValue>();
    opt->kind = CompositeValue::Kind::Optional;
    opt->tensors.push_back(Value());
    inputLayout_.push_back({info.name(), opt});
    return success();
  }
  if (failed(addTensor(info.name(), type)))
    return failure();
  inputLayout_.push_back({info.name(), nullptr});
  return success();
}

LogicalResult
GraphImporter::importInputs(SmallVectorImpl<Type> &types,
                            SmallVectorImpl<DictionaryAttr> &attrs) {
  std::set<std::string> initializers;
  for (const auto &t : model_.graph().initializer())
    initializers.insert(t.name());
  bool ok = true;
  std::set<std::string> known;
  for (const onnx::ValueInfoProto &info : model_.graph().input()) {
    // Inputs that also have an initializer are weights (IR < 4 style).
    if (initializers.count(info.name()))
      continue;
    if (failed(addInput(info, types, attrs, known)))
      ok = false;
  }
  Location modelLoc = FileLineColLoc::get(context(), modelName_, 0, 0);
  for (const auto &[name, n] : options_.sequenceLengths)
    if (llvm::none_of(inputLayout_, [&](const InputLayout &l) {
          return l.name == name && l.structure;
        })) {
      emitError(modelLoc) << "--sequence-length names '" << name
                          << "', which is not a sequence input of the model";
      ok = false;
    }
  for (const auto &[name, dims] : options_.inputShapes)
    if (!known.count(name)) {
      std::string list;
      for (const std::string &k : known)
        list += (list.empty() ? "'" : ", '") + k + "'";
      emitError(FileLineColLoc::get(context(), modelName_, 0, 0))
          << "--input-shape names '" << name
          << "', which is not an input of the model (inputs: " << list << ")";
      ok = false;
    }
  return success(ok);
}

LogicalResult GraphImporter::importInitializers() {
  bool ok = true;
  for (onnx::TensorProto &t : *model_.mutable_graph()->mutable_initializer()) {
    Location loc = NameLoc::get(builder_.getStringAttr(t.name()),
                                FileLineColLoc::get(context(), modelName_, 0, 0));
    auto value = importInitializer(t, loc, baseDirectory_,
                                   options_.maxInlineElements);
    if (failed(value)) {
      ok = false;
      continue;
    }
    bind(t.name(), ConstantOp::create(builder_, loc, *value));
  }
  if (model_.graph().sparse_initializer_size()) {
    emitError(FileLineColLoc::get(context(), modelName_, 0, 0))
        << "sparse initializers are not supported";
    ok = false;
  }
  return success(ok);
}

LogicalResult GraphImporter::importNodes() {
  int index = 0;
  for (const onnx::NodeProto &node : model_.graph().node()) {
    Location loc = nodeLocation(node, index++);
    // Every input must be defined before use (ONNX graphs are sorted).
    for (const std::string &in : node.input())
      if (!in.empty() && !lookupAny(in))
        return emitError(loc) << "input '" << in
                              << "' is not defined before this node";
    if (failed(importNode(node, opsetFor(node.domain()), loc)))
      return failure();
  }
  return success();
}

/// The newest ai.onnx opset whose definitions the linked ONNX library
/// holds (17 for Debian's 1.12).
static int newestKnownOpset() {
  const auto &ranges = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto it = ranges.find("");
  return it == ranges.end() ? 0 : it->second.second;
}

static const char *attributeTypeName(int type) {
  return onnx::AttributeProto::AttributeType_Name(
             onnx::AttributeProto::AttributeType(type))
      .c_str();
}

LogicalResult GraphImporter::checkAgainstSchema(const onnx::NodeProto &node,
                                                int opset, Location loc) {
  if (!node.domain().empty() && node.domain() != "ai.onnx")
    return success();
  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(node.op_type(), std::max(opset, 1), "");
  if (!schema)
    return success(); // Unknown operators are reported by the dispatcher.
  // Attribute types first, for a clearer message than the verifier's. At
  // opsets newer than the library knows, attributes may have been added,
  // but the ones it knows keep their types.
  for (const onnx::AttributeProto &a : node.attribute()) {
    auto it = schema->attributes().find(a.name());
    if (it == schema->attributes().end() ||
        a.type() == onnx::AttributeProto::UNDEFINED)
      continue;
    if (int(a.type()) != int(it->second.type))
      return emitError(loc) << "attribute '" << a.name() << "' must be "
                            << attributeTypeName(int(it->second.type))
                            << ", not " << attributeTypeName(int(a.type()));
  }
  static const int known = newestKnownOpset();
  if (opset <= known) {
    // The definition is exactly the model's: ONNX's own verifier checks
    // attribute names, types and required ones, and input/output counts.
    try {
      schema->Verify(node);
    } catch (const std::exception &e) {
      std::string message = e.what();
      // Drop the verifier's context suffix: the location names the node.
      if (size_t cut = message.find("==>"); cut != std::string::npos)
        message.erase(cut);
      while (!message.empty() && isspace(message.back()))
        message.pop_back();
      return emitError(loc) << message;
    }
    return success();
  }
  return success();
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node, int opset,
                                        Location loc) {
  if (failed(checkAgainstSchema(node, opset, loc)))
    return failure();
  // Identity of a sequence or optional passes it on (Identity's importer
  // handles tensors).
  if (node.op_type() == "Identity" && node.input_size() == 1 &&
      node.output_size() == 1)
    if (CompositeRef c = lookupComposite(node.input(0))) {
      bindComposite(node.output(0), c);
      return success();
    }
  ImportFn fn = lookupOpImporter(node.op_type());
  if (!fn)
    return expandFunction(node, opset, loc);
  NodeImporter importer(*this, node, opset, loc);
  if (failed(fn(importer)))
    return failure();
  for (int i = 0; i < node.output_size(); ++i)
    if (!node.output(i).empty() && !lookupAny(node.output(i)))
      return emitError(loc) << "output " << i << " ('" << node.output(i)
                            << "') is not supported by Kiln's importer";
  return success();
}

bool GraphImporter::hasFunctionBody(const std::string &opType, int opset) {
  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(opType, std::max(opset, 1), "");
  return schema &&
         (schema->HasFunction() || schema->HasContextDependentFunction());
}

LogicalResult GraphImporter::expandFunction(const onnx::NodeProto &node,
                                            int opset, Location loc) {
  const onnx::OpSchema *schema =
      onnx::OpSchemaRegistry::Schema(node.op_type(), std::max(opset, 1), "");
  if (!schema)
    return emitError(loc) << "operator " << node.op_type()
                          << " is not supported";
  onnx::FunctionProto body;
  if (schema->HasFunction()) {
    body = *schema->GetFunction();
  } else if (schema->HasContextDependentFunction()) {
    // The body may depend on the inputs' types: describe them.
    std::vector<onnx::TypeProto> types;
    for (const std::string &in : node.input()) {
      onnx::TypeProto t;
      if (Value v = in.empty() ? Value() : lookup(in)) {
        auto rt = cast<RankedTensorType>(v.getType());
        auto *tt = t.mutable_tensor_type();
        tt->set_elem_type(onnxTypeFromElement(rt.getElementType()));
        for (int64_t d : rt.getShape()) {
          auto *dim = tt->mutable_shape()->add_dim();
          if (!ShapedType::isDynamic(d))
            dim->set_dim_value(d);
        }
      }
      types.push_back(t);
    }
    onnx::FunctionBodyBuildContextImpl context(node, types);
    if (!schema->BuildContextDependentFunction(context, body))
      return emitError(loc) << "operator " << node.op_type()
                            << " is not supported in this form";
  } else {
    return emitError(loc) << "operator " << node.op_type()
                          << " is not supported";
  }
  // Rename the body's values into this node's scope.
  std::string prefix = "__" + node.op_type() + std::to_string(expansions_++) + "_";
  std::map<std::string, std::string> names;
  for (int i = 0; i < body.input_size(); ++i)
    names[body.input(i)] = i < node.input_size() ? node.input(i) : "";
  for (int i = 0; i < body.output_size(); ++i)
    names[body.output(i)] = i < node.output_size() ? node.output(i) : "";
  auto rename = [&](const std::string &name) {
    if (name.empty())
      return name;
    auto it = names.find(name);
    return it != names.end() ? it->second : prefix + name;
  };
  int bodyOpset = opset;
  for (const auto &o : body.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      bodyOpset = int(o.version());
  for (const onnx::NodeProto &inner : body.node()) {
    onnx::NodeProto n = inner;
    for (std::string &in : *n.mutable_input())
      in = rename(in);
    for (std::string &out : *n.mutable_output())
      out = rename(out);
    // Attributes that refer to the calling node's attributes.
    google::protobuf::RepeatedPtrField<onnx::AttributeProto> attrs;
    for (const onnx::AttributeProto &a : inner.attribute()) {
      if (a.ref_attr_name().empty()) {
        *attrs.Add() = a;
        continue;
      }
      const onnx::AttributeProto *source = nullptr;
      for (const onnx::AttributeProto &given : node.attribute())
        if (given.name() == a.ref_attr_name())
          source = &given;
      // Not given by the node: the operator's default, if it has one.
      auto declared = schema->attributes().find(a.ref_attr_name());
      if (!source && declared != schema->attributes().end() &&
          declared->second.default_value.type() !=
              onnx::AttributeProto::UNDEFINED)
        source = &declared->second.default_value;
      if (source) {
        onnx::AttributeProto copy = *source;
        copy.set_name(a.name());
        *attrs.Add() = copy;
      }
    }
    *n.mutable_attribute() = attrs;
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      return emitError(loc) << "the function body of " << node.op_type()
                            << " uses domain '" << n.domain() << "'";
    if (failed(importNode(n, bodyOpset, loc)))
      return failure();
  }
  return success();
}

std::string GraphImporter::freshName(StringRef stem) {
  std::string name;
  do
    name = "__" + stem.str() + std::to_string(freshNames_++);
  while (values_.count(name));
  return name;
}

FailureOr<SmallVector<AnyValue>>
GraphImporter::importSubgraph(const onnx::GraphProto &graph,
                              ArrayRef<AnyValue> inputs, Location loc) {
  if (graph.input_size() != int(inputs.size()))
    return emitError(loc) << "subgraph '" << graph.name() << "' takes "
                          << graph.input_size() << " inputs, "
                          << inputs.size() << " given";
  // The scope: the enclosing one's names, restored afterwards (a subgraph
  // may rebind an outer name, which must not leak out).
  llvm::StringMap<Value> outer = values_;
  llvm::StringMap<CompositeRef> outerComposites = composites_;
  auto restore = llvm::make_scope_exit([&] {
    values_ = std::move(outer);
    composites_ = std::move(outerComposites);
  });
  for (auto [info, value] : llvm::zip(graph.input(), inputs))
    bindAny(info.name(), value);
  for (const onnx::TensorProto &t : graph.initializer()) {
    auto value = importTensor(t, loc, baseDirectory_, options_.maxInlineElements);
    if (failed(value))
      return failure();
    bind(t.name(), ConstantOp::create(builder_, loc, *value));
  }
  int index = 0;
  for (const onnx::NodeProto &node : graph.node()) {
    Location nodeLoc = nodeLocation(node, index++);
    for (const std::string &in : node.input())
      if (!in.empty() && !lookupAny(in))
        return emitError(nodeLoc) << "input '" << in
                                  << "' is not defined before this node";
    if (failed(importNode(node, opsetFor(node.domain()), nodeLoc)))
      return failure();
  }
  SmallVector<AnyValue> outputs;
  for (const onnx::ValueInfoProto &out : graph.output()) {
    AnyValue v = lookupAny(out.name());
    if (!v)
      return emitError(loc) << "subgraph '" << graph.name() << "' output '"
                            << out.name() << "' is never computed";
    outputs.push_back(v);
  }
  return outputs;
}

LogicalResult GraphImporter::importOutputs(func::FuncOp func) {
  SmallVector<Value> results;
  SmallVector<Type> types;
  std::vector<std::string> names;
  for (const onnx::ValueInfoProto &out : model_.graph().output()) {
    AnyValue v = lookupAny(out.name());
    if (!v)
      return emitError(FileLineColLoc::get(context(), modelName_, 0, 0))
             << "graph output '" << out.name() << "' is never computed";
    if (v.tensor) {
      results.push_back(v.tensor);
      names.push_back(out.name());
      continue;
    }
    // A composite output is its tensors: "name" for an optional's tensor,
    // "name[k]" for a sequence's elements, nothing for an empty optional.
    SmallVector<Value> flat;
    v.composite->flatten(flat);
    bool indexed = v.composite->isSequence() || v.composite->sequence;
    for (auto [k, t] : llvm::enumerate(flat)) {
      results.push_back(t);
      names.push_back(indexed ? out.name() + "[" + std::to_string(k) + "]"
                              : out.name());
    }
  }
  if (results.empty())
    return emitError(FileLineColLoc::get(context(), modelName_, 0, 0))
           << "the graph has no outputs: there is nothing to compute";
  for (Value v : results)
    types.push_back(v.getType());
  func::ReturnOp::create(builder_, func.getLoc(), results);
  func.setFunctionType(
      builder_.getFunctionType(func.getArgumentTypes(), types));
  for (auto [i, name] : llvm::enumerate(names))
    func.setResultAttr(i, kOutputAttr, builder_.getStringAttr(name));
  return success();
}

LogicalResult GraphImporter::importGraph() {
  if (failed(checkOperators()))
    return failure();
  SmallVector<Type> inputTypes;
  SmallVector<DictionaryAttr> inputAttrs;
  if (failed(importInputs(inputTypes, inputAttrs)))
    return failure();
  builder_.setInsertionPointToEnd(module_.getBody());
  Location loc = FileLineColLoc::get(context(), modelName_, 0, 0);
  auto func = func::FuncOp::create(builder_, loc, "main_graph",
                                   builder_.getFunctionType(inputTypes, {}));
  func->setAttr(kEntryAttr, builder_.getUnitAttr());
  func.setAllArgAttrs(inputAttrs);
  Block *body = func.addEntryBlock();
  builder_.setInsertionPointToStart(body);
  // Composite inputs take their tensors from consecutive arguments.
  ArrayRef<BlockArgument> args = body->getArguments();
  for (const InputLayout &input : inputLayout_) {
    if (!input.structure) {
      bind(input.name, args.front());
      args = args.drop_front();
      continue;
    }
    SmallVector<Value> flat;
    input.structure->flatten(flat);
    SmallVector<Value> values(args.take_front(flat.size()).begin(),
                              args.take_front(flat.size()).end());
    args = args.drop_front(flat.size());
    ArrayRef<Value> rest = values;
    bindComposite(input.name, input.structure->rebuild(rest));
  }
  if (failed(importInitializers()) || failed(importNodes()) ||
      failed(importOutputs(func)))
    return failure();
  return success();
}

} // namespace kiln::onnx_frontend
