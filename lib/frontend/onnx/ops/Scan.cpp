//===- Scan.cpp - the importer of Scan, as a Loop ---------------------------===//
//
// A Scan is a Loop whose trip count is the scanned length and whose body
// first gathers the iteration's slice of every scan input. The importer
// writes that Loop as ONNX (a node with a body graph) and imports it, so
// Scan needs no region op of its own: it reuses Loop's, Gather's and
// Transpose's importers. Opset 8's Scan also has a leading batch dimension:
// each batch element is scanned on its own and the results are stacked.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/GraphImporter.h"
#include "lib/frontend/onnx/ops/Builders.h"
#include "lib/frontend/onnx/ops/NodeSynthesis.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

struct ScanPlan {
  std::vector<std::string> states, scans;      ///< outer names
  SmallVector<int64_t> inAxes, inDirs, outAxes, outDirs;
  std::vector<std::string> outputs;            ///< "" where not wanted
};

/// The Scan of opset 9 on: binds `plan.outputs`.
LogicalResult scan(NodeImporter &n, const onnx::GraphProto &body,
                   const ScanPlan &plan) {
  GraphImporter &g = n.graph();
  size_t numStates = plan.states.size(), numScans = plan.scans.size();
  if (body.input_size() != int(numStates + numScans))
    return n.error() << "the body takes " << body.input_size()
                     << " inputs; expected " << numStates << " states and "
                     << numScans << " scan inputs";
  if (body.output_size() < int(numStates))
    return n.error() << "the body has " << body.output_size()
                     << " outputs; expected at least the " << numStates
                     << " states";
  if (numScans == 0)
    return n.error() << "needs at least one scan input";
  size_t numOut = body.output_size() - numStates;
  auto rankOf = [&](const std::string &name) {
    return cast<RankedTensorType>(g.lookup(name).getType()).getRank();
  };
  auto normalise = [&](int64_t axis, int64_t rank) {
    return axis < 0 ? axis + rank : axis;
  };
  // The trip count: the first scan input's length along its axis.
  const std::string &first = plan.scans[0];
  auto firstType = cast<RankedTensorType>(g.lookup(first).getType());
  int64_t axis0 = normalise(plan.inAxes[0], firstType.getRank());
  if (axis0 < 0 || axis0 >= firstType.getRank())
    return n.error() << "scan input axis " << plan.inAxes[0]
                     << " is out of range for " << firstType;
  int64_t length = firstType.getDimSize(axis0);
  std::string trip;
  if (!ShapedType::isDynamic(length)) {
    trip = bindConstantI64(n, {length}, {});
  } else {
    std::string shape = g.freshName("scan_shape");
    trip = g.freshName("scan_trip");
    if (failed(emitNode(n, makeNode("Shape", {first}, {shape}))))
      return failure();
    onnx::NodeProto gather =
        makeNode("Gather", {shape, bindConstantI64(n, {axis0}, {})}, {trip});
    if (failed(emitNode(n, gather)))
      return failure();
  }

  // The Loop's body: iteration number, condition, states; it gathers each
  // scan input's slice under the name the Scan body gives it.
  onnx::GraphProto loopBody;
  loopBody.set_name(body.name());
  std::string iter = g.freshName("scan_iter"), cond = g.freshName("scan_cond");
  loopBody.add_input()->set_name(iter);
  loopBody.add_input()->set_name(cond);
  for (size_t i = 0; i < numStates; ++i)
    *loopBody.add_input() = body.input(int(i));
  std::string last;
  for (size_t j = 0; j < numScans; ++j) {
    int64_t rank = rankOf(plan.scans[j]);
    int64_t axis = normalise(plan.inAxes[j], rank);
    if (axis < 0 || axis >= rank)
      return n.error() << "scan input axis " << plan.inAxes[j]
                       << " is out of range for input " << j;
    std::string index = iter;
    if (plan.inDirs[j]) {
      // Reversed: index length - 1 - iteration.
      if (last.empty()) {
        last = g.freshName("scan_last");
        if (failed(emitNode(n, makeNode("Sub", {trip, bindConstantI64(n, {1}, {})},
                                    {last}))))
          return failure();
      }
      index = g.freshName("scan_index");
      *loopBody.add_node() = makeNode("Sub", {last, iter}, {index});
    }
    onnx::NodeProto gather = makeNode(
        "Gather", {plan.scans[j], index}, {body.input(int(numStates + j)).name()});
    setInt(gather, "axis", axis);
    *loopBody.add_node() = gather;
  }
  for (const onnx::NodeProto &node : body.node())
    *loopBody.add_node() = node;
  for (const onnx::TensorProto &t : body.initializer())
    *loopBody.add_initializer() = t;
  loopBody.add_output()->set_name(cond);
  for (const onnx::ValueInfoProto &out : body.output())
    *loopBody.add_output() = out;

  onnx::NodeProto loop;
  loop.set_op_type("Loop");
  loop.set_name(n.node().name());
  loop.add_input(trip);
  loop.add_input("");
  for (const std::string &s : plan.states)
    loop.add_input(s);
  for (size_t i = 0; i < numStates; ++i)
    loop.add_output(i < plan.outputs.size() ? plan.outputs[i] : "");
  std::vector<std::string> stacked;
  for (size_t k = 0; k < numOut; ++k) {
    stacked.push_back(g.freshName("scan_stacked"));
    loop.add_output(stacked.back());
  }
  auto *attr = loop.add_attribute();
  attr->set_name("body");
  attr->set_type(onnx::AttributeProto::GRAPH);
  *attr->mutable_g() = loopBody;
  if (failed(emitNode(n, loop)))
    return failure();

  // Scan outputs: reversed and moved to their axis where asked.
  for (size_t k = 0; k < numOut; ++k) {
    size_t at = numStates + k;
    if (at >= plan.outputs.size() || plan.outputs[at].empty())
      continue;
    std::string value = stacked[k];
    if (k < plan.outDirs.size() && plan.outDirs[k]) {
      if (ShapedType::isDynamic(length))
        return n.error() << "a reversed scan output needs the scanned length "
                            "at compile time; it is not supported here";
      SmallVector<int64_t> order;
      for (int64_t i = length - 1; i >= 0; --i)
        order.push_back(i);
      std::string reversed = g.freshName("scan_reversed");
      onnx::NodeProto gather = makeNode(
          "Gather", {value, bindConstantI64(n, order, {length})}, {reversed});
      if (failed(emitNode(n, gather)))
        return failure();
      value = reversed;
    }
    int64_t rank = rankOf(value);
    int64_t axis = k < plan.outAxes.size() ? normalise(plan.outAxes[k], rank) : 0;
    if (axis < 0 || axis >= rank)
      return n.error() << "scan output axis " << plan.outAxes[k]
                       << " is out of range for output " << k;
    if (axis != 0) {
      // Dimension 0 (the iterations) moves to `axis`.
      SmallVector<int64_t> perm;
      for (int64_t d = 1; d <= axis; ++d)
        perm.push_back(d);
      perm.push_back(0);
      for (int64_t d = axis + 1; d < rank; ++d)
        perm.push_back(d);
      std::string moved = g.freshName("scan_moved");
      onnx::NodeProto t = makeNode("Transpose", {value}, {moved});
      setInts(t, "perm", perm);
      if (failed(emitNode(n, t)))
        return failure();
      value = moved;
    }
    g.bind(plan.outputs[at], g.lookup(value));
  }
  return success();
}

