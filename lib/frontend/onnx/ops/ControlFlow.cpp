//===- ControlFlow.cpp - importers of If and Loop -------------------------===//
//
// Subgraphs become the regions of kiln.if and kiln.loop. A condition known
// at compile time needs no region: the chosen branch is imported in place.
// Types that differ between branches, or between a loop's iterations, are
// joined (the differing dimensions become dynamic); a differing rank or
// element type cannot be represented by a ranked tensor and is reported.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/GraphImporter.h"
#include "lib/frontend/onnx/TensorImport.h"
#include "lib/frontend/onnx/ops/Builders.h"
#include "dialects/kiln/ConstantUtils.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

/// The type both `a` and `b` have, with the dimensions they disagree on
/// dynamic; null when rank or element type differ.
RankedTensorType join(Type a, Type b) {
  auto ta = dyn_cast<RankedTensorType>(a);
  auto tb = dyn_cast<RankedTensorType>(b);
  if (!ta || !tb || ta.getRank() != tb.getRank() ||
      ta.getElementType() != tb.getElementType())
    return nullptr;
  SmallVector<int64_t> shape;
  for (auto [da, db] : llvm::zip(ta.getShape(), tb.getShape()))
    shape.push_back(da == db ? da : ShapedType::kDynamic);
  return ta.clone(shape);
}

/// `v` as a 0-d tensor (ONNX allows any one-element tensor for conditions
/// and trip counts).
FailureOr<Value> scalarOf(NodeImporter &n, Value v, StringRef what) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getRank() == 0)
    return v;
  if (!type.hasStaticShape() || type.getNumElements() != 1)
    return n.error() << what << " must hold one element, not " << type;
  auto shape = n.constantI64({});
  if (failed(shape))
    return failure();
  return n.build<ReshapeOp>({v, *shape});
}

/// Checks a value against the type a subgraph declares for its input.
LogicalResult checkDeclared(NodeImporter &n, StringRef subgraph,
                            const onnx::ValueInfoProto &info, Value given) {
  if (!info.type().has_tensor_type())
    return success();
  const auto &tt = info.type().tensor_type();
  auto type = cast<RankedTensorType>(given.getType());
  Type element = elementTypeFromOnnx(n.context(), tt.elem_type());
  if (tt.elem_type() != 0 && element != type.getElementType())
    return n.error() << subgraph << " input '" << info.name()
                     << "' is declared " << onnxTypeName(tt.elem_type())
                     << " but receives " << type;
  if (tt.has_shape() && tt.shape().dim_size() != type.getRank())
    return n.error() << subgraph << " input '" << info.name()
                     << "' is declared with rank " << tt.shape().dim_size()
                     << " but receives " << type;
  return success();
}

/// A detached one-block region whose block takes `argTypes`.
std::unique_ptr<Region> newRegion(NodeImporter &n, TypeRange argTypes) {
  auto region = std::make_unique<Region>();
  Block *block = new Block();
  region->push_back(block);
  for (Type t : argTypes)
    block->addArgument(t, n.loc());
  return region;
}

void discard(std::unique_ptr<Region> region) {
  region->dropAllReferences();
  region.reset();
}

