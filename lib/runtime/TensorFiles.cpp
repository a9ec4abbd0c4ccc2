//===- TensorFiles.cpp - tensors in .npy and ONNX .pb files ---------------===//
#include "lib/runtime/TensorFiles.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

namespace kiln::runtime {

namespace {

Expected<std::string> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::error(path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

//===----------------------------------------------------------------------===//
// NPY
//===----------------------------------------------------------------------===//

struct NpyType {
  const char *descr;
  DType dtype;
};
constexpr NpyType kNpyTypes[] = {
    {"f4", DType::Float32}, {"f8", DType::Float64}, {"f2", DType::Float16},
    {"i1", DType::Int8},    {"u1", DType::UInt8},   {"i2", DType::Int16},
    {"u2", DType::UInt16},  {"i4", DType::Int32},   {"u4", DType::UInt32},
    {"i8", DType::Int64},   {"u8", DType::UInt64},  {"b1", DType::Bool},
};

/// The value of 'key' in the header dict, as raw text up to the next ','
/// at depth 0 or the closing brace.
std::string dictValue(const std::string &header, const std::string &key) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos)
    return "";
  size_t colon = header.find(':', k);
  if (colon == std::string::npos)
    return "";
  size_t i = colon + 1, depth = 0;
  std::string value;
  for (; i < header.size(); ++i) {
    char c = header[i];
    if (c == '(')
      ++depth;
    if (c == ')')
      --depth;
    if (depth == 0 && (c == ',' || c == '}'))
      break;
    value += c;
    if (c == ')' && depth == 0)
      break;
  }
  size_t a = value.find_first_not_of(" ");
  size_t b = value.find_last_not_of(" ");
  return a == std::string::npos ? "" : value.substr(a, b - a + 1);
}

} // namespace

Expected<Tensor> readNpy(const std::string &path) {
  auto bytes = readFile(path);
  if (!bytes)
    return bytes.status();
  const std::string &s = *bytes;
  auto bad = [&](const std::string &why) {
    return Status::error(path + ": not a valid .npy file: " + why);
  };
  if (s.size() < 10 || s.compare(0, 6, "\x93NUMPY") != 0)
    return bad("missing magic");
  int major = (unsigned char)s[6];
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = (unsigned char)s[8] | ((unsigned char)s[9] << 8);
    headerStart = 10;
  } else {
    if (s.size() < 12)
      return bad("truncated header");
    headerLen = (unsigned char)s[8] | ((unsigned char)s[9] << 8) |
                ((unsigned char)s[10] << 16) | (size_t((unsigned char)s[11]) << 24);
    headerStart = 12;
  }
  if (s.size() < headerStart + headerLen)
    return bad("truncated header");
  std::string header = s.substr(headerStart, headerLen);
  std::string descr = dictValue(header, "descr");
  std::string fortran = dictValue(header, "fortran_order");
  std::string shapeText = dictValue(header, "shape");
  if (descr.size() < 4 || shapeText.empty())
    return bad("header lacks descr or shape");
  descr = descr.substr(1, descr.size() - 2); // strip quotes
  if (descr[0] == '>' && descr.substr(1) != "i1" && descr.substr(1) != "u1" &&
      descr.substr(1) != "b1")
    return bad("big-endian data is not supported");
  std::string code = descr.substr(1);
  std::optional<DType> dtype;
  for (const NpyType &t : kNpyTypes)
    if (code == t.descr)
      dtype = t.dtype;
  if (!dtype)
    return bad("unsupported element type '" + descr + "'");
  std::vector<int64_t> shape;
  for (size_t i = 0; i < shapeText.size();) {
    if (std::isdigit((unsigned char)shapeText[i])) {
      size_t j = i;
      while (j < shapeText.size() && std::isdigit((unsigned char)shapeText[j]))
        ++j;
      shape.push_back(std::stoll(shapeText.substr(i, j - i)));
      i = j;
    } else {
      ++i;
    }
  }
  Expected<Tensor> allocated = Tensor::tryAllocate(*dtype, shape);
  if (!allocated)
    return bad(allocated.status().message());
  Tensor t = std::move(*allocated);
  size_t dataStart = headerStart + headerLen;
  if (s.size() - dataStart < t.byteSize())
    return bad("data is shorter than its shape says");
  if (fortran == "True" && t.rank() > 1) {
    // Reorder column-major data into C order.
    size_t elem = dtypeSize(*dtype);
    int64_t n = t.numElements();
    std::vector<int64_t> idx(shape.size(), 0);
    for (int64_t k = 0; k < n; ++k) {
      int64_t src = 0, stride = 1;
      for (size_t d = 0; d < shape.size(); ++d) {
        src += idx[d] * stride;
        stride *= shape[d];
      }
      std::memcpy(t.data<char>() + k * elem, s.data() + dataStart + src * elem,
                  elem);
      for (size_t d = shape.size(); d-- > 0;) {
        if (++idx[d] < shape[d])
          break;
        idx[d] = 0;
      }
    }
  } else if (t.byteSize()) {
    std::memcpy(t.data(), s.data() + dataStart, t.byteSize());
  }
  return t;
}

