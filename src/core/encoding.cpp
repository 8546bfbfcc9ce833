#include "core/encoding.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "core/text.hpp"
#include "h2sim/error.hpp"

namespace h2sim::detail {

namespace {

bool continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

void append_utf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// ParseError at byte `offset` of `bytes`, with its line and column (counted in bytes).
[[noreturn]] void fail_at(const std::string& bytes, std::size_t offset, const std::string& file,
                          const std::string& what) {
  Location where;
  where.file = file;
  where.line = 1 + static_cast<int>(std::count(
                       bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
  const auto line_start = offset == 0 ? std::string::npos : bytes.rfind('\n', offset - 1);
  where.column =
      static_cast<int>(offset - (line_start == std::string::npos ? 0 : line_start + 1)) + 1;
  throw ParseError("byte " + std::to_string(offset) + ": " + what, where);
}

std::string byte_text(unsigned char c) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "0x%02X", c);
  return buffer;
}

// UTF-16 or UTF-32 (after its byte-order mark) to UTF-8.
std::string from_wide(const std::string& bytes, std::size_t begin, int width, bool little,
                      const std::string& file) {
  if ((bytes.size() - begin) % static_cast<std::size_t>(width) != 0)
    fail_at(bytes, bytes.size(), file,
            "the file ends in the middle of a UTF-" + std::to_string(width * 8) + " character");
  auto unit = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (int k = 0; k < width; ++k) {
      const auto b = static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(k)]);
      v |= static_cast<std::uint32_t>(b) << (8 * (little ? k : width - 1 - k));
    }
    return v;
  };
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t at = begin; at < bytes.size(); at += static_cast<std::size_t>(width)) {
    std::uint32_t code = unit(at);
    const std::size_t here = at;
    if (width == 2 && code >= 0xD800 && code <= 0xDBFF && at + 2 < bytes.size()) {
      const std::uint32_t low = unit(at + 2);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        at += 2;
      }
    }
    if (code == 0 || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF)
      fail_at(bytes, here, file,
              code == 0 ? "a NUL character: this is not a text file"
                        : "not a valid UTF-" + std::to_string(width * 8) + " character");
    append_utf8(out, code);
  }
  return out;
}

// Windows-1252, the Windows code page of Western Europe; its undefined bytes become U+FFFD,
// as Python's errors="replace" makes them.
std::string from_windows_1252(const std::string& bytes, const std::string& file) {
  static const std::uint16_t high[32] = {
      0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == 0) fail_at(bytes, i, file, "a NUL byte: this is not a text file");
    append_utf8(out, c >= 0x80 && c < 0xA0 ? high[c - 0x80] : c);
  }
  return out;
}

// The encoding an XML declaration at the start names, lower case; "" when none.
std::string declared_encoding(const std::string& bytes) {
  std::size_t p = 0;
  while (p < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[p]))) ++p;
  if (bytes.compare(p, 5, "<?xml") != 0) return {};
  const auto end = bytes.find("?>", p);
  if (end == std::string::npos) return {};
  const std::string declaration = bytes.substr(p, end - p);
  const auto key = declaration.find("encoding");
  if (key == std::string::npos) return {};
  const auto open = declaration.find_first_of("\"'", key);
  if (open == std::string::npos) return {};
  const auto close = declaration.find(declaration[open], open + 1);
  if (close == std::string::npos) return {};
  std::string name = declaration.substr(open + 1, close - open - 1);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

bool is_latin(const std::string& encoding) {
  return encoding == "iso-8859-1" || encoding == "iso8859-1" || encoding == "latin1" ||
         encoding == "latin-1" || encoding == "l1" || encoding == "windows-1252" ||
         encoding == "cp1252";
}

}  // namespace

std::size_t first_invalid_utf8(const std::string& bytes) {
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  auto at = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  while (i < n) {
    const unsigned char c = at(i);
    if (c >= 0x01 && c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;  // the range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;   // no overlong forms
      if (c == 0xED) high = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;  // nothing above U+10FFFF
    } else {
      return i;  // NUL, a stray continuation byte, C0, C1 or F5..FF
    }
    if (i + length > n || at(i + 1) < low || at(i + 1) > high) return i;
    for (std::size_t k = 2; k < length; ++k)
      if (!continuation(at(i + k))) return i;
    i += length;
  }
  return n;
}

std::string utf8_prefix(const std::string& text, std::size_t length) {
  if (text.size() <= length) return text;
  std::size_t end = length;
  while (end > 0 && continuation(static_cast<unsigned char>(text[end]))) --end;
  return text.substr(0, end);
}

std::string decode_text(const std::string& bytes, const std::string& file, TextFallback fallback) {
  auto starts = [&](const char* mark, std::size_t length) {
    return bytes.size() >= length && bytes.compare(0, length, mark, length) == 0;
  };
  if (starts("\x00\x00\xFE\xFF", 4)) return from_wide(bytes, 4, 4, false, file);
  if (starts("\xFF\xFE\x00\x00", 4)) return from_wide(bytes, 4, 4, true, file);
  if (starts("\xFE\xFF", 2)) return from_wide(bytes, 2, 2, false, file);
  if (starts("\xFF\xFE", 2)) return from_wide(bytes, 2, 2, true, file);
  const std::size_t begin = starts("\xEF\xBB\xBF", 3) ? 3 : 0;
  if (fallback == TextFallback::Declared && begin == 0) {
    const std::string declared = declared_encoding(bytes);
    if (is_latin(declared)) return from_windows_1252(bytes, file);
    if (!declared.empty() && declared != "utf-8" && declared != "utf8" && declared != "us-ascii" &&
        declared != "ascii")
      fail_at(bytes, 0, file,
              "the XML declaration names the encoding '" + declared +
                  "', which h2sim does not read: save the file as UTF-8");
  }
  const std::string text = begin == 0 ? bytes : bytes.substr(begin);
  const std::size_t bad = first_invalid_utf8(text);
  if (bad == text.size()) return text;
  // A Vensim file that begins {UTF-8} says what it is: no fallback to Windows-1252 then.
  const bool says_utf8 = lower(text.substr(0, 7)) == "{utf-8}";
  if (fallback == TextFallback::Windows1252 && !says_utf8 && text.find('\0') == std::string::npos)
    return from_windows_1252(text, file);
  const auto c = static_cast<unsigned char>(text[bad]);
  fail_at(bytes, bad + begin, file,
          c == 0 ? "a NUL byte: this is not a text file (or it is UTF-16 without a byte-order "
                   "mark); save it as UTF-8"
                 : byte_text(c) +
                       " is not UTF-8 text (a Latin-1 or Windows character?); save the file as "
                       "UTF-8");
}

}  // namespace h2sim::detail
