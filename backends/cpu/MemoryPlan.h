//===- MemoryPlan.h - the static memory plan's record and report -*- C++ -*-===//
//
// kiln-cpu-plan-memory replaces the entry's intermediate allocations by
// views into one arena, which the entry takes as its last argument
// (memref<N x i8>), and records what it did in the module attribute
// `kiln.memory_plan`:
//
//   {alignment, arena_bytes, lower_bound_bytes, in_place,
//    buffers = [{offset, bytes, start, end, slot, node, in_place_of?}...],
//    unplanned = [{node, reason, bytes?}...]}
//
// The artifact's metadata takes the arena size from it (the runtime then
// owns the arena), and --memory-report prints it.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_MEMORYPLAN_H
#define KILN_BACKENDS_CPU_MEMORYPLAN_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace kiln {

inline constexpr llvm::StringLiteral kMemoryPlanAttr = "kiln.memory_plan";

/// Each view into the arena carries the slot it views (buffers sharing in
/// place form one slot), as this attribute (so that CSE never merges views
/// of different slots) and in its location (which survives the lowering to
/// the LLVM dialect, where kiln-cpu-arena-alias-scopes reads it).
inline constexpr llvm::StringLiteral kArenaSlotAttr = "kiln.arena_slot";
mlir::Location withArenaSlot(mlir::Location loc, int64_t slot);
std::optional<int64_t> arenaSlotOf(mlir::Location loc);

/// The arena size the entry takes as its last argument, or nothing when
/// the module has no plan (or planned nothing: the entry is unchanged).
std::optional<uint64_t> plannedArenaBytes(mlir::ModuleOp module);

/// Prints the plan, one line per buffer and a summary line:
///   arena_bytes=N lower_bound_bytes=M ratio=R planned=K in_place=I unplanned=U
void printMemoryReport(mlir::ModuleOp module, llvm::StringRef target,
                       llvm::raw_ostream &os);

} // namespace kiln

#endif // KILN_BACKENDS_CPU_MEMORYPLAN_H
