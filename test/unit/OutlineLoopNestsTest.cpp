//===- OutlineLoopNestsTest.cpp - one function per top-level loop nest ----===//
#include "backends/cpu/OutlineLoopNests.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

namespace {

/// Two loop nests one after the other (the second a nest of two loops,
/// reading what the first wrote), as the entry function of a model holds
/// its kernels, and a function of one block.
const char *kTwoNests = R"(
define void @entry(ptr %a, ptr %b, i64 %n) {
start:
  br label %first
first:
  %i = phi i64 [ 0, %start ], [ %i.next, %first ]
  %pa = getelementptr float, ptr %a, i64 %i
  %f = sitofp i64 %i to float
  store float %f, ptr %pa
  %i.next = add i64 %i, 1
  %i.done = icmp eq i64 %i.next, %n
  br i1 %i.done, label %between, label %first
between:
  %half = lshr i64 %n, 1
  br label %outer
outer:
  %j = phi i64 [ 0, %between ], [ %j.next, %outer.end ]
  br label %inner
inner:
  %k = phi i64 [ 0, %outer ], [ %k.next, %inner ]
  %pk = getelementptr float, ptr %a, i64 %k
  %v = load float, ptr %pk
  %pb = getelementptr float, ptr %b, i64 %j
  %w = load float, ptr %pb
  %s = fadd float %v, %w
  store float %s, ptr %pb
  %k.next = add i64 %k, 1
  %k.done = icmp eq i64 %k.next, %half
  br i1 %k.done, label %outer.end, label %inner
outer.end:
  %j.next = add i64 %j, 1
  %j.done = icmp eq i64 %j.next, %n
  br i1 %j.done, label %exit, label %outer
exit:
  ret void
}

define i64 @small(i64 %x) {
  %y = add i64 %x, 1
  ret i64 %y
}
)";

std::unique_ptr<llvm::Module> parse(llvm::LLVMContext &context) {
  llvm::SMDiagnostic error;
  auto m = llvm::parseAssemblyString(kTwoNests, error, context);
  EXPECT_TRUE(m) << error.getMessage().str();
  return m;
}

TEST(OutlineLoopNests, EachTopLevelNestBecomesAFunctionNeverInlined) {
  llvm::LLVMContext context;
  auto m = parse(context);
  ASSERT_TRUE(m);
  EXPECT_EQ(kiln::outlineLoopNests(*m, 0), 2u);
  EXPECT_FALSE(llvm::verifyModule(*m, &llvm::errs()));
  unsigned nests = 0;
  for (llvm::Function &f : *m) {
    if (!f.getName().starts_with("entry.nest"))
      continue;
    ++nests;
    EXPECT_TRUE(f.hasFnAttribute(llvm::Attribute::NoInline)) << f.getName().str();
  }
  EXPECT_EQ(nests, 2u);
  // The entry keeps no loop: only calls to the nests, in order.
  llvm::Function *entry = m->getFunction("entry");
  std::vector<std::string> calls;
  for (llvm::BasicBlock &block : *entry)
    for (llvm::Instruction &i : block)
      if (auto *call = llvm::dyn_cast<llvm::CallInst>(&i))
        calls.push_back(call->getCalledFunction()->getName().str());
  EXPECT_EQ(calls, (std::vector<std::string>{"entry.nest", "entry.nest.1"}));
}

TEST(OutlineLoopNests, FunctionsUnderTheBoundAreLeftAlone) {
  llvm::LLVMContext context;
  auto m = parse(context);
  ASSERT_TRUE(m);
  size_t functions = m->size();
  // @entry has 7 blocks.
  EXPECT_EQ(kiln::outlineLoopNests(*m, 7), 0u);
  EXPECT_EQ(m->size(), functions);
  EXPECT_EQ(kiln::outlineLoopNests(*m, 6), 2u);
}

} // namespace
