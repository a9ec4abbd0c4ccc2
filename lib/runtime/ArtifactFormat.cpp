//===- ArtifactFormat.cpp - artifact metadata text ------------------------===//
#include "lib/runtime/ArtifactFormat.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <sstream>

namespace kiln::runtime {

namespace {

std::string encodeName(const std::string &name) {
  std::string out;
  for (unsigned char c : name) {
    if (c <= ' ' || c == '%' || c >= 0x7f) {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out.empty() ? "%" : out; // "%" alone encodes the empty name
}

std::optional<std::string> decodeName(std::string_view s) {
  if (s == "%")
    return std::string();
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size())
      return std::nullopt;
    unsigned v = 0;
    auto r = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (r.ec != std::errc() || r.ptr != s.data() + i + 3)
      return std::nullopt;
    out += char(v);
    i += 2;
  }
  return out;
}

void writeTensor(std::ostringstream &os, const char *kind,
                 const TensorSpec &t) {
  os << kind << ' ' << encodeName(t.name) << ' ' << dtypeName(t.dtype) << ' '
     << t.shape.size();
  for (size_t i = 0; i < t.shape.size(); ++i) {
    if (t.shape[i] >= 0)
      os << ' ' << t.shape[i];
    else
      os << " ?" << (i < t.dimNames.size() ? encodeName(t.dimNames[i]) : "");
  }
}

std::vector<std::string_view> splitWords(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ')
      ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ')
      ++j;
    if (j > i)
      words.push_back(line.substr(i, j - i));
    i = j;
  }
  return words;
}

template <typename T> bool parseInt(std::string_view s, T &out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

/// Parses "<name> <dtype> <rank> <dims...>" starting at words[at]; returns
/// the index after it, or 0 on error.
size_t parseTensor(const std::vector<std::string_view> &words, size_t at,
                   TensorSpec &t) {
  if (words.size() < at + 3)
    return 0;
  auto name = decodeName(words[at]);
  auto dtype = parseDType(words[at + 1]);
  size_t rank = 0;
  if (!name || !dtype || !parseInt(words[at + 2], rank) ||
      rank > words.size() - at - 3)
    return 0;
  t.name = *name;
  t.dtype = *dtype;
  for (size_t i = 0; i < rank; ++i) {
    std::string_view d = words[at + 3 + i];
    if (!d.empty() && d[0] == '?') {
      auto sym = d.size() > 1 ? decodeName(d.substr(1)) : std::string();
      if (!sym)
        return 0;
      t.shape.push_back(-1);
      t.dimNames.push_back(*sym);
    } else {
      int64_t v = 0;
      if (!parseInt(d, v) || v < 0)
        return 0;
      t.shape.push_back(v);
      t.dimNames.push_back("");
    }
  }
  return at + 3 + rank;
}

} // namespace

std::string serializeMetadata(const ArtifactMetadata &m) {
  std::ostringstream os;
  os << "kiln-artifact " << kArtifactFormatVersion << "\n";
  os << "target " << m.target << "\n";
  if (m.paramsFile.empty())
    os << "params embedded " << m.paramsBytes << "\n";
  else
    os << "params external " << m.paramsBytes << ' '
       << encodeName(m.paramsFile) << "\n";
  if (m.arenaBytes)
    os << "arena " << *m.arenaBytes << "\n";
  for (const TensorSpec &t : m.inputs) {
    writeTensor(os, "input", t);
    os << (t.unread ? " unread\n" : "\n");
  }
  for (const TensorSpec &t : m.outputs) {
    writeTensor(os, "output", t);
    os << "\n";
  }
  for (const ParamSpec &p : m.params) {
    writeTensor(os, "param", p.tensor);
    os << ' ' << p.offset << ' ' << p.bytes << "\n";
  }
  return os.str();
}

Expected<ArtifactMetadata> parseMetadata(std::string_view text) {
  ArtifactMetadata m;
  bool sawHeader = false;
  size_t lineNo = 0;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view()
                                         : text.substr(eol + 1);
    ++lineNo;
    std::vector<std::string_view> w = splitWords(line);
    if (w.empty())
      continue;
    auto bad = [&](const char *why) {
      return Status::error("artifact metadata line " + std::to_string(lineNo) +
                           ": " + why);
    };
    if (!sawHeader) {
      int version = 0;
      if (w.size() != 2 || w[0] != "kiln-artifact" || !parseInt(w[1], version))
        return Status::error("not a Kiln artifact (bad metadata header)");
      if (version != kArtifactFormatVersion)
        return Status::error("artifact format version " +
                             std::to_string(version) + ", this runtime reads " +
                             std::to_string(kArtifactFormatVersion));
      sawHeader = true;
      continue;
    }
    if (w[0] == "target" && w.size() == 2) {
      m.target = std::string(w[1]);
    } else if (w[0] == "params" && w.size() >= 3) {
      if (!parseInt(w[2], m.paramsBytes))
        return bad("bad parameter size");
      if (w[1] == "external") {
        auto file = w.size() == 4 ? decodeName(w[3]) : std::nullopt;
        if (!file)
          return bad("bad parameter file");
        m.paramsFile = *file;
      } else if (w[1] != "embedded") {
        return bad("bad params line");
      }
    } else if (w[0] == "arena" && w.size() == 2) {
      uint64_t bytes = 0;
      if (!parseInt(w[1], bytes))
        return bad("bad arena size");
      m.arenaBytes = bytes;
    } else if (w[0] == "input" || w[0] == "output") {
      TensorSpec t;
      t.unread = w[0] == "input" && w.back() == "unread";
      if (parseTensor(w, 1, t) != w.size() - (t.unread ? 1 : 0))
        return bad("bad tensor description");
      (w[0] == "input" ? m.inputs : m.outputs).push_back(std::move(t));
    } else if (w[0] == "param") {
      ParamSpec p;
      size_t next = parseTensor(w, 1, p.tensor);
      if (next == 0 || next + 2 != w.size() || !parseInt(w[next], p.offset) ||
          !parseInt(w[next + 1], p.bytes))
        return bad("bad parameter description");
      m.params.push_back(std::move(p));
    } else {
      return bad("unknown entry");
    }
  }
  if (!sawHeader)
    return Status::error("not a Kiln artifact (empty metadata)");
  // Each parameter lies inside the weights and has its shape's size, so
  // that a damaged artifact fails here rather than reading out of bounds.
  for (const ParamSpec &p : m.params) {
    std::optional<uint64_t> bytes =
        checkedByteSize(p.tensor.dtype, p.tensor.shape);
    if (!bytes)
      return Status::error("artifact metadata: parameter '" + p.tensor.name +
                           "' has a bad shape");
    if (p.bytes < *bytes || p.offset > m.paramsBytes ||
        p.bytes > m.paramsBytes - p.offset)
      return Status::error("artifact metadata: parameter '" + p.tensor.name +
                           "' does not lie inside the weights");
  }
  return m;
}

} // namespace kiln::runtime
