//===- RunDriver.cpp - the logic of kiln-run ------------------------------===//
#include "lib/runtime/RunDriver.h"
#include "kiln/Runtime.h"
#include "lib/runtime/HalfFloats.h"
#include "lib/runtime/TensorFiles.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <unistd.h>

namespace kiln::runtime {

namespace {

const char *kUsage =
    "usage: kiln-run MODEL [--input NAME=FILE | --input FILE]...\n"
    "                [--output-dir DIR] [--bench [--warmup N] [--iters N]]\n"
    "                [--input-shape NAME=DIMS]... [--seed N]\n"
    "                [--sequence-length NAME=N]... [--optional-absent NAME]...\n"
    "                [--params FILE] [--random-params] [-O N]\n"
    "                [--force-dynamic] [--target=cpu|cuda|cuda-emulate]\n"
    "                [--allow-cpu-fallback] [--emulate-library-calls]\n"
    "                [--threads N] [--cpu-kernels=auto|onednn|codegen]\n"
    "                [--cpu-conv-algorithm=auto|direct]\n"
    "                [--precision=fp32|tf32|fp16|bf16]\n"
    "MODEL is a compiled artifact (.so) or an ONNX model (.onnx, .onnxtxt),\n"
    "compiled in-process. Inputs are .npy or ONNX TensorProto .pb files;\n"
    "inputs not given are generated from the seed. --output-dir writes\n"
    "the last run's outputs as output_N.npy (with --bench, the last timed\n"
    "run's). --threads (or the\n"
    "environment variable KILN_NUM_THREADS) sets the CPU threads; the\n"
    "default is every core.\n";

struct Options {
  std::string model;
  std::vector<std::pair<std::string, std::string>> namedInputs;
  std::vector<std::string> positionalInputs;
  std::string outputDir;
  bool bench = false;
  int warmup = 3, iters = 10;
  uint64_t seed = 0;
  int threads = 0; ///< 0: the runtime's default
  std::string cpuKernels = "auto";
  std::string cpuConvAlgorithm = "auto";
  std::string precision = "fp32";
  std::map<std::string, std::vector<int64_t>> inputShapes;
  std::map<std::string, int64_t> sequenceLengths;
  std::set<std::string> absentOptionals;
  std::string paramsPath;
  bool randomParams = false;
  int optLevel = 2;
  bool forceDynamic = false;
  std::string target = "cpu";
  bool allowCpuFallback = false;
  bool emulateLibraryCalls = false;
};

/// "1x3x224x224" -> {1, 3, 224, 224}; "" is a scalar's shape. Every part
/// must be a number: "2x", "x2" and "2xx3" are errors.
bool parseDims(const std::string &text, std::vector<int64_t> &dims) {
  dims.clear();
  if (text.empty())
    return true;
  size_t start = 0;
  while (true) {
    size_t x = text.find('x', start);
    std::string part = text.substr(start, x == std::string::npos ? x : x - start);
    char *end = nullptr;
    long long v = std::strtoll(part.c_str(), &end, 10);
    if (part.empty() || *end || v < 0)
      return false;
    dims.push_back(v);
    if (x == std::string::npos)
      return true;
    start = x + 1;
  }
}

/// Parses the command line; an error message on failure.
std::string parseArgs(const std::vector<std::string> &args, Options &o) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    auto value = [&](std::string &out) -> bool {
      if (i + 1 >= args.size())
        return false;
      out = args[++i];
      return true;
    };
    auto intValue = [&](int &out) -> bool {
      std::string v;
      if (!value(v))
        return false;
      char *end = nullptr;
      long x = std::strtol(v.c_str(), &end, 10);
      if (*end || x < 0)
        return false;
      out = int(x);
      return true;
    };
    std::string v;
    if (a == "--input") {
      if (!value(v))
        return "--input needs a value";
      size_t eq = v.find('=');
      if (eq != std::string::npos)
        o.namedInputs.emplace_back(v.substr(0, eq), v.substr(eq + 1));
      else
        o.positionalInputs.push_back(v);
    } else if (a == "--output-dir") {
      if (!value(o.outputDir))
        return "--output-dir needs a value";
    } else if (a == "--bench") {
      o.bench = true;
    } else if (a == "--warmup") {
      if (!intValue(o.warmup))
        return "--warmup needs a non-negative number";
    } else if (a == "--iters") {
      if (!intValue(o.iters) || o.iters < 1)
        return "--iters needs a positive number";
    } else if (a == "--threads") {
      if (!intValue(o.threads) || o.threads < 1)
        return "--threads needs a positive number";
    } else if (a.rfind("--cpu-kernels=", 0) == 0) {
      o.cpuKernels = a.substr(std::string("--cpu-kernels=").size());
    } else if (a.rfind("--cpu-conv-algorithm=", 0) == 0) {
      o.cpuConvAlgorithm =
          a.substr(std::string("--cpu-conv-algorithm=").size());
    } else if (a.rfind("--precision=", 0) == 0) {
      o.precision = a.substr(std::string("--precision=").size());
    } else if (a == "--seed") {
      int s;
      if (!intValue(s))
        return "--seed needs a non-negative number";
      o.seed = uint64_t(s);
    } else if (a == "--input-shape") {
      std::vector<int64_t> dims;
      if (!value(v))
        return "--input-shape needs NAME=DIMS";
      size_t eq = v.find('=');
      if (eq == std::string::npos || !parseDims(v.substr(eq + 1), dims))
        return "--input-shape needs NAME=DIMS, as in input=1x3x224x224";
      o.inputShapes[v.substr(0, eq)] = dims;
    } else if (a == "--sequence-length") {
      if (!value(v))
        return "--sequence-length needs NAME=N";
      size_t eq = v.find('=');
      char *end = nullptr;
      long long n = eq == std::string::npos
                        ? -1
                        : std::strtoll(v.c_str() + eq + 1, &end, 10);
      if (n < 0 || !end || *end)
        return "--sequence-length needs NAME=N, as in seq=3";
      o.sequenceLengths[v.substr(0, eq)] = n;
    } else if (a == "--optional-absent") {
      if (!value(v))
        return "--optional-absent needs an input name";
      o.absentOptionals.insert(v);
    } else if (a == "--params") {
      if (!value(o.paramsPath))
        return "--params needs a file";
    } else if (a == "--random-params") {
      o.randomParams = true;
    } else if (a == "--force-dynamic") {
      o.forceDynamic = true;
    } else if (a == "--allow-cpu-fallback") {
      o.allowCpuFallback = true;
    } else if (a == "--emulate-library-calls") {
      o.emulateLibraryCalls = true;
    } else if (a.rfind("--target=", 0) == 0) {
      o.target = a.substr(9);
    } else if (a.size() == 3 && a[0] == '-' && a[1] == 'O' && a[2] >= '0' &&
               a[2] <= '3') {
      o.optLevel = a[2] - '0';
    } else if (a == "-h" || a == "--help") {
      return "help";
    } else if (!a.empty() && a[0] == '-') {
      return "unknown option '" + a + "'";
    } else if (o.model.empty()) {
      o.model = a;
    } else {
      return "more than one model given ('" + o.model + "' and '" + a + "')";
    }
  }
  if (o.model.empty())
    return "no model given";
  return "";
}

