//===- Status.h - success or an error message --------------------*- C++ -*-===//
//
// Part of Kiln's public API. Errors carry one human-readable message that
// names what failed (file, node, input) and why.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_STATUS_H
#define KILN_STATUS_H

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace kiln {

class Status {
public:
  static Status ok() { return Status(); }
  static Status error(std::string message) {
    Status s;
    s.message_ = std::move(message);
    s.failed_ = true;
    return s;
  }
  bool isOk() const { return !failed_; }
  explicit operator bool() const { return isOk(); }
  const std::string &message() const { return message_; }

private:
  bool failed_ = false;
  std::string message_;
};

/// A value or the Status saying why there is none.
template <typename T> class Expected {
public:
  Expected(T value) : value_(std::move(value)) {}
  Expected(Status error) : value_(std::move(error)) {}
  bool hasValue() const { return std::holds_alternative<T>(value_); }
  explicit operator bool() const { return hasValue(); }
  T &operator*() { return std::get<T>(value_); }
  const T &operator*() const { return std::get<T>(value_); }
  T *operator->() { return &std::get<T>(value_); }
  const T *operator->() const { return &std::get<T>(value_); }
  /// The error; only valid when there is no value.
  const Status &status() const { return std::get<Status>(value_); }
  T take() { return std::move(std::get<T>(value_)); }

private:
  std::variant<T, Status> value_;
};

} // namespace kiln

#endif // KILN_STATUS_H
