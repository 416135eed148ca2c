#pragma once
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "validate/yaml/document.hpp"

namespace promwatch::validate::yaml {

/// Which Go YAML library's scalar resolution to imitate: yaml.v2 (YAML 1.1 booleans such as
/// `yes`/`on`) is used by Prometheus' config and file_sd, yaml.v3 by rule files.
enum class dialect { v2, v3 };

/// The short tag a Go YAML library would resolve for `n`: `!!null`, `!!bool`, `!!int`,
/// `!!float`, `!!str`, `!!seq`, `!!map`, or an explicit tag as written.
std::string short_tag(const node& n, dialect d = dialect::v3);

/// Strict typed decoding of a node tree into diagnostics, in the manner of yaml.v3's
/// `KnownFields(true)` / yaml.v2's `UnmarshalStrict`: every problem is recorded and decoding
/// goes on, so one pass reports all of them. Null nodes decode to the zero value without
/// error, as in Go. Not thread-safe; one per file.
class decoder {
 public:
  decoder(std::string_view path, dialect d) : path_(path), dialect_(d) {}

  /// Records `message` at `at`'s position.
  void error(const node& at, std::string message);
  void error(mark at, std::string message);
  /// `cannot unmarshal !!str `abc` into int`, yaml's wording for a type mismatch.
  void type_error(const node& at, std::string_view go_type);

  /// Reports every key of `map` that is not in `allowed`:
  /// `field foo not found in type rulefmt.RuleNode`. Does nothing for non-maps.
  void known_fields(const node& map, std::initializer_list<std::string_view> allowed,
                    std::string_view go_type);
  void known_fields(const node& map, const std::vector<std::string_view>& allowed,
                    std::string_view go_type);

  /// Unknown fields found from now on are warnings(), not errors(): a target newer than this
  /// promwatch may know fields it does not (profile::newer_than_known).
  void unknown_fields_are_warnings(bool on) { unknown_as_warnings_ = on; }
  bool unknown_fields_are_warnings() const { return unknown_as_warnings_; }
  /// Records a finding that does not block, at `at`'s position.
  void warning(const node& at, std::string message);
  void warning(mark at, std::string message);

  /// True for a map; null is accepted (returns false, no error); anything else is a type error.
  bool expect_map(const node& n, std::string_view go_type);
  /// True for a sequence; null is accepted (returns false, no error); else a type error.
  bool expect_sequence(const node& n, std::string_view go_type);

  /// Any scalar as its text (Go decodes `5` and `true` into a string field); null is "".
  std::optional<std::string> string(const node& n);
  /// What string() checks, without copying the text: true for a scalar or null, else a
  /// type error.
  bool expect_string(const node& n);
  /// A plain integer (decimal, 0x/0o/0b, `_` separators); a plain float is truncated as Go
  /// yaml does; quoted text is a type error. Null is 0.
  std::optional<std::int64_t> integer(const node& n, std::string_view go_type = "int");
  /// A boolean in the dialect's spelling. Null is false.
  std::optional<bool> boolean(const node& n);
  /// A Prometheus duration (`model.Duration`): any scalar, parsed with core::parse_duration.
  /// Null is 0.
  std::optional<std::chrono::milliseconds> duration(const node& n);

  const core::diagnostics& errors() const { return errors_; }
  core::diagnostics take_errors() { return std::move(errors_); }
  core::diagnostics take_warnings() { return std::move(warnings_); }
  std::string_view path() const { return path_; }
  yaml::dialect dialect() const { return dialect_; }

 private:
  std::string path_;
  yaml::dialect dialect_;
  core::diagnostics errors_;
  core::diagnostics warnings_;
  bool unknown_as_warnings_ = false;

  void known_fields(const node& map, const std::string_view* allowed_begin,
                    const std::string_view* allowed_end, std::string_view go_type);
};

}  // namespace promwatch::validate::yaml
