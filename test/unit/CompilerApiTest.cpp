//===- CompilerApiTest.cpp - the public compile + run API -----------------===//
#include "kiln/Compiler.h"
#include "kiln/Runtime.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <thread>

using namespace kiln;

namespace {

/// y = relu(x + b), x: float[N, 3] with N symbolic, b: initializer.
std::string addReluModel() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  auto *o = m.add_opset_import();
  o->set_version(13);
  auto *g = m.mutable_graph();
  auto tensor = [](onnx::ValueInfoProto *v, const char *name) {
    v->set_name(name);
    auto *t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    t->mutable_shape()->add_dim()->set_dim_param("N");
    t->mutable_shape()->add_dim()->set_dim_value(3);
  };
  tensor(g->add_input(), "x");
  tensor(g->add_output(), "y");
  auto *b = g->add_initializer();
  b->set_name("b");
  b->set_data_type(onnx::TensorProto::FLOAT);
  b->add_dims(3);
  for (float v : {1.0f, -1.0f, 0.5f})
    b->add_float_data(v);
  auto *add = g->add_node();
  add->set_op_type("Add");
  add->add_input("x");
  add->add_input("b");
  add->add_output("t");
  auto *relu = g->add_node();
  relu->set_op_type("Relu");
  relu->add_input("t");
  relu->add_output("y");
  return m.SerializeAsString();
}

std::string artifactPath(const std::string &name) {
  return testing::TempDir() + "/kiln_api_" + name + ".so";
}

TEST(CompilerApi, CompileFromMemoryAndRun) {
  std::string bytes = addReluModel();
  std::string path = artifactPath("addrelu");
  CompileOptions options;
  Status s = compileModel(bytes.data(), bytes.size(), path, options);
  ASSERT_TRUE(s) << s.message();

  auto session = Session::open(path);
  ASSERT_TRUE(session) << session.status().message();
  ASSERT_EQ((*session)->inputs().size(), 1u);
  EXPECT_EQ((*session)->inputs()[0].shape, (std::vector<int64_t>{-1, 3}));
  EXPECT_EQ((*session)->inputs()[0].dimNames[0], "N");

  for (int64_t n : {1, 4}) {
    Tensor x = Tensor::allocate(DType::Float32, {n, 3});
    for (int64_t i = 0; i < n * 3; ++i)
      x.data<float>()[i] = float(i) - 2.0f;
    auto out = (*session)->run({x});
    ASSERT_TRUE(out) << out.status().message();
    const Tensor &y = (*out)[0];
    ASSERT_EQ(y.shape(), (std::vector<int64_t>{n, 3}));
    const float b[3] = {1.0f, -1.0f, 0.5f};
    for (int64_t i = 0; i < n * 3; ++i)
      EXPECT_FLOAT_EQ(y.data<float>()[i],
                      std::max(0.0f, x.data<float>()[i] + b[i % 3]));
  }
}

TEST(CompilerApi, EveryOptimisationLevelAgrees) {
  std::string bytes = addReluModel();
  for (int level = 0; level <= 3; ++level) {
    CompileOptions options;
    options.optLevel = level;
    std::string path = artifactPath("level" + std::to_string(level));
    ASSERT_TRUE(compileModel(bytes.data(), bytes.size(), path, options));
    auto session = Session::open(path);
    ASSERT_TRUE(session);
    Tensor x = Tensor::allocate(DType::Float32, {1, 3});
    x.data<float>()[0] = 1;
    x.data<float>()[1] = 2;
    x.data<float>()[2] = -3;
    auto out = (*session)->run({x});
    ASSERT_TRUE(out);
    EXPECT_FLOAT_EQ((*out)[0].data<float>()[0], 2.0f);
    EXPECT_FLOAT_EQ((*out)[0].data<float>()[1], 1.0f);
    EXPECT_FLOAT_EQ((*out)[0].data<float>()[2], 0.0f);
  }
}

TEST(CompilerApi, ErrorsAreMessagesNotCrashes) {
  std::string junk = "definitely not onnx";
  Status s = compileModel(junk.data(), junk.size(), artifactPath("junk"), {});
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("not a valid ONNX model"), std::string::npos);

  CompileOptions badTarget;
  badTarget.target = "tpu";
  std::string bytes = addReluModel();
  Status t = compileModel(bytes.data(), bytes.size(), artifactPath("tpu"),
                          badTarget);
  ASSERT_FALSE(t);
  EXPECT_NE(t.message().find("unknown target 'tpu'"), std::string::npos);

  auto session = Session::open(artifactPath("addrelu"));
  if (session) {
    Tensor wrong = Tensor::allocate(DType::Float32, {2, 4});
    auto out = (*session)->run({wrong});
    ASSERT_FALSE(out);
    EXPECT_EQ(out.status().message(),
              "input 'x': expected shape [?x3], got [2x4]");
  }
}

TEST(CompilerApi, CompilationsRunSideBySide) {
  std::string bytes = addReluModel();
  std::vector<std::thread> threads;
  std::vector<bool> ok(2, false);
  for (int i = 0; i < 2; ++i)
    threads.emplace_back([&, i] {
      CompileOptions options;
      options.optLevel = i;
      ok[i] = bool(compileModel(bytes.data(), bytes.size(),
                                artifactPath("thread" + std::to_string(i)),
                                options));
    });
  for (auto &t : threads)
    t.join();
  EXPECT_TRUE(ok[0]);
  EXPECT_TRUE(ok[1]);
}

} // namespace
