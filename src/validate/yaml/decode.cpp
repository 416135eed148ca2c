#include "validate/yaml/decode.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/duration.hpp"

namespace promwatch::validate::yaml {

namespace {

constexpr std::string_view tag_prefix = "tag:yaml.org,2002:";

bool is_null_word(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool is_bool_word(std::string_view s, dialect d, bool* value) {
  static constexpr std::string_view v3_true[] = {"true", "True", "TRUE"};
  static constexpr std::string_view v3_false[] = {"false", "False", "FALSE"};
  static constexpr std::string_view v2_true[] = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON"};
  static constexpr std::string_view v2_false[] = {"n", "N", "no", "No", "NO", "off", "Off", "OFF"};
  auto in = [&](const auto& list) {
    return std::find(std::begin(list), std::end(list), s) != std::end(list);
  };
  if (in(v3_true)) return *value = true, true;
  if (in(v3_false)) return *value = false, true;
  if (d == dialect::v2) {
    if (in(v2_true)) return *value = true, true;
    if (in(v2_false)) return *value = false, true;
  }
  return false;
}

// Go's strconv.ParseInt(s, 0, 64) after removing `_`, as both yaml libraries resolve ints.
std::optional<std::int64_t> parse_go_int(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (c != '_') s += c;
  }
  std::string_view v = s;
  bool negative = false;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
    negative = v[0] == '-';
    v.remove_prefix(1);
  }
  int base = 10;
  if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
    base = 16, v.remove_prefix(2);
  } else if (v.size() > 2 && v[0] == '0' && (v[1] == 'o' || v[1] == 'O')) {
    base = 8, v.remove_prefix(2);
  } else if (v.size() > 2 && v[0] == '0' && (v[1] == 'b' || v[1] == 'B')) {
    base = 2, v.remove_prefix(2);
  } else if (v.size() > 1 && v[0] == '0') {
    base = 8, v.remove_prefix(1);
  }
  if (v.empty()) return std::nullopt;
  std::uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), magnitude, base);
  if (ec != std::errc{} || end != v.data() + v.size()) return std::nullopt;
  const std::uint64_t max = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  if (magnitude > max) return std::nullopt;
  return negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
}

bool is_yaml_float(std::string_view s) {
  if (s == ".inf" || s == "+.inf" || s == "-.inf" || s == ".Inf" || s == "+.Inf" || s == "-.Inf" ||
      s == ".INF" || s == "+.INF" || s == "-.INF" || s == ".nan" || s == ".NaN" || s == ".NAN") {
    return true;
  }
  // ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  auto digits = [&] {
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      ++i;
    return i - start;
  };
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

std::string shorten(const std::string& tag) {
  if (tag.compare(0, tag_prefix.size(), tag_prefix) == 0)
    return "!!" + tag.substr(tag_prefix.size());
  return tag;
}

}  // namespace

std::string short_tag(const node& n, dialect d) {
  if (!n.tag.empty()) return shorten(n.tag);
  switch (n.kind) {
    case node_kind::null:
      return "!!null";
    case node_kind::sequence:
      return "!!seq";
    case node_kind::map:
      return "!!map";
    case node_kind::scalar:
      break;
  }
  if (n.style != scalar_style::plain) return "!!str";
  bool b = false;
  if (is_null_word(n.value)) return "!!null";
  if (is_bool_word(n.value, d, &b)) return "!!bool";
  if (parse_go_int(n.value)) return "!!int";
  if (is_yaml_float(n.value)) return "!!float";
  return "!!str";
}

void decoder::error(const node& at, std::string message) {
  error(at.pos, std::move(message));
}

void decoder::error(mark at, std::string message) {
  errors_.push_back({path_, at.line, at.column, std::move(message)});
}

void decoder::warning(const node& at, std::string message) {
  warning(at.pos, std::move(message));
}

void decoder::warning(mark at, std::string message) {
  warnings_.push_back({path_, at.line, at.column, std::move(message)});
}

void decoder::type_error(const node& at, std::string_view go_type) {
  std::string tag = short_tag(at, dialect_);
  std::string shown;
  if (tag != "!!seq" && tag != "!!map") {
    shown = at.value.size() > 10 ? " `" + at.value.substr(0, 7) + "...`" : " `" + at.value + "`";
  }
  error(at, "cannot unmarshal " + tag + shown + " into " + std::string(go_type));
}

void decoder::known_fields(const node& map, std::initializer_list<std::string_view> allowed,
                           std::string_view go_type) {
  known_fields(map, allowed.begin(), allowed.end(), go_type);
}

void decoder::known_fields(const node& map, const std::vector<std::string_view>& allowed,
                           std::string_view go_type) {
  known_fields(map, allowed.data(), allowed.data() + allowed.size(), go_type);
}

void decoder::known_fields(const node& map, const std::string_view* allowed_begin,
                           const std::string_view* allowed_end, std::string_view go_type) {
  if (!map.is_map()) return;
  for (const auto& e : map.entries) {
    std::string_view key = e.key.value;
    bool known = (e.key.is_scalar() || e.key.is_null()) &&
                 std::find(allowed_begin, allowed_end, key) != allowed_end;
    if (known) continue;
    std::string message = "field " + e.key.value + " not found in type " + std::string(go_type);
    if (unknown_as_warnings_) {
      warning(e.key, std::move(message));
    } else {
      error(e.key, std::move(message));
    }
  }
}

bool decoder::expect_map(const node& n, std::string_view go_type) {
  if (n.is_map()) return true;
  if (!n.is_null()) type_error(n, go_type);
  return false;
}

bool decoder::expect_sequence(const node& n, std::string_view go_type) {
  if (n.is_sequence()) return true;
  if (!n.is_null()) type_error(n, go_type);
  return false;
}

std::optional<std::string> decoder::string(const node& n) {
  if (n.is_null()) return std::string();
  if (n.is_scalar()) return n.value;
  type_error(n, "string");
  return std::nullopt;
}

bool decoder::expect_string(const node& n) {
  if (n.is_null() || n.is_scalar()) return true;
  type_error(n, "string");
  return false;
}

std::optional<std::int64_t> decoder::integer(const node& n, std::string_view go_type) {
  if (n.is_null()) return 0;
  if (n.is_scalar()) {
    std::string tag = short_tag(n, dialect_);
    if (tag == "!!int") {
      if (auto v = parse_go_int(n.value)) return v;
    } else if (tag == "!!float" && n.value.find_first_of("nN") == std::string::npos) {
      std::string digits;
      for (char c : n.value) {
        if (c != '_') digits += c;
      }
      double d = std::strtod(digits.c_str(), nullptr);
      if (std::isfinite(d) && d <= 9.2e18 && d >= -9.2e18) return static_cast<std::int64_t>(d);
    }
  }
  type_error(n, go_type);
  return std::nullopt;
}

std::optional<bool> decoder::boolean(const node& n) {
  if (n.is_null()) return false;
  bool value = false;
  if (n.is_plain() && is_bool_word(n.value, dialect_, &value)) return value;
  type_error(n, "bool");
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> decoder::duration(const node& n) {
  if (n.is_null()) return std::chrono::milliseconds{0};
  if (!expect_string(n)) return std::nullopt;
  auto parsed = core::parse_duration(n.value);
  if (!parsed) {
    error(n, parsed.error().message);
    return std::nullopt;
  }
  return *parsed;
}

}  // namespace promwatch::validate::yaml
