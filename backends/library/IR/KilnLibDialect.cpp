//===- KilnLibDialect.cpp - kiln_lib ops: verifiers, bufferization ------===//
#include "backends/library/IR/KilnLibDialect.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"

using namespace mlir;

#include "backends/library/IR/KilnLibOpsDialect.cpp.inc"

namespace kiln::lib {

void KilnLibDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "backends/library/IR/KilnLibOps.cpp.inc"
      >();
}

bool isDenseRowMajor(MemRefType type) {
  if (type.getLayout().isIdentity())
    return true;
  if (!type.hasStaticShape())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return false;
  int64_t expected = 1;
  for (int64_t i = type.getRank() - 1; i >= 0; --i) {
    // A dimension of size 1 is never stepped over: its stride is free.
    if (type.getDimSize(i) != 1 && strides[i] != expected)
      return false;
    expected *= type.getDimSize(i);
  }
  return true;
}

bool isIntegerProduct(Value init) {
  Type e = cast<ShapedType>(init.getType()).getElementType();
  return e.isInteger(32) || e.isInteger(8);
}

namespace {

/// Checks what every library op needs: all operands tensors (then one result
/// of init's type) or all memrefs (then none); static shapes; one float
/// element type the libraries take, or an integer product's types: the
/// two `factors` of 8 bits, init of 32 (or 8: requantized), a zero point
/// of 32, a bias (requantized only) f32.
LogicalResult verifyOperandKinds(Operation *op, Value init,
                                 ArrayRef<Value> factors) {
  bool tensors = isa<RankedTensorType>(init.getType());
  Type element = cast<ShapedType>(init.getType()).getElementType();
  bool integer = isIntegerProduct(init);
  if (!integer && !element.isF32() && !element.isF16() && !element.isBF16())
    return op->emitOpError("element type must be f32, f16 or bf16 (or i32 for "
                           "an integer product), not ")
           << element;
  for (Value v : op->getOperands()) {
    auto shaped = cast<ShapedType>(v.getType());
    if (isa<RankedTensorType>(shaped) != tensors ||
        (!tensors && !isa<MemRefType>(shaped)))
      return op->emitOpError(
          "operands must be all ranked tensors or all memrefs");
    // A product's sizes may be known only at run time (its call carries
    // them), a convolution's too but for its channels (checked with the
    // op) and its filter's.
    bool convSizes = isa<Conv2dOp>(op) && v != op->getOperand(1);
    if (!shaped.hasStaticShape() && !isa<MatmulOp>(op) && !convSizes)
      return op->emitOpError("operands must have static shapes");
    if (!integer && shaped.getElementType() != element)
      return op->emitOpError("operands must have one element type");
    unsigned width = llvm::is_contained(factors, v) ? 8 : 32;
    bool requantized =
        cast<ShapedType>(init.getType()).getElementType().isInteger(8);
    if (integer && v == init)
      continue; // i32, or i8 (requantized)
    if (integer && requantized && shaped.getElementType().isF32())
      continue; // a requantized product's bias
    if (integer && !shaped.getElementType().isInteger(width))
      return op->emitOpError("an integer product takes ")
             << (width == 8 ? "8-bit factors" : "32-bit integers otherwise")
             << ", not " << shaped.getElementType();
  }
  if (tensors && (op->getNumResults() != 1 ||
                  op->getResult(0).getType() != init.getType()))
    return op->emitOpError("on tensors, must return one value of init's type");
  if (!tensors && op->getNumResults() != 0)
    return op->emitOpError("on memrefs, must not return values");
  return success();
}

/// Checks the epilogue: known steps, two constants per step (or none), one
/// operand per binary step, each of init's rank and broadcastable to it.
LogicalResult verifyEpilogue(Operation *op, ArrayAttr postOps,
                             ArrayRef<float> postArgs, ValueRange operands,
                             Value init) {
  size_t binary = 0;
  for (Attribute a : postOps) {
    StringRef name = cast<StringAttr>(a).getValue();
    if (!isKnownPostOp(name))
      return op->emitOpError("unknown post-op '") << name << "'";
    binary += isBinaryPostOp(name);
  }
  if (!postArgs.empty() && postArgs.size() != 2 * postOps.size())
    return op->emitOpError("post_args needs two values per post-op");
  if (binary != operands.size())
    return op->emitOpError("expected ")
           << binary << " post operands for the binary post-ops, got "
           << operands.size();
  auto out = cast<ShapedType>(init.getType());
  for (Value v : operands) {
    auto t = cast<ShapedType>(v.getType());
    if (t.getRank() != out.getRank())
      return op->emitOpError("post operands must have init's rank");
    for (int64_t i = 0; i < t.getRank(); ++i)
      if (t.getDimSize(i) != 1 && t.getDimSize(i) != out.getDimSize(i))
        return op->emitOpError("post operand does not broadcast to init");
  }
  return success();
}

} // namespace