bool hasSuffix(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

/// Fills a tensor with values from `rng`: floats in [-1, 1), booleans at
/// random, integers 0 (the one value valid as any index or size).
void fillRandom(Tensor &t, std::mt19937_64 &rng) {
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int> small(0, 9);
  int64_t n = t.numElements();
  for (int64_t i = 0; i < n; ++i) {
    switch (t.dtype()) {
    case DType::Float32: t.data<float>()[i] = float(real(rng)); break;
    case DType::Float64: t.data<double>()[i] = real(rng); break;
    case DType::Float16:
    case DType::BFloat16: {
      // Exactly representable in both: k/8 for k in [-8, 8).
      float f = float(small(rng) - 5) / 8.0f;
      uint16_t h = t.dtype() == DType::BFloat16 ? floatToBf16Bits(f)
                                                : floatToHalfBits(f);
      t.data<uint16_t>()[i] = h;
      break;
    }
    case DType::Bool: t.data<uint8_t>()[i] = uint8_t(small(rng) & 1); break;
    default:
      std::memset(t.data<char>() + i * dtypeSize(t.dtype()), 0,
                  dtypeSize(t.dtype()));
    }
  }
}

double elementAsDouble(const Tensor &t, int64_t i) {
  const char *p = t.data<char>() + i * dtypeSize(t.dtype());
  auto load = [&](auto v) {
    std::memcpy(&v, p, sizeof v);
    return double(v);
  };
  switch (t.dtype()) {
  case DType::Float32: return load(float());
  case DType::Float64: return load(double());
  case DType::Int8: return load(int8_t());
  case DType::UInt8: return load(uint8_t());
  case DType::Int16: return load(int16_t());
  case DType::UInt16: return load(uint16_t());
  case DType::Int32: return load(int32_t());
  case DType::UInt32: return load(uint32_t());
  case DType::Int64: return load(int64_t());
  case DType::UInt64: return load(uint64_t());
  case DType::Bool: return load(uint8_t());
  case DType::Float16: return halfBitsToFloat(uint16_t(load(uint16_t())));
  case DType::BFloat16: return bf16BitsToFloat(uint16_t(load(uint16_t())));
  }
  return 0;
}

std::string summarize(const Tensor &t) {
  std::ostringstream os;
  int64_t n = t.numElements();
  os << t.describe();
  if (n == 0)
    return os.str();
  double lo = INFINITY, hi = -INFINITY, sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    double v = elementAsDouble(t, i);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
  }
  os << " min=" << lo << " max=" << hi << " mean=" << sum / double(n) << " [";
  for (int64_t i = 0; i < std::min<int64_t>(n, 6); ++i)
    os << (i ? ", " : "") << elementAsDouble(t, i);
  os << (n > 6 ? ", ...]" : "]");
  return os.str();
}

