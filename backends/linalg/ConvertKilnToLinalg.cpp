//===- ConvertKilnToLinalg.cpp - the kiln -> linalg conversion pass -------===//
#include "backends/linalg/LoweringUtils.h"
#include "backends/linalg/Passes.h"
#include "backends/linalg/Patterns.h"
#include "backends/library/IR/KilnLibDialect.h"
#include "dialects/kiln/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

#include "llvm/ADT/StringSwitch.h"

namespace kiln {
#define GEN_PASS_DEF_CONVERTKILNTOLINALG
#include "backends/linalg/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// A kiln_lib op (made from kiln ops before this conversion) on the
/// converted, signless types: the same op with the same properties. Its
/// element types' signedness is the op's definition (KilnLibOps.td). So
/// too the tensor.empty that is its init and the tensor.dim ops that size
/// it from kiln-typed operands (an integer product's sizes known only at
/// run time).
struct ConvertLibraryOpTypes : ConversionPattern {
  ConvertLibraryOpTypes(const TypeConverter &converter, MLIRContext *ctx)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), 1, ctx) {}
  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<lib::KilnLibDialect>(op->getDialect()) &&
        !isa<tensor::EmptyOp, tensor::DimOp>(op))
      return failure();
    SmallVector<Type> types;
    if (failed(getTypeConverter()->convertTypes(op->getResultTypes(), types)))
      return failure();
    OperationState state(op->getLoc(), op->getName(), operands, types,
                         op->getDiscardableAttrDictionary().getValue());
    state.propertiesAttr = op->getPropertiesAsAttribute();
    rewriter.replaceOp(op, rewriter.create(state)->getResults());
    return success();
  }
};

struct ConvertKilnToLinalgPass
    : impl::ConvertKilnToLinalgBase<ConvertKilnToLinalgPass> {
  using ConvertKilnToLinalgBase::ConvertKilnToLinalgBase;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    std::optional<lowering::AxisAlgorithm> axisAlgorithm =
        llvm::StringSwitch<std::optional<lowering::AxisAlgorithm>>(alongAxis)
            .Case("serial", lowering::AxisAlgorithm::Serial)
            .Case("parallel", lowering::AxisAlgorithm::Parallel)
            .Default(std::nullopt);
    if (!axisAlgorithm) {
      getOperation().emitError()
          << "kiln-convert-to-linalg: unknown along-axis '" << alongAxis
          << "' (serial or parallel)";
      return signalPassFailure();
    }
    lowering::SignlessTypeConverter converter;
    RewritePatternSet patterns(ctx);
    lowering::populateElementwiseLowering(converter, patterns);
    lowering::populateContractionLowering(converter, patterns);
    lowering::populateWindowLowering(converter, patterns);
    lowering::populateConvTransposeLowering(converter, patterns);
    lowering::populateNormalizationLowering(converter, patterns);
    lowering::populateReductionLowering(converter, patterns);
    lowering::populateShapeLowering(converter, patterns);
    lowering::populateDataMovementLowering(converter, patterns);
    lowering::populateDynamicAxesLowering(converter, patterns);
    lowering::populateIndexingLowering(converter, patterns, *axisAlgorithm);
    lowering::populateResizeLowering(converter, patterns);
    lowering::populateRoiAlignLowering(converter, patterns);
    lowering::populateSignalLowering(converter, patterns, *axisAlgorithm);
    lowering::populateRecurrentLowering(converter, patterns);
    lowering::populateDataDependentLowering(converter, patterns);
    lowering::populateSortingLowering(converter, patterns, *axisAlgorithm);
    lowering::populateControlFlowLowering(converter, patterns);
    patterns.add<ConvertLibraryOpTypes>(converter, ctx);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);

    ConversionTarget target(*ctx);
    target.addIllegalDialect<KilnDialect>();
    target.addLegalDialect<arith::ArithDialect, cf::ControlFlowDialect,
                           linalg::LinalgDialect, math::MathDialect,
                           scf::SCFDialect, tensor::TensorDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp f) {
      return converter.isSignatureLegal(f.getFunctionType()) &&
             converter.isLegal(&f.getBody());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return converter.isLegal(op); });
    target.addDynamicallyLegalDialect<lib::KilnLibDialect>(
        [&](Operation *op) { return converter.isLegal(op); });
    target.addDynamicallyLegalOp<tensor::EmptyOp, tensor::DimOp>(
        [&](Operation *op) { return converter.isLegal(op); });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
