//===- ParamStore.h - where an artifact's weights live at run time -*- C++ -*-===//
//
// Weights are never copied at load time: embedded ones are read in place
// from the library, external ones are mapped from their file. Only
// SessionOptions::randomParams allocates (and fills) memory.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_RUNTIME_PARAMSTORE_H
#define KILN_LIB_RUNTIME_PARAMSTORE_H

#include "kiln/Runtime.h"
#include "lib/runtime/ArtifactFormat.h"

namespace kiln::runtime {

class ParamStore {
public:
  static Expected<std::unique_ptr<ParamStore>>
  open(const std::string &artifactPath, void *libraryHandle,
       const ArtifactMetadata &metadata, const SessionOptions &options);
  ~ParamStore();

  const char *data() const { return data_; }
  size_t size() const { return size_; }
  bool contains(const void *p) const {
    auto *c = static_cast<const char *>(p);
    return data_ && c >= data_ && c < data_ + size_;
  }

private:
  ParamStore() = default;
  const char *data_ = nullptr;
  size_t size_ = 0;
  void *mapped_ = nullptr;    ///< munmap on destruction
  void *allocated_ = nullptr; ///< free on destruction
};

} // namespace kiln::runtime

#endif // KILN_LIB_RUNTIME_PARAMSTORE_H
