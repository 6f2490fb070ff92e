// A compact, versioned binary encoding for the engine's state records: varints (zigzag for
// signed), IEEE doubles, length-prefixed strings, and generic containers. Writer appends to a
// string; Reader is bounds-checked and turns any malformation into a sticky failure rather than
// reading out of bounds. Used by snapshot.cc; not thread-safe (values).
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/time.h"
#include "base/value.h"

namespace sb::core::serial {

class Writer {
 public:
  void U64(std::uint64_t v) {
    while (v >= 0x80) {
      out_ += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    out_ += static_cast<char>(v);
  }
  void I64(std::int64_t v) { U64((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63)); }
  void F64(double v) {
    char bytes[8];
    std::memcpy(bytes, &v, 8);
    out_.append(bytes, 8);
  }
  void Str(std::string_view s) {
    U64(s.size());
    out_.append(s);
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::uint64_t U64() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return Fail();
      const auto byte = static_cast<unsigned char>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return v;
    }
    return Fail();
  }
  std::int64_t I64() {
    const std::uint64_t v = U64();
    return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
  }
  double F64() {
    if (in_.size() - pos_ < 8) return static_cast<double>(Fail());
    double v;
    std::memcpy(&v, in_.data() + pos_, 8);
    pos_ += 8;
    return v;
  }
  std::string Str() {
    const std::uint64_t n = U64();
    if (n > in_.size() - pos_) return Fail(), std::string();
    std::string s(in_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  // A count of items that each take at least one byte, so a corrupt count cannot allocate much.
  std::size_t Count() {
    const std::uint64_t n = U64();
    if (n > in_.size() - pos_) return Fail();
    return n;
  }
  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }
  // Marks the input malformed; later reads return zeros.
  std::uint64_t Fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// --- Generic field codecs: Put(w, x) / Get(r, x) -----------------------------------------
inline void Put(Writer& w, bool v) { w.U64(v ? 1 : 0); }
inline void Get(Reader& r, bool& v) { v = r.U64() != 0; }
inline void Put(Writer& w, int v) { w.I64(v); }
inline void Get(Reader& r, int& v) { v = static_cast<int>(r.I64()); }
inline void Put(Writer& w, std::int64_t v) { w.I64(v); }
inline void Get(Reader& r, std::int64_t& v) { v = r.I64(); }
inline void Put(Writer& w, std::uint64_t v) { w.U64(v); }
inline void Get(Reader& r, std::uint64_t& v) { v = r.U64(); }
inline void Put(Writer& w, double v) { w.F64(v); }
inline void Get(Reader& r, double& v) { v = r.F64(); }
inline void Put(Writer& w, const std::string& v) { w.Str(v); }
inline void Get(Reader& r, std::string& v) { v = r.Str(); }
inline void Put(Writer& w, Timestamp t) { w.I64(t.unix_micros()); }
inline void Get(Reader& r, Timestamp& t) { t = Timestamp::FromUnixMicros(r.I64()); }

template <class E>
  requires std::is_enum_v<E>
void Put(Writer& w, E e) { w.U64(static_cast<std::uint64_t>(e)); }
template <class E>
  requires std::is_enum_v<E>
void Get(Reader& r, E& e) { e = static_cast<E>(r.U64()); }

void Put(Writer& w, const Value& v);
void Get(Reader& r, Value& v);

template <class T>
void Put(Writer& w, const std::optional<T>& v) {
  Put(w, v.has_value());
  if (v) Put(w, *v);
}
template <class T>
void Get(Reader& r, std::optional<T>& v) {
  bool present = false;
  Get(r, present);
  if (!present) {
    v.reset();
    return;
  }
  T value{};
  Get(r, value);
  v = std::move(value);
}

template <class T>
void Put(Writer& w, const std::vector<T>& v) {
  w.U64(v.size());
  for (const T& item : v) Put(w, item);
}
template <class T>
void Get(Reader& r, std::vector<T>& v) {
  const std::size_t n = r.Count();
  v.clear();
  v.reserve(n);
  for (std::size_t i = 0; i < n && r.ok(); ++i) Get(r, v.emplace_back());
}

template <class T, class C>
void Put(Writer& w, const std::set<T, C>& set) {
  w.U64(set.size());
  for (const T& item : set) Put(w, item);
}
template <class T, class C>
void Get(Reader& r, std::set<T, C>& set) {
  const std::size_t n = r.Count();
  set.clear();
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    T item{};
    Get(r, item);
    set.insert(std::move(item));
  }
}

template <class K, class V, class C>
void Put(Writer& w, const std::map<K, V, C>& m) {
  w.U64(m.size());
  for (const auto& [k, v] : m) {
    Put(w, k);
    Put(w, v);
  }
}
template <class K, class V, class C>
void Get(Reader& r, std::map<K, V, C>& m) {
  const std::size_t n = r.Count();
  m.clear();
  for (std::size_t i = 0; i < n && r.ok(); ++i) {
    K k{};
    V v{};
    Get(r, k);
    Get(r, v);
    m.emplace(std::move(k), std::move(v));
  }
}

template <class... Ts>
void Put(Writer& w, const std::variant<Ts...>& v) {
  w.U64(v.index());
  std::visit([&](const auto& x) { Put(w, x); }, v);
}
template <class V, std::size_t I = 0>
void GetAlternative(Reader& r, V& v, std::size_t index) {
  if constexpr (I < std::variant_size_v<V>) {
    if (index != I) return GetAlternative<V, I + 1>(r, v, index);
    std::variant_alternative_t<I, V> x{};
    Get(r, x);
    v = std::move(x);
  } else {
    r.Fail();  // an alternative this version does not know
  }
}
template <class... Ts>
void Get(Reader& r, std::variant<Ts...>& v) {
  GetAlternative(r, v, r.U64());
}

// Structs list their fields once, as `Fields(x)` returning std::tie(...) (found by ADL in the
// struct's namespace); these encode them in that order.
template <class T>
  requires requires(const T& t) { Fields(t); }
void Put(Writer& w, const T& x) {
  std::apply([&](const auto&... field) { (Put(w, field), ...); }, Fields(x));
}
template <class T>
  requires requires(T& t) { Fields(t); }
void Get(Reader& r, T& x) {
  std::apply([&](auto&... field) { (Get(r, field), ...); }, Fields(x));
}

}  // namespace sb::core::serial
