#include "expr/utf8.h"

namespace sb::expr::utf8 {
namespace {

// Length in bytes of the character starting at s[i]; 1 for an invalid sequence.
std::size_t CharBytes(std::string_view s, std::size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  std::size_t n = 1;
  if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
  } else if (lead >= 0xE0) {
    n = lead <= 0xEF ? 3 : 1;
  } else if (lead >= 0xC2) {
    n = 2;
  }
  if (i + n > s.size()) return 1;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 1;
  }
  return n;
}

char32_t DecodeAt(std::string_view s, std::size_t i, std::size_t n) {
  const auto lead = static_cast<unsigned char>(s[i]);
  if (n == 1) return lead;
  char32_t cp = lead & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < n; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

// Latin Extended-A pairs: within [first, last], uppercase letters sit at `upper_parity`.
bool InPairRange(char32_t c, char32_t first, char32_t last) { return c >= first && c <= last; }

char32_t ToLower(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) ||
      (c >= 0x410 && c <= 0x42F)) {
    return c + 0x20;
  }
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  if (c == 0x178) return 0xFF;
  if ((InPairRange(c, 0x100, 0x137) || InPairRange(c, 0x14A, 0x177)) && c % 2 == 0) return c + 1;
  if ((InPairRange(c, 0x139, 0x148) || InPairRange(c, 0x179, 0x17E)) && c % 2 == 1) return c + 1;
  return c;
}

char32_t ToUpper(char32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c < 0x80) return c;
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7) || (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) ||
      (c >= 0x430 && c <= 0x44F)) {
    return c - 0x20;
  }
  if (c >= 0x450 && c <= 0x45F) return c - 0x50;
  if (c == 0xFF) return 0x178;
  if ((InPairRange(c, 0x100, 0x137) || InPairRange(c, 0x14A, 0x177)) && c % 2 == 1) return c - 1;
  if ((InPairRange(c, 0x139, 0x148) || InPairRange(c, 0x179, 0x17E)) && c % 2 == 0) return c - 1;
  return c;
}

template <class Map>
std::string MapCase(std::string_view s, Map map) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = CharBytes(s, i);
    const char32_t cp = DecodeAt(s, i, n);
    const char32_t mapped = (n == 1 && cp >= 0x80) ? cp : map(cp);  // invalid byte: as is
    if (mapped == cp) {
      out.append(s.substr(i, n));
    } else {
      out += Encode(mapped);
    }
    i += n;
  }
  return out;
}

}  // namespace

std::size_t Length(std::string_view s) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); i += CharBytes(s, i)) ++count;
  return count;
}

std::size_t Offset(std::string_view s, std::size_t index) {
  std::size_t i = 0;
  for (std::size_t k = 0; k < index && i < s.size(); ++k) i += CharBytes(s, i);
  return i;
}

std::string_view Slice(std::string_view s, std::size_t start, std::size_t count) {
  const std::size_t begin = Offset(s, start);
  const std::string_view rest = s.substr(begin);
  return rest.substr(0, Offset(rest, count));
}

std::size_t IndexOf(std::string_view s, std::size_t byte_offset) {
  return Length(s.substr(0, byte_offset));
}

std::string Upper(std::string_view s) { return MapCase(s, ToUpper); }
std::string Lower(std::string_view s) { return MapCase(s, ToLower); }

std::size_t FindIgnoreCase(std::string_view haystack, std::string_view needle) {
  const std::string h = Lower(haystack);
  const std::string n = Lower(needle);
  // Lowering keeps each character's byte length within the mapped ranges, so offsets agree.
  return h.find(n);
}

std::string Encode(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return out;
}

}  // namespace sb::expr::utf8
