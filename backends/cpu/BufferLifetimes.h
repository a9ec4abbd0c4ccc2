//===- BufferLifetimes.h - where each top-level buffer is live --*- C++ -*-===//
//
// The analysis half of the static memory plan. For every memref.alloc in
// a block (the entry function's body), either the program points where
// the buffer or a view of it is used, or the reason it cannot be planned:
// dynamic size, a layout or element type the arena cannot hold, or a use
// through which it may escape (returned, yielded out of a region, passed
// to a call, freed, or an op whose effects on it are unknown). A use
// nested in a region counts at its ancestor in the block, so a buffer used
// in a loop is live for the whole loop.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_BACKENDS_CPU_BUFFERLIFETIMES_H
#define KILN_BACKENDS_CPU_BUFFERLIFETIMES_H

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

#include <string>

namespace kiln {

struct BufferLifetime {
  /// (An op handle: const-ness of the record says nothing about the op.)
  mutable mlir::memref::AllocOp alloc;
  uint64_t bytes = 0;
  /// Positions in the block of the first and last op using the buffer;
  /// the alloc's own position when nothing uses it.
  int64_t start = 0, end = 0;
  /// The alloc's result and every view derived from it.
  llvm::SetVector<mlir::Value> aliases;
  /// Empty when the buffer can be planned.
  std::string unplannable;
};

struct BlockLifetimes {
  /// The position of each op of the block.
  llvm::DenseMap<mlir::Operation *, int64_t> position;
  /// Every memref.alloc of the block, in program order.
  std::vector<BufferLifetime> buffers;
};

/// Lifetimes of the allocs of `block`. `maxAlignment`: allocs asking for a
/// larger alignment are not plannable.
BlockLifetimes analyzeBufferLifetimes(mlir::Block &block,
                                      uint64_t maxAlignment);

} // namespace kiln

#endif // KILN_BACKENDS_CPU_BUFFERLIFETIMES_H
