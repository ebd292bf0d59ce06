// Numbers as people read them, for tables and messages shared by the command line, the lab
// layer and the app: one spelling of each.
#pragma once

#include <cstdint>
#include <string>

namespace cnnlab {

// 1234567 -> "1,234,567"
std::string with_thousands(uint64_t value);

// 0.4567 -> "45.7 %": the one text of an accuracy everywhere (Runs table, Evaluation, experiments,
// lessons), rounded half away from zero on the percentage (0.3275 -> "32.8 %"), the same whether
// the accuracy is held as a float or a double.
std::string percent(double fraction);

}  // namespace cnnlab