Status writeNpy(const std::string &path, const Tensor &tensor) {
  const char *code = nullptr;
  for (const NpyType &t : kNpyTypes)
    if (t.dtype == tensor.dtype())
      code = t.descr;
  std::string descr;
  if (code)
    descr = (dtypeSize(tensor.dtype()) == 1 ? "|" : "<") + std::string(code);
  else if (tensor.dtype() == DType::BFloat16)
    descr = "<u2"; // numpy has no bfloat16: its bit patterns as uint16
  else
    return Status::error(path + ": cannot write element type " +
                         std::string(dtypeName(tensor.dtype())));
  std::string shape = "(";
  for (size_t i = 0; i < tensor.shape().size(); ++i)
    shape += std::to_string(tensor.shape()[i]) + ", ";
  if (tensor.shape().size() > 1)
    shape.resize(shape.size() - 2);
  else if (tensor.shape().size() == 1)
    shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so that the data starts at a multiple of 64 bytes.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out)
    return Status::error(path + ": cannot write");
  out.write("\x93NUMPY\x01\x00", 8);
  uint16_t len = uint16_t(header.size());
  char lenBytes[2] = {char(len & 0xff), char(len >> 8)};
  out.write(lenBytes, 2);
  out << header;
  out.write(static_cast<const char *>(tensor.data()),
            std::streamsize(tensor.byteSize()));
  if (!out)
    return Status::error(path + ": write failed");
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// ONNX TensorProto (protobuf wire format)
//===----------------------------------------------------------------------===//

namespace {

class WireReader {
public:
  WireReader(const char *p, const char *end) : p_(p), end_(end) {}
  bool done() const { return p_ >= end_; }
  bool varint(uint64_t &v) {
    v = 0;
    for (int shift = 0; shift < 64 && p_ < end_; shift += 7) {
      uint8_t b = uint8_t(*p_++);
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80))
        return true;
    }
    return false;
  }
  bool bytes(std::string_view &out) {
    uint64_t n;
    if (!varint(n) || uint64_t(end_ - p_) < n)
      return false;
    out = std::string_view(p_, n);
    p_ += n;
    return true;
  }
  bool fixed(size_t n, const char *&out) {
    if (size_t(end_ - p_) < n)
      return false;
    out = p_;
    p_ += n;
    return true;
  }
  bool skip(int wireType) {
    uint64_t v;
    std::string_view s;
    const char *f;
    switch (wireType) {
    case 0:
      return varint(v);
    case 1:
      return fixed(8, f);
    case 2:
      return bytes(s);
    case 5:
      return fixed(4, f);
    default:
      return false;
    }
  }

private:
  const char *p_, *end_;
};

/// Appends a repeated varint field, packed or not.
bool readVarints(WireReader &r, int wireType, std::vector<uint64_t> &out) {
  if (wireType == 0) {
    uint64_t v;
    if (!r.varint(v))
      return false;
    out.push_back(v);
    return true;
  }
  std::string_view packed;
  if (wireType != 2 || !r.bytes(packed))
    return false;
  WireReader inner(packed.data(), packed.data() + packed.size());
  while (!inner.done()) {
    uint64_t v;
    if (!inner.varint(v))
      return false;
    out.push_back(v);
  }
  return true;
}

/// Appends a repeated fixed-width field (float or double), packed or not.
bool readFixed(WireReader &r, int wireType, size_t width, std::string &out) {
  if ((width == 4 && wireType == 5) || (width == 8 && wireType == 1)) {
    const char *f;
    if (!r.fixed(width, f))
      return false;
    out.append(f, width);
    return true;
  }
  std::string_view packed;
  if (wireType != 2 || !r.bytes(packed))
    return false;
  out.append(packed.data(), packed.size());
  return true;
}

} // namespace

