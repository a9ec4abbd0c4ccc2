//===- FoldConstants.cpp - evaluate ops whose operands are constants ------===//
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/KilnDialect.h"
#include "passes/Folding.h"
#include "passes/Passes.h"
#include "passes/TypeRefinement.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/Hashing.h"

namespace kiln {
#define GEN_PASS_DEF_FOLDCONSTANTS
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Hash of a constant's type and contents (bytes for blobs, the uniqued
/// attribute otherwise).
llvm::hash_code contentHash(ElementsAttr attr) {
  if (auto raw = getRawElements(attr))
    return llvm::hash_combine(attr.getType(), raw->isSplat,
                              llvm::hash_combine_range(raw->bytes.begin(),
                                                       raw->bytes.end()));
  return llvm::hash_value(attr.getAsOpaquePointer());
}

bool sameContents(ElementsAttr a, ElementsAttr b) {
  if (a == b)
    return true;
  if (a.getType() != b.getType())
    return false;
  auto ra = getRawElements(a), rb = getRawElements(b);
  return ra && rb && ra->isSplat == rb->isSplat && ra->bytes == rb->bytes;
}

/// Merges constants with the same type and contents into the first one.
void deduplicateConstants(Operation *root) {
  root->walk([](Block *block) {
    llvm::DenseMap<llvm::hash_code, SmallVector<ConstantOp>> seen;
    for (Operation &op : llvm::make_early_inc_range(*block)) {
      auto c = dyn_cast<ConstantOp>(op);
      if (!c)
        continue;
      ElementsAttr value = c.getValue();
      auto &bucket = seen[contentHash(value)];
      auto same = llvm::find_if(bucket, [&](ConstantOp other) {
        return sameContents(other.getValue(), value);
      });
      if (same != bucket.end()) {
        c.replaceAllUsesWith(same->getResult());
        c.erase();
      } else {
        bucket.push_back(c);
      }
    }
  });
}

struct FoldConstantsPass : impl::FoldConstantsBase<FoldConstantsPass> {
  using FoldConstantsBase::FoldConstantsBase;

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<KilnDialect>(op->getDialect()) && !isa<ConstantOp>(op) &&
          op->getNumRegions() == 0)
        ops.push_back(op);
    });
    // Program order: an op sees its operands already folded, and its
    // types refined from them, before it is itself considered.
    for (Operation *op : ops) {
      if (failed(refineResultTypes(op)))
        return signalPassFailure();
      auto results = evaluateOp(op, maxElements);
      if (failed(results))
        continue;
      OpBuilder b(op);
      for (auto [res, value] : llvm::zip(op->getResults(), *results))
        res.replaceAllUsesWith(ConstantOp::create(b, op->getLoc(), value));
      op->erase();
    }
    deduplicateConstants(getOperation());
    getOperation().walk([](ConstantOp c) {
      if (c->use_empty())
        c.erase();
    });
    updateFunctionResultTypes(getOperation());
  }
};

} // namespace
} // namespace kiln
