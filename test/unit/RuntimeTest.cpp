//===- RuntimeTest.cpp - the runtime without any compiler -----------------===//
//
// Metadata format, tensor files and session errors. Builds and runs in the
// runtime-only configuration too.
//
//===----------------------------------------------------------------------===//
#include "kiln/Runtime.h"
#include "lib/runtime/ArenaPool.h"
#include "lib/runtime/ArtifactFormat.h"
#include "lib/runtime/TensorFiles.h"
#include "lib/runtime/cpu/HostBufferPool.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>

using namespace kiln;

namespace {

std::string tempPath(const std::string &name) {
  return (testing::TempDir() + "/kiln_runtime_test_" + name);
}

TEST(ArtifactFormat, RoundTrip) {
  runtime::ArtifactMetadata m;
  m.inputs.push_back({"input ids", DType::Int64, {-1, 128}, {"batch", ""}});
  m.outputs.push_back({"out%1", DType::Float16, {2, -1}, {"", ""}});
  runtime::ParamSpec p;
  p.tensor = {"w", DType::Float32, {4, 4}, {"", ""}};
  p.offset = 64;
  p.bytes = 64;
  m.params.push_back(p);
  m.paramsBytes = 128;
  m.paramsFile = "model.so.params";
  auto parsed = runtime::parseMetadata(runtime::serializeMetadata(m));
  ASSERT_TRUE(parsed) << parsed.status().message();
  EXPECT_EQ(parsed->inputs[0].name, "input ids");
  EXPECT_EQ(parsed->inputs[0].shape, (std::vector<int64_t>{-1, 128}));
  EXPECT_EQ(parsed->inputs[0].dimNames[0], "batch");
  EXPECT_EQ(parsed->outputs[0].name, "out%1");
  EXPECT_EQ(parsed->outputs[0].dtype, DType::Float16);
  EXPECT_EQ(parsed->params[0].offset, 64u);
  EXPECT_EQ(parsed->paramsFile, "model.so.params");
  EXPECT_FALSE(parsed->arenaBytes); // no arena line, no arena argument
}

TEST(ArtifactFormat, UnreadInput) {
  runtime::ArtifactMetadata m;
  m.inputs.push_back({"x", DType::Float32, {3}, {""}});
  m.inputs.push_back({"like", DType::BFloat16, {3, 4}, {"", ""}, /*unread=*/true});
  std::string text = runtime::serializeMetadata(m);
  EXPECT_NE(text.find("\ninput like bfloat16 2 3 4 unread\n"), std::string::npos)
      << text;
  auto parsed = runtime::parseMetadata(text);
  ASSERT_TRUE(parsed) << parsed.status().message();
  EXPECT_FALSE(parsed->inputs[0].unread);
  EXPECT_TRUE(parsed->inputs[1].unread);
  EXPECT_EQ(parsed->inputs[1].shape, (std::vector<int64_t>{3, 4}));
  // Only inputs can be unread.
  EXPECT_FALSE(runtime::parseMetadata("kiln-artifact 4\noutput y float32 1 3 unread\n"));
}

TEST(ArtifactFormat, ArenaLine) {
  runtime::ArtifactMetadata m;
  m.arenaBytes = 802816;
  std::string text = runtime::serializeMetadata(m);
  EXPECT_NE(text.find("\narena 802816\n"), std::string::npos);
  auto parsed = runtime::parseMetadata(text);
  ASSERT_TRUE(parsed) << parsed.status().message();
  ASSERT_TRUE(parsed->arenaBytes);
  EXPECT_EQ(*parsed->arenaBytes, 802816u);
  // An empty arena is still an argument.
  auto empty = runtime::parseMetadata("kiln-artifact 4\narena 0\n");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->arenaBytes, std::optional<uint64_t>(0));
  EXPECT_FALSE(runtime::parseMetadata("kiln-artifact 4\narena -5\n"));
  EXPECT_FALSE(runtime::parseMetadata("kiln-artifact 4\narena\n"));
}

