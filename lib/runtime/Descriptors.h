//===- Descriptors.h - MLIR memref descriptors for dense tensors -*- C++ -*-===//
#ifndef KILN_LIB_RUNTIME_DESCRIPTORS_H
#define KILN_LIB_RUNTIME_DESCRIPTORS_H

#include <cstdint>
#include <vector>

namespace kiln::runtime {

/// Appends {allocated, aligned, offset 0, sizes, strides} for a dense
/// C-ordered tensor at `address` (a host or a device address).
inline void appendDescriptor(std::vector<int64_t> &out, int64_t address,
                             const std::vector<int64_t> &shape) {
  out.push_back(address);
  out.push_back(address);
  out.push_back(0);
  for (int64_t d : shape)
    out.push_back(d);
  std::vector<int64_t> strides(shape.size());
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  out.insert(out.end(), strides.begin(), strides.end());
}

/// One output's view, read back from the descriptor the artifact wrote.
struct DescriptorView {
  int64_t allocated = 0, aligned = 0, offset = 0;
  std::vector<int64_t> shape, strides;
};

/// Reads the descriptor of rank `rank` at `raw[at]` and advances `at`.
inline DescriptorView readDescriptor(const std::vector<int64_t> &raw,
                                     size_t &at, size_t rank) {
  DescriptorView v;
  v.allocated = raw[at];
  v.aligned = raw[at + 1];
  v.offset = raw[at + 2];
  v.shape.assign(raw.begin() + at + 3, raw.begin() + at + 3 + rank);
  v.strides.assign(raw.begin() + at + 3 + rank,
                   raw.begin() + at + 3 + 2 * rank);
  at += 3 + 2 * rank;
  return v;
}

} // namespace kiln::runtime

#endif // KILN_LIB_RUNTIME_DESCRIPTORS_H
