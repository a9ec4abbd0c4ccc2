//===- embed.cpp - Kiln as a library: compile a model, then run it --------===//
//
//   kiln-embed-example MODEL OUTPUT_DIR
//
// Compiles MODEL with the C++ compiler API, runs the artifact with the C++
// runtime API and again with the C API, and checks that both runs agree.
//
//===----------------------------------------------------------------------===//
#include "kiln/Compiler.h"
#include "kiln/Runtime.h"
#include "kiln/kiln_runtime.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s MODEL OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  std::string artifact = std::string(argv[2]) + "/embedded_model.so";

  // 1. Compile.
  kiln::CompileOptions options;
  options.optLevel = 2;
  if (kiln::Status s = kiln::compileFile(argv[1], artifact, options); !s) {
    std::fprintf(stderr, "compile failed:\n%s", s.message().c_str());
    return 1;
  }

  // 2. Run with the C++ API on inputs filled with a ramp.
  auto session = kiln::Session::open(artifact);
  if (!session) {
    std::fprintf(stderr, "%s\n", session.status().message().c_str());
    return 1;
  }
  std::vector<kiln::Tensor> inputs;
  for (const kiln::TensorInfo &info : (*session)->inputs()) {
    std::vector<int64_t> shape = info.shape;
    for (int64_t &d : shape)
      if (d < 0)
        d = 1;
    if (info.dtype != kiln::DType::Float32) {
      std::fprintf(stderr, "this example feeds float32 inputs only\n");
      return 1;
    }
    kiln::Tensor t = kiln::Tensor::allocate(info.dtype, shape);
    for (int64_t i = 0; i < t.numElements(); ++i)
      t.data<float>()[i] = float(i % 17) / 17.0f - 0.5f;
    std::printf("input '%s': %s\n", info.name.c_str(), t.describe().c_str());
    inputs.push_back(t);
  }
  auto outputs = (*session)->run(inputs);
  if (!outputs) {
    std::fprintf(stderr, "%s\n", outputs.status().message().c_str());
    return 1;
  }
  for (size_t i = 0; i < outputs->size(); ++i)
    std::printf("output '%s': %s\n", (*session)->outputs()[i].name.c_str(),
                (*outputs)[i].describe().c_str());

  // 3. The same run through the C API.
  kiln_session *cs = nullptr;
  if (kiln_session_open(artifact.c_str(), &cs) != 0) {
    std::fprintf(stderr, "%s\n", kiln_last_error());
    return 1;
  }
  std::vector<kiln_tensor *> cin;
  for (kiln::Tensor &t : inputs)
    cin.push_back(kiln_tensor_wrap(int(t.dtype()), t.shape().data(),
                                   t.shape().size(), t.data()));
  std::vector<kiln_tensor *> cout(kiln_session_num_outputs(cs));
  int rc = kiln_session_run(cs, cin.data(), cin.size(), cout.data());
  if (rc != 0) {
    std::fprintf(stderr, "%s\n", kiln_last_error());
    return 1;
  }
  bool same = true;
  for (size_t i = 0; i < cout.size(); ++i) {
    const kiln::Tensor &ref = (*outputs)[i];
    same &= kiln_tensor_rank(cout[i]) == size_t(ref.rank()) &&
            std::memcmp(kiln_tensor_data(cout[i]), ref.data(),
                        ref.byteSize()) == 0;
    kiln_tensor_free(cout[i]);
  }
  for (kiln_tensor *t : cin)
    kiln_tensor_free(t);
  kiln_session_close(cs);
  std::printf("C API %s the C++ API\n", same ? "matches" : "DIFFERS FROM");
  return same ? 0 : 1;
}