TEST(ArtifactFormat, DamagedMetadataIsAnError) {
  // A rank so large that its word count wrapped around (it read past the
  // line before).
  EXPECT_FALSE(runtime::parseMetadata(
      "kiln-artifact 4\ninput x float32 18446744073709551615 3\n"));
  // Parameters must lie inside the weights and hold their shape's bytes.
  EXPECT_FALSE(runtime::parseMetadata(
      "kiln-artifact 4\nparams embedded 64\nparam w float32 1 16 32 64\n"));
  EXPECT_FALSE(runtime::parseMetadata(
      "kiln-artifact 4\nparams embedded 64\nparam w float32 1 16 0 32\n"));
  EXPECT_FALSE(runtime::parseMetadata(
      "kiln-artifact 4\nparams embedded 64\n"
      "param w float32 2 4611686018427387904 4 0 64\n"));
  EXPECT_TRUE(runtime::parseMetadata(
      "kiln-artifact 4\nparams embedded 64\nparam w float32 1 16 0 64\n"));
  // Every one-byte change of a valid description parses or fails cleanly
  // (the sanitizer-free check: no crash, and what parses keeps its params
  // inside the weights).
  runtime::ArtifactMetadata m;
  m.inputs.push_back({"x", DType::Float32, {-1, 3}, {"n", ""}});
  m.outputs.push_back({"y", DType::Int64, {2}, {""}});
  runtime::ParamSpec p;
  p.tensor = {"w", DType::Float32, {4, 4}, {"", ""}};
  p.offset = 0;
  p.bytes = 64;
  m.params.push_back(p);
  m.paramsBytes = 64;
  m.arenaBytes = 256;
  std::string text = runtime::serializeMetadata(m);
  const char replacements[] = {'\0', '\n', ' ', '9', '-', '?', 'x'};
  for (size_t i = 0; i < text.size(); ++i)
    for (char c : replacements) {
      std::string damaged = text;
      damaged[i] = c;
      auto parsed = runtime::parseMetadata(damaged);
      if (!parsed)
        continue;
      for (const runtime::ParamSpec &q : parsed->params)
        EXPECT_LE(q.offset + q.bytes, parsed->paramsBytes) << damaged;
    }
}

TEST(HostBufferPool, RunsReuseBlocksWithoutNewAllocations) {
  cpu::HostBufferPool pool;
  // A first run: three buffers, one of them empty (still an address).
  auto run = [&] {
    void *a = pool.allocate(3 << 20), *b = pool.allocate(1000),
         *c = pool.allocate(0);
    EXPECT_NE(a, nullptr);
    EXPECT_NE(b, nullptr);
    EXPECT_NE(c, nullptr);
    for (void *p : {a, b, c})
      EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
    std::memset(a, 1, 3 << 20);
    std::memset(b, 2, 1000);
    pool.release(a);
    pool.release(b);
    pool.release(c);
    return std::set<void *>{a, b, c};
  };
  std::set<void *> first = run();
  EXPECT_EQ(pool.stats().blocksMade, 3u);
  // Later runs of the same sizes take the same blocks back.
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(run(), first);
  EXPECT_EQ(pool.stats().blocksMade, 3u);
  EXPECT_EQ(pool.stats().liveBytes, 0u);
  // A block serves a request it exceeds by at most an eighth of the
  // request, not a larger request or a much smaller one.
  void *near = pool.allocate((3 << 20) - (1 << 18));
  EXPECT_TRUE(first.count(near));
  void *smaller = pool.allocate(1 << 20);
  EXPECT_FALSE(first.count(smaller));
  void *larger = pool.allocate((3 << 20) + 64);
  EXPECT_FALSE(first.count(larger));
  for (void *p : {near, smaller, larger})
    pool.release(p);
  // Idle bytes never exceed the most ever in use at once.
  cpu::HostBufferPool::Stats s = pool.stats();
  EXPECT_LE(s.idleBytes, s.peakLiveBytes);
  EXPECT_EQ(s.liveBytes, 0u);
}

