//===- ConstantUtils.h - reading constant operands --------------*- C++ -*-===//
//
// Shape-like operands (reshape targets, slice bounds) are 1-D integer
// tensors; when they come from a kiln.constant, type inference and folders
// read their values through these helpers, whether the constant is `dense`
// or a `dense_resource` blob.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_CONSTANTUTILS_H
#define KILN_DIALECTS_KILN_CONSTANTUTILS_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"
#include <optional>
#include <string>

namespace kiln {

/// The raw little-endian bytes of a dense or dense_resource attribute, with
/// splats expanded by the caller (`isSplat`). Empty when unavailable.
struct RawElements {
  llvm::ArrayRef<char> bytes;
  bool isSplat = false;
};
std::optional<RawElements> getRawElements(mlir::ElementsAttr attr);

/// The integer values of `attr` (any integer element type, sign-extended
/// for signed and signless types, zero-extended for unsigned).
std::optional<llvm::SmallVector<int64_t>> getIntValues(mlir::ElementsAttr attr);

/// The values of `attr` as doubles: f32 or f64 elements exactly, integer
/// elements as getIntValues reads them. Other element types: nullopt.
std::optional<llvm::SmallVector<double>> getNumericValues(mlir::ElementsAttr attr);

/// The attribute of a constant-defined value, if any.
mlir::ElementsAttr getConstantValue(mlir::Value value);

/// Integer values of a constant-defined value.
std::optional<llvm::SmallVector<int64_t>> getConstantIntValues(mlir::Value v);

/// Writes the elements of `attr` as a dense little-endian array, one byte
/// per bool, to `out` (weights go straight to a file). Fails for attributes
/// it cannot read.
bool writeElementBytes(mlir::ElementsAttr attr, llvm::raw_ostream &out);

/// Bytes per element as stored in memory (bools take one byte).
int64_t elementStorageBytes(mlir::Type elementType);

/// Frees the data of every dense_resource blob that no attribute in
/// `module` refers to, and returns how many bytes that released.
///
/// MLIR keeps each blob in its context's resource manager until the context
/// is destroyed, so the weights that folding replaces (batch norm folded
/// into convolutions, transposed constants...) would stay in memory for the
/// whole compilation. Only valid when `module` is the only IR in its context
/// that may refer to them, as in a compilation, which owns its context.
uint64_t releaseUnreferencedBlobs(mlir::ModuleOp module);

} // namespace kiln

#endif // KILN_DIALECTS_KILN_CONSTANTUTILS_H
