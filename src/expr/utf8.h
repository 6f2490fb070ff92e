// UTF-8 helpers for the text functions: positions count Unicode code points (Power Fx counts
// UTF-16 code units, which differs only for characters outside the Basic Multilingual Plane,
// e.g. emoji; splitting a surrogate pair cannot happen here). Bytes that are not valid UTF-8
// count as one character each. Case mapping covers ASCII, Latin-1, Latin Extended-A, Greek
// and Cyrillic; other characters are left as they are. Pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sb::expr::utf8 {

std::size_t Length(std::string_view s);
// Byte offset where character `index` (0-based) starts; s.size() past the end.
std::size_t Offset(std::string_view s, std::size_t index);
// The characters [start, start + count) (0-based, clamped to the text).
std::string_view Slice(std::string_view s, std::size_t start, std::size_t count);
// Character index of a byte offset that starts a character.
std::size_t IndexOf(std::string_view s, std::size_t byte_offset);

std::string Upper(std::string_view s);
std::string Lower(std::string_view s);

// Case-insensitive (by Lower) substring search; returns the byte offset or npos.
std::size_t FindIgnoreCase(std::string_view haystack, std::string_view needle);

// The UTF-8 encoding of one code point (U+0001..U+10FFFF).
std::string Encode(char32_t code_point);

}  // namespace sb::expr::utf8
