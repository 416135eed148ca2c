// libFuzzer entry point: promql::check_expression on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "validate/promql/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view expr(reinterpret_cast<const char*>(data), size);
  if (auto error = promwatch::validate::promql::check_expression(expr)) {
    // Positions are 1-based and an error always says something.
    if (error->line < 1 || error->column < 1 || error->message.empty()) std::abort();
  }
  return 0;
}
