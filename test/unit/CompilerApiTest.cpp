//===- CompilerApiTest.cpp - the public compile + run API -----------------===//
#include "kiln/Compiler.h"
#include "kiln/Runtime.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdlib>
#include <dlfcn.h>
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

/// y = relu(relu(x W1) W2) W3, x: float[64, 128] static, W: initializers:
/// products whose intermediates the memory plan puts in the arena (large
/// enough that runs on several threads overlap).
std::string matmulChainModel() {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(13);
  auto *g = m.mutable_graph();
  auto tensor = [](onnx::ValueInfoProto *v, const char *name) {
    v->set_name(name);
    auto *t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    t->mutable_shape()->add_dim()->set_dim_value(64);
    t->mutable_shape()->add_dim()->set_dim_value(128);
  };
  tensor(g->add_input(), "x");
  tensor(g->add_output(), "y");
  std::string last = "x";
  for (int i = 1; i <= 3; ++i) {
    std::string w = "w" + std::to_string(i), p = "p" + std::to_string(i);
    auto *init = g->add_initializer();
    init->set_name(w);
    init->set_data_type(onnx::TensorProto::FLOAT);
    init->add_dims(128);
    init->add_dims(128);
    for (int k = 0; k < 128 * 128; ++k)
      init->add_float_data(float((k * 7 + i) % 13) / 13.0f - 0.4f);
    auto *mm = g->add_node();
    mm->set_op_type("MatMul");
    mm->add_input(last);
    mm->add_input(w);
    mm->add_output(i == 3 ? "y" : p);
    last = p;
    if (i < 3) {
      auto *relu = g->add_node();
      relu->set_op_type("Relu");
      relu->add_input(p);
      relu->add_output(p + "r");
      last = p + "r";
    }
  }
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

// The memory plan changes where intermediates live, not the results; runs
// of one session on several threads at once each get their own arena.
TEST(CompilerApi, MemoryPlanConcurrentRuns) {
  std::string bytes = matmulChainModel();
  std::vector<std::unique_ptr<Session>> sessions;
  for (bool plan : {false, true}) {
    CompileOptions options;
    options.memoryPlan = plan;
    std::string path = artifactPath(plan ? "chain_plan" : "chain_noplan");
    Status s = compileModel(bytes.data(), bytes.size(), path, options);
    ASSERT_TRUE(s) << s.message();
    auto session = Session::open(path);
    ASSERT_TRUE(session) << session.status().message();
    sessions.push_back(session.take());
  }
  auto input = [](int seed) {
    Tensor x = Tensor::allocate(DType::Float32, {64, 128});
    for (int k = 0; k < 64 * 128; ++k)
      x.data<float>()[k] = float((k * 5 + seed * 3) % 17) / 8.0f - 1.0f;
    return x;
  };
  // References, one run at a time, without the plan.
  constexpr int kThreads = 4, kRuns = 25;
  std::vector<Tensor> expected;
  for (int t = 0; t < kThreads; ++t) {
    auto out = sessions[0]->run({input(t)});
    ASSERT_TRUE(out) << out.status().message();
    expected.push_back((*out)[0]);
  }
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      Tensor x = input(t);
      for (int r = 0; r < kRuns; ++r) {
        auto out = sessions[1]->run({x});
        if (!out) {
          ++mismatches[t];
          continue;
        }
        const float *got = (*out)[0].data<float>();
        const float *want = expected[t].data<float>();
        for (int k = 0; k < 64 * 128; ++k)
          if (got[k] != want[k]) {
            ++mismatches[t];
            break;
          }
      }
    });
  for (auto &th : threads)
    th.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(mismatches[t], 0) << "thread " << t;
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

