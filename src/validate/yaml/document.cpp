#include "validate/yaml/document.hpp"

#include <sstream>
#include <unordered_map>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include "validate/yaml/block_subset.hpp"
#include "validate/yaml/encoding.hpp"

namespace promwatch::validate::yaml {

const node* node::find(std::string_view key) const {
  const node* found = nullptr;
  for (const auto& e : entries) {
    if ((e.key.is_scalar() || e.key.is_null()) && e.key.value == key) found = &e.value;
  }
  return found;
}

namespace {

// Thrown from the event handler to stop yaml-cpp's recursive descent at once; the message is
// already a diagnostic.
struct abort_load {
  core::diagnostic diag;
};

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::size_t count_nodes(const node& n) {
  std::size_t total = 1;
  for (const auto& item : n.items)
    total += count_nodes(item);
  for (const auto& e : n.entries)
    total += count_nodes(e.key) + count_nodes(e.value);
  return total;
}

class tree_builder final : public scalar_taking_handler {
 public:
  tree_builder(std::string_view path, std::string_view source, const limits& lim,
               const load_options& opts)
      : path_(path), source_(source), limits_(lim), options_(opts) {}

  std::optional<node> take_root() { return std::move(root_); }
  core::diagnostics take_errors() {
    if (suppressed_ > 0) {
      errors_.push_back({std::string(path_), 0, 0,
                         std::to_string(suppressed_) + " more errors of this kind not shown"});
    }
    return std::move(errors_);
  }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& m, YAML::anchor_t anchor) override {
    node n = make(m);
    n.kind = node_kind::null;
    n.value = null_spelling(m);
    complete(std::move(n), anchor);
  }

  void OnAlias(const YAML::Mark& m, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) fail(m, "unknown anchor referenced by alias");
    expanded_ += it->second.size;
    if (expanded_ > limits_.max_alias_expansion) {
      fail(m, "yaml: document expands aliases to more than " +
                  std::to_string(limits_.max_alias_expansion) + " nodes (alias bomb?)");
    }
    complete(node(it->second.value), 0);
  }

