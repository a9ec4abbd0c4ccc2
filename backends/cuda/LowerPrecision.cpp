//===- LowerPrecision.cpp - float32 tensors stored as fp16 / bf16 ---------===//
//
// --precision=fp16|bf16 (see Passes.td for the rules). One walk over the
// entry's top-level ops, in order; three kinds of op:
//
//   library calls, data movement,  take and return the low type
//   max pooling
//   every other kiln op            computes in f32 from operands cast up
//                                  per use; its results are rounded down
//   the rest (return, linalg,      read f32 (cast up per use); results
//   region ops)                    untouched
//
// Casting every kiln result down, even between two f32 ops, is what makes
// each activation live in the low type (the fused kernel then holds
// truncf + extf in registers) and makes the numbers the same whether or
// not the two ops end up in one kernel, and whether a contraction runs in
// a library or in generated code.
//
//===----------------------------------------------------------------------===//
#include "lib/runtime/HalfFloats.h"
#include "backends/cuda/Passes.h"
#include "dialects/kiln/ConstantUtils.h"
#include "dialects/kiln/FloatEvaluator.h"
#include "dialects/kiln/KilnDialect.h"
#include "dialects/kiln/ModelInterface.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln {
#define GEN_PASS_DEF_LOWERPRECISION
#include "backends/cuda/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln::cuda {
namespace {

bool isF32Tensor(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  return t && t.getElementType().isF32();
}

/// Ops whose f32 data operands and results become the low type.
bool takesLowType(Operation *op) {
  if (op->getNumResults() != 1)
    return false;
  if (isa<lib::Conv2dOp, lib::MatmulOp>(op))
    return isF32Tensor(op->getResult(0).getType());
  // Max pooling only compares: exact in any float type, and it keeps the
  // pooling window from reading an f32 copy of its input.
  if (!isa<ReshapeOp, TransposeOp, FlattenOp, SqueezeOp, UnsqueezeOp, ConcatOp,
           GatherOp, SliceOp, ExpandOp, TileOp, MaxPoolOp>(op))
    return false;
  return isF32Tensor(op->getResult(0).getType());
}

/// Kiln ops that compute in f32 and whose results are rounded down.
bool computesInF32(Operation *op) {
  return isa<KilnDialect>(op->getDialect()) && op->getNumRegions() == 0 &&
         !isa<ConstantOp>(op) && !takesLowType(op);
}

/// Contractions whose constant operands get the low type's values.
bool isContraction(Operation *op) {
  return isa<ConvOp, ConvTransposeOp, MatMulOp, GemmOp, EinsumOp>(op);
}

class Lowering {
public:
  Lowering(func::FuncOp entry, FloatType low) : entry_(entry), low_(low) {}

  void run() {
    SmallVector<Operation *> ops;
    for (Operation &op : entry_.getBody().front())
      ops.push_back(&op);
    for (Operation *op : ops) {
      if (takesLowType(op)) {
        for (OpOperand &use : op->getOpOperands())
          if (isF32Tensor(use.get().getType())) {
            use.set(lowOf(use.get()));
          }
        for (Value r : op->getResults())
          if (isF32Tensor(r.getType())) {
            r.setType(lowType(r.getType()));
            lowered_.insert(r);
          }
        continue;
      }
      // Operands (of the op or of ops nested in it) that are now low.
      bool contraction = isContraction(op);
      op->walk([&](Operation *user) {
        for (OpOperand &use : user->getOpOperands()) {
          if (lowered_.contains(use.get()))
            use.set(castUp(use.get(), op));
          else if (contraction && user == op)
            use.set(roundedConstant(use.get()));
        }
      });
      if (computesInF32(op))
        for (Value r : op->getResults())
          if (isF32Tensor(r.getType()) && !r.use_empty()) {
            OpBuilder b(op->getContext());
            b.setInsertionPointAfter(op);
            auto cast = CastOp::create(b, op->getLoc(), lowType(r.getType()),
                                       r, TypeAttr::get(low_));
            r.replaceAllUsesExcept(cast.getResult(), cast);
            lowered_.insert(cast.getResult());
          }
    }
    // The f32 originals that nothing reads any more.
    for (Operation *op : llvm::reverse(ops))
      if (isa<ConstantOp, tensor::EmptyOp>(op) && op->use_empty())
        op->erase();
  }

private:
  RankedTensorType lowType(Type f32) const {
    return cast<RankedTensorType>(f32).clone(low_);
  }

