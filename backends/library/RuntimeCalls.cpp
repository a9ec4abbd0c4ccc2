//===- RuntimeCalls.cpp - generated code calling the runtime through a table ===//
#include "backends/library/RuntimeCalls.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace kiln::lib {

Value dataPointer(OpBuilder &b, Location loc, Value memref) {
  auto type = cast<MemRefType>(memref.getType());
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, memref);
  unsigned bytes = type.getElementTypeBitWidth() / 8;
  Value offset = arith::MulIOp::create(
      b, loc, meta.getOffset(), arith::ConstantIndexOp::create(b, loc, bytes));
  Value address = arith::AddIOp::create(b, loc, base, offset);
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
  return LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()), i64);
}

Value constantI64Array(OpBuilder &b, ModuleOp module, Location loc,
                       ArrayRef<int64_t> values, StringRef prefix) {
  MLIRContext *ctx = b.getContext();
  auto type =
      LLVM::LLVMArrayType::get(IntegerType::get(ctx, 64), values.size());
  std::string name;
  for (unsigned n = 0;; ++n) {
    name = (prefix + std::to_string(n)).str();
    if (!module.lookupSymbol(name))
      break;
  }
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto attr = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(values.size())}, b.getI64Type()),
        values);
    LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                           LLVM::Linkage::Internal, name, attr, 8);
  }
  return LLVM::AddressOfOp::create(b, loc, LLVM::LLVMPointerType::get(ctx),
                                   name);
}

LLVM::LLVMFuncOp declareRuntimeFunction(ModuleOp module, StringRef name,
                                        LLVM::LLVMFunctionType type) {
  if (auto f = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return f;
  OpBuilder b(module.getBodyRegion());
  b.setInsertionPointToStart(module.getBody());
  return LLVM::LLVMFuncOp::create(b, module.getLoc(), name, type);
}

void defineSlotThunks(ModuleOp module, StringRef tableSymbol,
                      ArrayRef<const char *> slotNames) {
  MLIRContext *ctx = module.getContext();
  Location loc = module.getLoc();
  OpBuilder b(module.getBodyRegion());
  b.setInsertionPointToEnd(module.getBody());
  Type ptr = LLVM::LLVMPointerType::get(ctx);
  auto tableType = LLVM::LLVMArrayType::get(ptr, slotNames.size());
  // Several passes may call the runtime: one table, made by the first.
  if (!module.lookupSymbol<LLVM::GlobalOp>(tableSymbol)) {
    auto table = LLVM::GlobalOp::create(b, loc, tableType,
                                        /*isConstant=*/false,
                                        LLVM::Linkage::External, tableSymbol,
                                        Attribute());
    OpBuilder::InsertionGuard guard(b);
    b.createBlock(&table.getInitializerRegion());
    LLVM::ReturnOp::create(b, loc, LLVM::ZeroOp::create(b, loc, tableType));
  }
  for (size_t slot = 1; slot < slotNames.size(); ++slot) {
    auto f = module.lookupSymbol<LLVM::LLVMFuncOp>(slotNames[slot]);
    if (!f || !f.isExternal())
      continue;
    f.setLinkage(LLVM::Linkage::Internal);
    LLVM::LLVMFunctionType type = f.getFunctionType();
    Block *entry = f.addEntryBlock(b);
    OpBuilder fb = OpBuilder::atBlockBegin(entry);
    Value base = LLVM::AddressOfOp::create(fb, loc, ptr, tableSymbol);
    auto load = [&](int index) -> Value {
      Value at = LLVM::GEPOp::create(fb, loc, ptr, tableType, base,
                                     ArrayRef<LLVM::GEPArg>{0, index});
      return LLVM::LoadOp::create(fb, loc, ptr, at);
    };
    Value context = load(0);
    Value fn = load(slot);
    SmallVector<Type> params = {ptr};
    llvm::append_range(params, type.getParams());
    auto calleeType = LLVM::LLVMFunctionType::get(type.getReturnType(), params);
    SmallVector<Value> args = {fn, context};
    llvm::append_range(args, entry->getArguments());
    auto call = LLVM::CallOp::create(fb, loc, calleeType, args);
    if (isa<LLVM::LLVMVoidType>(type.getReturnType()))
      LLVM::ReturnOp::create(fb, loc, ValueRange{});
    else
      LLVM::ReturnOp::create(fb, loc, call.getResult());
  }
}

} // namespace kiln::lib
