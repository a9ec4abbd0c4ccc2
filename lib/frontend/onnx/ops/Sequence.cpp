//===- Sequence.cpp - importers of the sequence and optional operators ----===//
//
// Sequences and optionals are compile-time lists of tensors (Composite.h):
// these operators rearrange the list, so positions must be constants.
// SequenceMap imports its body once per element.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/GraphImporter.h"
#include "lib/frontend/onnx/ops/Builders.h"
#include "lib/frontend/onnx/ops/NodeSynthesis.h"
#include "dialects/kiln/ConstantUtils.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

CompositeRef sequenceInput(NodeImporter &n, size_t i) {
  CompositeRef c = n.composite(i);
  if (c && !c->isSequence()) {
    n.error() << "input " << i << " must be a sequence, not "
              << c->describe();
    return nullptr;
  }
  return c;
}

/// A position input: a constant integer in [-size, size + extra), made
/// non-negative.
FailureOr<int64_t> position(NodeImporter &n, size_t i, int64_t size,
                            int64_t extra) {
  auto values = n.constantInts(i, "the position");
  if (failed(values))
    return failure();
  if (values->size() != 1)
    return n.error() << "the position must be one integer";
  int64_t p = values->front();
  if (p < -size || p >= size + extra)
    return n.error() << "position " << p << " is out of range for a sequence "
                     << "of " << size << " tensors";
  return p < 0 ? p + size : p;
}

LogicalResult importSequenceConstruct(NodeImporter &n) {
  SmallVector<Value> elements;
  for (size_t i = 0; i < n.numInputs(); ++i) {
    Value v = n.input(i);
    if (!v)
      return failure();
    elements.push_back(v);
  }
  n.setOutput(0, AnyValue(CompositeValue::makeSequence(elements)));
  return success();
}

LogicalResult importSequenceEmpty(NodeImporter &n) {
  n.setOutput(0, AnyValue(CompositeValue::makeSequence({})));
  return success();
}

/// SequenceInsert at a position known only at run time: the length is
/// still known (one more), so element k of the result selects between
/// seq[k], the tensor and seq[k-1] by comparing k with the position. That
/// needs every element to have the tensor's type. The position is made
/// non-negative by Gathers from tables of the valid positions, whose bounds
/// checks report a position out of range at run time.
LogicalResult insertAtRunTimePosition(NodeImporter &n, const CompositeValue &seq,
                                      Value tensor) {
  for (Value v : seq.tensors)
    if (v.getType() != tensor.getType())
      return n.error() << "a position known only at run time needs every "
                          "element to have the inserted tensor's type "
                       << tensor.getType() << ", not " << v.getType();
  RankedTensorType posType = n.inputType(2);
  if (!posType)
    return failure();
  if (!posType.hasStaticShape() || posType.getNumElements() != 1)
    return n.error() << "the position must hold one integer, not " << posType;
  GraphImporter &g = n.graph();
  int64_t size = seq.tensors.size();
  auto bindValue = [&](Value v) {
    std::string name = g.freshName("insert");
    g.bind(name, v);
    return name;
  };
  auto emit = [&](onnx::NodeProto node) -> FailureOr<std::string> {
    std::string out = g.freshName("insert");
    node.add_output(out);
    if (failed(emitNode(n, node)))
      return failure();
    return out;
  };
  std::string pos = bindValue(n.input(2));
  if (posType.getRank() != 0) {
    auto scalar = emit(makeNode("Reshape", {pos, bindConstantI64(n, {}, {0})}, {}));
    if (failed(scalar))
      return failure();
    pos = *scalar;
  }
  if (!posType.getElementType().isSignedInteger(64)) {
    onnx::NodeProto cast = makeNode("Cast", {pos}, {});
    setInt(cast, "to", onnx::TensorProto::INT64);
    auto widened = emit(cast);
    if (failed(widened))
      return failure();
    pos = *widened;
  }
  // table[p + size] and reversed[size - p] are p made non-negative, for p
  // in [-size, size]. Gather wraps a negative index, so one lookup alone
  // misses positions below -size; the other index is then above 2 * size
  // and fails the bounds check. Min keeps both lookups (equal when valid).
  SmallVector<int64_t> table, reversed;
  for (int64_t p = -size; p <= size; ++p)
    table.push_back(p < 0 ? p + size : p);
  reversed.assign(table.rbegin(), table.rend());
  std::string offset = bindConstantI64(n, {size}, {});
  auto up = emit(makeNode("Add", {pos, offset}, {}));
  auto down = emit(makeNode("Sub", {offset, pos}, {}));
  if (failed(up) || failed(down))
    return failure();
  auto fromUp = emit(makeNode(
      "Gather", {bindConstantI64(n, table, {2 * size + 1}), *up}, {}));
  auto fromDown = emit(makeNode(
      "Gather", {bindConstantI64(n, reversed, {2 * size + 1}), *down}, {}));
  if (failed(fromUp) || failed(fromDown))
    return failure();
  auto at = emit(makeNode("Min", {*fromUp, *fromDown}, {}));
  if (failed(at))
    return failure();
  std::string inserted = bindValue(tensor);
  SmallVector<Value> elements;
  for (int64_t k = 0; k <= size; ++k) {
    std::string index = bindConstantI64(n, {k}, {});
    auto here = emit(makeNode("Equal", {index, *at}, {}));
    if (failed(here))
      return failure();
    // At or after the position: the tensor or the element before.
    std::string result = inserted;
    if (k > 0) {
      auto r = emit(makeNode("Where", {*here, inserted,
                                       bindValue(seq.tensors[k - 1])}, {}));
      if (failed(r))
        return failure();
      result = *r;
    }
    // Before the position: the element itself.
    if (k < size) {
      auto before = emit(makeNode("Less", {index, *at}, {}));
      if (failed(before))
        return failure();
      auto r = emit(makeNode("Where", {*before, bindValue(seq.tensors[k]),
                                       result}, {}));
      if (failed(r))
        return failure();
      result = *r;
    }
    elements.push_back(g.lookup(result));
  }
  n.setOutput(0, AnyValue(CompositeValue::makeSequence(elements)));
  return success();
}

