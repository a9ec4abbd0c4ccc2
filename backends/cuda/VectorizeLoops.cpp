//===- VectorizeLoops.cpp - 16-byte accesses in elementwise kernels -------===//
//
// A kernel that gives each thread one float moves 4 bytes per load: too
// few bytes in flight to keep a GPU's memory busy (on an H200 such a kernel
// ran at 59% of a device-to-device copy's bandwidth). This pass, run just
// before kiln-cuda-map-to-gpu, gives each thread of an elementwise loop
// `width-bytes` (16) contiguous bytes instead: the innermost dimension of a
// top-level scf.parallel steps by V, its loads and stores along that
// dimension become vector.load / vector.store of V elements (aligned, so
// that NVPTX emits ld.global.v4 / st.global.v4), and the arithmetic between
// them works on vectors.
//
// A loop qualifies when, with iv its innermost induction variable:
//  * iv runs from 0 to a static N by 1, and V divides N, where V is
//    width-bytes over the widest element type the loop accesses along iv;
//  * iv is used only as the last index of loads and stores, and the other
//    indices of those accesses do not depend on iv (no gathers, no
//    transposed accesses);
//  * each buffer accessed along iv has a static strided layout whose last
//    stride is 1 and whose offset and other strides are multiples of V, and
//    is not a global: device buffers start 256-byte aligned, so each access
//    is V-element aligned;
//  * everything that depends on iv is arith or math on integers or floats
//    (no regions, no index arithmetic, no other side effects);
//  * every store depends on iv (a store that does not would be repeated by
//    V iterations).
// Values that do not depend on iv (loads of broadcast operands, constants,
// index arithmetic on the outer variables) stay scalar and are broadcast
// where a vector op uses them.
//
//===----------------------------------------------------------------------===//
#include "backends/cuda/Passes.h"
#include "backends/cuda/KernelLoops.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/DenseSet.h"

namespace kiln {
#define GEN_PASS_DEF_VECTORIZELOOPS
#include "backends/cuda/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln::cuda {
namespace {

bool isVectorElement(Type t) {
  return (isa<FloatType>(t) || t.isInteger()) && !t.isInteger(1);
}

/// Whether a buffer lives in device memory allocated by the runtime (256
/// bytes aligned), not in a global of the device module.
bool isRuntimeBuffer(Value memref) {
  while (auto view = memref.getDefiningOp<ViewLikeOpInterface>())
    memref = view.getViewSource();
  return !memref.getDefiningOp<memref::GetGlobalOp>();
}

/// Whether every V-element access along the last dimension of `type`
/// starts V-element aligned.
bool alignedRows(MemRefType type, int64_t v) {
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) || strides.empty() || strides.back() != 1)
    return false;
  if (offset % v)
    return false;
  for (int64_t s : ArrayRef(strides).drop_back())
    if (ShapedType::isDynamic(s) || s % v)
      return false;
  return true;
}

class LoopVectorizer {
public:
  LoopVectorizer(scf::ParallelOp loop, int64_t widthBytes)
      : loop_(loop), widthBytes_(widthBytes) {}

  /// The vector width for this loop, or 0 if it does not qualify.
  int64_t analyze() {
    unsigned k = loop_.getNumLoops() - 1;
    std::optional<int64_t> ub = zeroBasedExtent(
        loop_.getLowerBound()[k], loop_.getUpperBound()[k], loop_.getStep()[k]);
    if (!ub)
      return 0;
    iv_ = loop_.getInductionVars()[k];
    tainted_.insert(iv_);
    int64_t widest = 0;
    bool stores = false;
    SmallVector<MemRefType> alongIv;
    for (Operation &op : loop_.getBody()->without_terminator()) {
      if (auto load = dyn_cast<memref::LoadOp>(op)) {
        auto along = accessAlongIv(load.getMemRef(), load.getIndices());
        if (!along)
          return 0;
        if (*along) {
          alongIv.push_back(load.getMemRefType());
          widest = std::max(widest, bytesOf(load.getType()));
          tainted_.insert(load.getResult());
        }
        continue;
      }
      if (auto store = dyn_cast<memref::StoreOp>(op)) {
        auto along = accessAlongIv(store.getMemRef(), store.getIndices());
        if (!along || !*along)
          return 0;
        alongIv.push_back(store.getMemRefType());
        widest = std::max(widest, bytesOf(store.getValue().getType()));
        stores = true;
        continue;
      }
      if (op.getNumRegions() || !isMemoryEffectFree(&op))
        return 0;
      if (!dependsOnIv(op))
        continue;
      if (!isa<arith::ArithDialect, math::MathDialect>(op.getDialect()))
        return 0;
      for (Type t : op.getOperandTypes())
        if (!isVectorElement(t) && !t.isInteger(1))
          return 0;
      for (Value r : op.getResults()) {
        if (!isVectorElement(r.getType()) && !r.getType().isInteger(1))
          return 0;
        tainted_.insert(r);
      }
    }
    if (!stores || widest == 0 || widthBytes_ % widest)
      return 0;
    int64_t v = widthBytes_ / widest;
    if (v < 2 || *ub % v)
      return 0;
    for (MemRefType type : alongIv)
      if (!alignedRows(type, v))
        return 0;
    return v;
  }

