//===- OutlineLoopNests.h - split huge functions before LLVM's passes -----===//
#ifndef KILN_BACKENDS_CPU_OUTLINELOOPNESTS_H
#define KILN_BACKENDS_CPU_OUTLINELOOPNESTS_H

namespace llvm {
class Module;
} // namespace llvm

namespace kiln {

/// Moves each top-level loop nest of every function with more than
/// `minBlocks` basic blocks into a function of its own, never inlined.
/// Returns how many nests were moved.
unsigned outlineLoopNests(llvm::Module &m, unsigned minBlocks);

} // namespace kiln

#endif