#ifdef KILN_FAKE_CUDA_DRIVER
/// A session of a dynamic CUDA artifact (Add + Relu of [N, 3]) on the fake
/// driver: host memory, kernels counted not run, so output shapes are what
/// the host code computes.
std::unique_ptr<Session> fakeCudaSession(const std::string &name) {
  std::string bytes = addReluModel();
  std::string path = artifactPath(name);
  CompileOptions options;
  options.target = "cuda";
  options.gpuLibraries = false;
  Status s = compileModel(bytes.data(), bytes.size(), path, options);
  EXPECT_TRUE(s) << s.message();
  ::setenv("KILN_CUDA_DRIVER", KILN_FAKE_CUDA_DRIVER, 1);
  auto session = Session::open(path);
  ::unsetenv("KILN_CUDA_DRIVER");
  EXPECT_TRUE(session) << session.status().message();
  return session ? std::move(*session) : nullptr;
}

/// The fake driver's graph counts (kiln_fake_cuda_count), process-wide.
long fakeCudaCount(const char *name) {
  void *lib = ::dlopen(KILN_FAKE_CUDA_DRIVER, RTLD_NOW | RTLD_NOLOAD);
  auto count = lib ? reinterpret_cast<long (*)(const char *)>(
                         ::dlsym(lib, "kiln_fake_cuda_count"))
                   : nullptr;
  long n = count ? count(name) : -1;
  if (lib)
    ::dlclose(lib);
  return n;
}

/// Runs `session` at each batch of `batches`, checking each output's shape.
void runBatches(Session &session, std::initializer_list<int64_t> batches) {
  for (int64_t n : batches) {
    Tensor x = Tensor::allocate(DType::Float32, {n, 3});
    auto out = session.run({x});
    ASSERT_TRUE(out) << out.status().message();
    EXPECT_EQ((*out)[0].shape(), (std::vector<int64_t>{n, 3})) << "batch " << n;
  }
}

// From the second run at a batch on, runs at it replay a CUDA graph of its
// work; a run at another batch must not replay that graph, although its
// input lands at the same device address: it gets its own output shape.
TEST(CompilerApi, CudaGraphReplaysOnlyTheCapturedShapes) {
  auto session = fakeCudaSession("addrelu_cuda");
  ASSERT_TRUE(session);
  runBatches(*session, {2, 2, 2, 3, 3, 1, 2});
}

// Runs alternating between two batches replay a graph each: the first run
// at each calls the artifact, the second captures, and every later one
// replays (2 captures, 6 graph launches in 8 runs). Batch 200 grows the
// arena, which moves it: both graphs go, and 200's second run captures.
// Then batches 6, 5, 4, each twice (captured at its second run): four
// graphs, the most kept. Batch 3, run before, is captured at once and
// evicts the least recently used (200), which is captured again from its
// earlier run's shapes.
TEST(CompilerApi, CudaGraphPerShape) {
  auto session = fakeCudaSession("addrelu_cuda_shapes");
  ASSERT_TRUE(session);
  long captures = fakeCudaCount("captures");
  long launches = fakeCudaCount("graph_launches");
  long live = fakeCudaCount("graphs_live");
  ASSERT_GE(captures, 0) << "the fake driver has no kiln_fake_cuda_count";
  auto expect = [&](long c, long l, long g) {
    EXPECT_EQ(fakeCudaCount("captures") - captures, c) << "captures";
    EXPECT_EQ(fakeCudaCount("graph_launches") - launches, l) << "graph launches";
    EXPECT_EQ(fakeCudaCount("graphs_live") - live, g) << "graphs kept";
  };
  runBatches(*session, {2, 3, 2, 3, 2, 3, 2, 3});
  expect(2, 6, 2);
  runBatches(*session, {200, 200});
  expect(3, 7, 1);
  runBatches(*session, {6, 6, 5, 5, 4, 4});
  expect(6, 10, 4);
  runBatches(*session, {3, 3});
  expect(7, 12, 4);
  runBatches(*session, {200});
  expect(8, 13, 4);
  session.reset();
  expect(8, 13, 0);
}
#endif

} // namespace
