#pragma once

namespace h2sim {
inline constexpr const char* version = "0.1.0";
}
