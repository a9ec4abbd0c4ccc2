//===- ImporterTest.cpp - the ONNX importer on models built in C++ -------===//
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ModelInterface.h"
#include "lib/compiler/Diagnostics.h"
#include "lib/compiler/Registration.h"
#include "lib/frontend/onnx/OnnxImporter.h"

#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

using namespace mlir;
using namespace kiln;

namespace {

class ImporterTest : public testing::Test {
protected:
  ImporterTest() : context(makeRegistry()), diagnostics(&context) {
    context.loadAllAvailableDialects();
    context.printOpOnDiagnostic(false);
  }
  static DialectRegistry makeRegistry() {
    DialectRegistry r;
    registerAllDialects(r);
    return r;
  }

  onnx::ModelProto model(int opset = 13) {
    onnx::ModelProto m;
    m.set_ir_version(8);
    auto *o = m.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    return m;
  }
  static void addTensor(google::protobuf::RepeatedPtrField<onnx::ValueInfoProto> *list,
                        const std::string &name, std::vector<int64_t> dims,
                        std::vector<std::string> symbols = {}) {
    auto *v = list->Add();
    v->set_name(name);
    auto *t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    auto *shape = t->mutable_shape();
    for (size_t i = 0; i < dims.size(); ++i) {
      auto *d = shape->add_dim();
      if (dims[i] >= 0)
        d->set_dim_value(dims[i]);
      else if (i < symbols.size())
        d->set_dim_param(symbols[i]);
    }
  }
  static onnx::NodeProto *addNode(onnx::GraphProto *g, const std::string &op,
                                  std::vector<std::string> in,
                                  std::vector<std::string> out,
                                  const std::string &name = "") {
    auto *n = g->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (auto &s : in)
      n->add_input(s);
    for (auto &s : out)
      n->add_output(s);
    return n;
  }

  FailureOr<OwningOpRef<ModuleOp>> import(const onnx::ModelProto &m,
                                          onnx_frontend::ImportOptions o = {}) {
    std::string bytes = m.SerializeAsString();
    return onnx_frontend::importOnnxBuffer(&context, bytes.data(), bytes.size(),
                                           "test.onnx", ".", o);
  }

  MLIRContext context;
  DiagnosticCollector diagnostics;
};

TEST_F(ImporterTest, NamedInputsOutputsAndSymbolicDims) {
  onnx::ModelProto m = model();
  auto *g = m.mutable_graph();
  addTensor(g->mutable_input(), "x", {-1, 4}, {"batch"});
  addTensor(g->mutable_output(), "y", {-1, 4}, {"batch"});
  addNode(g, "Relu", {"x"}, {"y"});
  auto module = import(m);
  ASSERT_TRUE(succeeded(module)) << diagnostics.text();
  func::FuncOp entry = getEntryFunction(**module);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry.getArgAttrOfType<StringAttr>(0, kInputAttr).str(), "x");
  auto dims = entry.getArgAttrOfType<ArrayAttr>(0, kDimsAttr);
  EXPECT_EQ(cast<StringAttr>(dims[0]).str(), "batch");
  EXPECT_EQ(entry.getResultAttrOfType<StringAttr>(0, kOutputAttr).str(), "y");
  auto type = cast<RankedTensorType>(entry.getResultTypes()[0]);
  EXPECT_TRUE(type.isDynamicDim(0));
  EXPECT_EQ(type.getDimSize(1), 4);
}

TEST_F(ImporterTest, InputShapesAndForceDynamic) {
  onnx::ModelProto m = model();
  auto *g = m.mutable_graph();
  addTensor(g->mutable_input(), "x", {-1, 4}, {"batch"});
  addTensor(g->mutable_output(), "y", {-1, 4});
  addNode(g, "Relu", {"x"}, {"y"});
  onnx_frontend::ImportOptions fixed;
  fixed.inputShapes["x"] = {8, 4};
  auto a = import(m, fixed);
  ASSERT_TRUE(succeeded(a)) << diagnostics.text();
  EXPECT_EQ(cast<RankedTensorType>(getEntryFunction(**a).getResultTypes()[0])
                .getDimSize(0),
            8);
  onnx_frontend::ImportOptions dynamic;
  dynamic.forceDynamic = true;
  auto b = import(m, dynamic);
  ASSERT_TRUE(succeeded(b));
  EXPECT_TRUE(cast<RankedTensorType>(getEntryFunction(**b).getResultTypes()[0])
                  .isDynamicDim(1));
}

