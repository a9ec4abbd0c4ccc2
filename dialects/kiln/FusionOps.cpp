//===- FusionOps.cpp - kiln.fused: syntax and invariants ------------------===//
#include "dialects/kiln/KilnDialect.h"

#include "mlir/IR/OpImplementation.h"

using namespace mlir;

namespace kiln {

// kiln.fused (%a, %b) {kernel = 0 : i64, anchor = "conv"} : (T0, T1) -> (R0) {
// ^bb0(%x: T0, %y: T1): ... kiln.yield %r : R0 }
ParseResult FusedOp::parse(OpAsmParser &parser, OperationState &result) {
  SmallVector<OpAsmParser::UnresolvedOperand> inputs;
  FunctionType type;
  if (parser.parseOperandList(inputs, OpAsmParser::Delimiter::Paren) ||
      parser.parseOptionalAttrDict(result.attributes) || parser.parseColon() ||
      parser.parseType(type) ||
      parser.resolveOperands(inputs, type.getInputs(), parser.getCurrentLocation(),
                             result.operands))
    return failure();
  result.addTypes(type.getResults());
  Region *body = result.addRegion();
  if (parser.parseRegion(*body, /*arguments=*/{}))
    return failure();
  FusedOp::ensureTerminator(*body, parser.getBuilder(), result.location);
  return success();
}

void FusedOp::print(OpAsmPrinter &p) {
  p << " (" << getInputs() << ")";
  p.printOptionalAttrDict((*this)->getAttrs());
  p << " : ";
  p.printFunctionalType(getInputs().getTypes(), getResultTypes());
  p << " ";
  p.printRegion(getBody(), /*printEntryBlockArgs=*/true);
}

LogicalResult FusedOp::verify() {
  Block &block = getBody().front();
  if (block.getNumArguments() != getInputs().size())
    return emitOpError() << "has " << getInputs().size() << " inputs but "
                         << block.getNumArguments() << " block arguments";
  for (auto [in, arg] : llvm::zip(getInputs(), block.getArguments()))
    if (in.getType() != arg.getType())
      return emitOpError() << "block argument type " << arg.getType()
                           << " differs from input type " << in.getType();
  auto yield = cast<YieldOp>(block.getTerminator());
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError() << "yields " << yield.getValues().getTypes()
                         << " but declares results " << getResultTypes();
  return success();
}

} // namespace kiln
