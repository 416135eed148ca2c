#include "validate/json/parse.hpp"

#include <string>

namespace promwatch::validate::json {

namespace {

constexpr std::string_view str_tag = "tag:yaml.org,2002:str";
constexpr std::string_view int_tag = "tag:yaml.org,2002:int";
constexpr std::string_view float_tag = "tag:yaml.org,2002:float";
constexpr std::string_view bool_tag = "tag:yaml.org,2002:bool";

struct syntax_error {
  std::size_t offset;
  std::string message;
};

// Go quotes the offending byte as a rune literal: 'x', '\n', '\x00'.
std::string quote_char(char c) {
  switch (c) {
    case '\n':
      return "'\\n'";
    case '\r':
      return "'\\r'";
    case '\t':
      return "'\\t'";
    case '\'':
      return "'\\''";
    case '\\':
      return "'\\\\'";
    default:
      break;
  }
  auto u = static_cast<unsigned char>(c);
  if (u < 0x20 || u == 0x7f) {
    static constexpr char hex[] = "0123456789abcdef";
    return std::string("'\\x") + hex[u >> 4] + hex[u & 15] + "'";
  }
  if (u >= 0x80) {
    // A lead byte is shown as the Latin-1 character Go prints for it (e.g. 'ï' for 0xEF).
    std::string s = "'";
    s += static_cast<char>(0xC0 | (u >> 6));
    s += static_cast<char>(0x80 | (u & 0x3F));
    return s + "'";
  }
  return std::string("'") + c + "'";
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

constexpr std::uint32_t replacement = 0xFFFD;

// Length of the valid UTF-8 sequence at `s[i]`, or 0 when it is invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  std::size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c < 0xE0 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  if (n == 3 && c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
  if (n == 3 && c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogate
  if (n == 4 && c == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
  if (n == 4 && c == 0xF4 && b(i + 1) >= 0x90) return 0;  // > U+10FFFF
  return n;
}

class parser {
 public:
  parser(std::string_view text, int max_depth) : text_(text), max_depth_(max_depth) {}

  yaml::node parse_document() {
    skip_space();
    yaml::node root = value(0);
    skip_space();
    if (pos_ < text_.size()) {
      fail(pos_, "invalid character " + quote_char(text_[pos_]) + " after top-level value");
    }
    return root;
  }

  yaml::mark mark_at(std::size_t offset) const {
    yaml::mark m{1, 1};
    for (std::size_t i = 0; i < offset && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++m.line;
        m.column = 1;
      } else {
        ++m.column;
      }
    }
    return m;
  }

 private:
  [[noreturn]] void fail(std::size_t at, std::string message) const {
    throw syntax_error{at, std::move(message)};
  }

  [[noreturn]] void fail_unexpected(std::string_view context) const {
    if (pos_ >= text_.size()) fail(pos_, "unexpected end of JSON input");
    fail(pos_, "invalid character " + quote_char(text_[pos_]) + " " + std::string(context));
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  yaml::node make(std::size_t at) {
    yaml::node n;
    // Positions are filled in lazily per node from a running line count, which keeps large
    // files linear.
    advance_mark(at);
    n.pos = current_;
    return n;
  }

  void advance_mark(std::size_t to) {
    for (; marked_ < to && marked_ < text_.size(); ++marked_) {
      if (text_[marked_] == '\n') {
        ++current_.line;
        current_.column = 1;
      } else {
        ++current_.column;
      }
    }
  }

  yaml::node value(int depth) {
    if (pos_ >= text_.size()) fail(pos_, "unexpected end of JSON input");
    char c = text_[pos_];
    if (c == '{' || c == '[') {
      if (depth >= max_depth_) {
        fail(pos_, "nesting deeper than " + std::to_string(max_depth_) + " levels");
      }
      return c == '{' ? object(depth + 1) : array(depth + 1);
    }
    if (c == '"') {
      yaml::node n = make(pos_);
      n.kind = yaml::node_kind::scalar;
      n.style = yaml::scalar_style::double_quoted;
      n.tag = str_tag;
      n.value = string();
      return n;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    for (std::string_view word : {"true", "false", "null"}) {
      if (c != word[0]) continue;
      yaml::node n = make(pos_);
      for (std::size_t k = 0; k < word.size(); ++k, ++pos_) {
        if (pos_ >= text_.size()) fail(pos_, "unexpected end of JSON input");
        if (text_[pos_] != word[k]) {
          fail(pos_, "invalid character " + quote_char(text_[pos_]) + " in literal " +
                         std::string(word) + " (expecting '" + word[k] + "')");
        }
      }
      if (word == "null") {
        n.kind = yaml::node_kind::null;
        n.value = "null";
      } else {
        n.kind = yaml::node_kind::scalar;
        n.tag = bool_tag;
        n.value = std::string(word);
      }
      return n;
    }
    fail_unexpected("looking for beginning of value");
  }

  yaml::node object(int depth) {
    yaml::node n = make(pos_);
    n.kind = yaml::node_kind::map;
    ++pos_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return n;
    }
    for (;;) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') {
        fail_unexpected("looking for beginning of object key string");
      }
      yaml::node key = value(depth);
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ':') fail_unexpected("after object key");
      ++pos_;
      skip_space();
      yaml::node v = value(depth);
      n.entries.push_back({std::move(key), std::move(v)});
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return n;
      }
      fail_unexpected("after object key:value pair");
    }
  }