TEST(HostBufferPool, ForeignPointersAndImpossibleSizes) {
  cpu::HostBufferPool pool;
  // What the pool did not make (an output of an artifact that called
  // malloc) is freed, not kept.
  pool.release(std::malloc(100));
  pool.release(nullptr);
  EXPECT_EQ(pool.stats().idleBytes, 0u);
  // A size computed from a negative one: no block, no wrap-around.
  EXPECT_EQ(pool.allocate(uint64_t(-32)), nullptr);
  EXPECT_EQ(pool.stats().liveBytes, 0u);
}

TEST(ArenaPool, OneArenaPerOverlappingRunAndReuse) {
  runtime::ArenaPool pool(1000);
  ASSERT_TRUE(pool.ok());
  EXPECT_EQ(pool.count(), 1u); // made at load
  void *first = nullptr;
  {
    runtime::ArenaPool::Lease a(pool);
    first = a.get();
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(first) % runtime::kArenaAlignment, 0u);
    std::memset(first, 1, 1000); // all of it is usable
    // A run overlapping the first gets its own arena.
    runtime::ArenaPool::Lease b(pool);
    ASSERT_NE(b.get(), nullptr);
    EXPECT_NE(b.get(), first);
    EXPECT_EQ(pool.count(), 2u);
  }
  // Later runs, one at a time, reuse what exists: no more allocation.
  std::set<void *> seen;
  for (int i = 0; i < 10; ++i) {
    runtime::ArenaPool::Lease c(pool);
    seen.insert(c.get());
  }
  EXPECT_EQ(pool.count(), 2u);
  EXPECT_LE(seen.size(), 2u);
  // An empty arena still has an address.
  runtime::ArenaPool none(0);
  ASSERT_TRUE(none.ok());
  runtime::ArenaPool::Lease d(none);
  EXPECT_NE(d.get(), nullptr);
}

