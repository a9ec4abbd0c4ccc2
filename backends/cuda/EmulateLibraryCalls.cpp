//===- EmulateLibraryCalls.cpp - kiln_lib ops back to kiln ops (testing) ---===//
//
// --target=cuda-emulate --emulate-library-calls: the library calls that
// kiln-cuda-select-library-calls made (and kiln-cuda-lower-precision
// retyped) become the kiln ops of their definition (KilnLibOps.td), which
// the emulation then runs as generated code:
//
//   kiln_lib.matmul  -> [cast up] [transpose] kiln.matmul [* alpha]
//                       [+ init] post-ops [cast down]
//   kiln_lib.conv2d  -> [cast up] kiln.conv post-ops [cast down]
//
// f16/bf16 operands are read as f32 and the result rounded once, as cuBLAS
// and cuDNN compute (f32 accumulation). So the selection's choices (which
// ops an epilogue absorbed, k^T read transposed, Gemm's C as bias or
// accumulator) are checked against PyTorch on machines without a GPU.
//
//===----------------------------------------------------------------------===//
#include "backends/cuda/Passes.h"
#include "backends/library/IR/KilnLibDialect.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/PatternMatch.h"

namespace kiln {
#define GEN_PASS_DEF_EMULATELIBRARYCALLS
#include "backends/cuda/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln::cuda {
namespace {

/// `v` as f32 (a cast where it is f16/bf16).
Value asF32(OpBuilder &b, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getElementType().isF32())
    return v;
  Type f32 = b.getF32Type();
  return CastOp::create(b, loc, t.clone(f32), v, TypeAttr::get(f32))
      .getResult();
}

/// `v` with its last two dimensions swapped.
Value swapLastTwo(OpBuilder &b, Location loc, Value v) {
  int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 2], perm[rank - 1]);
  return TransposeOp::create(b, loc, v, perm);
}

/// The post-ops of a library op applied to `v` (f32), in order.
FailureOr<Value> applyPostOps(OpBuilder &b, Operation *op, Value v,
                              ArrayAttr postOps, ValueRange operands) {
  Location loc = op->getLoc();
  auto next = operands.begin();
  for (Attribute a : postOps) {
    StringRef name = cast<StringAttr>(a).getValue();
    if (name == "add") {
      if (next == operands.end())
        return op->emitOpError("post-op 'add' without an operand"), failure();
      v = AddOp::create(b, loc, v, asF32(b, loc, *next++));
    } else if (name == "relu") {
      v = ReluOp::create(b, loc, v);
    } else if (name == "gelu_tanh" || name == "gelu_erf") {
      v = GeluOp::create(b, loc, v, b.getBoolAttr(name == "gelu_tanh"));
    } else {
      return op->emitOpError("post-op '")
             << name << "' has no emulation (add, relu, gelu_tanh, gelu_erf)",
             failure();
    }
  }
  return v;
}

/// The f32 result `v` in `op`'s result type.
Value asResultType(OpBuilder &b, Operation *op, Value v) {
  auto t = cast<RankedTensorType>(op->getResult(0).getType());
  if (t.getElementType().isF32())
    return v;
  return CastOp::create(b, op->getLoc(), t, v,
                        TypeAttr::get(t.getElementType()))
      .getResult();
}

FailureOr<Value> emulate(OpBuilder &b, lib::MatmulOp op) {
  Location loc = op.getLoc();
  Value lhs = asF32(b, loc, op.getLhs()), rhs = asF32(b, loc, op.getRhs());
  if (op.getTransA())
    lhs = swapLastTwo(b, loc, lhs);
  if (op.getTransB())
    rhs = swapLastTwo(b, loc, rhs);
  Value v = MatMulOp::create(b, loc, lhs, rhs);
  float alpha = op.getAlpha().convertToFloat();
  if (alpha != 1.0f) {
    auto scalar = RankedTensorType::get({}, b.getF32Type());
    Value a = ConstantOp::create(
        b, loc, cast<ElementsAttr>(DenseElementsAttr::get(scalar, alpha)));
    v = MulOp::create(b, loc, v, a);
  }
  if (op.getAccumulate())
    v = AddOp::create(b, loc, v, asF32(b, loc, op.getInit()));
  return applyPostOps(b, op, v, op.getPostOps(), op.getPostOperands());
}

FailureOr<Value> emulate(OpBuilder &b, lib::Conv2dOp op) {
  Location loc = op.getLoc();
  Value bias = op.getBias() ? asF32(b, loc, op.getBias()) : Value();
  Value v = ConvOp::create(
      b, loc, asF32(b, loc, op.getInput()), asF32(b, loc, op.getFilter()),
      bias, op.getPadsAttr(), op.getStridesAttr(), op.getDilationsAttr(),
      op.getGroupsAttr(), b.getStringAttr("NOTSET"),
      b.getBoolAttr(op.getChannelsLast()));
  return applyPostOps(b, op, v, op.getPostOps(), op.getPostOperands());
}

struct EmulateLibraryCallsPass
    : kiln::impl::EmulateLibraryCallsBase<EmulateLibraryCallsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<lib::MatmulOp, lib::Conv2dOp>(op))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      if (op->getNumResults() != 1) {
        op->emitOpError("must be on tensors to be emulated");
        return signalPassFailure();
      }
      OpBuilder b(op);
      FailureOr<Value> v =
          isa<lib::MatmulOp>(op) ? emulate(b, cast<lib::MatmulOp>(op))
                                 : emulate(b, cast<lib::Conv2dOp>(op));
      if (failed(v))
        return signalPassFailure();
      op->getResult(0).replaceAllUsesWith(asResultType(b, op, *v));
      op->erase();
    }
  }
};

} // namespace
} // namespace kiln::cuda
