//===- InferUtils.h - operand checks shared by type inference ---*- C++ -*-===//
//
// inferReturnTypes runs while an op is being built, before its verifier has
// checked the operands against the ODS constraints. So an operand that the
// ODS declares 1-D may still be a scalar there (a malformed model), and
// inference must check it before reading its dimensions.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_INFERUTILS_H
#define KILN_DIALECTS_KILN_INFERUTILS_H

#include "dialects/kiln/ShapeUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include <optional>

namespace kiln {

inline mlir::RankedTensorType tensorType(mlir::Value v) {
  return mlir::cast<mlir::RankedTensorType>(v.getType());
}

/// A 1-D shape-like operand's length, which must be static. Such a vector
/// has an entry or two per dimension (shapes, repeats, pads), so it may not
/// be longer than twice the largest rank.
inline mlir::FailureOr<int64_t> vectorLength(std::optional<mlir::Location> loc,
                                             mlir::Value v,
                                             llvm::StringRef what) {
  auto t = mlir::dyn_cast<mlir::RankedTensorType>(v.getType());
  if (!t || t.getRank() != 1 || t.isDynamicDim(0))
    return mlir::emitOptionalError(loc, what,
                                   " must be a 1-D tensor of known length");
  if (t.getDimSize(0) > 2 * kMaxRank)
    return mlir::emitOptionalError(loc, what, " has ", t.getDimSize(0),
                                   " entries; ranks above ", kMaxRank,
                                   " are not supported");
  return t.getDimSize(0);
}

} // namespace kiln

#endif // KILN_DIALECTS_KILN_INFERUTILS_H
