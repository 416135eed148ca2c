#include "validate/names.hpp"

#include "core/utf8.hpp"

namespace promwatch::validate {

namespace {
bool is_alpha_(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
}  // namespace

bool is_valid_label_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!is_alpha_(name[i]) && !(i > 0 && is_digit(name[i]))) return false;
  }
  return true;
}

bool is_valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!is_alpha_(c) && c != ':' && !(i > 0 && is_digit(c))) return false;
  }
  return true;
}

bool is_valid_utf8(std::string_view s) {
  // Names and values are nearly always ASCII: only what follows the first other byte needs
  // decoding.
  std::size_t ascii = 0;
  while (ascii < s.size() && static_cast<unsigned char>(s[ascii]) < 0x80)
    ++ascii;
  return core::valid_utf8(s.substr(ascii));
}

}  // namespace promwatch::validate

namespace promwatch::validate {

namespace {
bool is_valid_utf8_name(std::string_view name) {
  return !name.empty() && is_valid_utf8(name);
}
}  // namespace

bool is_valid_label_name(std::string_view name, name_scheme scheme) {
  return scheme == name_scheme::utf8 ? is_valid_utf8_name(name) : is_valid_label_name(name);
}

bool is_valid_metric_name(std::string_view name, name_scheme scheme) {
  return scheme == name_scheme::utf8 ? is_valid_utf8_name(name) : is_valid_metric_name(name);
}

}  // namespace promwatch::validate
