#pragma once
#include <stdexcept>
#include <string>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

namespace promwatch::core {

/// A failure explained in words, for results whose callers show the message to a user.
struct error {
  std::string message;
};

/// Found by ADL when `result<T, error>::value()` is called on an error: an unexpected
/// failure becomes an exception carrying the message.
[[noreturn]] inline void throw_exception_from_error(const error& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}

template <typename T>
using result = boost::system::result<T, error>;

}  // namespace promwatch::core