LogicalResult importSequenceInsert(NodeImporter &n) {
  CompositeRef seq = sequenceInput(n, 0);
  Value tensor = n.input(1);
  if (!seq || !tensor)
    return failure();
  int64_t size = seq->tensors.size(), at = size;
  if (n.hasInput(2) && !n.maybeConstantInts(2))
    return insertAtRunTimePosition(n, *seq, tensor);
  if (n.hasInput(2)) {
    auto p = position(n, 2, size, 1);
    if (failed(p))
      return failure();
    at = *p;
  }
  SmallVector<Value> elements(seq->tensors);
  elements.insert(elements.begin() + at, tensor);
  n.setOutput(0, AnyValue(CompositeValue::makeSequence(elements)));
  return success();
}

LogicalResult importSequenceErase(NodeImporter &n) {
  CompositeRef seq = sequenceInput(n, 0);
  if (!seq)
    return failure();
  int64_t size = seq->tensors.size(), at = size - 1;
  if (size == 0)
    return n.error() << "erases from an empty sequence";
  if (n.hasInput(1)) {
    auto p = position(n, 1, size, 0);
    if (failed(p))
      return failure();
    at = *p;
  }
  SmallVector<Value> elements(seq->tensors);
  elements.erase(elements.begin() + at);
  n.setOutput(0, AnyValue(CompositeValue::makeSequence(elements)));
  return success();
}

LogicalResult importSequenceAt(NodeImporter &n) {
  CompositeRef seq = sequenceInput(n, 0);
  if (!seq)
    return failure();
  auto p = position(n, 1, seq->tensors.size(), 0);
  if (failed(p))
    return failure();
  n.setOutput(0, seq->tensors[*p]);
  return success();
}

LogicalResult importSequenceLength(NodeImporter &n) {
  CompositeRef seq = sequenceInput(n, 0);
  if (!seq)
    return failure();
  auto type = RankedTensorType::get(
      {}, IntegerType::get(n.context(), 64, IntegerType::Signed));
  auto length = n.build<ConstantOp>(
      {}, {n.named("value",
                   DenseElementsAttr::get(
                       type, APInt(64, seq->tensors.size(), true)))});
  if (failed(length))
    return failure();
  n.setOutput(0, *length);
  return success();
}

