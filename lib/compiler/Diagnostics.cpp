//===- Diagnostics.cpp - collecting the compiler's messages ---------------===//
#include "lib/compiler/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln {

std::string DiagnosticCollector::describe(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    std::string inner = describe(name.getChildLoc());
    std::string n = name.getName().str();
    return inner.empty() ? n : inner + ": " + n;
  }
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    std::string s = file.getFilename().str();
    if (file.getLine() > 0)
      s += ":" + std::to_string(file.getLine()) + ":" +
           std::to_string(file.getColumn());
    return s;
  }
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location l : fused.getLocations()) {
      std::string s = describe(l);
      if (!s.empty())
        return s;
    }
    return "";
  }
  if (auto call = dyn_cast<CallSiteLoc>(loc))
    return describe(call.getCallee());
  return "";
}

static const char *severityName(DiagnosticSeverity s) {
  switch (s) {
  case DiagnosticSeverity::Error: return "error";
  case DiagnosticSeverity::Warning: return "warning";
  case DiagnosticSeverity::Note: return "note";
  case DiagnosticSeverity::Remark: return "remark";
  }
  return "error";
}

DiagnosticCollector::DiagnosticCollector(MLIRContext *context)
    : handler_(context, [this](Diagnostic &diag) {
        llvm::raw_string_ostream os(text_);
        auto emit = [&](Diagnostic &d, const char *indent) {
          std::string where = describe(d.getLocation());
          os << indent << severityName(d.getSeverity()) << ": ";
          if (!where.empty())
            os << where << ": ";
          os << d.str() << "\n";
        };
        emit(diag, "");
        for (Diagnostic &note : diag.getNotes())
          emit(note, "  ");
        if (diag.getSeverity() == DiagnosticSeverity::Error)
          ++errors_;
        return success();
      }) {}

} // namespace kiln