LogicalResult importIf(NodeImporter &n) {
  const onnx::GraphProto *thenGraph = n.graphAttr("then_branch");
  const onnx::GraphProto *elseGraph = n.graphAttr("else_branch");
  Value condIn = n.input(0);
  if (!thenGraph || !elseGraph || !condIn)
    return failure();
  auto cond = scalarOf(n, condIn, "the condition");
  if (failed(cond))
    return failure();
  GraphImporter &graph = n.graph();
  if (thenGraph->output_size() != elseGraph->output_size())
    return n.error() << "the then branch has " << thenGraph->output_size()
                     << " outputs but the else branch has "
                     << elseGraph->output_size();
  if (int(n.numOutputs()) > thenGraph->output_size())
    return n.error() << "the node has " << n.numOutputs()
                     << " outputs but its branches " << thenGraph->output_size();

  // A condition known now: only the chosen branch is imported.
  if (auto known = getConstantIntValues(*cond)) {
    auto outs = graph.importSubgraph(known->front() ? *thenGraph : *elseGraph,
                                     {}, n.loc());
    if (failed(outs))
      return failure();
    for (auto [i, v] : llvm::enumerate(*outs))
      n.setOutput(i, v);
    return success();
  }

  OpBuilder &b = n.builder();
  SmallVector<std::unique_ptr<Region>> regions;
  SmallVector<SmallVector<AnyValue>> branchOuts;
  for (const onnx::GraphProto *g : {thenGraph, elseGraph}) {
    regions.push_back(newRegion(n, {}));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&regions.back()->front());
    auto outs = graph.importSubgraph(*g, {}, n.loc());
    if (failed(outs))
      return failure();
    branchOuts.push_back(*outs);
  }
  // Sequences and optionals cross the region as their tensors, so both
  // branches must give them the same structure.
  SmallVector<SmallVector<Value>> yielded(2);
  for (size_t i = 0; i < branchOuts[0].size(); ++i) {
    const AnyValue &t = branchOuts[0][i], &e = branchOuts[1][i];
    if (t.tensor && e.tensor) {
      yielded[0].push_back(t.tensor);
      yielded[1].push_back(e.tensor);
      continue;
    }
    auto describe = [](const AnyValue &v) {
      return v.tensor ? std::string("a tensor") : v.composite->describe();
    };
    if (!t.composite || !e.composite ||
        !t.composite->sameStructure(*e.composite))
      return n.error() << "output " << i << " is " << describe(t)
                       << " in the then branch but " << describe(e)
                       << " in the else branch; Kiln needs the same structure "
                          "in both (it is fixed at compile time)";
    t.composite->flatten(yielded[0]);
    e.composite->flatten(yielded[1]);
  }
  SmallVector<Type> types;
  for (size_t i = 0; i < yielded[0].size(); ++i) {
    Type t = yielded[0][i].getType(), e = yielded[1][i].getType();
    RankedTensorType joined = join(t, e);
    if (!joined)
      return n.error() << "output " << i << " is " << t
                       << " in the then branch but " << e
                       << " in the else branch; Kiln needs the same rank and "
                          "element type in both";
    types.push_back(joined);
  }
  for (auto [region, values] : llvm::zip(regions, yielded)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&region->front());
    YieldOp::create(b, n.loc(), values);
  }
  OperationState state(n.loc(), IfOp::getOperationName());
  state.addOperands(*cond);
  state.addTypes(types);
  for (auto &r : regions)
    state.addRegion(std::move(r));
  Operation *op = b.create(state);
  if (failed(verify(op))) {
    op->erase();
    return failure();
  }
  SmallVector<Value> resultValues(op->getResults());
  ArrayRef<Value> rest = resultValues;
  for (auto [i, t] : llvm::enumerate(branchOuts[0])) {
    if (t.tensor) {
      n.setOutput(i, rest.front());
      rest = rest.drop_front();
    } else {
      n.setOutput(i, AnyValue(t.composite->rebuild(rest)));
    }
  }
  return success();
}

/// A 0-d constant.
Value constantScalar(NodeImporter &n, Type element, int64_t v) {
  auto type = RankedTensorType::get({}, element);
  APInt value(element.getIntOrFloatBitWidth(), v,
              /*isSigned=*/!element.isInteger(1));
  return ConstantOp::create(n.builder(), n.loc(),
                            DenseElementsAttr::get(type, value));
}

