// The one rule by which every reader turns a file's bytes into text (UTF-8), so that names,
// equations and messages are valid UTF-8 whatever the file held:
//   - UTF-8, with or without a byte-order mark: as it is (without the mark);
//   - UTF-16 or UTF-32 with a byte-order mark: converted to UTF-8;
//   - anything else that is not valid UTF-8 (a Latin-1 comment, binary data, UTF-16 without
//     a byte-order mark): ParseError naming the file, the byte offset, its line and column;
//     except with a fallback (Vensim files from before its {UTF-8} header are in the Windows
//     code page, XML files may declare ISO-8859-1), which then decodes every byte.
// A NUL byte is never text.
#pragma once

#include <string>

namespace h2sim::detail {

enum class TextFallback {
  None,         // UTF-8 (or a byte-order mark) or an error
  Windows1252,  // else every byte as Windows-1252 (Vensim .mdl files)
  Declared,     // else the encoding an XML declaration names (ISO-8859-1, Windows-1252)
};

std::string decode_text(const std::string& bytes, const std::string& file,
                        TextFallback fallback = TextFallback::None);

// The byte offset of the first byte that is not part of valid UTF-8 (overlong forms,
// surrogates and NUL bytes count as invalid); bytes.size() when there is none.
std::size_t first_invalid_utf8(const std::string& bytes);

// `text` cut to at most `length` bytes without splitting a UTF-8 sequence.
std::string utf8_prefix(const std::string& text, std::size_t length);

}  // namespace h2sim::detail
