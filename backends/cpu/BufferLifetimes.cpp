//===- BufferLifetimes.cpp - where each top-level buffer is live ----------===//
//
// Conservative by construction: a use is accepted only when it is known to
// stay inside the block's computation (it reads or writes the buffer, asks
// for its size, or makes a view whose own uses are then followed); any
// other use makes the buffer unplannable, and it keeps its own allocation.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/BufferLifetimes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/CallInterfaces.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace kiln {
namespace {

/// Bytes of `alloc`'s buffer, or the reason in `why`.
uint64_t bufferBytes(memref::AllocOp alloc, uint64_t maxAlignment,
                     std::string &why) {
  MemRefType type = alloc.getType();
  Type element = type.getElementType();
  if (!type.hasStaticShape())
    why = "dynamic shape";
  else if (!type.getLayout().isIdentity())
    why = "non-identity layout";
  else if (type.getMemorySpace())
    why = "memory space";
  else if (alloc.getAlignment() && *alloc.getAlignment() > maxAlignment)
    why = "alignment " + std::to_string(*alloc.getAlignment());
  else if (!element.isIntOrIndexOrFloat())
    why = "element type"; // memref.view can only reinterpret scalars here
  if (!why.empty())
    return 0;
  uint64_t elementBytes = DataLayout::closest(alloc).getTypeSize(element);
  uint64_t bytes = llvm::SaturatingMultiply(uint64_t(type.getNumElements()),
                                            elementBytes);
  if (bytes >= (uint64_t(1) << 56))
    why = "too large";
  return bytes;
}

/// Whether `user`'s use of `operand` keeps the buffer inside the
/// computation; views it makes are added to `aliases`. Returns the reason
/// when it does not.
std::string checkUse(OpOperand &operand, llvm::SetVector<Value> &aliases) {
  Operation *user = operand.getOwner();
  std::string name = user->getName().getStringRef().str();
  if (isa<func::ReturnOp>(user))
    return "returned";
  if (user->hasTrait<OpTrait::IsTerminator>())
    return "yielded by " + name;
  if (isa<CallOpInterface>(user))
    return "passed to a call (" + name + ")";
  // Region arguments of memref type (loop-carried buffers) would be new
  // names for the buffer that this analysis does not follow.
  for (Region &region : user->getRegions())
    for (Block &b : region)
      for (BlockArgument arg : b.getArguments())
        if (isa<BaseMemRefType>(arg.getType()))
          return "passed into a region of " + name;

  bool viewResults = false, otherResults = false;
  for (Value r : user->getResults())
    (isa<BaseMemRefType>(r.getType()) ? viewResults : otherResults) = true;
  if (viewResults) {
    // An op without memory effects that returns memrefs from a memref can
    // only return views of it (subview, cast, expand/collapse_shape, ...).
    if (!isMemoryEffectFree(user))
      return "turned into another buffer by " + name;
    if (otherResults && !isa<memref::ExtractStridedMetadataOp>(user))
      return "used by " + name;
    for (Value r : user->getResults())
      if (isa<BaseMemRefType>(r.getType()))
        aliases.insert(r);
    return "";
  }
  if (isa<memref::DimOp>(user))
    return "";
  auto effects = dyn_cast<MemoryEffectOpInterface>(user);
  if (!effects)
    return "used by " + name + ", whose effects are unknown";
  SmallVector<MemoryEffects::EffectInstance> list;
  effects.getEffects(list);
  bool accessed = false;
  for (const MemoryEffects::EffectInstance &e : list) {
    if (!e.getValue())
      return "used by " + name + ", which has effects on unnamed memory";
    if (e.getValue() != operand.get())
      continue;
    if (!isa<MemoryEffects::Read, MemoryEffects::Write>(e.getEffect()))
      return "allocated or freed by " + name;
    accessed = true;
  }
  if (!accessed)
    return "used by " + name; // e.g. its address taken as an integer
  return "";
}

/// Follows every use of the buffer and its views, widening [start, end].
std::string followUses(BufferLifetime &b, Block &block,
                       const llvm::DenseMap<Operation *, int64_t> &position) {
  b.aliases.insert(b.alloc.getResult());
  // The set grows while it is walked: index, not iterators.
  for (size_t i = 0; i < b.aliases.size(); ++i) {
    Value v = b.aliases[i];
    for (OpOperand &use : v.getUses()) {
      Operation *top = block.findAncestorOpInBlock(*use.getOwner());
      if (!top)
        return "used outside its block";
      int64_t p = position.lookup(top);
      if (b.start > b.end) {
        b.start = b.end = p;
      } else {
        b.start = std::min(b.start, p);
        b.end = std::max(b.end, p);
      }
      if (std::string why = checkUse(use, b.aliases); !why.empty())
        return why;
    }
  }
  return "";
}

} // namespace

BlockLifetimes analyzeBufferLifetimes(Block &block, uint64_t maxAlignment) {
  BlockLifetimes result;
  int64_t n = 0;
  for (Operation &op : block)
    result.position[&op] = n++;
  for (Operation &op : block) {
    auto alloc = dyn_cast<memref::AllocOp>(op);
    if (!alloc)
      continue;
    BufferLifetime b;
    b.alloc = alloc;
    b.bytes = bufferBytes(alloc, maxAlignment, b.unplannable);
    if (b.unplannable.empty()) {
      b.start = 1;
      b.end = 0; // empty until the first use
      b.unplannable = followUses(b, block, result.position);
      if (b.start > b.end) // never used: live only where it is made
        b.start = b.end = result.position[&op];
    }
    result.buffers.push_back(std::move(b));
  }
  return result;
}

} // namespace kiln