  yaml::node array(int depth) {
    yaml::node n = make(pos_);
    n.kind = yaml::node_kind::sequence;
    ++pos_;
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return n;
    }
    for (;;) {
      skip_space();
      n.items.push_back(value(depth));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return n;
      }
      fail_unexpected("after array element");
    }
  }

  yaml::node number() {
    yaml::node n = make(pos_);
    n.kind = yaml::node_kind::scalar;
    std::size_t start = pos_;
    bool is_float = false;
    auto digit = [&] { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; };
    if (text_[pos_] == '-') {
      ++pos_;
      if (!digit()) fail_unexpected("in numeric literal");
    }
    if (text_[pos_] == '0') {
      ++pos_;
    } else {
      while (digit())
        ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      is_float = true;
      ++pos_;
      if (!digit()) fail_unexpected("after decimal point in numeric literal");
      while (digit())
        ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      is_float = true;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digit()) fail_unexpected("in exponent of numeric literal");
      while (digit())
        ++pos_;
    }
    n.tag = is_float ? float_tag : int_tag;
    n.value = std::string(text_.substr(start, pos_ - start));
    return n;
  }

  unsigned hex4() {
    unsigned v = 0;
    for (int k = 0; k < 4; ++k, ++pos_) {
      if (pos_ >= text_.size()) fail(pos_, "unexpected end of JSON input");
      char h = text_[pos_];
      unsigned d = h >= '0' && h <= '9'   ? unsigned(h - '0')
                   : h >= 'a' && h <= 'f' ? unsigned(h - 'a' + 10)
                   : h >= 'A' && h <= 'F' ? unsigned(h - 'A' + 10)
                                          : 16u;
      if (d == 16) fail_unexpected("in \\u hexadecimal character escape");
      v = v * 16 + d;
    }
    return v;
  }

  std::string string() {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      if (pos_ >= text_.size()) fail(pos_, "unexpected end of JSON input");
      char c = text_[pos_];
      auto u = static_cast<unsigned char>(c);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (u < 0x20) fail_unexpected("in string literal");
      if (c == '\\') {
        ++pos_;
        if (pos_ >= text_.size()) fail(pos_, "unexpected end of JSON input");
        char e = text_[pos_];
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            ++pos_;
            std::uint32_t cp = hex4();
            if (cp >= 0xD800 && cp < 0xDC00 && text_.substr(pos_, 2) == "\\u") {
              std::size_t save = pos_;
              pos_ += 2;
              std::uint32_t low = hex4();
              if (low >= 0xDC00 && low < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              } else {
                cp = replacement;
                pos_ = save;
              }
            } else if (cp >= 0xD800 && cp < 0xE000) {
              cp = replacement;
            }
            append_utf8(out, cp);
            continue;
          }
          default:
            fail_unexpected("in string escape code");
        }
        ++pos_;
        continue;
      }
      if (u < 0x80) {
        out += c;
        ++pos_;
        continue;
      }
      std::size_t n = utf8_length(text_, pos_);
      if (n == 0) {
        append_utf8(out, replacement);
        ++pos_;
      } else {
        out.append(text_.substr(pos_, n));
        pos_ += n;
      }
    }
  }

  std::string_view text_;
  int max_depth_;
  std::size_t pos_ = 0;
  std::size_t marked_ = 0;
  yaml::mark current_{1, 1};
};

}  // namespace

yaml::document parse(std::string_view path, std::string_view content, const limits& lim) {
  yaml::document doc;
  if (content.size() > lim.max_file_bytes) {
    doc.errors.push_back({std::string(path), 0, 0,
                          "file is " + std::to_string(content.size()) +
                              " bytes, more than the limit of " +
                              std::to_string(lim.max_file_bytes)});
    return doc;
  }
  parser p(content, lim.max_depth);
  try {
    doc.root = p.parse_document();
  } catch (const syntax_error& e) {
    auto m = p.mark_at(e.offset);
    doc.errors.push_back({std::string(path), m.line, m.column, e.message});
  }
  return doc;
}

}  // namespace promwatch::validate::json