TEST(ArtifactFormat, RejectsOtherVersionsAndGarbage) {
  auto v = runtime::parseMetadata("kiln-artifact 99\n");
  ASSERT_FALSE(v);
  EXPECT_NE(v.status().message().find("version 99"), std::string::npos);
  EXPECT_FALSE(runtime::parseMetadata("hello"));
  auto bad = runtime::parseMetadata("kiln-artifact 4\ninput x float32 2 3\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos);
}

TEST(TensorFiles, NpyRoundTripEveryType) {
  for (DType t : {DType::Float32, DType::Float64, DType::Float16, DType::Int8,
                  DType::UInt8, DType::Int16, DType::UInt16, DType::Int32,
                  DType::UInt32, DType::Int64, DType::UInt64, DType::Bool}) {
    Tensor x = Tensor::allocate(t, {2, 3});
    for (size_t i = 0; i < x.byteSize(); ++i)
      x.data<unsigned char>()[i] = (t == DType::Bool) ? i % 2 : i * 7;
    std::string path = tempPath(std::string(dtypeName(t)) + ".npy");
    ASSERT_TRUE(runtime::writeNpy(path, x)) << dtypeName(t);
    auto y = runtime::readNpy(path);
    ASSERT_TRUE(y) << y.status().message();
    EXPECT_EQ(y->dtype(), t);
    EXPECT_EQ(y->shape(), x.shape());
    EXPECT_EQ(std::memcmp(x.data(), y->data(), x.byteSize()), 0);
  }
}

TEST(TensorFiles, NpyScalarAndEmpty) {
  Tensor s = Tensor::allocate(DType::Float32, {});
  *s.data<float>() = 2.5f;
  ASSERT_TRUE(runtime::writeNpy(tempPath("scalar.npy"), s));
  auto r = runtime::readNpy(tempPath("scalar.npy"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rank(), 0);
  EXPECT_EQ(*r->data<float>(), 2.5f);
  Tensor e = Tensor::allocate(DType::Int32, {0, 3});
  ASSERT_TRUE(runtime::writeNpy(tempPath("empty.npy"), e));
  auto er = runtime::readNpy(tempPath("empty.npy"));
  ASSERT_TRUE(er);
  EXPECT_EQ(er->shape(), (std::vector<int64_t>{0, 3}));
}

TEST(TensorFiles, NpyErrors) {
  std::ofstream(tempPath("junk.npy")) << "not numpy";
  auto r = runtime::readNpy(tempPath("junk.npy"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("not a valid .npy file"),
            std::string::npos);
  EXPECT_FALSE(runtime::readNpy(tempPath("does-not-exist.npy")));
}

/// Protobuf wire helpers to write TensorProto files by hand.
void varint(std::string &out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(char(v | 0x80));
    v >>= 7;
  }
  out.push_back(char(v));
}

TEST(TensorFiles, TensorProtoRawAndTypedData) {
  // dims [2, 2], data_type FLOAT, raw_data.
  std::string raw;
  varint(raw, (1 << 3) | 0);
  varint(raw, 2);
  varint(raw, (1 << 3) | 0);
  varint(raw, 2);
  varint(raw, (2 << 3) | 0);
  varint(raw, 1);
  float values[4] = {1, -2, 3.5f, 0};
  varint(raw, (9 << 3) | 2);
  varint(raw, sizeof values);
  raw.append(reinterpret_cast<char *>(values), sizeof values);
  std::ofstream(tempPath("raw.pb"), std::ios::binary) << raw;
  auto t = runtime::readTensorProto(tempPath("raw.pb"));
  ASSERT_TRUE(t) << t.status().message();
  EXPECT_EQ(t->shape(), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(t->data<float>()[2], 3.5f);

  // int64_data packed, with negative values, and a name.
  std::string typed;
  varint(typed, (1 << 3) | 0);
  varint(typed, 3);
  varint(typed, (2 << 3) | 0);
  varint(typed, 7);
  std::string packed;
  for (int64_t v : {int64_t(5), int64_t(-1), int64_t(1) << 40})
    varint(packed, uint64_t(v));
  varint(typed, (7 << 3) | 2);
  varint(typed, packed.size());
  typed += packed;
  varint(typed, (8 << 3) | 2);
  varint(typed, 3);
  typed += "idx";
  std::ofstream(tempPath("typed.pb"), std::ios::binary) << typed;
  std::string name;
  auto i = runtime::readTensorProto(tempPath("typed.pb"), &name);
  ASSERT_TRUE(i) << i.status().message();
  EXPECT_EQ(name, "idx");
  EXPECT_EQ(i->data<int64_t>()[1], -1);
  EXPECT_EQ(i->data<int64_t>()[2], 1ll << 40);
}

TEST(TensorFiles, TensorProtoSizeMismatch) {
  std::string raw;
  varint(raw, (1 << 3) | 0);
  varint(raw, 4);
  varint(raw, (2 << 3) | 0);
  varint(raw, 1);
  varint(raw, (9 << 3) | 2);
  varint(raw, 4);
  raw.append(4, '\0');
  std::ofstream(tempPath("short.pb"), std::ios::binary) << raw;
  auto t = runtime::readTensorProto(tempPath("short.pb"));
  ASSERT_FALSE(t);
  EXPECT_NE(t.status().message().find("holds 1 values"), std::string::npos);
}

TEST(Session, MissingOrInvalidArtifacts) {
  auto missing = Session::open(tempPath("nope.so"));
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.status().message().find("cannot load artifact"),
            std::string::npos);
  // A shared library that is not an artifact: the runtime itself.
  std::ofstream(tempPath("not-elf.so")) << "text";
  auto bad = Session::open(tempPath("not-elf.so"));
  ASSERT_FALSE(bad);
}

TEST(Tensor, Describe) {
  Tensor t = Tensor::allocate(DType::Int64, {1, 3});
  EXPECT_EQ(t.describe(), "int64[1x3]");
  EXPECT_EQ(t.byteSize(), 24u);
  EXPECT_EQ(parseDType("bfloat16"), DType::BFloat16);
  EXPECT_FALSE(parseDType("string"));
}

} // namespace
