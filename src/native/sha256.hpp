// SHA-256 (FIPS 180-4), for the names of cached builds: a name that differs whenever the
// source, compiler or flags do.
#pragma once

#include <string>

namespace h2sim::detail {

// The digest of `text` as 64 lower-case hexadecimal digits.
std::string sha256_hex(const std::string& text);

}  // namespace h2sim::detail