Expected<Tensor> readTensorProto(const std::string &path, std::string *name) {
  auto bytes = readFile(path);
  if (!bytes)
    return bytes.status();
  auto bad = [&](const std::string &why) {
    return Status::error(path + ": not a valid ONNX TensorProto: " + why);
  };
  WireReader r(bytes->data(), bytes->data() + bytes->size());
  std::vector<uint64_t> dims, int32Data, int64Data, uint64Data;
  std::string floatData, doubleData;
  std::string_view raw;
  bool hasRaw = false;
  int64_t dataType = 0;
  int64_t location = 0;
  while (!r.done()) {
    uint64_t key;
    if (!r.varint(key))
      return bad("truncated");
    int field = int(key >> 3), wire = int(key & 7);
    bool ok = true;
    uint64_t v = 0;
    std::string_view s;
    switch (field) {
    case 1: ok = readVarints(r, wire, dims); break;
    case 2: ok = r.varint(v); dataType = int64_t(v); break;
    case 4: ok = readFixed(r, wire, 4, floatData); break;
    case 5: ok = readVarints(r, wire, int32Data); break;
    case 7: ok = readVarints(r, wire, int64Data); break;
    case 8:
      ok = r.bytes(s);
      if (ok && name)
        *name = std::string(s);
      break;
    case 9: ok = r.bytes(raw); hasRaw = true; break;
    case 10: ok = readFixed(r, wire, 8, doubleData); break;
    case 11: ok = readVarints(r, wire, uint64Data); break;
    case 14: ok = r.varint(v); location = int64_t(v); break;
    default: ok = r.skip(wire);
    }
    if (!ok)
      return bad("malformed field " + std::to_string(field));
  }
  if (location == 1)
    return bad("external data is not supported in tensor files");
  std::optional<DType> dtype = dtypeFromOnnx(int(dataType));
  if (!dtype)
    return bad("unsupported data type " + std::to_string(dataType));
  std::vector<int64_t> shape(dims.begin(), dims.end());
  Expected<Tensor> allocated = Tensor::tryAllocate(*dtype, shape);
  if (!allocated)
    return bad(allocated.status().message());
  Tensor t = std::move(*allocated);
  size_t n = size_t(t.numElements()), elem = dtypeSize(*dtype);
  char *out = t.data<char>();
  auto sizeMismatch = [&](size_t got) {
    return bad("holds " + std::to_string(got) + " values for shape of " +
               std::to_string(n) + " elements");
  };
  if (hasRaw) {
    if (raw.size() != n * elem)
      return sizeMismatch(raw.size() / std::max<size_t>(elem, 1));
    if (n)
      std::memcpy(out, raw.data(), raw.size());
    return t;
  }
  switch (*dtype) {
  case DType::Float32:
    if (floatData.size() != n * 4)
      return sizeMismatch(floatData.size() / 4);
    if (n)
      std::memcpy(out, floatData.data(), n * 4);
    break;
  case DType::Float64:
    if (doubleData.size() != n * 8)
      return sizeMismatch(doubleData.size() / 8);
    if (n)
      std::memcpy(out, doubleData.data(), n * 8);
    break;
  case DType::Int64:
    if (int64Data.size() != n)
      return sizeMismatch(int64Data.size());
    for (size_t i = 0; i < n; ++i)
      std::memcpy(out + 8 * i, &int64Data[i], 8);
    break;
  case DType::UInt32:
  case DType::UInt64:
    if (uint64Data.size() != n)
      return sizeMismatch(uint64Data.size());
    for (size_t i = 0; i < n; ++i)
      std::memcpy(out + elem * i, &uint64Data[i], elem);
    break;
  default:
    // int32_data carries int32, int16, int8, uint16, uint8, bool, and the
    // bits of float16 / bfloat16.
    if (int32Data.size() != n)
      return sizeMismatch(int32Data.size());
    for (size_t i = 0; i < n; ++i)
      std::memcpy(out + elem * i, &int32Data[i], elem);
  }
  return t;
}

Expected<Tensor> readTensorFile(const std::string &path) {
  if (endsWith(path, ".npy"))
    return readNpy(path);
  if (endsWith(path, ".pb"))
    return readTensorProto(path);
  return Status::error(path + ": unknown tensor file type (use .npy or .pb)");
}

} // namespace kiln::runtime
