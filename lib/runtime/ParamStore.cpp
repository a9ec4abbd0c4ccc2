//===- ParamStore.cpp - where an artifact's weights live at run time ------===//
#include "lib/runtime/ParamStore.h"
#include "lib/runtime/HalfFloats.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kiln::runtime {

namespace {

std::string directoryOf(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

uint64_t splitMix(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// Small random weights (uniform in [-0.1, 0.1)); integers are zero, which
/// is always a valid index or shape entry.
void fillRandom(char *base, const ArtifactMetadata &m, uint64_t seed) {
  uint64_t state = seed;
  for (const ParamSpec &p : m.params) {
    char *at = base + p.offset;
    int64_t n = 1;
    for (int64_t d : p.tensor.shape)
      n *= d;
    for (int64_t i = 0; i < n; ++i) {
      float v = float(double(splitMix(state) >> 11) * 0x1.0p-53 * 0.2 - 0.1);
      switch (p.tensor.dtype) {
      case DType::Float32:
        std::memcpy(at + 4 * i, &v, 4);
        break;
      case DType::Float64: {
        double d = v;
        std::memcpy(at + 8 * i, &d, 8);
        break;
      }
      case DType::Float16: {
        uint16_t h = floatToHalfBits(v);
        std::memcpy(at + 2 * i, &h, 2);
        break;
      }
      case DType::BFloat16: {
        uint16_t h = floatToBf16Bits(v);
        std::memcpy(at + 2 * i, &h, 2);
        break;
      }
      default:
        std::memset(at + i * dtypeSize(p.tensor.dtype), 0,
                    dtypeSize(p.tensor.dtype));
      }
    }
  }
}

} // namespace

ParamStore::~ParamStore() {
  if (mapped_)
    munmap(mapped_, size_);
  std::free(allocated_);
}

Expected<std::unique_ptr<ParamStore>>
ParamStore::open(const std::string &artifactPath, void *handle,
                 const ArtifactMetadata &m, const SessionOptions &options) {
  std::unique_ptr<ParamStore> store(new ParamStore());
  store->size_ = m.paramsBytes;
  if (m.paramsBytes == 0)
    return store;
  if (m.paramsFile.empty()) {
    store->data_ = static_cast<const char *>(dlsym(handle, kParamsSymbol));
    if (!store->data_)
      return Status::error(artifactPath + ": embedded weights (" +
                           kParamsSymbol + ") are missing");
    return store;
  }
  if (options.randomParams) {
    size_t bytes = (m.paramsBytes + kParamAlignment - 1) / kParamAlignment *
                   kParamAlignment;
    store->allocated_ = std::aligned_alloc(kParamAlignment, bytes);
    if (!store->allocated_)
      return Status::error("cannot allocate " + std::to_string(bytes) +
                           " bytes for random weights");
    fillRandom(static_cast<char *>(store->allocated_), m, options.randomSeed);
    store->data_ = static_cast<const char *>(store->allocated_);
    return store;
  }
  std::string file = options.paramsPath.empty()
                         ? directoryOf(artifactPath) + "/" + m.paramsFile
                         : options.paramsPath;
  int fd = ::open(file.c_str(), O_RDONLY);
  if (fd < 0)
    return Status::error(file + ": cannot open the weights file: " +
                         std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || uint64_t(st.st_size) != m.paramsBytes) {
    ::close(fd);
    return Status::error(file + ": weights file has " +
                         std::to_string(st.st_size) + " bytes, the artifact "
                         "expects " + std::to_string(m.paramsBytes));
  }
  void *p = mmap(nullptr, m.paramsBytes, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED)
    return Status::error(file + ": cannot map the weights file");
  store->mapped_ = p;
  store->data_ = static_cast<const char *>(p);
  return store;
}

} // namespace kiln::runtime
