// Numbers as people read them, for tables and messages shared by the command line, the lab
// layer and the app: one spelling of each.
#pragma once

#include <cstdint>
#include <string>

namespace cnnlab {

// 1234567 -> "1,234,567"
std::string with_thousands(uint64_t value);

// 0.4567 -> "45.7 %". The fraction is first taken as a float (the precision accuracies are kept
// in on screen) and scaled in double: the same accuracy held as a double in one place and as a
// float in another reads the same everywhere (0.2265 scaled in float arithmetic read 22.6 %, the
// run log's double 22.7 %).
std::string percent(double fraction);

}  // namespace cnnlab
