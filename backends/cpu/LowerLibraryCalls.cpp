//===- LowerLibraryCalls.cpp - kiln_lib ops to oneDNN wrapper calls -------===//
//
// After bufferization, each kiln_lib op becomes a call of the runtime's
// oneDNN wrapper through the artifact's table (lib/runtime/cpu/CpuAbi.h):
// a constant descriptor of the op (shapes, attributes, epilogue) and an
// array of buffer addresses on the stack.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/Passes.h"
#include "backends/library/IR/KilnLibDialect.h"
#include "backends/library/RuntimeCalls.h"
#include "backends/linalg/WindowGeometry.h"
#include "lib/runtime/cpu/CpuAbi.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <cstring>

namespace kiln {
#define GEN_PASS_DEF_CPULOWERLIBRARYCALLS
#include "backends/cpu/Passes.h.inc"
} // namespace kiln

using namespace mlir;
namespace abi = kiln::cpu_abi;

namespace kiln::cpu {
namespace {

int64_t bitsOf(double x) {
  int64_t bits;
  static_assert(sizeof bits == sizeof x);
  std::memcpy(&bits, &x, sizeof x);
  return bits;
}

std::optional<int64_t> postOpKind(StringRef name) {
  return llvm::StringSwitch<std::optional<int64_t>>(name)
      .Case("relu", abi::kRelu)
      .Case("leaky_relu", abi::kLeakyRelu)
      .Case("elu", abi::kElu)
      .Case("gelu_erf", abi::kGeluErf)
      .Case("gelu_tanh", abi::kGeluTanh)
      .Case("sigmoid", abi::kSigmoid)
      .Case("tanh", abi::kTanh)
      .Case("clip", abi::kClip)
      .Case("swish", abi::kSwish)
      .Case("hardswish", abi::kHardSwish)
      .Case("abs", abi::kAbs)
      .Case("exp", abi::kExp)
      .Case("sqrt", abi::kSqrt)
      .Case("linear", abi::kLinear)
      .Case("add", abi::kAdd)
      .Case("sub", abi::kSub)
      .Case("mul", abi::kMul)
      .Case("div", abi::kDiv)
      .Case("max", abi::kMax)
      .Case("min", abi::kMin)
      .Default(std::nullopt);
}

/// A call's descriptor: its values, and for those known only at run time
/// (sizes of dynamic dimensions, padding computed from them) the index
/// values built before `op` that the call stores over their placeholders.
struct Descriptor {
  explicit Descriptor(Operation *op) : b(op), loc(op->getLoc()) {}
  OpBuilder b;
  Location loc;
  std::vector<int64_t> d;
  std::vector<std::pair<size_t, Value>> runTime;
  llvm::DenseMap<std::pair<Value, int64_t>, Value> dims; ///< one dim op each

  /// `buffer`'s size `dim`: a constant, or a memref.dim if dynamic.
  OpFoldResult size(Value buffer, int64_t dim) {
    auto type = cast<MemRefType>(buffer.getType());
    if (!type.isDynamicDim(dim))
      return b.getIndexAttr(type.getDimSize(dim));
    Value &v = dims[{buffer, dim}];
    if (!v)
      v = memref::DimOp::create(b, loc, buffer, dim);
    return v;
  }

  /// Sets entry `at` to `v` (a placeholder if it is known only at run time).
  void set(size_t at, OpFoldResult v) {
    std::optional<int64_t> c = getConstantIntValue(v);
    if (!c)
      runTime.push_back({at, cast<Value>(v)});
    d[at] = c.value_or(ShapedType::kDynamic);
  }

  /// Sets entry `at` to `buffer`'s size `dim`.
  void setSize(size_t at, Value buffer, int64_t dim) {
    set(at, size(buffer, dim));
  }

