// .npz reader (zip: stored or deflate, zip64 aware) and writer (stored zip), and .npy headers.
//
// [SECTION] .npy header (format versions 1-3)
// [SECTION] zip reading
// [SECTION] public API
#include "model/npz.h"

#include <cstring>
#include <map>

#include "core/error.h"
#include "core/io.h"
#include "data/compression.h"

namespace cnnlab {

namespace {

// ---- [SECTION] .npy header ----------------------------------------------------------------------
std::string npy_shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    s += std::to_string(shape[i]);
    s += shape.size() == 1 ? "," : (i + 1 < shape.size() ? ", " : "");
  }
  return s + ")";
}

// Version 1.0 header, padded with spaces so the data starts at a multiple of 64 bytes.
std::vector<uint8_t> npy_header(const std::vector<int64_t>& shape) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + npy_shape_text(shape) +
                     ", }";
  const size_t unpadded = 10 + dict.size() + 1;
  dict += std::string((64 - unpadded % 64) % 64, ' ') + "\n";
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  append_le(out, dict.size(), 2);
  out.insert(out.end(), dict.begin(), dict.end());
  return out;
}

// Value text after "'key':" in the header dict (up to the next top-level ',' or '}').
std::string dict_value(const std::string& dict, const std::string& key, const std::string& where) {
  size_t at = dict.find("'" + key + "'");
  if (at == std::string::npos) at = dict.find("\"" + key + "\"");
  require(at != std::string::npos, where, ".npy header has no '" + key + "'");
  at = dict.find(':', at);
  require(at != std::string::npos, where, ".npy header is malformed");
  ++at;
  while (at < dict.size() && dict[at] == ' ') ++at;
  size_t end = at;
  if (at < dict.size() && dict[at] == '(') {
    end = dict.find(')', at);
    require(end != std::string::npos, where, ".npy header shape is malformed");
    return dict.substr(at, end - at + 1);
  }
  while (end < dict.size() && dict[end] != ',' && dict[end] != '}') ++end;
  std::string v = dict.substr(at, end - at);
  while (!v.empty() && v.back() == ' ') v.pop_back();
  return v;
}

void parse_npy(NpzArray& a, const std::vector<uint8_t>& bytes, const std::string& where) {
  require(bytes.size() >= 10 && bytes[0] == 0x93 && std::memcmp(&bytes[1], "NUMPY", 5) == 0, where,
          "is not a .npy array (bad magic)");
  const int major = bytes[6];
  require(major >= 1 && major <= 3, where, "unsupported .npy version " + std::to_string(major));
  const size_t len_bytes = major == 1 ? 2 : 4;
  require(bytes.size() >= 8 + len_bytes, where, ".npy header is truncated");
  const size_t header_len = static_cast<size_t>(load_le(&bytes[8], static_cast<int>(len_bytes)));
  const size_t data_at = 8 + len_bytes + header_len;
  require(data_at <= bytes.size(), where, ".npy header is truncated");
  const std::string dict(bytes.begin() + static_cast<long>(8 + len_bytes),
                         bytes.begin() + static_cast<long>(data_at));
  std::string descr = dict_value(dict, "descr", where);
  require(descr.size() >= 2 && (descr.front() == '\'' || descr.front() == '"'), where,
          ".npy dtype is not a simple type: " + descr);
  a.descr = descr.substr(1, descr.size() - 2);
  const std::string fortran = dict_value(dict, "fortran_order", where);
  require(fortran == "True" || fortran == "False", where, ".npy fortran_order is malformed");
  a.fortran_order = fortran == "True";
  const std::string shape = dict_value(dict, "shape", where);
  require(shape.size() >= 2 && shape.front() == '(' && shape.back() == ')', where,
          ".npy shape is malformed: " + shape);
  a.shape.clear();
  uint64_t count = 1;
  std::string number;
  for (size_t i = 1; i < shape.size(); ++i) {
    const char c = shape[i];
    if (c >= '0' && c <= '9') {
      number += c;
      require(number.size() <= 12, where, ".npy shape is too large");
    } else if (c == ',' || c == ')') {
      if (!number.empty()) {
        a.shape.push_back(std::stoll(number));
        count *= static_cast<uint64_t>(a.shape.back());
        require(count <= (uint64_t(1) << 34), where, ".npy array is too large");
        number.clear();
      }
    } else {
      require(c == ' ' || c == 'L', where, ".npy shape is malformed: " + shape);
    }
  }
  // Item size from the dtype's trailing digits ("<f4" -> 4); only needed for the length check.
  size_t item = 0;
  for (size_t i = 0; i < a.descr.size(); ++i)
    if (a.descr[i] >= '0' && a.descr[i] <= '9') item = item * 10 + (a.descr[i] - '0');
  if (item > 0) {
    require(bytes.size() - data_at >= count * item, where,
            "array data is truncated (" + std::to_string(bytes.size() - data_at) + " bytes for " +
                std::to_string(count) + " values)");
  }
  a.data.assign(bytes.begin() + static_cast<long>(data_at), bytes.end());
}

