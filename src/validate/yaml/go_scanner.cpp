#include "validate/yaml/go_scanner.hpp"

#include <string>
#include <vector>

#include "validate/yaml/document.hpp"

// libyaml's scanner (yaml.v2 and yaml.v3 scannerc.go, yaml_parser_scan_to_next_token): between
// tokens, spaces are always eaten but tabs only in flow context or where a simple key is not
// allowed. After a line break in block context a simple key is allowed again, so a tab in a
// line's leading whitespace is the start of a token, and no token starts with a tab. Inside a
// plain scalar the continuation whitespace is eaten by the scalar scanner, which rejects a tab
// left of the block's indentation; inside a block scalar a tab left of the content indentation
// is rejected too. This file finds those lines with a small line-based tokenizer that tracks
// only what decides them: flow depth, quoted and block scalars, comments, and the indentation
// of the last line that holds a key or an entry.

namespace promwatch::validate::yaml {

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      if (start < text.size()) lines.push_back(text.substr(start));
      break;
    }
    auto line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

bool is_marker(std::string_view line, std::string_view marker) {
  return line.substr(0, 3) == marker && (line.size() == 3 || is_blank(line[3]));
}

bool blank_or_comment(std::string_view rest) {
  const auto first = rest.find_first_not_of(" \t");
  return first == std::string_view::npos || rest[first] == '#';
}

// Column (0-based) of the first tab in the line's leading whitespace, if any.
std::optional<std::size_t> leading_tab(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\t') return i;
    if (line[i] != ' ') break;
  }
  return std::nullopt;
}

std::size_t leading_spaces(std::string_view line) {
  std::size_t n = 0;
  while (n < line.size() && line[n] == ' ')
    ++n;
  return n;
}

class scanner {
 public:
  scanner(std::string_view path, go_reader reader) : path_(path), reader_(reader) {}

  std::optional<core::diagnostic> run(std::string_view content) {
    const auto lines = split_lines(content);
    // Whether the next line that is not blank holds only a comment: yaml.v3's comment scanner
    // consumes blank lines (tabs and all) only on its way to another comment line.
    comment_follows_.assign(lines.size() + 1, false);
    for (std::size_t k = lines.size(); k-- > 0;) {
      const auto first = lines[k].find_first_not_of(" \t\r");
      if (first == std::string_view::npos) {
        comment_follows_[k] = comment_follows_[k + 1];
      } else {
        comment_follows_[k] = lines[k][first] == '#';
      }
    }
    std::size_t i = 0;
    bool begun = false;
    for (; i < lines.size(); ++i) {
      std::string_view line = lines[i];
      if (quote_ != 0 && (is_marker(line, "---") || is_marker(line, "..."))) {
        return error_at(static_cast<int>(i) + 1, 0, "found unexpected document indicator");
      }
      if (quote_ == 0 && is_marker(line, "---")) {
        block_indent_ = -1;
        if (begun) break;  // the second document starts here
        begun = true;
        // After `---` no simple key is allowed: tabs are eaten up to the first token.
        line_number_ = static_cast<int>(i) + 1;
        scan_rest(line, 3);
        if (pending_) return std::move(pending_);
        continue;
      }
      if (quote_ == 0 && is_marker(line, "...")) {
        block_indent_ = -1;
        if (begun) break;
        // An end marker with no document before it (libyaml parses an implicit document).
        return error_at(static_cast<int>(i) + 1, 0, "did not find expected node content");
        continue;
      }
      if (quote_ == 0 && block_indent_ < 0 && !begun && !line.empty() && line[0] == '%') {
        continue;  // a directive of the first document
      }
      if (!blank_or_comment(line)) begun = true;
      if (auto err = scan_line(line, static_cast<int>(i) + 1, comment_follows_[i + 1])) {
        return err;
      }
      if (stopped_) return std::nullopt;
    }
    // yaml-cpp lets a quoted scalar run to the end of the stream in places; Go does not.
    if (quote_ != 0) {
      return error_at(quote_line_, quote_column_, "found unexpected end of stream");
    }
    if (i < lines.size() && reader_ == go_reader::v3) return lookahead(lines, i);
    return std::nullopt;
  }

 private:
  core::diagnostic error_at(int line, std::size_t column, std::string message) const {
    return {std::string(path_), line, static_cast<int>(column) + 1, "yaml: " + std::move(message)};
  }

