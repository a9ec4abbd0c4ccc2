//===- EinsumEquation.cpp - parsing einsum equations ----------------------===//
#include "dialects/kiln/EinsumEquation.h"

#include <map>

using namespace llvm;

namespace kiln {

namespace {

/// Ellipsis dimensions get ids from this base, aligned to the right: the
/// last dimension covered by "..." is kEllipsisBase, the one before + 1...
constexpr int kEllipsisBase = 1000;

int letterId(char c) { return (unsigned char)c; }

/// Parses one term into labels; `ellipsisRank` is filled with how many
/// dimensions its "..." covers (given the operand's rank, -1 for output).
bool parseTerm(StringRef term, int64_t rank, SmallVector<int> &labels,
               int64_t &ellipsisDims, int64_t maxEllipsis, std::string &error) {
  size_t dots = term.find("...");
  int64_t letters = 0;
  for (char c : term)
    if (std::isalpha((unsigned char)c))
      ++letters;
    else if (c != '.')
      return (error = "invalid character '" + std::string(1, c) + "'"), false;
  if (dots == StringRef::npos) {
    if (term.count('.'))
      return (error = "malformed ellipsis"), false;
    ellipsisDims = 0;
  } else {
    if (term.count('.') != 3)
      return (error = "malformed ellipsis"), false;
    ellipsisDims = rank >= 0 ? rank - letters : maxEllipsis;
    if (ellipsisDims < 0)
      return (error = "term '" + term.str() + "' has more labels than the "
                                              "operand's rank"),
             false;
  }
  if (rank >= 0 && letters + ellipsisDims != rank)
    return (error = "term '" + term.str() + "' has " +
                    std::to_string(letters) + " labels for rank " +
                    std::to_string(rank)),
           false;
  for (size_t i = 0; i < term.size(); ++i) {
    if (term[i] == '.') {
      for (int64_t e = ellipsisDims - 1; e >= 0; --e)
        labels.push_back(kEllipsisBase + int(e));
      i += 2;
      continue;
    }
    labels.push_back(letterId(term[i]));
  }
  return true;
}

} // namespace

std::optional<EinsumEquation> EinsumEquation::parse(StringRef equation,
                                                    ArrayRef<int64_t> ranks,
                                                    std::string &error) {
  std::string compact;
  for (char c : equation)
    if (c != ' ')
      compact += c;
  StringRef eq(compact);
  auto arrow = eq.split("->");
  SmallVector<StringRef> terms;
  arrow.first.split(terms, ',');
  if (terms.size() != ranks.size()) {
    error = "the equation has " + std::to_string(terms.size()) +
            " inputs, the op " + std::to_string(ranks.size());
    return std::nullopt;
  }
  EinsumEquation result;
  int64_t maxEllipsis = 0;
  std::map<int, int> uses;
  for (auto [term, rank] : zip(terms, ranks)) {
    SmallVector<int> labels;
    int64_t e = 0;
    if (!parseTerm(term, rank, labels, e, 0, error))
      return std::nullopt;
    maxEllipsis = std::max(maxEllipsis, e);
    for (int l : labels) {
      if (!uses.count(l))
        result.labels.push_back(l);
      ++uses[l];
    }
    result.inputs.push_back(labels);
  }
  if (eq.contains("->")) {
    int64_t e = 0;
    if (!parseTerm(arrow.second, -1, result.output, e, maxEllipsis, error))
      return std::nullopt;
    for (int l : result.output)
      if (!uses.count(l)) {
        error = "output label not used by any input";
        return std::nullopt;
      }
  } else {
    for (int64_t e = maxEllipsis - 1; e >= 0; --e)
      result.output.push_back(kEllipsisBase + int(e));
    for (auto [l, n] : uses)
      if (n == 1 && l < kEllipsisBase)
        result.output.push_back(l);
  }
  return result;
}

} // namespace kiln
