//===- Rule.h - one named rewrite rule from a function -----------*- C++ -*-===//
//
// Each simplification rule is a function (OpTy, PatternRewriter &) ->
// LogicalResult registered under a name; the name is the pattern's debug
// name, so `-debug-only=greedy-rewriter` and the lit tests can refer to it.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PASSES_SIMPLIFY_RULE_H
#define KILN_PASSES_SIMPLIFY_RULE_H

#include "mlir/IR/PatternMatch.h"

#include <functional>

namespace kiln::simplify {

template <typename OpTy> struct Rule : mlir::OpRewritePattern<OpTy> {
  using Fn = std::function<mlir::LogicalResult(OpTy, mlir::PatternRewriter &)>;
  Rule(mlir::MLIRContext *ctx, llvm::StringRef name, Fn fn, unsigned benefit)
      : mlir::OpRewritePattern<OpTy>(ctx, benefit), fn(std::move(fn)) {
    this->setDebugName(name);
  }
  mlir::LogicalResult matchAndRewrite(OpTy op,
                                      mlir::PatternRewriter &rewriter) const override {
    return fn(op, rewriter);
  }
  Fn fn;
};

template <typename OpTy>
void addRule(mlir::RewritePatternSet &patterns, llvm::StringRef name,
             typename Rule<OpTy>::Fn fn, unsigned benefit = 1) {
  patterns.add(std::make_unique<Rule<OpTy>>(patterns.getContext(), name,
                                            std::move(fn), benefit));
}

} // namespace kiln::simplify

#endif // KILN_PASSES_SIMPLIFY_RULE_H