/// SequenceMap: the body once per element of the first input; the other
/// inputs are sequences of the same length (element k goes to call k) or
/// tensors (passed to every call).
LogicalResult importSequenceMap(NodeImporter &n) {
  const onnx::GraphProto *body = n.graphAttr("body");
  CompositeRef first = sequenceInput(n, 0);
  if (!body || !first)
    return failure();
  size_t length = first->tensors.size();
  SmallVector<AnyValue> inputs;
  for (size_t i = 0; i < n.numInputs(); ++i) {
    AnyValue v = n.anyInput(i);
    if (!v)
      return failure();
    if (v.composite && (!v.composite->isSequence() ||
                        v.composite->tensors.size() != length))
      return n.error() << "input " << i << " is " << v.composite->describe()
                       << "; SequenceMap needs tensors or sequences of "
                       << length << " tensors, like input 0";
    inputs.push_back(v);
  }
  if (body->input_size() != int(inputs.size()))
    return n.error() << "the body takes " << body->input_size()
                     << " inputs for the node's " << inputs.size();
  std::vector<SmallVector<Value>> outputs(body->output_size());
  for (size_t k = 0; k < length; ++k) {
    SmallVector<AnyValue> args;
    for (const AnyValue &v : inputs)
      args.push_back(v.composite ? AnyValue(v.composite->tensors[k]) : v);
    auto outs = n.graph().importSubgraph(*body, args, n.loc());
    if (failed(outs))
      return failure();
    for (auto [o, v] : llvm::enumerate(*outs)) {
      if (!v.tensor)
        return n.error() << "the body's output " << o
                         << " must be a tensor, not " << v.composite->describe();
      outputs[o].push_back(v.tensor);
    }
  }
  for (auto [o, elements] : llvm::enumerate(outputs))
    n.setOutput(o, AnyValue(CompositeValue::makeSequence(elements)));
  return success();
}

LogicalResult importOptional(NodeImporter &n) {
  if (!n.hasInput(0)) {
    n.setOutput(0, AnyValue(CompositeValue::makeOptional(nullptr, nullptr)));
    return success();
  }
  AnyValue v = n.anyInput(0);
  if (v.composite && !v.composite->isSequence())
    return n.error() << "an optional of an optional is not supported";
  n.setOutput(0, AnyValue(CompositeValue::makeOptional(v.tensor, v.composite)));
  return success();
}

LogicalResult importOptionalHasElement(NodeImporter &n) {
  // Opset 18 also takes a tensor (which is there) or nothing (which is not).
  bool has = false;
  if (n.hasInput(0)) {
    AnyValue v = n.anyInput(0);
    has = v.tensor || v.composite->isSequence() || v.composite->hasElement();
  }
  auto type = RankedTensorType::get({}, IntegerType::get(n.context(), 1));
  auto result = n.build<ConstantOp>(
      {}, {n.named("value", DenseElementsAttr::get(type, has))});
  if (failed(result))
    return failure();
  n.setOutput(0, *result);
  return success();
}

LogicalResult importOptionalGetElement(NodeImporter &n) {
  AnyValue v = n.anyInput(0);
  if (!v)
    return failure();
  if (v.tensor || v.composite->isSequence()) {
    n.setOutput(0, v); // Opset 18: a tensor or sequence is its own element.
    return success();
  }
  if (!v.composite->hasElement())
    return n.error() << "the optional is empty (known at compile time)";
  if (v.composite->sequence)
    n.setOutput(0, AnyValue(v.composite->sequence));
  else
    n.setOutput(0, v.composite->tensors.front());
  return success();
}