  void rewrite(int64_t v) {
    OpBuilder b(loop_);
    unsigned k = loop_.getNumLoops() - 1;
    SmallVector<Value> steps(loop_.getStep());
    steps[k] = arith::ConstantIndexOp::create(b, loop_.getLoc(), v);
    loop_.getStepMutable().assign(steps);

    IRMapping vectors; // a dependent scalar -> its vector
    auto vectorOf = [&](OpBuilder &ob, Value s) -> Value {
      if (Value vec = vectors.lookupOrNull(s))
        return vec;
      return vector::BroadcastOp::create(
          ob, s.getLoc(), VectorType::get({v}, s.getType()), s);
    };
    SmallVector<Operation *> dead;
    for (Operation &op : loop_.getBody()->without_terminator()) {
      if (!dependsOnIv(op) && !isa<memref::StoreOp>(op))
        continue;
      OpBuilder ob(&op);
      Location loc = op.getLoc();
      if (auto load = dyn_cast<memref::LoadOp>(op)) {
        auto type = VectorType::get({v}, load.getType());
        Value vec = vector::LoadOp::create(
            ob, loc, type, load.getMemRef(), load.getIndices(),
            /*nontemporal=*/false, llvm::MaybeAlign(v * bytesOf(load.getType())));
        vectors.map(load.getResult(), vec);
      } else if (auto store = dyn_cast<memref::StoreOp>(op)) {
        Value value = vectorOf(ob, store.getValue());
        vector::StoreOp::create(
            ob, loc, value, store.getMemRef(), store.getIndices(),
            /*nontemporal=*/false,
            llvm::MaybeAlign(v * bytesOf(store.getValue().getType())));
      } else {
        OperationState state(loc, op.getName());
        for (Value x : op.getOperands())
          state.operands.push_back(vectorOf(ob, x));
        for (Type t : op.getResultTypes())
          state.types.push_back(VectorType::get({v}, t));
        state.attributes = op.getAttrs();
        Operation *vec = ob.create(state);
        for (auto [s, r] : llvm::zip(op.getResults(), vec->getResults()))
          vectors.map(s, r);
      }
      dead.push_back(&op);
    }
    for (Operation *op : llvm::reverse(dead))
      op->erase();
  }

private:
  bool dependsOnIv(Operation &op) const {
    return llvm::any_of(op.getOperands(),
                        [&](Value v) { return tainted_.contains(v); });
  }

  static int64_t bytesOf(Type t) {
    return (t.getIntOrFloatBitWidth() + 7) / 8;
  }

  /// Whether an access with these indices runs along iv (true), does not
  /// depend on it (false), or cannot be vectorised (nullopt).
  std::optional<bool> accessAlongIv(Value memref, ValueRange indices) {
    if (indices.empty())
      return false;
    for (Value i : indices.drop_back())
      if (tainted_.contains(i))
        return std::nullopt; // a gather or a transposed access
    Value last = indices.back();
    if (last != iv_)
      return tainted_.contains(last) ? std::nullopt : std::optional(false);
    auto type = cast<MemRefType>(memref.getType());
    if (!isVectorElement(type.getElementType()) || !isRuntimeBuffer(memref))
      return std::nullopt;
    return true;
  }

  scf::ParallelOp loop_;
  int64_t widthBytes_;
  Value iv_;
  llvm::DenseSet<Value> tainted_; // values that depend on iv
};

struct VectorizeLoopsPass
    : impl::VectorizeLoopsBase<VectorizeLoopsPass> {
  using VectorizeLoopsBase::VectorizeLoopsBase;

  void runOnOperation() override {
    for (scf::ParallelOp loop : kernelLoops(getOperation())) {
      LoopVectorizer vectorizer(loop, widthBytes);
      if (int64_t v = vectorizer.analyze())
        vectorizer.rewrite(v);
    }
  }
};

} // namespace
} // namespace kiln::cuda