// ---- [SECTION] zip reading ----------------------------------------------------------------------
constexpr uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50;

struct Entry {
  std::string name;
  uint16_t flags = 0, method = 0;
  uint32_t crc = 0;
  uint64_t compressed = 0, uncompressed = 0, local_offset = 0;
};

std::vector<Entry> central_directory(const uint8_t* d, size_t size, const std::string& where) {
  require(size >= 22, where, "truncated or not a zip file (" + std::to_string(size) + " bytes)");
  // End of central directory: the last "PK\5\6" within the final 64 KB + 22 bytes.
  size_t eocd = std::string::npos;
  const size_t lowest = size > 65535 + 22 ? size - 65535 - 22 : 0;
  for (size_t at = size - 22 + 1; at-- > lowest;)
    if (load_le(d + at, 4) == kEndSig) {
      eocd = at;
      break;
    }
  require(eocd != std::string::npos, where,
          "not a zip/.npz file or truncated (no end-of-directory record)");
  uint64_t entries = load_le(d + eocd + 10, 2);
  uint64_t cd_size = load_le(d + eocd + 12, 4);
  uint64_t cd_offset = load_le(d + eocd + 16, 4);
  if ((entries == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF) && eocd >= 20 &&
      load_le(d + eocd - 20, 4) == kZip64LocatorSig) {
    const uint64_t z64 = load_le(d + eocd - 20 + 8, 8);
    require(z64 + 56 <= size && load_le(d + z64, 4) == kZip64EndSig, where,
            "corrupt zip64 end-of-directory record");
    entries = load_le(d + z64 + 32, 8);
    cd_size = load_le(d + z64 + 40, 8);
    cd_offset = load_le(d + z64 + 48, 8);
  }
  require(cd_offset <= size && cd_size <= size - cd_offset, where,
          "truncated zip (central directory beyond the end of the file)");
  require(entries <= 100000, where, "corrupt zip (too many entries)");
  std::vector<Entry> out;
  size_t at = static_cast<size_t>(cd_offset);
  const size_t cd_end = static_cast<size_t>(cd_offset + cd_size);
  for (uint64_t i = 0; i < entries; ++i) {
    require(at + 46 <= cd_end && load_le(d + at, 4) == kCentralSig, where,
            "corrupt zip central directory");
    Entry e;
    e.flags = static_cast<uint16_t>(load_le(d + at + 8, 2));
    e.method = static_cast<uint16_t>(load_le(d + at + 10, 2));
    e.crc = static_cast<uint32_t>(load_le(d + at + 16, 4));
    e.compressed = load_le(d + at + 20, 4);
    e.uncompressed = load_le(d + at + 24, 4);
    const size_t name_len = load_le(d + at + 28, 2), extra_len = load_le(d + at + 30, 2),
                 comment_len = load_le(d + at + 32, 2);
    e.local_offset = load_le(d + at + 42, 4);
    require(at + 46 + name_len + extra_len + comment_len <= cd_end, where,
            "corrupt zip central directory");
    e.name.assign(reinterpret_cast<const char*>(d + at + 46), name_len);
    // zip64 extra field (id 1): the 8-byte values of whichever fields are 0xFFFFFFFF, in order.
    size_t x = at + 46 + name_len;
    const size_t x_end = x + extra_len;
    while (x + 4 <= x_end) {
      const uint64_t id = load_le(d + x, 2), len = load_le(d + x + 2, 2);
      require(x + 4 + len <= x_end, where, "corrupt zip extra field in " + e.name);
      if (id == 1) {
        size_t p = x + 4;
        auto take = [&](uint64_t& field) {
          if (field != 0xFFFFFFFF) return;
          require(p + 8 <= x + 4 + len, where, "corrupt zip64 extra field in " + e.name);
          field = load_le(d + p, 8);
          p += 8;
        };
        take(e.uncompressed);
        take(e.compressed);
        take(e.local_offset);
      }
      x += 4 + len;
    }
    out.push_back(e);
    at += 46 + name_len + extra_len + comment_len;
  }
  return out;
}

