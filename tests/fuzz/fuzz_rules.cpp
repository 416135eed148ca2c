// libFuzzer entry point: validate::check_rules on arbitrary bytes as "rules.yml".
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "check_report.hpp"
#include "validate/validate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::string_view path = "rules.yml";
  const std::string_view content(reinterpret_cast<const char*>(data), size);
  promwatch::fuzz::check_report(path, promwatch::validate::check_rules(path, content));
  return 0;
}
