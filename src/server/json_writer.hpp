#pragma once
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace promwatch::server {

/// Builds one compact JSON document into a string, front to back, with commas and escaping
/// handled. Strings are written as valid UTF-8 whatever they hold: control characters are
/// escaped and each ill-formed UTF-8 sequence (maximal subpart, as Unicode recommends)
/// becomes U+FFFD, so file names and error messages from anywhere are safe to embed.
/// Non-finite doubles are written as `null` (JSON has no NaN or Infinity).
///
/// Misuse (a value in an object without a key, a key outside an object, unbalanced ends,
/// a second top-level value, `str()` before the document is complete) is a programming
/// error and throws std::logic_error, so a malformed document is never produced.
class json_writer {
 public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  json_writer& key(std::string_view k);

  json_writer& value(std::string_view s);
  json_writer& value(const char* s) { return value(std::string_view(s)); }
  json_writer& value(bool b);
  template <std::integral N>
  requires(!std::same_as<N, bool>) json_writer& value(N n) {
    if constexpr (std::signed_integral<N>)
      return value_signed(n);
    else
      return value_unsigned(n);
  }
  template <std::floating_point F>
  json_writer& value(F f) {
    return value_double(static_cast<double>(f));
  }
  json_writer& null();

  /// Shorthand for `key(k).value(v)`.
  template <typename V>
  json_writer& member(std::string_view k, V&& v) {
    key(k);
    return value(std::forward<V>(v));
  }

  /// True once exactly one complete top-level value has been written.
  bool complete() const { return stack_.empty() && wrote_top_; }
  /// The document; throws std::logic_error unless complete().
  const std::string& str() const;
  std::string take() &&;

 private:
  struct level {
    bool object;
    bool empty = true;
    bool have_key = false;
  };

  void before_value();
  void write_string(std::string_view s);
  json_writer& value_signed(std::int64_t n);
  json_writer& value_unsigned(std::uint64_t n);
  json_writer& value_double(double d);

  std::string out_;
  std::vector<level> stack_;
  bool wrote_top_ = false;
};

/// Appends `s` as a quoted JSON string (escaping and UTF-8 repair as json_writer does).
void append_json_string(std::string& out, std::string_view s);

}  // namespace promwatch::server