TEST_F(ImporterTest, UnsupportedOperatorsAreAllListed) {
  onnx::ModelProto m = model();
  auto *g = m.mutable_graph();
  addTensor(g->mutable_input(), "x", {3});
  addTensor(g->mutable_output(), "z", {3});
  addNode(g, "Frobnicate", {"x"}, {"y"}, "first");
  addNode(g, "Defrobnicate", {"y"}, {"z"}, "second");
  EXPECT_TRUE(failed(import(m)));
  const std::string &text = diagnostics.text();
  EXPECT_NE(text.find("node 'first' (Frobnicate): operator Frobnicate is not "
                      "supported"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("node 'second' (Defrobnicate)"), std::string::npos);
}

TEST_F(ImporterTest, InitializersBecomeConstantsOrBlobs) {
  onnx::ModelProto m = model();
  auto *g = m.mutable_graph();
  addTensor(g->mutable_input(), "x", {100});
  addTensor(g->mutable_output(), "y", {100});
  auto *w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(100);
  for (int i = 0; i < 100; ++i)
    w->add_float_data(float(i));
  addNode(g, "Add", {"x", "w"}, {"y"});
  auto module = import(m);
  ASSERT_TRUE(succeeded(module)) << diagnostics.text();
  int resources = 0;
  (*module)->walk([&](ConstantOp c) {
    resources += isa<DenseResourceElementsAttr>(c.getValue());
  });
  EXPECT_EQ(resources, 1);
}

TEST_F(ImporterTest, WrongDataSizeIsReported) {
  onnx::ModelProto m = model();
  auto *g = m.mutable_graph();
  addTensor(g->mutable_input(), "x", {4});
  addTensor(g->mutable_output(), "y", {4});
  auto *w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  w->add_dims(4);
  w->set_raw_data(std::string(12, '\0'));
  addNode(g, "Add", {"x", "w"}, {"y"});
  EXPECT_TRUE(failed(import(m)));
  EXPECT_NE(diagnostics.text().find("tensor 'w' holds 12 bytes of data, its "
                                    "shape and type need 16"),
            std::string::npos)
      << diagnostics.text();
}

TEST_F(ImporterTest, TruncatedBytes) {
  onnx::ModelProto m = model();
  std::string bytes = m.SerializeAsString() + "\xff\xff\xff";
  EXPECT_TRUE(failed(onnx_frontend::importOnnxBuffer(
      &context, bytes.data(), bytes.size(), "junk.onnx", ".", {})));
  EXPECT_NE(diagnostics.text().find("junk.onnx: not a valid ONNX model"),
            std::string::npos);
}

TEST_F(ImporterTest, OldOpsetsOnlyWhereOperatorsAreUnchanged) {
  // Relu changed at opset 6; an opset-5 model uses the old definition.
  onnx::ModelProto old = model(5);
  auto *g = old.mutable_graph();
  addTensor(g->mutable_input(), "x", {3});
  addTensor(g->mutable_output(), "y", {3});
  addNode(g, "Relu", {"x"}, {"y"}, "r");
  EXPECT_TRUE(failed(import(old)));
  EXPECT_NE(diagnostics.text().find("defines Relu as it was before opset 7"),
            std::string::npos)
      << diagnostics.text();
  // GlobalAveragePool is unchanged since opset 1.
  onnx::ModelProto fine = model(1);
  auto *f = fine.mutable_graph();
  addTensor(f->mutable_input(), "x", {1, 2, 3, 3});
  addTensor(f->mutable_output(), "y", {1, 2, 1, 1});
  addNode(f, "GlobalAveragePool", {"x"}, {"y"});
  EXPECT_TRUE(succeeded(import(fine))) << diagnostics.text();
}

} // namespace