  void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    OnScalarText(m, tag, anchor, std::string(value));
  }
  void OnScalarText(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                    std::string&& value) override {
    node n = make(m);
    n.kind = node_kind::scalar;
    n.value = std::move(value);
    set_tag(n, tag);
    n.style = scalar_style_at(m);
    complete(std::move(n), anchor);
  }

  void OnSequenceStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(m, tag, anchor, node_kind::sequence);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(m, tag, anchor, node_kind::map);
  }
  void OnMapEnd() override {
    if (!stack_.empty()) {
      if (options_.reject_duplicate_keys) check_duplicates(stack_.back().value);
      resolve_merges(stack_.back().value);
    }
    close();
  }

 private:
  struct frame {
    node value;
    YAML::anchor_t anchor = 0;
    std::optional<node> pending_key;
  };
  struct anchored {
    node value;
    std::size_t size = 0;
  };

  node make(const YAML::Mark& m) const {
    node n;
    n.pos = {m.line + 1, m.column + 1};
    return n;
  }

  [[noreturn]] void fail(const YAML::Mark& m, std::string message) const {
    throw abort_load{{std::string(path_), m.line + 1, m.column + 1, std::move(message)}};
  }

  static void set_tag(node& n, const std::string& tag) {
    // yaml-cpp reports "?" for untagged plain nodes and "!" for the non-specific tag of quoted
    // and block scalars; neither is an explicit tag.
    if (tag != "?" && tag != "!") n.tag = tag;
  }

  // Skips node properties (`!tag`, `&anchor`) so the first character of the content decides
  // how it was written.
  std::size_t content_start(const YAML::Mark& m) const {
    if (m.pos < 0) return source_.size();
    std::size_t i = static_cast<std::size_t>(m.pos);
    while (i < source_.size() && (source_[i] == '!' || source_[i] == '&')) {
      while (i < source_.size() && !is_blank(source_[i]))
        ++i;
      while (i < source_.size() && is_blank(source_[i]))
        ++i;
    }
    return i;
  }

  scalar_style scalar_style_at(const YAML::Mark& m) const {
    std::size_t i = content_start(m);
    if (i >= source_.size()) return scalar_style::plain;
    switch (source_[i]) {
      case '"':
        return scalar_style::double_quoted;
      case '\'':
        return scalar_style::single_quoted;
      case '|':
        return scalar_style::literal;
      case '>':
        return scalar_style::folded;
      default:
        return scalar_style::plain;
    }
  }

  std::string null_spelling(const YAML::Mark& m) const {
    std::size_t i = content_start(m);
    for (std::string_view word : {"null", "Null", "NULL", "~"}) {
      if (source_.substr(i, word.size()) != word) continue;
      std::size_t end = i + word.size();
      if (end < source_.size() && !is_blank(source_[end]) && source_[end] != ',' &&
          source_[end] != ']' && source_[end] != '}' && source_[end] != '#') {
        continue;
      }
      // An empty value's mark can point at the next key; `null:` there is that key.
      std::size_t next = end;
      while (next < source_.size() && (source_[next] == ' ' || source_[next] == '\t'))
        ++next;
      if (next < source_.size() && source_[next] == ':') continue;
      return std::string(word);
    }
    return {};
  }

  void open(const YAML::Mark& m, const std::string& tag, YAML::anchor_t anchor, node_kind kind) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth) {
      fail(m, "yaml: nesting deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    frame f;
    f.value = make(m);
    f.value.kind = kind;
    set_tag(f.value, tag);
    f.anchor = anchor;
    stack_.push_back(std::move(f));
  }

  void close() {
    if (stack_.empty()) return;
    frame f = std::move(stack_.back());
    stack_.pop_back();
    complete(std::move(f.value), f.anchor);
  }

  void complete(node n, YAML::anchor_t anchor) {
    if (anchor != 0) anchors_[anchor] = anchored{n, count_nodes(n)};
    if (stack_.empty()) {
      if (!root_) root_ = std::move(n);
      return;
    }
    frame& parent = stack_.back();
    // Most collections in configs and rule files hold a handful of nodes: starting at four
    // saves the first reallocations, each of which moves every node so far.
    constexpr std::size_t first_capacity = 4;
    if (parent.value.kind == node_kind::sequence) {
      if (parent.value.items.empty()) parent.value.items.reserve(first_capacity);
      parent.value.items.push_back(std::move(n));
    } else if (!parent.pending_key) {
      parent.pending_key = std::move(n);
    } else {
      if (parent.value.entries.empty()) parent.value.entries.reserve(first_capacity);
      parent.value.entries.push_back(entry{std::move(*parent.pending_key), std::move(n)});
      parent.pending_key.reset();
    }
  }

  static bool is_merge_key(const node& key) {
    return key.is_scalar() && key.value == "<<" && key.style == scalar_style::plain &&
           (key.tag.empty() || key.tag == "tag:yaml.org,2002:merge");
  }

  // `<<: *base` (or a sequence of maps) merges the entries whose keys the map does not set
  // itself, as both Go yaml libraries do.
  void resolve_merges(node& map) {
    bool any = false;
    for (const auto& e : map.entries)
      any = any || is_merge_key(e.key);
    if (!any) return;
    std::vector<entry> merged;
    std::unordered_map<std::string, bool> seen;
    for (auto& e : map.entries) {
      if (is_merge_key(e.key)) continue;
      if (e.key.is_scalar()) seen[e.key.value] = true;
    }
    for (auto& e : map.entries) {
      if (!is_merge_key(e.key)) {
        merged.push_back(std::move(e));
        continue;
      }
      std::vector<node*> maps;
      if (e.value.is_map()) {
        maps.push_back(&e.value);
      } else if (e.value.is_sequence()) {
        for (auto& item : e.value.items)
          maps.push_back(&item);
      }
      bool ok = !maps.empty();
      for (auto* m : maps)
        ok = ok && m->is_map();
      if (!ok) {
        add_error({std::string(path_), e.value.pos.line, e.value.pos.column,
                   "map merge requires map or sequence of maps as the value"});
        continue;
      }
      for (auto* m : maps) {
        for (auto& inner : m->entries) {
          if (inner.key.is_scalar() && seen[inner.key.value]) continue;
          if (inner.key.is_scalar()) seen[inner.key.value] = true;
          merged.push_back(std::move(inner));
        }
      }
    }
    map.entries = std::move(merged);
  }

  void check_duplicates(const node& map) {
    // Keys compare by kind and text, as yaml.v3 does, so `1` and `"1"` collide.
    const auto& entries = map.entries;
    auto comparable = [](const node& key) { return key.is_scalar() || key.is_null(); };
    if (entries.size() <= 16) {
      // Small maps (nearly all of them) need no hash table: compare with earlier keys.
      for (std::size_t j = 1; j < entries.size(); ++j) {
        const node& key = entries[j].key;
        if (!comparable(key)) continue;
        for (std::size_t i = 0; i < j; ++i) {
          const node& first = entries[i].key;
          if (comparable(first) && first.kind == key.kind && first.value == key.value) {
            add_error({std::string(path_), key.pos.line, key.pos.column,
                       "mapping key \"" + key.value + "\" already defined at line " +
                           std::to_string(first.pos.line)});
            break;
          }
        }
      }
      return;
    }
    std::unordered_map<std::string, int> first_line;
    for (const auto& e : map.entries) {
      if (!e.key.is_scalar() && !e.key.is_null()) continue;
      std::string id = (e.key.is_null() ? "n:" : "s:") + e.key.value;
      auto [it, inserted] = first_line.emplace(std::move(id), e.key.pos.line);
      if (!inserted) {
        add_error({std::string(path_), e.key.pos.line, e.key.pos.column,
                   "mapping key \"" + e.key.value + "\" already defined at line " +
                       std::to_string(it->second)});
      }
    }
  }

  std::string_view path_;
  std::string_view source_;
  const limits& limits_;
  const load_options& options_;
  std::vector<frame> stack_;
  std::optional<node> root_;
  std::unordered_map<YAML::anchor_t, anchored> anchors_;
  std::size_t expanded_ = 0;
  // A hostile file (millions of repeated keys) must not turn into millions of diagnostics:
  // the first ones locate the problem, the rest are only counted.
  static constexpr std::size_t max_errors = 100;
  void add_error(core::diagnostic d) {
    if (errors_.size() < max_errors) {
      errors_.push_back(std::move(d));
    } else {
      ++suppressed_;
    }
  }
  core::diagnostics errors_;
  std::size_t suppressed_ = 0;
};

}  // namespace