bool isBinaryPostOp(StringRef name) {
  return llvm::is_contained(
      ArrayRef<StringRef>{"add", "sub", "mul", "div", "max", "min"}, name);
}

bool isKnownPostOp(StringRef name) {
  return isBinaryPostOp(name) ||
         llvm::is_contained(
             ArrayRef<StringRef>{"relu", "leaky_relu", "elu", "gelu_erf",
                                 "gelu_tanh", "sigmoid", "tanh", "clip",
                                 "swish", "hardswish", "abs", "exp", "sqrt",
                                 "linear"},
             name);
}

/// Sizes that may be equal: the same, or one known only at run time.
static bool sameSize(int64_t a, int64_t b) {
  return a == b || ShapedType::isDynamic(a) || ShapedType::isDynamic(b);
}

LogicalResult Conv2dOp::verify() {
  if (failed(verifyOperandKinds(*this, getInit(), {getInput(), getFilter()})) ||
      failed(verifyEpilogue(*this, getPostOps(), getPostArgs(),
                            getPostOperands(), getInit())))
    return failure();
  auto in = cast<ShapedType>(getInput().getType());
  auto f = cast<ShapedType>(getFilter().getType());
  auto out = cast<ShapedType>(getInit().getType());
  if (in.getRank() != 4 || f.getRank() != 4 || out.getRank() != 4)
    return emitOpError("input, filter and init must have rank 4");
  if (getPads().size() != 4 || getStrides().size() != 2 ||
      getDilations().size() != 2)
    return emitOpError(
        "pads need 4 values, strides and dilations 2 values each");
  // Dimension positions of channels and of the first spatial dimension.
  int c = getChannelsLast() ? 3 : 1, s = getChannelsLast() ? 1 : 2;
  int64_t groups = getGroups();
  int64_t k = f.getDimSize(0);
  if (in.isDynamicDim(c))
    return emitOpError("the input's channels must be known at compile time");
  if (groups < 1 || k % groups != 0 ||
      in.getDimSize(c) != f.getDimSize(1) * groups)
    return emitOpError("channels do not match the filter and groups");
  if (auto bias = getBias()) {
    auto b = cast<ShapedType>(bias.getType());
    if (b.getRank() != 1 || b.getDimSize(0) != k)
      return emitOpError("bias must be [") << k << "]";
  }
  if (!sameSize(out.getDimSize(0), in.getDimSize(0)) || out.getDimSize(c) != k)
    return emitOpError(getChannelsLast() ? "init must be [N, P, Q, K]"
                                         : "init must be [N, K, P, Q]");
  StringRef autoPad = getAutoPad();
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  if (!same && autoPad != "NOTSET")
    return emitOpError("auto_pad must be NOTSET, SAME_UPPER or SAME_LOWER");
  if (same && llvm::any_of(getPads(), [](int64_t p) { return p != 0; }))
    return emitOpError("pads must be zeros with auto_pad ") << autoPad;
  for (int i = 0; i < 2; ++i) {
    int64_t begin = getPads()[i], end = getPads()[2 + i],
            stride = getStrides()[i], dilation = getDilations()[i];
    if (begin < 0 || end < 0 || stride < 1 || dilation < 1)
      return emitOpError("bad padding, stride or dilation");
    int64_t span = dilation * (f.getDimSize(2 + i) - 1) + 1;
    int64_t inSize = in.getDimSize(s + i);
    int64_t size = in.isDynamicDim(s + i) ? ShapedType::kDynamic
                   : same ? (inSize + stride - 1) / stride
                          : (inSize + begin + end - span) / stride + 1;
    if (!sameSize(out.getDimSize(s + i), size))
      return emitOpError("output dimension ")
             << s + i << " should be " << size;
  }
  if (getAlgorithm() != "direct" && getAlgorithm() != "winograd")
    return emitOpError("algorithm must be \"direct\" or \"winograd\"");
  if (Value zp = getInputZeroPoint()) {
    if (!isIntegerProduct(getInit()))
      return emitOpError("only an integer product takes a zero point");
    if (cast<ShapedType>(zp.getType()).getNumElements() != 1)
      return emitOpError("the input zero point must be one value");
  }
  bool requantized = out.getElementType().isInteger(8);
  if (isIntegerProduct(getInit()) && !requantized &&
      (getBias() || !getPostOps().empty() || getAlgorithm() != "direct" ||
       !getOutputScales().empty()))
    return emitOpError("an integer product has no bias, epilogue, scales or "
                       "algorithm but direct");
  if (requantized) {
    size_t scales = getOutputScales().size();
    if (scales != 1 && int64_t(scales) != k)
      return emitOpError("a requantized product needs one output scale or ")
             << k;
    if (getAlgorithm() != "direct" || !getPostOperands().empty() ||
        llvm::any_of(getPostOps(), [](Attribute a) {
          return cast<StringAttr>(a).getValue() != "relu";
        }))
      return emitOpError("a requantized product's epilogue is relu only");
    int64_t lo = getOutputSigned() ? -128 : 0, hi = getOutputSigned() ? 127 : 255;
    int64_t zp = int64_t(getOutputZeroPoint());
    if (zp < lo || zp > hi)
      return emitOpError("output zero point out of range");
  }
  // Winograd F(2x2, 3x3) as the runtime runs it: the filter transformed
  // once (so it must be constant), an epilogue of unary steps only (fused
  // in the blocked layout, where an addend would need reordering too).
  if (getAlgorithm() == "winograd") {
    bool unaryEpilogue = getPostOperands().empty();
    if (f.getDimSize(2) != 3 || f.getDimSize(3) != 3 || groups != 1 ||
        getStrides()[0] != 1 || getStrides()[1] != 1 ||
        getDilations()[0] != 1 || getDilations()[1] != 1 ||
        !getConstantWeights() || !unaryEpilogue)
      return emitOpError("winograd needs a constant 3x3 filter, stride and "
                         "dilation 1, one group and no binary epilogue step");
  }
  if (getWinogradMinPixels() < 0 ||
      (getWinogradMinPixels() != 0 && getAlgorithm() != "winograd"))
    return emitOpError("winograd_min_pixels must be 0 or more, and only "
                       "with algorithm \"winograd\"");
  return success();
}