  /// Appends `buffer`'s sizes (a placeholder for each dynamic one).
  void appendShape(Value buffer) {
    auto type = cast<MemRefType>(buffer.getType());
    for (int64_t i = 0; i < type.getRank(); ++i) {
      d.push_back(0);
      setSize(d.size() - 1, buffer, i);
    }
  }
};

/// Appends the epilogue's encoding (see CpuAbi.h).
LogicalResult appendEpilogue(Operation *op, ArrayAttr postOps,
                             ArrayRef<float> postArgs, ValueRange operands,
                             Descriptor &desc) {
  std::vector<int64_t> &d = desc.d;
  d.push_back(postOps.size());
  size_t next = 0;
  for (auto [i, a] : llvm::enumerate(postOps)) {
    StringRef name = cast<StringAttr>(a).getValue();
    std::optional<int64_t> kind = postOpKind(name);
    if (!kind)
      return op->emitOpError("post-op '") << name << "' has no oneDNN form";
    d.push_back(*kind);
    d.push_back(bitsOf(postArgs.empty() ? 0.0 : postArgs[2 * i]));
    d.push_back(bitsOf(postArgs.empty() ? 0.0 : postArgs[2 * i + 1]));
    if (*kind >= abi::kFirstBinary)
      desc.appendShape(operands[next++]);
  }
  return success();
}

/// Stores the buffers' addresses into an array allocated on the stack of
/// the enclosing function (at its entry, so loops do not grow the stack).
Value bufferArray(OpBuilder &b, Location loc, Operation *op,
                  ArrayRef<Value> buffers) {
  MLIRContext *ctx = b.getContext();
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  auto func = op->getParentOfType<FunctionOpInterface>();
  Value array;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&func.getFunctionBody().front());
    Value count = LLVM::ConstantOp::create(b, loc, b.getI64Type(),
                                           int64_t(buffers.size()));
    array = LLVM::AllocaOp::create(b, loc, ptr, ptr, count, 8);
  }
  Value null = LLVM::ZeroOp::create(b, loc, ptr);
  for (auto [i, buffer] : llvm::enumerate(buffers)) {
    Value at = LLVM::GEPOp::create(b, loc, ptr, ptr, array,
                                   ArrayRef<LLVM::GEPArg>{int32_t(i)});
    Value address = buffer ? lib::dataPointer(b, loc, buffer) : null;
    LLVM::StoreOp::create(b, loc, address, at);
  }
  return array;
}

/// Replaces `op` with `slot(desc, buffers)`: the descriptor as a constant,
/// the buffers' addresses in a stack array. A descriptor with sizes known
/// only at run time is copied from its constant into a stack array of the
/// function (one per call site, allocated at its entry) and the sizes (and
/// SAME padding computed from them) are stored over their placeholders
/// before each call: the runtime keys its plans by the contents, so each
/// shape gets its own oneDNN primitive, made on its first call.
void replaceWithCall(Operation *op, ModuleOp module, int slot,
                     const Descriptor &descriptor, ArrayRef<Value> buffers) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  const std::vector<int64_t> &d = descriptor.d;
  Value desc = lib::constantI64Array(b, module, loc, d, "kiln_cpu_desc_");
  MLIRContext *ctx = b.getContext();
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  Type i64 = b.getI64Type();
  if (!descriptor.runTime.empty()) {
    Value stack;
    {
      OpBuilder::InsertionGuard guard(b);
      auto func = op->getParentOfType<FunctionOpInterface>();
      b.setInsertionPointToStart(&func.getFunctionBody().front());
      Value count = LLVM::ConstantOp::create(b, loc, i64, int64_t(d.size()));
      stack = LLVM::AllocaOp::create(b, loc, ptr, i64, count, 8);
    }
    Value bytes = LLVM::ConstantOp::create(b, loc, i64, int64_t(8 * d.size()));
    LLVM::MemcpyOp::create(b, loc, stack, desc, bytes, /*isVolatile=*/false);
    for (auto [index, size] : descriptor.runTime) {
      Value value = arith::IndexCastOp::create(b, loc, i64, size);
      Value at = LLVM::GEPOp::create(b, loc, ptr, i64, stack,
                                     ArrayRef<LLVM::GEPArg>{int32_t(index)});
      LLVM::StoreOp::create(b, loc, value, at);
    }
    desc = stack;
  }
  Value array = bufferArray(b, loc, op, buffers);
  auto type = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                          {ptr, ptr});
  LLVM::CallOp::create(
      b, loc, lib::declareRuntimeFunction(module, abi::kSlotNames[slot], type),
      ValueRange{desc, array});
  op->erase();
}

