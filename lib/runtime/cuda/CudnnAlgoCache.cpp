//===- CudnnAlgoCache.cpp - cuDNN's choices kept across processes ---------===//
#include "lib/runtime/cuda/CudnnAlgoCache.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kiln::cuda {

CudnnAlgoCache *CudnnAlgoCache::fromEnvironment() {
  static CudnnAlgoCache *cache = []() -> CudnnAlgoCache * {
    const char *path = std::getenv("KILN_CUDNN_CACHE");
    if (!path || !*path)
      return nullptr;
    return new CudnnAlgoCache(path); // lives as long as the process
  }();
  return cache;
}

CudnnAlgoCache::CudnnAlgoCache(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#')
      continue;
    std::istringstream fields(line);
    Choice c;
    std::string rest;
    if (fields >> c.algo >> c.mathType && fields.get() == ' ' &&
        std::getline(fields, rest) && !rest.empty()) {
      choices_[rest] = c;
      continue;
    }
    std::fprintf(stderr,
                 "kiln: warning: %s:%d: not 'ALGO MATH KEY'; line ignored "
                 "(KILN_CUDNN_CACHE)\n",
                 path_.c_str(), number);
  }
}

std::optional<CudnnAlgoCache::Choice>
CudnnAlgoCache::find(const std::string &key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = choices_.find(key);
  if (it == choices_.end())
    return std::nullopt;
  return it->second;
}

void CudnnAlgoCache::record(const std::string &key, Choice choice) {
  std::lock_guard<std::mutex> lock(mutex_);
  choices_[key] = choice;
  std::string line = std::to_string(choice.algo) + " " +
                     std::to_string(choice.mathType) + " " + key + "\n";
  // One fwrite of the whole line to a file opened for appending: lines of
  // processes sharing the file do not interleave.
  std::FILE *f = std::fopen(path_.c_str(), "a");
  bool ok = f && std::fwrite(line.data(), 1, line.size(), f) == line.size();
  if (f)
    ok = std::fclose(f) == 0 && ok;
  if (!ok && !writeFailed_) {
    writeFailed_ = true;
    std::fprintf(stderr,
                 "kiln: warning: cannot append to %s (KILN_CUDNN_CACHE); "
                 "this process's cuDNN choices are not kept\n",
                 path_.c_str());
  }
}

std::string CudnnAlgoCache::key(const std::string &device, size_t version,
                                const int64_t *descriptor, size_t count) {
  std::string k = device + "|cudnn " + std::to_string(version) + "|";
  for (size_t i = 0; i < count; ++i)
    k += (i ? "," : "") + std::to_string(descriptor[i]);
  return k;
}

} // namespace kiln::cuda
