//===- PackedGemm.h - the packed GEMM kernel's default shape ----*- C++ -*-===//
//
// One place for the tile kiln-cpu-pack-matmul generates by default and for
// the conditions under which it applies, so that the pass and the kernel
// report (which predicts the plan before lowering) agree.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_PACKEDGEMM_H
#define KILN_BACKENDS_CPU_PACKEDGEMM_H

#include <cstdint>

namespace kiln::cpu {

struct PackedGemmShape {
  /// Register tile: mr rows x nr columns (nr / vectorWidth vectors each).
  int64_t mr = 6, nr = 64;
  /// Reductions per cache block.
  int64_t kc = 256;
  /// Rows of the left operand per cache block: 256 x kc floats is 256 KB,
  /// an eighth of this machine's 2 MB L2 per core, which also holds the
  /// right panel's sliver and the output tiles passing through.
  int64_t mc = 256;
  /// f32 lanes of the widest vector (AVX-512).
  int64_t vectorWidth = 16;
  /// Smallest product (2*M*N*K per batch index) worth packing.
  int64_t minFlops = 1 << 20;

  /// Whether a product of `rows` x `cols` x `depth` per batch index is
  /// packed (fewer rows than a tile, e.g. a matrix-vector product, would
  /// multiply its work with padding).
  bool applies(int64_t rows, int64_t cols, int64_t depth) const {
    return rows >= mr && cols >= vectorWidth &&
           2 * rows * cols * depth >= minFlops;
  }
};

inline constexpr PackedGemmShape kPackedGemm{};

} // namespace kiln::cpu

#endif // KILN_BACKENDS_CPU_PACKEDGEMM_H