int fail(const std::string &message) {
  std::cerr << "kiln-run: error: " << message << "\n";
  return 1;
}

} // namespace

int runDriverMain(const std::vector<std::string> &args,
                  const CompileHook &compile) {
  Options o;
  std::string error = parseArgs(args, o);
  if (error == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (!error.empty()) {
    std::cerr << "kiln-run: error: " << error << "\n" << kUsage;
    return 2;
  }

  // An ONNX model is compiled first, into a private temporary directory.
  std::string artifact = o.model;
  std::filesystem::path scratch;
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code ec;
      if (!dir.empty())
        std::filesystem::remove_all(dir, ec);
    }
  } cleanup;
  if (hasSuffix(o.model, ".onnx") || hasSuffix(o.model, ".onnxtxt")) {
    if (!compile)
      return fail(o.model + ": this kiln-run was built without the compiler; "
                            "compile the model with kiln-compile first");
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "kiln-run-XXXXXX").string();
    if (!mkdtemp(tmpl.data()))
      return fail("cannot create a temporary directory");
    scratch = tmpl;
    cleanup.dir = scratch;
    artifact = (scratch / "model.so").string();
    auto start = std::chrono::steady_clock::now();
    Status s =
        compile({o.model, artifact, o.optLevel, o.forceDynamic, o.inputShapes,
                 o.sequenceLengths, o.absentOptionals, o.target,
                 o.cpuKernels, o.allowCpuFallback, o.cpuConvAlgorithm,
                 o.precision, o.emulateLibraryCalls});
    if (!s) {
      std::cerr << s.message();
      if (!s.message().empty() && s.message().back() != '\n')
        std::cerr << "\n";
      return 1;
    }
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - start)
                    .count();
    std::cout << "compiled " << o.model << " in " << ms << " ms\n";
  }

  SessionOptions sessionOptions;
  sessionOptions.paramsPath = o.paramsPath;
  sessionOptions.randomParams = o.randomParams;
  sessionOptions.randomSeed = o.seed;
  if (o.threads > 0)
    setNumThreads(o.threads);
  auto session = Session::open(artifact, sessionOptions);
  if (!session)
    return fail(session.status().message());
  if ((*session)->target() == "cuda")
    std::cout << "device: " << (*session)->device() << "\n";
  const std::vector<TensorInfo> &infos = (*session)->inputs();

  // Inputs: by name, by position, or generated.
  std::vector<Tensor> inputs(infos.size());
  std::vector<bool> given(infos.size(), false);
  auto load = [&](size_t i, const std::string &file) -> bool {
    auto t = readTensorFile(file);
    if (!t) {
      fail(t.status().message());
      return false;
    }
    inputs[i] = t.take();
    given[i] = true;
    return true;
  };
  if (o.positionalInputs.size() > infos.size())
    return fail("the model takes " + std::to_string(infos.size()) +
                " inputs, " + std::to_string(o.positionalInputs.size()) +
                " given");
  for (size_t i = 0; i < o.positionalInputs.size(); ++i)
    if (!load(i, o.positionalInputs[i]))
      return 1;
  for (auto &[name, file] : o.namedInputs) {
    auto it = std::find_if(infos.begin(), infos.end(),
                           [&](const TensorInfo &t) { return t.name == name; });
    if (it == infos.end()) {
      std::string names;
      for (const TensorInfo &t : infos)
        names += (names.empty() ? "'" : ", '") + t.name + "'";
      return fail("the model has no input named '" + name +
                  "' (inputs: " + names + ")");
    }
    if (!load(size_t(it - infos.begin()), file))
      return 1;
  }
  std::mt19937_64 rng(o.seed);
  for (size_t i = 0; i < infos.size(); ++i) {
    if (given[i])
      continue;
    std::vector<int64_t> shape = infos[i].shape;
    auto fixed = o.inputShapes.find(infos[i].name);
    if (fixed != o.inputShapes.end())
      shape = fixed->second;
    for (int64_t &d : shape)
      if (d < 0)
        d = 1;
    Expected<Tensor> generated = Tensor::tryAllocate(infos[i].dtype, shape);
    if (!generated)
      return fail("input '" + infos[i].name +
                  "': " + generated.status().message());
    inputs[i] = std::move(*generated);
    fillRandom(inputs[i], rng);
    std::cout << "input " << i << " '" << infos[i].name
              << "': generated " << inputs[i].describe() << " from seed "
              << o.seed << "\n";
  }

  auto outputs = (*session)->run(inputs);
  if (!outputs)
    return fail(outputs.status().message());
  const std::vector<TensorInfo> &outInfos = (*session)->outputs();
  for (size_t i = 0; i < outputs->size(); ++i)
    std::cout << "output " << i << " '" << outInfos[i].name
              << "': " << summarize((*outputs)[i]) << "\n";
  // --output-dir gets the last run's outputs: with --bench, those of the
  // last timed run, so that a check of the files also covers repeated runs
  // (a reused arena, a replayed CUDA graph).
  auto writeOutputs = [&](const std::vector<Tensor> &values) -> bool {
    if (o.outputDir.empty())
      return true;
    std::error_code ec;
    std::filesystem::create_directories(o.outputDir, ec);
    for (size_t i = 0; i < values.size(); ++i) {
      std::string path =
          o.outputDir + "/output_" + std::to_string(i) + ".npy";
      if (Status s = writeNpy(path, values[i]); !s) {
        fail(s.message());
        return false;
      }
    }
    return true;
  };
  if (!o.bench && !writeOutputs(*outputs))
    return 1;

  if (o.bench) {
    for (int i = 0; i < o.warmup; ++i)
      if (auto r = (*session)->run(inputs); !r)
        return fail(r.status().message());
    std::vector<Tensor> last;
    // CUDA artifacts are timed on the GPU with CUDA events (the model's
    // work, transfers excluded); CPU ones with the wall clock.
    bool gpu = (*session)->target() == "cuda";
    std::vector<double> times, wall;
    for (int i = 0; i < o.iters; ++i) {
      RunStats stats;
      auto start = std::chrono::steady_clock::now();
      auto r = (*session)->run(inputs, &stats);
      auto end = std::chrono::steady_clock::now();
      if (!r)
        return fail(r.status().message());
      wall.push_back(std::chrono::duration<double, std::milli>(end - start)
                         .count());
      times.push_back(gpu && stats.deviceMs >= 0 ? stats.deviceMs
                                                 : wall.back());
      last = std::move(*r);
    }
    if (!writeOutputs(last))
      return 1;
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v.size() % 2 ? v[v.size() / 2]
                          : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    };
    char line[160];
    if (gpu) {
      std::snprintf(line, sizeof line,
                    "timer=cuda_events wall_median_ms=%.4f (with transfers)",
                    median(wall));
      std::cout << line << "\n";
    }
    std::snprintf(line, sizeof line, "median_ms=%.4f min_ms=%.4f iters=%d",
                  median(times), *std::min_element(times.begin(), times.end()),
                  o.iters);
    std::cout << line << std::endl;
  }
  return 0;
}

} // namespace kiln::runtime
