// Error: the one exception type the engine throws. It carries *where* the problem is (a file,
// a field, a layer: "pack file data/cifar.pack", "layer 5 maxpool2d") and *what* is wrong, so
// every front end (CLI, web app, JS API) can show one clear sentence.
#pragma once

#include <stdexcept>
#include <string>

namespace cnnlab {

class Error : public std::runtime_error {
 public:
  Error(std::string where, std::string what)
      : std::runtime_error(where.empty() ? what : where + ": " + what),
        where_(std::move(where)),
        what_(std::move(what)) {}

  const std::string& where() const { return where_; }
  const std::string& problem() const { return what_; }

 private:
  std::string where_;
  std::string what_;
};

// Throws Error(where, what) when cond is false. For validating user input, not for internal bugs.
inline void require(bool cond, const std::string& where, const std::string& what) {
  if (!cond) throw Error(where, what);
}

}  // namespace cnnlab