  std::optional<core::diagnostic> scan_line(std::string_view line, int number,
                                            bool comment_follows) {
    if (quote_ != 0) {
      // Continuation of a quoted scalar: tabs are content.
      const auto end = close_quote(line, 0);
      if (!end) return std::nullopt;
      scan_rest(line, *end);
      return std::nullopt;
    }
    const auto tab = leading_tab(line);
    if (block_indent_ >= 0) {
      // yaml_parser_scan_block_scalar_breaks: until the first non-blank line fixes the
      // indentation, no tab may lead a line; after it, none left of that indentation.
      const bool blank = line.find_first_not_of(" \t") == std::string_view::npos;
      const auto spaces = leading_spaces(line);
      if (block_content_indent_ < 0) {
        if (tab) {
          return error_at(number, *tab,
                          "found a tab character where an indentation space is expected");
        }
        if (blank) return std::nullopt;
        if (spaces > std::size_t(block_indent_)) {
          block_content_indent_ = static_cast<int>(spaces);
          return std::nullopt;
        }
      } else {
        const auto limit = std::size_t(block_content_indent_);
        if (tab && *tab < limit) {
          return error_at(number, *tab,
                          "found a tab character where an indentation space is expected");
        }
        if (blank || spaces >= limit) return std::nullopt;
      }
      block_indent_ = -1;
    }
    const bool empty = blank_or_comment(line);
    // After a plain scalar the scalar scanner eats the whitespace and only rejects a tab left
    // of the block indentation, which is at least that of the last line with a key or entry.
    const bool rejected =
        tab && (!last_plain_ || (reference_indent_ && *tab <= *reference_indent_));
    if (rejected && flow_ == 0 && !(empty && consumed_by_comment(line, comment_follows))) {
      return error_at(number, *tab, "found character that cannot start any token");
    }
    if (empty) {
      if (line.find('#') != std::string_view::npos) comment_seen_ = true;
      return std::nullopt;
    }
    // libyaml reads `%` at the start of a line as a directive wherever it is (fetch_directive);
    // one without a known name is an error. (A `%YAML` or `%TAG` line ends the document, which
    // is not followed here; a document that is one plain scalar may go on over a `%`.)
    if (line[0] == '%' && flow_ == 0 && reference_indent_) {
      const auto name = line.substr(1, line.find_first_of(" \t", 1) - 1);
      if (name.empty()) return error_at(number, 0, "could not find expected directive name");
      if (name != "YAML" && name != "TAG") {
        return error_at(number, 0, "found unknown directive name");
      }
      stopped_ = true;
      return std::nullopt;
    }
    if (!tab && flow_ == 0) line_indent_ = leading_spaces(line);
    comment_seen_ = false;
    structural_ = false;
    line_number_ = number;
    // A more deeply indented line after a plain scalar may continue it, and then its quotes
    // and brackets are text: unless the line holds a key or an entry, forget what it opened.
    const bool maybe_continuation =
        last_plain_ && flow_ == 0 &&
        (!reference_indent_ || leading_spaces(line) > *reference_indent_);
    const char saved_quote = quote_;
    const int saved_flow = flow_;
    const int saved_block = block_indent_;
    const int saved_content = block_content_indent_;
    const bool saved_expects = flow_expects_node_;
    scan_rest(line, tab ? line.find_first_not_of(" \t") : leading_spaces(line));
    if (maybe_continuation && !structural_) {
      quote_ = saved_quote;
      flow_ = saved_flow;
      block_indent_ = saved_block;
      block_content_indent_ = saved_content;
      flow_expects_node_ = saved_expects;
      last_plain_ = true;
    }
    if (structural_ && !tab && flow_ == 0) reference_indent_ = leading_spaces(line);
    return std::move(pending_);
  }

  // yaml.v3 reads on from a comment line over blank lines to the next comment line: such a
  // comment line, or a blank line on the way to one, may hold tabs.
  bool consumed_by_comment(std::string_view line, bool comment_follows) const {
    if (reader_ != go_reader::v3 || !comment_seen_) return false;
    return line.find('#') != std::string_view::npos || comment_follows;
  }