LogicalResult lowerConv(lib::Conv2dOp conv, ModuleOp module) {
  if (!isa<MemRefType>(conv.getInit().getType()))
    return conv.emitOpError("must be bufferized before it is lowered");
  auto in = cast<MemRefType>(conv.getInput().getType());
  auto f = cast<MemRefType>(conv.getFilter().getType());
  auto out = cast<MemRefType>(conv.getInit().getType());
  bool integer = lib::isIntegerProduct(conv.getInit());
  if (!in.getElementType().isF32() && !integer)
    return conv.emitOpError("oneDNN calls take f32 or integer products only");
  bool last = conv.getChannelsLast();
  int c = last ? 3 : 1, s = last ? 1 : 2;
  Descriptor desc(conv);
  std::vector<int64_t> &d = desc.d;
  d.assign(abi::kConvEpilogue, 0);
  desc.setSize(abi::kConvN, conv.getInput(), 0);
  d[abi::kConvC] = in.getDimSize(c);
  desc.setSize(abi::kConvH, conv.getInput(), s);
  desc.setSize(abi::kConvW, conv.getInput(), s + 1);
  d[abi::kConvK] = f.getDimSize(0);
  d[abi::kConvR] = f.getDimSize(2);
  d[abi::kConvS] = f.getDimSize(3);
  desc.setSize(abi::kConvP, conv.getInit(), s);
  desc.setSize(abi::kConvQ, conv.getInit(), s + 1);
  ArrayRef<int64_t> pads = conv.getPads();
  StringRef autoPad = conv.getAutoPad();
  for (int i = 0; i < 2; ++i) {
    size_t begin = i ? abi::kConvPadLeft : abi::kConvPadTop;
    size_t end = i ? abi::kConvPadRight : abi::kConvPadBottom;
    if (autoPad == "NOTSET") {
      d[begin] = pads[i];
      d[end] = pads[2 + i];
      continue;
    }
    // SAME: from the input's size, which may be known only now.
    auto [low, high] = lowering::samePadding(
        desc.b, desc.loc, desc.size(conv.getInput(), s + i),
        f.getDimSize(2 + i), conv.getStrides()[i], conv.getDilations()[i],
        autoPad == "SAME_UPPER");
    desc.set(begin, low);
    desc.set(end, high);
  }
  d[abi::kConvStrideH] = conv.getStrides()[0];
  d[abi::kConvStrideW] = conv.getStrides()[1];
  d[abi::kConvDilationH] = conv.getDilations()[0];
  d[abi::kConvDilationW] = conv.getDilations()[1];
  d[abi::kConvGroups] = conv.getGroups();
  d[abi::kConvChannelsLast] = last;
  d[abi::kConvHasBias] = conv.getBias() != nullptr;
  d[abi::kConvConstantWeights] = conv.getConstantWeights();
  d[abi::kConvAlgorithm] = conv.getAlgorithm() == "winograd"
                               ? abi::kConvWinograd
                               : abi::kConvDirect;
  d[abi::kConvWinogradMinPixels] = conv.getWinogradMinPixels();
  Type outElement = out.getElementType();
  d[abi::kConvInteger] = !integer                  ? abi::kConvFloat
                         : outElement.isInteger(32) ? abi::kConvToS32
                         : conv.getOutputSigned()   ? abi::kConvToS8
                                                    : abi::kConvToU8;
  d[abi::kConvHasZeroPoint] = conv.getInputZeroPoint() != nullptr;
  d[abi::kConvOutputZeroPoint] = conv.getOutputZeroPoint();
  d[abi::kConvScales] = conv.getOutputScales().size();
  if (failed(appendEpilogue(conv, conv.getPostOps(), conv.getPostArgs(),
                            conv.getPostOperands(), desc)))
    return failure();
  for (float scale : conv.getOutputScales()) {
    uint32_t bits;
    std::memcpy(&bits, &scale, sizeof bits);
    d.push_back(bits);
  }
  d[abi::kConvLength] = d.size();

  SmallVector<Value> buffers = {conv.getInput(), conv.getFilter(),
                                conv.getBias(), conv.getInputZeroPoint()};
  llvm::append_range(buffers, conv.getPostOperands());
  buffers.push_back(conv.getInit());
  replaceWithCall(conv, module, abi::kSlotConv2d, desc, buffers);
  return success();
}

