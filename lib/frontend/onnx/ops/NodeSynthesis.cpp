//===- NodeSynthesis.cpp - importers that write ONNX nodes ----------------===//
#include "lib/frontend/onnx/ops/NodeSynthesis.h"
#include "lib/frontend/onnx/GraphImporter.h"

using namespace mlir;

namespace kiln::onnx_frontend {

onnx::NodeProto makeNode(const std::string &op,
                         std::initializer_list<std::string> inputs,
                         std::initializer_list<std::string> outputs) {
  onnx::NodeProto node;
  node.set_op_type(op);
  for (const std::string &in : inputs)
    node.add_input(in);
  for (const std::string &out : outputs)
    node.add_output(out);
  return node;
}

void setInt(onnx::NodeProto &node, const std::string &name, int64_t v) {
  auto *a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}

void setInts(onnx::NodeProto &node, const std::string &name,
             ArrayRef<int64_t> v) {
  auto *a = node.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v)
    a->add_ints(x);
}

std::string bindConstantI64(NodeImporter &n, ArrayRef<int64_t> values,
                            ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(
      shape, IntegerType::get(n.context(), 64, IntegerType::Signed));
  SmallVector<APInt> ints;
  for (int64_t v : values)
    ints.push_back(APInt(64, v, /*isSigned=*/true));
  std::string name = n.graph().freshName("const");
  n.graph().bind(name, ConstantOp::create(n.builder(), n.loc(),
                                          DenseElementsAttr::get(type, ints)));
  return name;
}

LogicalResult emitNode(NodeImporter &n, const onnx::NodeProto &node) {
  return n.graph().importNode(node, n.opset(), n.loc());
}

} // namespace kiln::onnx_frontend
