#include "validate/yaml/locate.hpp"

#include <algorithm>

namespace promwatch::validate::yaml {

namespace {
bool is_space(char c) {
  return c == ' ' || c == '\t';
}
bool is_break(char c) {
  return c == '\n' || c == '\r';
}
int hex_digits_of_escape(char e) {
  return e == 'x' ? 2 : e == 'u' ? 4 : e == 'U' ? 8 : 0;
}
}  // namespace

std::size_t source_map::offset_of(mark m) {
  if (line_starts_.empty()) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < source_.size(); ++i) {
      if (source_[i] == '\n') line_starts_.push_back(i + 1);
    }
  }
  if (m.line < 1 || static_cast<std::size_t>(m.line) > line_starts_.size()) return source_.size();
  return std::min(source_.size(),
                  line_starts_[m.line - 1] + static_cast<std::size_t>(m.column - 1));
}

mark source_map::mark_of(std::size_t offset) {
  offset_of({1, 1});  // builds the index
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  auto line = static_cast<int>(it - line_starts_.begin());
  return {line, static_cast<int>(offset - line_starts_[line - 1]) + 1};
}

mark source_map::locate(const node& scalar, int line, int column) {
  if (!scalar.is_scalar() || line < 1 || column < 1) return scalar.pos;
  if (scalar.style == scalar_style::literal) return locate_block(scalar, line, column);
  // Offset of (line, column) in the value.
  std::size_t offset = 0;
  int current = 1;
  while (current < line && offset < scalar.value.size()) {
    if (scalar.value[offset++] == '\n') ++current;
  }
  offset += static_cast<std::size_t>(column - 1);
  return locate_flow(scalar, offset);
}

// A literal block keeps lines as they are, so only the header line and the indentation shift.
mark source_map::locate_block(const node& scalar, int line, int column) {
  std::size_t header = offset_of(scalar.pos);
  std::size_t i = header;
  int explicit_indent = 0;
  while (i < source_.size() && !is_break(source_[i])) {
    if (source_[i] >= '1' && source_[i] <= '9' && explicit_indent == 0)
      explicit_indent = source_[i] - '0';
    if (source_[i] == '#') break;
    ++i;
  }
  int indent = 0;
  if (explicit_indent > 0) {
    // The indicator is relative to the parent node's indentation; the parent is the line's
    // own indentation in the block styles Prometheus files use.
    std::size_t ls = offset_of({scalar.pos.line, 1});
    int parent = 0;
    while (ls + parent < source_.size() && source_[ls + parent] == ' ')
      ++parent;
    indent = parent + explicit_indent;
  } else {
    for (int l = scalar.pos.line + 1;; ++l) {
      std::size_t ls = offset_of({l, 1});
      if (ls >= source_.size()) break;
      std::size_t e = ls;
      while (e < source_.size() && source_[e] == ' ')
        ++e;
      if (e < source_.size() && !is_break(source_[e])) {
        indent = static_cast<int>(e - ls);
        break;
      }
    }
  }
  return {scalar.pos.line + line, indent + column};
}

// Walks value and source together: equal bytes pair up, escapes and doubled quotes consume
// several source bytes, folded line breaks consume the break and the next line's indentation.
mark source_map::locate_flow(const node& scalar, std::size_t target) {
  const std::string& v = scalar.value;
  std::size_t s = offset_of(scalar.pos);
  const bool dq = scalar.style == scalar_style::double_quoted;
  const bool sq = scalar.style == scalar_style::single_quoted;
  if (scalar.style == scalar_style::folded) {
    s = offset_of({scalar.pos.line + 1, 1});
  } else if (dq || sq) {
    ++s;
  }
  std::size_t i = 0;
  while (i < v.size() && s < source_.size()) {
    char c = source_[s];
    if (dq && c == '\\') {
      if (s + 1 < source_.size() && is_break(source_[s + 1])) {
        s += 2;  // escaped line break joins lines without a space
        while (s < source_.size() && (is_space(source_[s]) || is_break(source_[s])))
          ++s;
        continue;
      }
      char e = s + 1 < source_.size() ? source_[s + 1] : '\0';
      int digits = hex_digits_of_escape(e);
      std::size_t produced = 1;
      if (digits > 0) {
        unsigned cp = 0;
        for (int k = 0; k < digits && s + 2 + k < source_.size(); ++k) {
          char h = source_[s + 2 + k];
          cp = cp * 16 + static_cast<unsigned>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
        }
        produced = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      }
      if (target < i + produced) return mark_of(s);
      i += produced;
      s += 2 + static_cast<std::size_t>(digits);
      continue;
    }
    if (sq && c == '\'' && s + 1 < source_.size() && source_[s + 1] == '\'') {
      if (target == i) return mark_of(s);
      ++i;
      s += 2;
      continue;
    }
    if (c == v[i]) {
      if (target == i) return mark_of(s);
      ++i;
      ++s;
      continue;
    }
    if (is_break(c) && (v[i] == ' ' || v[i] == '\n')) {
      if (target == i) return mark_of(s);
      ++i;
      while (s < source_.size() && (is_space(source_[s]) || is_break(source_[s]))) {
        // Blank lines inside a fold become extra newlines in the value.
        if (source_[s] == '\n' && i < v.size() && v[i] == '\n' && s > 0 && source_[s - 1] != '\r') {
          ++i;
        }
        ++s;
      }
      continue;
    }
    if (is_space(c) || is_break(c)) {
      ++s;  // indentation and trailing spaces that folding removed
      continue;
    }
    return scalar.pos;  // cannot align: settle for the scalar's start
  }
  if (i == target) return mark_of(s);
  return scalar.pos;
}

}  // namespace promwatch::validate::yaml