/// A Loop that carries a sequence or optional runs at compile time: the
/// body is imported once per iteration, which needs the trip count and
/// every condition known then.
LogicalResult unrollLoop(NodeImporter &n, const onnx::GraphProto &body,
                         Value tripCount, Value cond, size_t scans,
                         ArrayRef<AnyValue> inits) {
  constexpr int64_t kMaxUnroll = 4096;
  std::optional<SmallVector<int64_t>> trip =
      tripCount ? getConstantIntValues(tripCount) : std::nullopt;
  std::optional<SmallVector<int64_t>> go =
      cond ? getConstantIntValues(cond) : SmallVector<int64_t>{1};
  if (!trip || !go)
    return n.error() << "carries a sequence or optional, which Kiln unrolls "
                        "at compile time; the trip count and the condition "
                        "must then be known at compile time";
  if (trip->front() > kMaxUnroll)
    return n.error() << "carries a sequence or optional over "
                     << trip->front() << " iterations; Kiln unrolls at most "
                     << kMaxUnroll;
  if (scans)
    return n.error() << "scan outputs of a loop that carries a sequence or "
                        "optional are not supported";
  MLIRContext *ctx = n.context();
  Type si64 = IntegerType::get(ctx, 64, IntegerType::Signed);
  Type i1 = IntegerType::get(ctx, 1);
  SmallVector<AnyValue> state(inits.begin(), inits.end());
  bool running = go->front() != 0;
  for (int64_t i = 0; i < trip->front() && running; ++i) {
    SmallVector<AnyValue> args = {constantScalar(n, si64, i),
                                  constantScalar(n, i1, 1)};
    args.append(state);
    auto outs = n.graph().importSubgraph(body, args, n.loc());
    if (failed(outs))
      return failure();
    auto next = (*outs)[0].tensor
                    ? getConstantIntValues((*outs)[0].tensor)
                    : std::nullopt;
    if (!next)
      return n.error() << "carries a sequence or optional, which Kiln unrolls "
                          "at compile time; the body's condition must then be "
                          "known at compile time";
    running = next->front() != 0;
    state.assign(outs->begin() + 1, outs->begin() + 1 + inits.size());
  }
  for (auto [i, v] : llvm::enumerate(state))
    n.setOutput(i, v);
  return success();
}