  // Position after the closing quote of the scalar open in quote_, from `pos`; nullopt when it
  // does not close on this line.
  std::optional<std::size_t> close_quote(std::string_view line, std::size_t pos) {
    for (std::size_t i = pos; i < line.size(); ++i) {
      if (quote_ == '"') {
        if (line[i] == '\\') {
          ++i;
        } else if (line[i] == '"') {
          quote_ = 0;
          return i + 1;
        }
      } else if (line[i] == '\'') {
        if (i + 1 < line.size() && line[i + 1] == '\'') {
          ++i;
        } else {
          quote_ = 0;
          return i + 1;
        }
      }
    }
    return std::nullopt;
  }

  // Tokenizes the line from `pos`, at a token start.
  void scan_rest(std::string_view line, std::size_t pos) {
    std::size_t i = pos;
    auto at_blank = [&](std::size_t k) { return k >= line.size() || is_blank(line[k]); };
    while (i < line.size()) {
      const char c = line[i];
      if (is_blank(c)) {
        ++i;
        continue;
      }
      if (c == '#') return;  // a comment after a token: yaml.v3 reads no lines past it
      last_plain_ = false;
      if (c == '"' || c == '\'') {
        flow_expects_node_ = false;
        quote_ = c;
        quote_line_ = line_number_;
        quote_column_ = i;
        const auto end = close_quote(line, i + 1);
        if (!end) return;
        i = *end;
        continue;
      }
      if (c == '[' || c == '{') {
        ++flow_;
        flow_expects_node_ = true;
        ++i;
        continue;
      }
      if (c == ']' || c == '}') {
        if (flow_ > 0) --flow_;
        flow_expects_node_ = false;
        ++i;
        continue;
      }
      if (c == ',' && flow_ > 0) {
        // An entry may be empty only when it has a key or properties: `[a, , b]`, `[, a]`.
        if (flow_expects_node_ && !pending_) {
          pending_ = error_at(line_number_, i, "did not find expected node content");
        }
        flow_expects_node_ = true;
        ++i;
        continue;
      }
      flow_expects_node_ = false;
      if ((c == '-' || c == '?' || c == ':') && at_blank(i + 1)) {
        if (flow_ == 0) structural_ = true;
        ++i;
        // After `-` and `?` a simple key is allowed again, so the spaces before the next token
        // may not include a tab.
        if (flow_ == 0 && c != ':' && !pending_) {
          std::size_t k = i;
          while (k < line.size() && line[k] == ' ')
            ++k;
          if (k < line.size() && line[k] == '\t') {
            pending_ = error_at(line_number_, k, "found character that cannot start any token");
          }
        }
        continue;
      }
      if ((c == '|' || c == '>') && flow_ == 0) {
        std::size_t k = i + 1;
        while (k < line.size() &&
               (line[k] == '-' || line[k] == '+' || (line[k] >= '0' && line[k] <= '9'))) {
          ++k;
        }
        if (blank_or_comment(line.substr(k))) {
          block_indent_ = static_cast<int>(line_indent_);
          // An explicit indentation indicator (`|2`) fixes the indentation relative to the
          // parent's, which is not tracked: only the header line's indentation is known.
          const bool explicit_indent =
              line.substr(i + 1, k - i - 1).find_first_of("0123456789") != std::string_view::npos;
          block_content_indent_ = explicit_indent ? block_indent_ + 1 : -1;
          return;
        }
      }
      if (c == '&' || c == '!' || c == '*') {
        while (i < line.size() && !is_blank(line[i]) &&
               (flow_ == 0 || std::string_view(",[]{}").find(line[i]) == std::string_view::npos))
          ++i;
        continue;
      }
      // A plain scalar: up to ` #`, `: ` (a key), or in flow context a flow indicator. Its
      // first character is always part of it (`:` before a flow indicator is a value
      // indicator, which is taken as a one-character token here), so the scan moves on.
      last_plain_ = true;
      ++i;
      while (i < line.size()) {
        if (line[i] == ':' && at_blank(i + 1)) break;
        if (line[i] == '#' && i > 0 && is_blank(line[i - 1])) break;
        if (flow_ > 0 && std::string_view(",[]{}").find(line[i]) != std::string_view::npos) break;
        if (flow_ > 0 && line[i] == ':' && i + 1 < line.size() &&
            std::string_view(",[]{}").find(line[i + 1]) != std::string_view::npos) {
          break;
        }
        ++i;
      }
    }
  }