SmallVector<int64_t> intsOr(NodeImporter &n, StringRef name, size_t count,
                            int64_t fallback) {
  auto v = n.intsAttr(name);
  return v ? *v : SmallVector<int64_t>(count, fallback);
}

LogicalResult importScan(NodeImporter &n) {
  const onnx::GraphProto *body = n.graphAttr("body");
  auto numScans = n.requiredInt("num_scan_inputs");
  if (!body || failed(numScans))
    return failure();
  bool batched = n.opset() < 9;
  size_t first = batched ? 1 : 0; // opset 8: sequence_lens comes first
  if (*numScans < 1 || size_t(*numScans) + first > n.numInputs())
    return n.error() << "num_scan_inputs " << *numScans << " does not fit "
                     << n.numInputs() << " inputs";
  size_t numStates = n.numInputs() - first - *numScans;
  size_t numOut = body->output_size() > int(numStates)
                      ? body->output_size() - numStates
                      : 0;
  ScanPlan plan;
  for (size_t i = first; i < n.numInputs(); ++i) {
    if (!n.input(i))
      return failure();
    (i < first + numStates ? plan.states : plan.scans)
        .push_back(n.node().input(int(i)));
  }
  for (size_t i = 0; i < n.numOutputs(); ++i)
    plan.outputs.push_back(n.node().output(int(i)));
  if (!batched) {
    plan.inAxes = intsOr(n, "scan_input_axes", *numScans, 0);
    plan.inDirs = intsOr(n, "scan_input_directions", *numScans, 0);
    plan.outAxes = intsOr(n, "scan_output_axes", numOut, 0);
    plan.outDirs = intsOr(n, "scan_output_directions", numOut, 0);
    if (plan.inAxes.size() != size_t(*numScans) ||
        plan.inDirs.size() != size_t(*numScans) ||
        plan.outAxes.size() != numOut || plan.outDirs.size() != numOut)
      return n.error() << "the axes and directions attributes need one entry "
                          "per scan input or output";
    return scan(n, *body, plan);
  }

  // Opset 8: dimension 0 is a batch, scanned per element.
  if (n.hasInput(0))
    return n.error() << "sequence_lens is not supported (every batch element "
                        "must scan the whole length)";
  plan.inAxes.assign(*numScans, 0);
  plan.inDirs = intsOr(n, "directions", *numScans, 0);
  plan.outAxes.assign(numOut, 0);
  plan.outDirs.assign(numOut, 0);
  if (plan.inDirs.size() != size_t(*numScans))
    return n.error() << "directions needs one entry per scan input";
  GraphImporter &g = n.graph();
  auto batchType = cast<RankedTensorType>(g.lookup(plan.scans[0]).getType());
  if (batchType.getRank() < 2 || batchType.isDynamicDim(0))
    return n.error() << "the batch size must be known at compile time (a "
                        "loop over the batch elements is not supported)";
  int64_t batch = batchType.getDimSize(0);
  std::vector<std::vector<std::string>> perBatch(plan.outputs.size());
  for (int64_t bIndex = 0; bIndex < batch; ++bIndex) {
    ScanPlan one = plan;
    std::string index = bindConstantI64(n, {bIndex}, {});
    for (auto *names : {&one.states, &one.scans})
      for (std::string &name : *names) {
        std::string slice = g.freshName("scan_batch");
        if (failed(emitNode(n, makeNode("Gather", {name, index}, {slice}))))
          return failure();
        name = slice;
      }
    for (std::string &out : one.outputs)
      if (!out.empty())
        out = g.freshName("scan_batch_out");
    if (failed(scan(n, *body, one)))
      return failure();
    for (size_t i = 0; i < one.outputs.size(); ++i) {
      if (one.outputs[i].empty())
        continue;
      std::string unsqueezed = g.freshName("scan_batch_out");
      onnx::NodeProto u = makeNode("Unsqueeze", {one.outputs[i]}, {unsqueezed});
      setInts(u, "axes", {0});
      if (failed(emitNode(n, u)))
        return failure();
      perBatch[i].push_back(unsqueezed);
    }
  }
  for (size_t i = 0; i < plan.outputs.size(); ++i) {
    if (plan.outputs[i].empty())
      continue;
    onnx::NodeProto concat;
    concat.set_op_type("Concat");
    for (const std::string &part : perBatch[i])
      concat.add_input(part);
    concat.add_output(plan.outputs[i]);
    setInt(concat, "axis", 0);
    if (failed(emitNode(n, concat)))
      return failure();
  }
  return success();
}

const OpImporter kImporters[] = {
    {"Scan", importScan},
};

} // namespace

ArrayRef<OpImporter> scanImporters() { return kImporters; }

} // namespace kiln::onnx_frontend