std::vector<uint8_t> entry_bytes(const uint8_t* d, size_t size, const Entry& e,
                                 const std::string& where) {
  const std::string at = where + " " + e.name;
  require(!(e.flags & 1), at, "is encrypted");
  require(e.local_offset + 30 <= size && load_le(d + e.local_offset, 4) == kLocalSig, at,
          "truncated or corrupt zip (bad local header)");
  const size_t lo = static_cast<size_t>(e.local_offset);
  const size_t data_at = lo + 30 + load_le(d + lo + 26, 2) + load_le(d + lo + 28, 2);
  require(data_at <= size && e.compressed <= size - data_at, at, "truncated zip entry");
  require(e.uncompressed <= (uint64_t(1) << 31) - 1, at, "entry is too large");
  std::vector<uint8_t> out;
  if (e.method == 0) {
    require(e.compressed == e.uncompressed, at, "corrupt stored entry sizes");
    out.assign(d + data_at, d + data_at + e.compressed);
  } else if (e.method == 8) {
    // DEFLATE cannot expand more than ~1032:1; a larger claimed size is corruption (and must not
    // make us allocate gigabytes).
    require(e.uncompressed <= e.compressed * 1032 + 1024, at,
            "corrupt zip entry sizes (" + std::to_string(e.compressed) + " bytes cannot inflate to " +
                std::to_string(e.uncompressed) + ")");
    out = inflate_raw(d + data_at, static_cast<size_t>(e.compressed),
                      static_cast<size_t>(e.uncompressed), at);
  } else {
    throw Error(at, "unsupported zip compression method " + std::to_string(e.method) +
                        " (only stored and deflate, as numpy writes)");
  }
  require(crc32(out.data(), out.size()) == e.crc, at, "CRC mismatch: the zip entry is corrupt");
  return out;
}

// ---- zip writing ---------------------------------------------------------------------------------
void write_stored_zip(std::vector<uint8_t>& out,
                      const std::vector<std::pair<std::string, std::vector<uint8_t>>>& files) {
  std::vector<uint8_t> central;
  for (const auto& file : files) {
    const std::string& name = file.first;  // (a plain reference: lambdas may not capture
    const std::vector<uint8_t>& bytes = file.second;  // structured bindings in C++17)
    const uint32_t crc = crc32(bytes.data(), bytes.size());
    const uint64_t offset = out.size();
    auto common = [&](std::vector<uint8_t>& v) {
      append_le(v, 20, 2);      // version needed 2.0
      append_le(v, 0, 2);       // flags
      append_le(v, 0, 2);       // stored
      append_le(v, 0, 2);       // time 00:00
      append_le(v, 0x21, 2);    // date 1980-01-01
      append_le(v, crc, 4);
      append_le(v, bytes.size(), 4);
      append_le(v, bytes.size(), 4);
      append_le(v, name.size(), 2);
      append_le(v, 0, 2);       // extra length
    };
    append_le(out, kLocalSig, 4);
    common(out);
    out.insert(out.end(), name.begin(), name.end());
    out.insert(out.end(), bytes.begin(), bytes.end());

    append_le(central, kCentralSig, 4);
    append_le(central, 20, 2);  // version made by
    common(central);
    append_le(central, 0, 2);   // comment length
    append_le(central, 0, 2);   // disk
    append_le(central, 0, 2);   // internal attributes
    append_le(central, 0, 4);   // external attributes
    append_le(central, offset, 4);
    central.insert(central.end(), name.begin(), name.end());
  }
  const uint64_t cd_offset = out.size();
  out.insert(out.end(), central.begin(), central.end());
  append_le(out, kEndSig, 4);
  append_le(out, 0, 2);
  append_le(out, 0, 2);
  append_le(out, files.size(), 2);
  append_le(out, files.size(), 2);
  append_le(out, central.size(), 4);
  append_le(out, cd_offset, 4);
  append_le(out, 0, 2);
}

}  // namespace