LogicalResult importLoop(NodeImporter &n) {
  const onnx::GraphProto *body = n.graphAttr("body");
  if (!body)
    return failure();
  if (n.numInputs() < 2)
    return n.error() << "takes the trip count, the condition and the "
                        "loop-carried values (\"\" for an omitted one)";
  size_t carried = n.numInputs() - 2;
  if (body->input_size() != int(carried) + 2)
    return n.error() << "the body takes " << body->input_size()
                     << " inputs; expected the iteration number, the "
                        "condition and "
                     << carried << " loop-carried values";
  if (body->output_size() < int(carried) + 1)
    return n.error() << "the body has " << body->output_size()
                     << " outputs; expected the condition and " << carried
                     << " loop-carried values, then the scan outputs";
  size_t scans = body->output_size() - 1 - carried;
  Value tripCount, cond;
  if (n.hasInput(0)) {
    auto t = scalarOf(n, n.input(0), "the trip count");
    if (failed(t))
      return failure();
    tripCount = *t;
  }
  if (n.hasInput(1)) {
    auto c = scalarOf(n, n.input(1), "the condition");
    if (failed(c))
      return failure();
    cond = *c;
  }
  if (scans && !tripCount)
    return n.error() << "scan outputs without a trip count are not supported "
                        "(their storage is sized by it)";
  SmallVector<AnyValue> anyInits;
  for (size_t i = 0; i < carried; ++i) {
    anyInits.push_back(n.anyInput(2 + i));
    if (!anyInits.back())
      return failure();
  }
  if (llvm::any_of(anyInits, [](const AnyValue &v) { return v.composite; }))
    return unrollLoop(n, *body, tripCount, cond, scans, anyInits);
  SmallVector<Value> inits;
  for (size_t i = 0; i < carried; ++i) {
    Value v = anyInits[i].tensor;
    if (failed(checkDeclared(n, "the body's", body->input(int(i) + 2), v)))
      return failure();
    inits.push_back(v);
  }

  MLIRContext *ctx = n.context();
  Type iterType =
      RankedTensorType::get({}, IntegerType::get(ctx, 64, IntegerType::Signed));
  Type condType = RankedTensorType::get({}, IntegerType::get(ctx, 1));
  OpBuilder &b = n.builder();
  // The block argument types start as the initial values' and widen to the
  // join with what the body yields until they hold for every iteration.
  SmallVector<Type> argTypes;
  for (Value v : inits)
    argTypes.push_back(v.getType());
  OpBuilder::InsertionGuard guard(b);
  OpBuilder::InsertPoint nodePoint = b.saveInsertionPoint();
  while (true) {
    SmallVector<Type> blockTypes = {iterType, condType};
    blockTypes.append(argTypes);
    std::unique_ptr<Region> region = newRegion(n, blockTypes);
    Block &block = region->front();
    b.setInsertionPointToStart(&block);
    SmallVector<AnyValue> args(block.getArguments().begin(),
                               block.getArguments().end());
    auto anyOuts = n.graph().importSubgraph(*body, args, n.loc());
    if (failed(anyOuts))
      return failure();
    SmallVector<Value> tensors;
    for (const AnyValue &v : *anyOuts) {
      if (v.composite)
        return n.error() << "the body yields " << v.composite->describe()
                         << " where the loop carries a tensor";
      tensors.push_back(v.tensor);
    }
    auto *outs = &tensors;
    auto condOut = scalarOf(n, (*outs)[0], "the body's condition output");
    if (failed(condOut))
      return failure();
    if ((*condOut).getType() != condType)
      return n.error() << "the body's condition output is "
                       << (*condOut).getType() << ", not a bool";
    SmallVector<Type> widened;
    for (size_t i = 0; i < carried; ++i) {
      Type next = (*outs)[1 + i].getType();
      RankedTensorType joined = join(argTypes[i], next);
      if (!joined)
        return n.error() << "loop-carried value " << i << " is "
                         << argTypes[i] << " before an iteration and " << next
                         << " after it; Kiln needs the same rank and element "
                            "type";
      widened.push_back(joined);
    }
    if (widened != argTypes) {
      // Import the body again with the wider types (at most once per
      // dimension, so this ends).
      discard(std::move(region));
      argTypes = widened;
      continue;
    }
    SmallVector<Value> yields = {*condOut};
    yields.append(outs->begin() + 1, outs->end());
    YieldOp::create(b, n.loc(), yields);
    SmallVector<Type> resultTypes(argTypes);
    for (size_t k = 0; k < scans; ++k) {
      auto elem = cast<RankedTensorType>((*outs)[1 + carried + k].getType());
      SmallVector<int64_t> shape = {ShapedType::kDynamic};
      shape.append(elem.getShape().begin(), elem.getShape().end());
      resultTypes.push_back(elem.clone(shape));
    }
    OperationState state(n.loc(), LoopOp::getOperationName());
    if (tripCount)
      state.addOperands(tripCount);
    if (cond)
      state.addOperands(cond);
    state.addOperands(inits);
    state.addAttribute(LoopOp::getOperandSegmentSizeAttr(),
                       b.getDenseI32ArrayAttr({tripCount ? 1 : 0, cond ? 1 : 0,
                                               int32_t(inits.size())}));
    state.addTypes(resultTypes);
    state.addRegion(std::move(region));
    b.restoreInsertionPoint(nodePoint);
    Operation *op = b.create(state);
    if (failed(verify(op))) {
      op->erase();
      return failure();
    }
    for (auto [i, v] : llvm::enumerate(op->getResults()))
      n.setOutput(i, v);
    return success();
  }
}

const OpImporter kImporters[] = {
    {"If", importIf},
    {"Loop", importLoop},
};

} // namespace

ArrayRef<OpImporter> controlFlowImporters() { return kImporters; }

} // namespace kiln::onnx_frontend
