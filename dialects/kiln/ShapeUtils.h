//===- ShapeUtils.h - shape arithmetic with ONNX rules ----------*- C++ -*-===//
//
// Shared by type inference, the importer and the lowerings, so that every
// stage agrees on broadcasting, axis normalisation and window sizes.
// Dynamic dimensions are mlir::ShapedType::kDynamic.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_SHAPEUTILS_H
#define KILN_DIALECTS_KILN_SHAPEUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace kiln {

constexpr int64_t kDynamic = mlir::ShapedType::kDynamic;

inline bool isDynamic(int64_t d) { return mlir::ShapedType::isDynamic(d); }

/// Multidirectional (numpy) broadcast of two shapes. Fails, with a message in
/// `error`, when static dimensions conflict. A dynamic dimension against 1
/// stays dynamic; against a static n > 1 it becomes n.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b,
                std::string *error = nullptr);

/// Maps `axis` in [-rank, rank) to [0, rank); nullopt when out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);

/// Output length of a convolution/pooling window along one dimension, or
/// kDynamic when `in` is dynamic; nullopt when the window does not fit.
std::optional<int64_t> windowOutputSize(int64_t in, int64_t kernel,
                                        int64_t stride, int64_t dilation,
                                        int64_t padBegin, int64_t padEnd,
                                        bool ceilMode);

/// Product of static dimensions, or kDynamic if any is dynamic.
int64_t staticProduct(llvm::ArrayRef<int64_t> dims);

/// The largest rank Kiln compiles. ONNX sets none, but types, loops and
/// descriptors are per dimension: a rank of millions (a malformed shape
/// tensor) would take the compiler hours instead of failing.
constexpr int64_t kMaxRank = 64;

/// The most elements of a tensor Kiln compiles: byte offsets of any element
/// size up to 128 bits then stay far from int64's range.
constexpr int64_t kMaxElements = int64_t(1) << 56;

/// Why a tensor of `dims` cannot exist, or nullopt when it can: a rank above
/// kMaxRank, or more than kMaxElements elements.
std::optional<std::string> unsupportedShape(llvm::ArrayRef<int64_t> dims);

/// "2x3x?" for messages.
std::string shapeToString(llvm::ArrayRef<int64_t> dims);

} // namespace kiln

#endif // KILN_DIALECTS_KILN_SHAPEUTILS_H
