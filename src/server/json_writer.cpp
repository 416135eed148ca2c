#include "server/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace promwatch::server {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

/// Length of the well-formed UTF-8 sequence starting at `s[i]`, or 0 if it is ill-formed; in
/// that case `bad_len` is the maximal subpart to replace with one U+FFFD (at least 1).
/// Ranges from the Unicode Standard, table 3-7 "Well-Formed UTF-8 Byte Sequences".
std::size_t utf8_sequence(std::string_view s, std::size_t i, std::size_t& bad_len) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char lead = byte(0);
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    if (lead == 0xE0) lo = 0xA0;  // overlong
    if (lead == 0xED) hi = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    if (lead == 0xF0) lo = 0x90;  // overlong
    if (lead == 0xF4) hi = 0x8F;  // beyond U+10FFFF
  } else {
    bad_len = 1;
    return 0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const bool in_range = i + k < s.size() && (k == 1 ? byte(k) >= lo && byte(k) <= hi
                                                      : byte(k) >= 0x80 && byte(k) <= 0xBF);
    if (!in_range) {
      bad_len = k;
      return 0;
    }
  }
  return len;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xF];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    std::size_t bad_len = 0;
    if (const std::size_t len = utf8_sequence(s, i, bad_len); len != 0) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += replacement_character;
      i += bad_len;
    }
  }
  out += '"';
}

void json_writer::before_value() {
  if (stack_.empty()) {
    if (wrote_top_) throw std::logic_error("json_writer: a second top-level value");
    wrote_top_ = true;
    return;
  }
  level& top = stack_.back();
  if (top.object) {
    if (!top.have_key) throw std::logic_error("json_writer: a value in an object needs a key");
    top.have_key = false;
    return;
  }
  if (!top.empty) out_ += ',';
  top.empty = false;
}

json_writer& json_writer::key(std::string_view k) {
  if (stack_.empty() || !stack_.back().object) {
    throw std::logic_error("json_writer: a key outside an object");
  }
  level& top = stack_.back();
  if (top.have_key) throw std::logic_error("json_writer: two keys in a row");
  if (!top.empty) out_ += ',';
  top.empty = false;
  top.have_key = true;
  append_json_string(out_, k);
  out_ += ':';
  return *this;
}

json_writer& json_writer::begin_object() {
  before_value();
  out_ += '{';
  stack_.push_back({.object = true});
  return *this;
}

json_writer& json_writer::end_object() {
  if (stack_.empty() || !stack_.back().object || stack_.back().have_key) {
    throw std::logic_error("json_writer: end_object without a matching begin_object");
  }
  stack_.pop_back();
  out_ += '}';
  return *this;
}

json_writer& json_writer::begin_array() {
  before_value();
  out_ += '[';
  stack_.push_back({.object = false});
  return *this;
}

json_writer& json_writer::end_array() {
  if (stack_.empty() || stack_.back().object) {
    throw std::logic_error("json_writer: end_array without a matching begin_array");
  }
  stack_.pop_back();
  out_ += ']';
  return *this;
}

json_writer& json_writer::value(std::string_view s) {
  before_value();
  append_json_string(out_, s);
  return *this;
}

json_writer& json_writer::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
  return *this;
}

json_writer& json_writer::null() {
  before_value();
  out_ += "null";
  return *this;
}

json_writer& json_writer::value_signed(std::int64_t n) {
  before_value();
  out_ += std::to_string(n);
  return *this;
}

json_writer& json_writer::value_unsigned(std::uint64_t n) {
  before_value();
  out_ += std::to_string(n);
  return *this;
}

json_writer& json_writer::value_double(double d) {
  if (!std::isfinite(d)) return null();
  before_value();
  char buf[32];
  // Shortest form that reads back as the same double; never locale-dependent.
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  out_.append(buf, ec == std::errc{} ? end : buf);
  return *this;
}

const std::string& json_writer::str() const {
  if (!complete()) throw std::logic_error("json_writer: the document is incomplete");
  return out_;
}

std::string json_writer::take() && {
  str();
  return std::move(out_);
}

}  // namespace promwatch::server
