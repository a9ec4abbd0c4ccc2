//===- RuleUtils.h - matching helpers for the simplification rules -*- C++ -*-===//
#ifndef KILN_PASSES_SIMPLIFY_RULEUTILS_H
#define KILN_PASSES_SIMPLIFY_RULEUTILS_H

#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/PatternMatch.h"

#include <optional>

namespace kiln::simplify {

/// What the rules may assume, from the pass options.
struct RuleOptions {
  /// Rules that change floating-point results beyond re-association
  /// (x * 0 -> 0, x - x -> 0, division by any constant as multiplication).
  bool fastMath = false;
};

/// The value of every element of a constant, if they are all equal: floats
/// as double, integers (and bools) as int64 (sign- or zero-extended).
std::optional<double> splatValue(mlir::Value v);

/// True if `v` is a constant whose elements all equal `x`.
bool isSplatOf(mlir::Value v, double x);

/// True for a float element type.
bool isFloatTensor(mlir::Value v);

/// A 0-d kiln.constant of `element` holding `x`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type element, double x);

/// A 1-D si64 kiln.constant.
mlir::Value i64Constant(mlir::OpBuilder &b, mlir::Location loc,
                        llvm::ArrayRef<int64_t> values);

/// Replaces `op`'s single result by `v`, giving `v` the result's type when
/// the replacement's inferred type is less precise (never conflicting).
void replaceKeepingType(mlir::PatternRewriter &rewriter, mlir::Operation *op,
                        mlir::Value v);

/// `v` reshaped to `shape` (static) with a kiln.reshape.
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                      llvm::ArrayRef<int64_t> shape);

/// transpose(transpose(x, p), q) as one transpose of x by p[q], or x
/// itself where that is the identity; null where `op`'s input is not a
/// transpose. (The simplifier's rule and kiln-layout's both compose.)
mlir::Value composeTransposes(mlir::PatternRewriter &rewriter, TransposeOp op);

/// `v`'s input when `v` is a kiln.transpose of only its last two
/// dimensions (a matrix product's operand that a library reads transposed
/// in place of the copy); null otherwise.
mlir::Value lastTwoTransposedFrom(mlir::Value v);

/// If `c` (a constant broadcast against a rank-`rank` tensor) varies at
/// most along dimension `axis`, the length along it (1 for a splat).
std::optional<int64_t> perAxisLength(mlir::Value c, int64_t rank, int64_t axis);

void populateArithmeticRules(mlir::RewritePatternSet &patterns,
                             const RuleOptions &options);
void populateDataMovementRules(mlir::RewritePatternSet &patterns);
void populateContractionRules(mlir::RewritePatternSet &patterns);

} // namespace kiln::simplify

#endif // KILN_PASSES_SIMPLIFY_RULEUTILS_H
