//===- Recurrent.cpp - importers of RNN, GRU and LSTM ---------------------===//
//
// All three become kiln.recurrent: the batch-first layout (layout = 1) is
// transposed away, and activations get explicit names and parameters per
// slot and direction.
//
//===----------------------------------------------------------------------===//
#include "lib/frontend/onnx/ops/Builders.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace kiln::onnx_frontend {
namespace {

struct ActivationDefaults {
  bool usesAlpha, usesBeta;
  float alpha, beta;
};

ActivationDefaults defaultsOf(StringRef name) {
  std::string n = name.lower();
  if (n == "affine")
    return {true, true, 1.0f, 0.0f};
  if (n == "leakyrelu")
    return {true, false, 0.01f, 0.0f};
  if (n == "thresholdedrelu")
    return {true, false, 1.0f, 0.0f};
  if (n == "scaledtanh")
    return {true, true, 1.0f, 1.0f};
  if (n == "hardsigmoid")
    return {true, true, 0.2f, 0.5f};
  if (n == "elu")
    return {true, false, 1.0f, 0.0f};
  return {false, false, 0.0f, 0.0f};
}

bool knownActivation(StringRef name) {
  std::string n = name.lower();
  for (const char *k : {"relu", "tanh", "sigmoid", "affine", "leakyrelu",
                        "thresholdedrelu", "scaledtanh", "hardsigmoid", "elu",
                        "softsign", "softplus"})
    if (n == k)
      return true;
  return false;
}

FailureOr<Value> transpose(NodeImporter &n, Value v, ArrayRef<int64_t> perm) {
  return n.build<TransposeOp>({v}, {n.named("perm", n.i64Array(perm))});
}

LogicalResult importRecurrent(NodeImporter &n, StringRef cell) {
  Value x = n.input(0), w = n.input(1), r = n.input(2);
  if (!x || !w || !r)
    return failure();
  int64_t slots = cell == "lstm" ? 3 : cell == "gru" ? 2 : 1;
  std::string direction = n.stringAttr("direction", "forward");
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  auto rt = cast<RankedTensorType>(r.getType());
  int64_t hidden = n.intAttr("hidden_size", rt.getRank() == 3 ? rt.getDimSize(2) : -1);
  if (hidden <= 0)
    return n.error() << "hidden_size is required";
  bool batchFirst = n.intAttr("layout", 0) != 0;
  if (batchFirst) {
    auto xt = transpose(n, x, {1, 0, 2});
    if (failed(xt))
      return failure();
    x = *xt;
  }
  // Activations: names, then their alpha/beta consumed in order.
  SmallVector<std::string> names;
  if (const auto *a = n.attribute("activations")) {
    for (const std::string &s : a->strings())
      names.push_back(s);
  } else {
    SmallVector<std::string> one = cell == "lstm"  ? SmallVector<std::string>{"Sigmoid", "Tanh", "Tanh"}
                                   : cell == "gru" ? SmallVector<std::string>{"Sigmoid", "Tanh"}
                                                   : SmallVector<std::string>{"Tanh"};
    for (int64_t d = 0; d < dirs; ++d)
      names.append(one.begin(), one.end());
  }
  if (int64_t(names.size()) != slots * dirs)
    return n.error() << "expected " << slots * dirs << " activations, got "
                     << names.size();
  SmallVector<float> alphaIn = n.floatsAttr("activation_alpha").value_or(SmallVector<float>());
  SmallVector<float> betaIn = n.floatsAttr("activation_beta").value_or(SmallVector<float>());
  size_t ai = 0, bi = 0;
  OpBuilder &b = n.builder();
  SmallVector<Attribute> nameAttrs, alphas, betas;
  for (const std::string &name : names) {
    if (!knownActivation(name))
      return n.error() << "unknown activation '" << name << "'";
    ActivationDefaults d = defaultsOf(name);
    float alpha = d.alpha, beta = d.beta;
    if (d.usesAlpha && ai < alphaIn.size())
      alpha = alphaIn[ai++];
    if (d.usesBeta && bi < betaIn.size())
      beta = betaIn[bi++];
    nameAttrs.push_back(b.getStringAttr(name));
    alphas.push_back(b.getF32FloatAttr(alpha));
    betas.push_back(b.getF32FloatAttr(beta));
  }
  SmallVector<Value> operands = {x, w, r};
  SmallVector<int32_t> segments = {1, 1, 1};
  auto optional = [&](size_t i, bool transposeState) -> LogicalResult {
    if (!n.hasInput(i)) {
      segments.push_back(0);
      return success();
    }
    Value v = n.input(i);
    if (!v)
      return failure();
    if (transposeState && batchFirst) {
      auto t = transpose(n, v, {1, 0, 2});
      if (failed(t))
        return failure();
      v = *t;
    }
    operands.push_back(v);
    segments.push_back(1);
    return success();
  };
  if (failed(optional(3, false)) || failed(optional(4, false)) ||
      failed(optional(5, true)))
    return failure();
  if (cell == "lstm") {
    if (failed(optional(6, true)) || failed(optional(7, false)))
      return failure();
  } else {
    segments.push_back(0);
    segments.push_back(0);
  }
  SmallVector<NamedAttribute> attrs = {
      n.named("cell", b.getStringAttr(cell)),
      n.named("hidden_size", b.getI64IntegerAttr(hidden)),
      n.named("direction", b.getStringAttr(direction)),
      n.named("activations", b.getArrayAttr(nameAttrs)),
      n.named("activation_alpha", b.getArrayAttr(alphas)),
      n.named("activation_beta", b.getArrayAttr(betas)),
      n.named("input_forget", b.getBoolAttr(n.intAttr("input_forget", 0) != 0)),
      n.named("linear_before_reset",
              b.getBoolAttr(n.intAttr("linear_before_reset", 0) != 0)),
      n.named("operandSegmentSizes", b.getDenseI32ArrayAttr(segments))};
  if (n.hasAttribute("clip"))
    attrs.push_back(n.named("clip", b.getF32FloatAttr(n.floatAttr("clip", 0))));
  auto results = n.buildMulti<RecurrentOp>(operands, attrs, 3);
  if (failed(results))
    return failure();
  Value y = (*results)[0], yh = (*results)[1], yc = (*results)[2];
  if (batchFirst) {
    auto y2 = transpose(n, y, {2, 0, 1, 3});
    auto yh2 = transpose(n, yh, {1, 0, 2});
    auto yc2 = transpose(n, yc, {1, 0, 2});
    if (failed(y2) || failed(yh2) || failed(yc2))
      return failure();
    y = *y2;
    yh = *yh2;
    yc = *yc2;
  }
  n.setOutput(0, y);
  n.setOutput(1, yh);
  if (cell == "lstm")
    n.setOutput(2, yc);
  return success();
}

LogicalResult importRNN(NodeImporter &n) { return importRecurrent(n, "rnn"); }
LogicalResult importGRU(NodeImporter &n) { return importRecurrent(n, "gru"); }
LogicalResult importLSTM(NodeImporter &n) { return importRecurrent(n, "lstm"); }

const OpImporter kImporters[] = {
    {"RNN", importRNN},
    {"GRU", importGRU},
    {"LSTM", importLSTM},
};

} // namespace

ArrayRef<OpImporter> recurrentImporters() { return kImporters; }

} // namespace kiln::onnx_frontend