LogicalResult lowerMatmul(lib::MatmulOp mm, ModuleOp module) {
  if (!isa<MemRefType>(mm.getInit().getType()))
    return mm.emitOpError("must be bufferized before it is lowered");
  if (mm.getAccumulate())
    return mm.emitOpError("accumulating products have no oneDNN call");
  auto a = cast<MemRefType>(mm.getLhs().getType());
  auto bt = cast<MemRefType>(mm.getRhs().getType());
  auto out = cast<MemRefType>(mm.getInit().getType());
  bool integer = lib::isIntegerProduct(mm.getInit());
  if (!out.getElementType().isF32() && !integer)
    return mm.emitOpError("oneDNN calls take f32 or integer products only");
  int64_t rank = out.getRank();
  Descriptor desc(mm);
  std::vector<int64_t> &d = desc.d;
  d.assign(abi::kMmDims, 0);
  d[abi::kMmRank] = rank;
  d[abi::kMmTransA] = mm.getTransA();
  d[abi::kMmTransB] = mm.getTransB();
  d[abi::kMmAlphaBits] = bitsOf(mm.getAlpha().convertToDouble());
  d[abi::kMmConstantWeights] = mm.getConstantWeights();
  d[abi::kMmInteger] = integer;
  for (Value v : {mm.getLhs(), mm.getRhs(), mm.getInit()}) {
    d.insert(d.end(), rank - cast<MemRefType>(v.getType()).getRank(), 1);
    desc.appendShape(v);
  }
  if (failed(appendEpilogue(mm, mm.getPostOps(), mm.getPostArgs(),
                            mm.getPostOperands(), desc)))
    return failure();
  d[abi::kMmLength] = d.size();

  SmallVector<Value> buffers = {mm.getLhs(), mm.getRhs()};
  llvm::append_range(buffers, mm.getPostOperands());
  buffers.push_back(mm.getInit());
  replaceWithCall(mm, module, abi::kSlotMatmul, desc, buffers);
  return success();
}

struct LowerLibraryCallsPass
    : kiln::impl::CpuLowerLibraryCallsBase<LowerLibraryCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<lib::Conv2dOp, lib::MatmulOp>(op))
        ops.push_back(op);
    });
    if (ops.empty())
      return;
    for (Operation *op : ops) {
      LogicalResult ok =
          isa<lib::Conv2dOp>(op) ? lowerConv(cast<lib::Conv2dOp>(op), module)
                                 : lowerMatmul(cast<lib::MatmulOp>(op), module);
      if (failed(ok))
        return signalPassFailure();
    }
    lib::defineSlotThunks(module, abi::kApiSymbol,
                          ArrayRef<const char *>(abi::kSlotNames));
  }
};

} // namespace
} // namespace kiln::cpu
