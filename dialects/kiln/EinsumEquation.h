//===- EinsumEquation.h - parsing einsum equations ----------------*- C++ -*-===//
//
// Shared by kiln.einsum's type inference and its lowering: each operand's
// dimensions get a label id (letters, and one id per dimension covered by
// "..."), and the output's labels are explicit or, for an implicit equation,
// "..." followed by the letters used once, in alphabetical order.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECTS_KILN_EINSUMEQUATION_H
#define KILN_DIALECTS_KILN_EINSUMEQUATION_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace kiln {

struct EinsumEquation {
  llvm::SmallVector<llvm::SmallVector<int>> inputs;
  llvm::SmallVector<int> output;
  /// Every label, in first-use order (inputs, then any output-only ones).
  llvm::SmallVector<int> labels;

  /// Parses `equation` for operands of `ranks`; nullopt with `error` set
  /// when it is malformed or does not match the ranks.
  static std::optional<EinsumEquation> parse(llvm::StringRef equation,
                                             llvm::ArrayRef<int64_t> ranks,
                                             std::string &error);
};

} // namespace kiln

#endif // KILN_DIALECTS_KILN_EINSUMEQUATION_H