LogicalResult MatmulOp::verify() {
  if (failed(verifyOperandKinds(*this, getInit(), {getLhs(), getRhs()})) ||
      failed(verifyEpilogue(*this, getPostOps(), getPostArgs(),
                            getPostOperands(), getInit())))
    return failure();
  auto a = cast<ShapedType>(getLhs().getType());
  auto b = cast<ShapedType>(getRhs().getType());
  auto c = cast<ShapedType>(getInit().getType());
  int64_t rank = c.getRank();
  if (rank < 2)
    return emitOpError("init must have rank 2 or more");
  for (ShapedType t : {a, b}) {
    if (t.getRank() != 2 && t.getRank() != rank)
      return emitOpError("operands must have rank 2 or init's rank");
    // Leading dimensions: init's, or 1 to broadcast (a library may take
    // only some of these forms; its backend checks).
    for (int64_t i = 0; t.getRank() == rank && i + 2 < rank; ++i)
      if (t.getDimSize(i) != 1 && !sameSize(t.getDimSize(i), c.getDimSize(i)))
        return emitOpError(
            "operands' leading dimensions must be init's or 1");
  }
  auto rows = [](ShapedType t, bool trans) {
    return t.getDimSize(t.getRank() - (trans ? 1 : 2));
  };
  auto cols = [](ShapedType t, bool trans) {
    return t.getDimSize(t.getRank() - (trans ? 2 : 1));
  };
  int64_t m = rows(a, getTransA()), k = cols(a, getTransA());
  int64_t kb = rows(b, getTransB()), n = cols(b, getTransB());
  if (!sameSize(k, kb))
    return emitOpError("contraction sizes differ: ") << k << " and " << kb;
  if (!sameSize(c.getDimSize(rank - 2), m) || !sameSize(c.getDimSize(rank - 1), n))
    return emitOpError("init must end in [") << m << ", " << n << "]";
  if (c.getElementType().isInteger(8))
    return emitOpError("a matrix product is not requantized (init i32)");
  if (isIntegerProduct(getInit()) &&
      (getTransA() || getTransB() || getAccumulate() ||
       getAlpha().convertToDouble() != 1.0 || !getPostOps().empty()))
    return emitOpError("an integer product has no transposes, accumulation, "
                       "scaling or epilogue");
  return success();
}

