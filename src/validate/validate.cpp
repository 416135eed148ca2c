#include "validate/validate.hpp"

#include <string>

namespace promwatch::validate {
namespace {

/// Diagnostics kept per file and kind; the rest are counted in one closing diagnostic, so a
/// file of a million mistakes costs neither a million log lines nor a huge /status.
constexpr std::size_t max_diagnostics_per_file = 100;
/// Text quoted from the file (between backticks or double quotes) is cut to this many
/// bytes: an error names the spot, it does not carry the file's contents (which may be a
/// secret reached through a symlink).
constexpr std::size_t max_quoted_bytes = 40;
/// Whole messages are cut to this many bytes.
constexpr std::size_t max_message_bytes = 512;
constexpr std::string_view ellipsis = "\xE2\x80\xA6";  // …

/// The length of `s`'s longest prefix of at most `n` bytes that ends on a UTF-8 boundary.
std::size_t utf8_prefix(std::string_view s, std::size_t n) {
  if (n >= s.size()) return s.size();
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
    --n;
  return n;
}

std::string bound_excerpts(std::string_view message) {
  std::string out;
  out.reserve(std::min(message.size(), max_message_bytes + 8));
  std::size_t i = 0;
  while (i < message.size()) {
    const char c = message[i];
    if (c != '`' && c != '"') {
      out += c;
      ++i;
      continue;
    }
    // A quoted excerpt: find its end (a backslash escapes the next byte in "...").
    std::size_t j = i + 1;
    while (j < message.size() && message[j] != c) {
      j += c == '"' && message[j] == '\\' ? 2 : 1;
    }
    if (j >= message.size()) {
      // Unclosed: the rest is the excerpt.
      const std::string_view quoted = message.substr(i + 1);
      out += c;
      if (quoted.size() > max_quoted_bytes) {
        out += quoted.substr(0, utf8_prefix(quoted, max_quoted_bytes));
        out += ellipsis;
      } else {
        out += quoted;
      }
      break;
    }
    const std::string_view quoted = message.substr(i + 1, j - i - 1);
    out += c;
    if (quoted.size() > max_quoted_bytes) {
      out += quoted.substr(0, utf8_prefix(quoted, max_quoted_bytes));
      out += ellipsis;
    } else {
      out += quoted;
    }
    out += c;
    i = j + 1;
  }
  if (out.size() > max_message_bytes) {
    out.resize(utf8_prefix(out, max_message_bytes));
    out += ellipsis;
  }
  return out;
}

void bound(core::diagnostics& list, std::string_view what) {
  for (auto& d : list)
    d.message = bound_excerpts(d.message);
  // One more is as long as the closing count (and may be a validator's own count).
  if (list.size() <= max_diagnostics_per_file + 1) return;
  const std::size_t more = list.size() - max_diagnostics_per_file;
  std::string file = list.front().file;
  list.resize(max_diagnostics_per_file);
  list.push_back({std::move(file), 1, 1,
                  std::to_string(more) + " more " + std::string(what) + (more == 1 ? "" : "s") +
                      " in this file not shown"});
}

}  // namespace

report place_file_level_errors(report r) {
  for (auto& e : r.errors) {
    if (e.line <= 0) {
      e.line = 1;
      e.column = 1;
    } else if (e.column <= 0) {
      e.column = 1;
    }
  }
  bound(r.errors, "error");
  bound(r.warnings, "warning");
  return r;
}

report check(core::file_kind kind, std::string_view path, std::string_view content,
             const limits& lim, const profile& prof) {
  switch (kind) {
    case core::file_kind::config:
      return check_config(path, content, lim, prof);
    case core::file_kind::rules:
      return check_rules(path, content, lim, prof);
    case core::file_kind::scrape_config:
      return check_scrape_config(path, content, lim, prof);
    case core::file_kind::file_sd:
      return check_file_sd(path, content, lim, prof);
    case core::file_kind::other:
      return {};
  }
  return {};
}

}  // namespace promwatch::validate
