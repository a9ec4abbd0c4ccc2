//===- Composite.h - ONNX sequences and optionals at import --------*- C++ -*-===//
//
// Kiln has no run-time sequence or optional type: the importer tracks them
// as compile-time lists of tensor values. A sequence is its elements; an
// optional is empty or holds one tensor or one sequence. The operators on
// them (SequenceInsert, SequenceAt, OptionalGetElement, ...) pick and
// rearrange those values, so what reaches the kiln dialect is tensors only.
// Everything that decides the structure (a length, a position, whether an
// optional holds a value) must therefore be known at compile time; at the
// model's boundary a sequence input or output is flattened into one tensor
// per element ("name[k]").
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_FRONTEND_ONNX_COMPOSITE_H
#define KILN_LIB_FRONTEND_ONNX_COMPOSITE_H

#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <memory>
#include <string>

namespace kiln::onnx_frontend {

struct CompositeValue;
using CompositeRef = std::shared_ptr<const CompositeValue>;

struct CompositeValue {
  enum class Kind { Sequence, Optional };
  Kind kind = Kind::Sequence;
  /// Sequence: its elements. Optional: none (empty) or the tensor it holds.
  llvm::SmallVector<mlir::Value> tensors;
  /// An optional holding a sequence: that sequence.
  CompositeRef sequence;

  bool isSequence() const { return kind == Kind::Sequence; }
  bool isOptional() const { return kind == Kind::Optional; }
  /// For an optional: whether it holds a value.
  bool hasElement() const { return !tensors.empty() || sequence; }

  static CompositeRef makeSequence(llvm::ArrayRef<mlir::Value> elements) {
    auto c = std::make_shared<CompositeValue>();
    c->tensors.assign(elements.begin(), elements.end());
    return c;
  }
  static CompositeRef makeOptional(mlir::Value tensor, CompositeRef sequence) {
    auto c = std::make_shared<CompositeValue>();
    c->kind = Kind::Optional;
    if (tensor)
      c->tensors.push_back(tensor);
    c->sequence = std::move(sequence);
    return c;
  }

  /// The tensors it is made of, in order (the flattened form).
  void flatten(llvm::SmallVectorImpl<mlir::Value> &out) const {
    out.append(tensors.begin(), tensors.end());
    if (sequence)
      sequence->flatten(out);
  }
  /// "a sequence of 3 tensors", "an empty optional", ...
  std::string describe() const {
    if (isSequence())
      return "a sequence of " + std::to_string(tensors.size()) + " tensors";
    if (!hasElement())
      return "an empty optional";
    return sequence ? "an optional holding " + sequence->describe()
                    : "an optional holding a tensor";
  }
  /// Whether `other` has the same structure (kind, lengths, presence).
  bool sameStructure(const CompositeValue &other) const {
    if (kind != other.kind || tensors.size() != other.tensors.size() ||
        bool(sequence) != bool(other.sequence))
      return false;
    return !sequence || sequence->sameStructure(*other.sequence);
  }
  /// The same structure with `values` (as many as flatten() gives).
  CompositeRef rebuild(llvm::ArrayRef<mlir::Value> &values) const {
    auto c = std::make_shared<CompositeValue>();
    c->kind = kind;
    c->tensors.assign(values.begin(), values.begin() + tensors.size());
    values = values.drop_front(tensors.size());
    if (sequence)
      c->sequence = sequence->rebuild(values);
    return c;
  }
};

/// A value of an ONNX graph: a tensor or a composite.
struct AnyValue {
  mlir::Value tensor;
  CompositeRef composite;
  AnyValue() = default;
  AnyValue(mlir::Value v) : tensor(v) {}
  AnyValue(CompositeRef c) : composite(std::move(c)) {}
  explicit operator bool() const { return tensor || composite; }
};

} // namespace kiln::onnx_frontend

#endif // KILN_LIB_FRONTEND_ONNX_COMPOSITE_H
