//===- LibraryCallSizes.cpp - library calls' sizes known at run time ------===//
#include "backends/cpu/LibraryCallSizes.h"
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/WindowGeometry.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

namespace kiln::cpu {

Value productInit(OpBuilder &b, Location loc, Operation *op,
                  RankedTensorType out, Value lhs, Value rhs, bool transA,
                  bool transB) {
  int64_t rank = out.getRank();
  auto ta = cast<RankedTensorType>(lhs.getType());
  auto tb = cast<RankedTensorType>(rhs.getType());
  auto dim = [&](Value v, int64_t i) -> Value {
    return tensor::DimOp::create(b, loc, v, i);
  };
  // Batch dimensions broadcast as elementwise operands do (a 1 takes the
  // other side's size, 0 included; sizes that differ otherwise fail the
  // run naming `op`).
  SmallVector<OpFoldResult> batch;
  if (rank > 2) {
    SmallVector<SmallVector<OpFoldResult>> lists;
    for (auto [v, t] : {std::pair(lhs, ta), std::pair(rhs, tb)})
      if (t.getRank() > 2)
        lists.push_back(SmallVector<OpFoldResult>(
            ArrayRef(tensor::getMixedSizes(b, loc, v)).drop_back(2)));
    batch = lowering::broadcastDimLists(b, loc, op, lists,
                                        out.getShape().drop_back(2));
  }
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < rank; ++i) {
    if (!out.isDynamicDim(i))
      continue;
    if (i == rank - 2)
      sizes.push_back(dim(lhs, ta.getRank() - (transA ? 1 : 2)));
    else if (i == rank - 1)
      sizes.push_back(dim(rhs, tb.getRank() - (transB ? 2 : 1)));
    else
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, batch[i]));
  }
  return tensor::EmptyOp::create(b, loc, out.getShape(), out.getElementType(),
                                 sizes);
}

Value convInit(OpBuilder &b, Location loc, RankedTensorType out, ConvOp conv,
               Value input) {
  SmallVector<Value> sizes;
  if (!out.hasStaticShape()) {
    auto weight = cast<RankedTensorType>(conv.getWeight().getType());
    int64_t s = conv.getChannelsLast() ? 1 : 2;
    SmallVector<OpFoldResult> inSizes;
    for (int64_t i = 0; i + 2 < out.getRank(); ++i)
      inSizes.push_back(tensor::getMixedSize(b, loc, input, s + i));
    lowering::WindowGeometry g = lowering::computeGeometry(
        b, loc, conv, inSizes, weight.getShape().drop_front(2),
        conv.getStrides(), conv.getDilations(), conv.getPads(),
        conv.getAutoPad(), /*ceilMode=*/false);
    for (int64_t i = 0; i < out.getRank(); ++i) {
      if (!out.isDynamicDim(i))
        continue;
      if (i == 0)
        sizes.push_back(tensor::DimOp::create(b, loc, input, 0));
      else
        sizes.push_back(
            getValueOrCreateConstantIndexOp(b, loc, g.outSizes[i - s]));
    }
  }
  return tensor::EmptyOp::create(b, loc, out.getShape(), out.getElementType(),
                                 sizes);
}

std::optional<std::pair<SmallVector<int64_t>, StringRef>>
libraryPadding(ConvOp conv) {
  StringRef autoPad = conv.getAutoPad();
  if (autoPad == "NOTSET")
    return std::pair(SmallVector<int64_t>(conv.getPads()), autoPad);
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER")
    return std::pair(SmallVector<int64_t>(conv.getPads().size(), 0), autoPad);
  return std::nullopt;
}

} // namespace kiln::cpu