namespace {
document load_first_document(std::string_view path, std::string_view content, const limits& lim,
                             const load_options& opts, bool& took_fast_path);

// A `%` at the start of a line: libyaml reads a directive there, even inside a document.
bool has_line_starting_with_percent(std::string_view content) {
  if (content.starts_with('%')) return true;
  return content.find("\n%") != std::string_view::npos;
}
}  // namespace

document load(std::string_view path, std::string_view content, const limits& lim,
              const load_options& opts) {
  document doc;
  if (content.size() > lim.max_file_bytes) {
    doc.errors.push_back({std::string(path), 0, 0,
                          "file is " + std::to_string(content.size()) +
                              " bytes, more than the limit of " +
                              std::to_string(lim.max_file_bytes)});
    return doc;
  }
  // yaml-cpp consumes a byte order mark without counting it in positions; dropping it here
  // keeps byte offsets and source text aligned.
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  if (auto problem = check_encoding(path, content)) {
    doc.errors.push_back(std::move(*problem));
    return doc;
  }

  bool took_fast_path = false;
  doc = load_first_document(path, content, lim, opts, took_fast_path);
  // A Go scanner error stops Go before it decodes anything, so it replaces what decoding
  // found; yaml-cpp's own syntax errors (no root) stay. What the fast path parses holds
  // nothing that scanner looks for (tabs, flow collections, document markers, unterminated
  // quotes) except a line that starts with `%`, so only then is the second pass needed.
  const bool scanner_can_object = !took_fast_path || has_line_starting_with_percent(content);
  if (opts.go_scanner && scanner_can_object && (doc.root || doc.errors.empty())) {
    if (auto err = find_go_scanner_error(path, content, *opts.go_scanner)) {
      doc.root.reset();
      doc.errors = {std::move(*err)};
    }
  }
  return doc;
}

namespace {
document load_first_document(std::string_view path, std::string_view content, const limits& lim,
                             const load_options& opts, bool& took_fast_path) {
  document doc;
  if (opts.fast_path) {
    tree_builder fast(path, content, lim, opts);
    bool parsed = false;
    try {
      parsed = parse_block_subset(content, fast);
    } catch (const abort_load&) {
      parsed = false;  // a limit was hit: let yaml-cpp find whatever it reports first
    }
    if (parsed) {
      took_fast_path = true;
      doc.root = fast.take_root();
      doc.errors = fast.take_errors();
      return doc;
    }
  }

  tree_builder builder(path, content, lim, opts);
  try {
    std::istringstream in{std::string(content)};
    YAML::Parser parser(in);
    parser.HandleNextDocument(builder);
  } catch (const abort_load& a) {
    doc.errors.push_back(a.diag);
    return doc;
  } catch (const YAML::Exception& e) {
    int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    int column = e.mark.is_null() ? 0 : e.mark.column + 1;
    doc.errors.push_back({std::string(path), line, column, "yaml: " + e.msg});
    return doc;
  } catch (const std::exception& e) {
    doc.errors.push_back({std::string(path), 0, 0, std::string("yaml: ") + e.what()});
    return doc;
  }
  doc.root = builder.take_root();
  doc.errors = builder.take_errors();
  return doc;
}
}  // namespace

}  // namespace promwatch::validate::yaml