// ---- [SECTION] public API -----------------------------------------------------------------------
std::vector<NpzArray> read_npz(const uint8_t* data, size_t size, const std::string& where) {
  std::vector<NpzArray> arrays;
  for (const Entry& e : central_directory(data, size, where)) {
    if (!e.name.empty() && e.name.back() == '/') continue;  // directory entry
    NpzArray a;
    a.name = e.name;
    if (a.name.size() > 4 && a.name.compare(a.name.size() - 4, 4, ".npy") == 0)
      a.name.resize(a.name.size() - 4);
    parse_npy(a, entry_bytes(data, size, e, where), where + " array " + a.name);
    arrays.push_back(std::move(a));
  }
  return arrays;
}

std::vector<uint8_t> npz_bytes(const Model& model) {
  std::vector<std::pair<std::string, std::vector<uint8_t>>> files;
  for (const Param* p : model.params()) {
    std::vector<int64_t> shape;
    for (int i = 0; i < p->value.shape().rank; ++i) shape.push_back(p->value.shape()[i]);
    std::vector<uint8_t> bytes = npy_header(shape);
    const size_t at = bytes.size();
    bytes.resize(at + p->value.size() * 4);
    for (size_t i = 0; i < p->value.size(); ++i) {
      uint32_t bits;
      const float value = p->value[i];
      std::memcpy(&bits, &value, 4);
      for (int b = 0; b < 4; ++b) bytes[at + i * 4 + b] = static_cast<uint8_t>(bits >> (8 * b));
    }
    files.emplace_back(p->name + ".npy", std::move(bytes));
  }
  std::vector<uint8_t> out;
  write_stored_zip(out, files);
  return out;
}

void export_npz(const std::string& path, const Model& model) {
  const std::vector<uint8_t> bytes = npz_bytes(model);
  write_file_atomic(path, {{bytes.data(), bytes.size()}});
}

void import_npz_bytes(const uint8_t* data, size_t size, Model& model, const std::string& where) {
  const std::vector<NpzArray> arrays = read_npz(data, size, where);
  std::map<std::string, const NpzArray*> by_name;
  for (const NpzArray& a : arrays) {
    require(by_name.emplace(a.name, &a).second, where, "array '" + a.name + "' appears twice");
  }
  std::vector<Param*> params = model.params();
  std::string expected_names;
  for (const Param* p : params) expected_names += (expected_names.empty() ? "" : ", ") + p->name;
  std::vector<std::vector<float>> values;
  for (Param* p : params) {
    auto it = by_name.find(p->name);
    require(it != by_name.end(), where,
            "array '" + p->name + "' is missing (this model needs: " + expected_names + ")");
    const NpzArray& a = *it->second;
    const std::string at = "array '" + a.name + "'";
    require(a.descr == "<f4" || a.descr == "|f4" || a.descr == "=f4", where,
            at + " has dtype '" + a.descr + "', expected float32 '<f4'");
    require(!a.fortran_order, where, at + " is in Fortran order; save it C-contiguous");
    std::vector<int64_t> want;
    for (int i = 0; i < p->value.shape().rank; ++i) want.push_back(p->value.shape()[i]);
    require(a.shape == want, where,
            at + " has shape " + npy_shape_text(a.shape) + ", the model needs " +
                npy_shape_text(want));
    require(a.data.size() >= p->value.size() * 4, where, at + " data is truncated");
    std::vector<float> v(p->value.size());
    for (size_t i = 0; i < v.size(); ++i) {
      const uint32_t bits = static_cast<uint32_t>(load_le(&a.data[i * 4], 4));
      std::memcpy(&v[i], &bits, 4);
    }
    values.push_back(std::move(v));
    by_name.erase(it);
  }
  require(by_name.empty(), where,
          "unexpected array '" + (by_name.empty() ? std::string() : by_name.begin()->first) +
              "' (this model's arrays: " + expected_names + ")");
  for (size_t i = 0; i < params.size(); ++i)
    std::copy(values[i].begin(), values[i].end(), params[i]->value.data());
}

void import_npz(const std::string& path, Model& model) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  import_npz_bytes(bytes.data(), bytes.size(), model, "npz file " + path);
}

}  // namespace cnnlab