/// On memrefs: inputs are read, init written (and read when accumulating).
/// On tensors: no memory effects.
static void
libraryEffects(Operation *op, ValueRange inputs, OpOperand &init,
               bool readsInit,
               SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                   &effects) {
  for (OpOperand &operand : op->getOpOperands())
    if (isa<MemRefType>(operand.get().getType()) && &operand != &init)
      effects.emplace_back(MemoryEffects::Read::get(), &operand,
                           SideEffects::DefaultResource::get());
  if (!isa<MemRefType>(init.get().getType()))
    return;
  if (readsInit)
    effects.emplace_back(MemoryEffects::Read::get(), &init,
                         SideEffects::DefaultResource::get());
  effects.emplace_back(MemoryEffects::Write::get(), &init,
                       SideEffects::DefaultResource::get());
}

void Conv2dOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  libraryEffects(*this, getOperands(), getInitMutable(), false, effects);
}

void MatmulOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  libraryEffects(*this, getOperands(), getInitMutable(), getAccumulate(),
                 effects);
}

namespace {

/// One-shot bufferization: inputs are read, init is written (and read when
/// a matmul accumulates). The library wrappers take dense row-major buffers:
/// any other layout goes through a temporary and a copy.
template <typename OpTy>
struct LibraryCallBufferization
    : bufferization::DstBufferizableOpInterfaceExternalModel<
          LibraryCallBufferization<OpTy>, OpTy> {
  bool bufferizesToMemoryRead(Operation *op, OpOperand &operand,
                              const bufferization::AnalysisState &) const {
    auto dps = cast<DestinationStyleOpInterface>(op);
    return !dps.isDpsInit(&operand) || readsInit(op);
  }

  static bool readsInit(Operation *op) {
    if (auto mm = dyn_cast<MatmulOp>(op))
      return mm.getAccumulate();
    return false;
  }

  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const bufferization::BufferizationOptions &options,
                          bufferization::BufferizationState &state) const {
    auto dps = cast<DestinationStyleOpInterface>(op);
    Location loc = op->getLoc();
    rewriter.setInsertionPoint(op);
    SmallVector<Value> operands;
    Value initBuffer, target;
    for (OpOperand &operand : op->getOpOperands()) {
      FailureOr<Value> buffer =
          bufferization::getBuffer(rewriter, operand.get(), options, state);
      if (failed(buffer))
        return failure();
      Value b = *buffer;
      auto type = cast<MemRefType>(b.getType());
      bool isInit = dps.isDpsInit(&operand);
      if (!isDenseRowMajor(type)) {
        auto dense = MemRefType::get(type.getShape(), type.getElementType());
        SmallVector<Value> sizes;
        for (int64_t i = 0; i < type.getRank(); ++i)
          if (type.isDynamicDim(i))
            sizes.push_back(memref::DimOp::create(rewriter, loc, b, i));
        FailureOr<Value> tmp = options.createAlloc(rewriter, loc, dense, sizes);
        if (failed(tmp))
          return failure();
        if ((!isInit || readsInit(op)) &&
            failed(options.createMemCpy(rewriter, loc, b, *tmp)))
          return failure();
        if (isInit)
          initBuffer = b;
        b = *tmp;
      } else if (isInit) {
        initBuffer = b;
      }
      if (isInit)
        target = b;
      operands.push_back(b);
    }
    OperationState newState(loc, op->getName());
    newState.addOperands(operands);
    newState.propertiesAttr = op->getPropertiesAsAttribute();
    newState.addAttributes(llvm::to_vector(op->getDiscardableAttrs()));
    rewriter.create(newState);
    if (target != initBuffer &&
        failed(options.createMemCpy(rewriter, loc, target, initBuffer)))
      return failure();
    bufferization::replaceOpWithBufferizedValues(rewriter, op, initBuffer);
    return success();
  }
};

} // namespace

void registerBufferizationInterfaces(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *ctx, KilnLibDialect *) {
    Conv2dOp::attachInterface<LibraryCallBufferization<Conv2dOp>>(*ctx);
    MatmulOp::attachInterface<LibraryCallBufferization<MatmulOp>>(*ctx);
  });
}

} // namespace kiln::lib

#define GET_OP_CLASSES
#include "backends/library/IR/KilnLibOps.cpp.inc"