  /// `v` (f32) in the low type: a converted constant, a new empty tensor,
  /// or one cast right after its definition shared by all low users.
  Value lowOf(Value v) {
    if (Value known = low_values_.lookup(v))
      return known;
    OpBuilder b(entry_.getContext());
    if (Operation *def = v.getDefiningOp())
      b.setInsertionPointAfter(def);
    else
      b.setInsertionPointToStart(&entry_.getBody().front());
    Location loc = v.getLoc();
    Value low;
    if (auto c = v.getDefiningOp<ConstantOp>()) {
      std::optional<ElementsAttr> attr = convertConstant(c.getValue(), low_);
      if (attr)
        low = ConstantOp::create(b, loc, *attr).getResult();
    } else if (auto empty = v.getDefiningOp<tensor::EmptyOp>()) {
      low = tensor::EmptyOp::create(b, loc, lowType(v.getType()),
                                    empty.getDynamicSizes());
    }
    if (!low)
      low = CastOp::create(b, loc, lowType(v.getType()), v, TypeAttr::get(low_))
                .getResult();
    lowered_.insert(low);
    low_values_[v] = low;
    return low;
  }

  /// A low value read as f32 by `user` (a top-level op): a cast of its
  /// own, so that elementwise fusion can fold it into the user's kernel.
  Value castUp(Value low, Operation *user) {
    OpBuilder b(user);
    auto t = cast<RankedTensorType>(low.getType());
    Type f32 = Float32Type::get(user->getContext());
    return CastOp::create(b, user->getLoc(), t.clone(f32), low,
                          TypeAttr::get(f32))
        .getResult();
  }

  /// A constant f32 operand of a contraction, rounded to the values the
  /// low type holds (still f32: generated code reads it directly).
  Value roundedConstant(Value v) {
    auto c = v.getDefiningOp<ConstantOp>();
    if (!c || !isF32Tensor(v.getType()))
      return v;
    if (Value known = rounded_.lookup(v))
      return known;
    std::optional<ElementsAttr> attr =
        convertConstant(c.getValue(), Float32Type::get(c.getContext()));
    if (!attr)
      return v;
    OpBuilder b(c);
    b.setInsertionPointAfter(c);
    Value r = ConstantOp::create(b, c.getLoc(), *attr).getResult();
    rounded_[v] = r;
    return r;
  }

  /// The f32 constant `attr` as `to` (the low type), or as f32 rounded to
  /// the low type's values when `to` is f32. Nothing if unreadable.
  std::optional<ElementsAttr> convertConstant(ElementsAttr attr, Type to) {
    auto type = dyn_cast<RankedTensorType>(attr.getType());
    std::optional<RawElements> raw = getRawElements(attr);
    if (!type || !type.hasStaticShape() || !raw)
      return std::nullopt;
    int64_t n = raw->isSplat ? 1 : type.getNumElements();
    if (int64_t(raw->bytes.size()) != 4 * n)
      return std::nullopt;
    bool bf16 = low_.isBF16();
    int64_t width = to.isF32() ? 4 : 2;
    std::vector<char> bytes(size_t(n * width));
    for (int64_t i = 0; i < n; ++i) {
      float f;
      std::memcpy(&f, raw->bytes.data() + 4 * i, 4);
      uint16_t h = bf16 ? floatToBf16Bits(f) : floatToHalfBits(f);
      if (width == 2) {
        std::memcpy(&bytes[2 * i], &h, 2);
      } else {
        float back = bf16 ? bf16BitsToFloat(h) : halfBitsToFloat(h);
        std::memcpy(&bytes[4 * i], &back, 4);
      }
    }
    auto result = type.clone(to);
    if (raw->isSplat)
      return ElementsAttr(DenseElementsAttr::getFromRawBuffer(
          result, ArrayRef<char>(bytes.data(), bytes.size())));
    return makeElementsAttr(result, ArrayRef<char>(bytes.data(), bytes.size()),
                            "lowered", /*inlineElements=*/64);
  }

  func::FuncOp entry_;
  FloatType low_;
  llvm::DenseSet<Value> lowered_;
  llvm::DenseMap<Value, Value> low_values_, rounded_;
};

struct LowerPrecisionPass : kiln::impl::LowerPrecisionBase<LowerPrecisionPass> {
  using LowerPrecisionBase::LowerPrecisionBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    FloatType low;
    if (precision == "fp16")
      low = Float16Type::get(ctx);
    else if (precision == "bf16")
      low = BFloat16Type::get(ctx);
    else {
      module.emitError("unknown precision '")
          << precision << "' for kiln-cuda-lower-precision (expected fp16 or bf16)";
      return signalPassFailure();
    }
    func::FuncOp entry = getEntryFunction(module);
    if (!entry)
      return signalPassFailure();
    Lowering(entry, low).run();
  }
};

} // namespace
} // namespace kiln::cuda