  // yaml.v3 has scanned two tokens past the first document's end when it stops: the blank
  // and comment lines before them and the first of them.
  std::optional<core::diagnostic> lookahead(const std::vector<std::string_view>& lines,
                                            std::size_t marker) {
    quote_ = 0;
    flow_ = 0;
    comment_seen_ = false;
    std::string_view first = lines[marker].substr(3);
    std::size_t i = marker;
    std::size_t pos = 3;
    // The rest of the marker line: tabs are allowed after `---`.
    std::size_t k = first.find_first_not_of(" \t");
    bool found_token = k != std::string_view::npos && first[k] != '#';
    if (found_token) pos += k;
    int tokens_seen = 0;
    while (true) {
      if (!found_token) {
        ++i;
        if (i >= lines.size()) return std::nullopt;
        const std::string_view line = lines[i];
        const auto tab = leading_tab(line);
        const bool empty = blank_or_comment(line);
        if (tab && !(empty && consumed_by_comment(line, comment_follows_[i + 1]))) {
          return error_at(static_cast<int>(i) + 1, *tab,
                          "found character that cannot start any token");
        }
        if (empty) {
          if (line.find('#') != std::string_view::npos) comment_seen_ = true;
          continue;
        }
        if (is_marker(line, "---") || is_marker(line, "...")) return std::nullopt;
        pos = leading_spaces(line);
      }
      found_token = false;
      const std::string_view line = lines[i];
      const char c = line[pos];
      if (c != '"' && c != '\'') return std::nullopt;  // only quoted tokens are followed here
      quote_ = c;
      auto end = close_quote(line, pos + 1);
      while (!end) {
        ++i;
        if (i >= lines.size()) {
          return error_at(static_cast<int>(lines.size()), 0, "found unexpected end of stream");
        }
        if (is_marker(lines[i], "---") || is_marker(lines[i], "...")) {
          return error_at(static_cast<int>(i) + 1, 0, "found unexpected document indicator");
        }
        end = close_quote(lines[i], 0);
      }
      if (++tokens_seen >= 2) return std::nullopt;
      // After the scalar: the rest of its line, then the lines before the next token.
      const auto rest = lines[i].substr(*end);
      k = rest.find_first_not_of(" \t");
      if (k != std::string_view::npos && rest[k] != '#') return std::nullopt;
      comment_seen_ = false;
    }
  }

  std::string_view path_;
  go_reader reader_;
  char quote_ = 0;  // the quote of an open multi-line quoted scalar
  int flow_ = 0;
  bool flow_expects_node_ = false;  // in flow context, after `[`, `{` or `,`                   //
                                    // depth of flow collections
  int block_indent_ = -1;           // inside a block scalar: the indentation of its header line
  int block_content_indent_ = -1;   // and of its content, once known
  std::optional<std::size_t> reference_indent_;  // of the last line holding a key or entry
  bool last_plain_ = false;                      // the last token so far was a plain scalar
  int line_number_ = 0;
  bool stopped_ = false;  // a line this scanner does not follow ended the first document
  int quote_line_ = 0;    // where the open quoted scalar began
  std::size_t quote_column_ = 0;
  std::optional<core::diagnostic> pending_;  // an error found inside a line
  std::size_t line_indent_ = 0;              // indentation of the current line
  bool structural_ = false;                  // the current line holds a key or an entry
  // A comment line since the last token: yaml.v3 then reads on over blank and comment lines
  // (yaml_parser_scan_comments). A comment after a token on its line does not do that.
  bool comment_seen_ = false;
  std::vector<bool> comment_follows_;  // by line index, see run()
};

}  // namespace

std::optional<core::diagnostic> find_go_scanner_error(std::string_view path,
                                                      std::string_view content, go_reader reader) {
  return scanner(path, reader).run(content);
}

std::optional<mark> second_document_start(std::string_view content) {
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  // begun: the first document has begun (a `---` or content); ended: a `...` closed it.
  bool begun = false;
  bool ended = false;
  const auto lines = split_lines(content);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    const int number = static_cast<int>(i) + 1;
    if (is_marker(line, "---")) {
      if (begun) return mark{number, 1};
      begun = true;
    } else if (is_marker(line, "...")) {
      if (begun) ended = true;
    } else if (!blank_or_comment(line)) {
      if (ended) return mark{number, static_cast<int>(line.find_first_not_of(" \t")) + 1};
      // A directive (`%YAML`) at the start of a line belongs to the next document's prologue.
      if (!(line.front() == '%' && !begun)) begun = true;
    }
  }
  return std::nullopt;
}

}  // namespace promwatch::validate::yaml