/// SplitToSequence: one Gather per piece (the split sizes are constants).
LogicalResult importSplitToSequence(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  int64_t axis = n.intAttr("axis", 0);
  if (axis < -rank || axis >= rank)
    return n.error() << "axis " << axis << " is out of range for rank " << rank;
  axis = axis < 0 ? axis + rank : axis;
  if (type.isDynamicDim(axis))
    return n.error() << "the split dimension must be known at compile time "
                        "(it decides the sequence's length)";
  int64_t dim = type.getDimSize(axis);
  SmallVector<int64_t> sizes;
  bool squeeze = false;
  if (!n.hasInput(1)) {
    sizes.assign(dim, 1);
    squeeze = n.intAttr("keepdims", 1) == 0;
  } else {
    auto split = n.constantInts(1, "split");
    RankedTensorType splitType = n.inputType(1);
    if (failed(split) || !splitType)
      return failure();
    if (splitType.getRank() == 0) {
      int64_t chunk = split->front();
      if (chunk <= 0)
        return n.error() << "split " << chunk << " must be positive";
      for (int64_t at = 0; at < dim; at += chunk)
        sizes.push_back(std::min(chunk, dim - at));
    } else {
      sizes = *split;
      int64_t total = 0;
      for (int64_t s : sizes)
        total += s;
      if (total != dim || llvm::any_of(sizes, [](int64_t s) { return s < 0; }))
        return n.error() << "the split sizes add up to " << total
                         << ", not the dimension's " << dim;
    }
  }
  GraphImporter &g = n.graph();
  std::string input = g.freshName("split_in");
  g.bind(input, n.input(0));
  SmallVector<Value> pieces;
  int64_t start = 0;
  for (int64_t size : sizes) {
    std::string index;
    if (squeeze) {
      index = bindConstantI64(n, {start}, {});
    } else {
      SmallVector<int64_t> range;
      for (int64_t i = 0; i < size; ++i)
        range.push_back(start + i);
      index = bindConstantI64(n, range, {size});
    }
    std::string piece = g.freshName("split_piece");
    onnx::NodeProto gather = makeNode("Gather", {input, index}, {piece});
    setInt(gather, "axis", axis);
    if (failed(emitNode(n, gather)))
      return failure();
    pieces.push_back(g.lookup(piece));
    start += size;
  }
  n.setOutput(0, AnyValue(CompositeValue::makeSequence(pieces)));
  return success();
}

/// ConcatFromSequence: a Concat of the elements (each unsqueezed first when
/// `new_axis` stacks them).
LogicalResult importConcatFromSequence(NodeImporter &n) {
  CompositeRef seq = sequenceInput(n, 0);
  auto axisAttr = n.requiredInt("axis");
  if (!seq || failed(axisAttr))
    return failure();
  if (seq->tensors.empty())
    return n.error() << "concatenates an empty sequence";
  bool stack = n.intAttr("new_axis", 0) != 0;
  int64_t rank = cast<RankedTensorType>(seq->tensors[0].getType()).getRank();
  int64_t axis = *axisAttr, limit = stack ? rank + 1 : rank;
  if (axis < -limit || axis >= limit)
    return n.error() << "axis " << axis << " is out of range";
  axis = axis < 0 ? axis + limit : axis;
  GraphImporter &g = n.graph();
  onnx::NodeProto concat;
  concat.set_op_type("Concat");
  for (Value v : seq->tensors) {
    std::string name = g.freshName("concat_in");
    g.bind(name, v);
    if (stack) {
      std::string unsqueezed = g.freshName("concat_in");
      onnx::NodeProto u;
      if (n.opset() >= 13) {
        u = makeNode("Unsqueeze", {name, bindConstantI64(n, {axis}, {1})},
                     {unsqueezed});
      } else {
        u = makeNode("Unsqueeze", {name}, {unsqueezed});
        setInts(u, "axes", {axis});
      }
      if (failed(emitNode(n, u)))
        return failure();
      name = unsqueezed;
    }
    concat.add_input(name);
  }
  std::string out = g.freshName("concat_out");
  concat.add_output(out);
  setInt(concat, "axis", axis);
  if (failed(emitNode(n, concat)))
    return failure();
  n.setOutput(0, g.lookup(out));
  return success();
}

const OpImporter kImporters[] = {
    {"SplitToSequence", importSplitToSequence},
    {"ConcatFromSequence", importConcatFromSequence},
    {"SequenceConstruct", importSequenceConstruct},
    {"SequenceEmpty", importSequenceEmpty},
    {"SequenceInsert", importSequenceInsert},
    {"SequenceErase", importSequenceErase},
    {"SequenceAt", importSequenceAt},
    {"SequenceLength", importSequenceLength},
    {"SequenceMap", importSequenceMap},
    {"Optional", importOptional},
    {"OptionalHasElement", importOptionalHasElement},
    {"OptionalGetElement", importOptionalGetElement},
};

} // namespace

ArrayRef<OpImporter> sequenceImporters() { return kImporters; }

} // namespace kiln::onnx_frontend
