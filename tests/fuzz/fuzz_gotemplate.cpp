// libFuzzer entry point: gotemplate::check_template on arbitrary bytes, as an alert annotation.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "validate/gotemplate/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace gotemplate = promwatch::validate::gotemplate;
  constexpr std::string_view name = "__alert_Fuzz";
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto error = gotemplate::check_template(name, text)) {
    if (error->line < 1 || error->column < 1 || error->message.empty()) std::abort();
    if (gotemplate::to_promtool_message(name, *error).empty()) std::abort();
  }
  return 0;
}
