//===- OutlineLoopNests.cpp - split huge functions before LLVM's passes ---===//
//
// A model's entry function holds every kernel that is not a parallel loop
// body: one loop nest each, one after the other. For most models that is a
// few dozen nests, but a detection model's post-processing unrolled per class
// gives thousands (torchvision's SSDlite: 1338 kernels, 234k lines of LLVM
// IR in one function). LLVM's function passes (scalar evolution, dominator
// tree updates in the loop passes) and its code generation cost more than
// linearly in a function's size: SSDlite took 218 s to compile, almost all of
// it in LLVM. Each top-level nest moved into its own function makes the work
// linear in the number of nests. The nests share no loop-carried state, so
// nothing is lost but a call per nest; their loads and stores keep their
// alias-scope metadata (ArenaAliasScopes), which is what vectorisation needs.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/OutlineLoopNests.h"

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/CodeExtractor.h"

namespace kiln {

namespace {

unsigned outlineIn(llvm::Function &f) {
  llvm::DominatorTree dt(f);
  llvm::LoopInfo loops(dt);
  // Blocks of each nest, collected before any is moved (moving one
  // invalidates the loop info, not the block lists), in program order (the
  // loop info lists the last first) so that the names follow it.
  std::vector<llvm::SmallVector<llvm::BasicBlock *>> nests;
  for (llvm::Loop *loop : llvm::reverse(loops))
    nests.emplace_back(loop->getBlocks().begin(), loop->getBlocks().end());
  // Built once: moving code out keeps it valid (CodeExtractor.h).
  llvm::CodeExtractorAnalysisCache cache(f);
  unsigned moved = 0;
  for (auto &blocks : nests) {
    llvm::CodeExtractor extractor(blocks, &dt, /*AggregateArgs=*/false,
                                  nullptr, nullptr, nullptr,
                                  /*AllowVarArgs=*/false,
                                  /*AllowAlloca=*/false, nullptr, "nest");
    if (!extractor.isEligible())
      continue;
    if (llvm::Function *nest = extractor.extractCodeRegion(cache)) {
      // One call site each: the inliner would put them all back.
      nest->addFnAttr(llvm::Attribute::NoInline);
      ++moved;
    }
  }
  return moved;
}

} // namespace

unsigned outlineLoopNests(llvm::Module &m, unsigned minBlocks) {
  std::vector<llvm::Function *> big;
  for (llvm::Function &f : m)
    if (!f.isDeclaration() && f.size() > minBlocks)
      big.push_back(&f);
  unsigned moved = 0;
  for (llvm::Function *f : big)
    moved += outlineIn(*f);
  return moved;
}

} // namespace kiln
