#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "validate/validate.hpp"
#include "validate/yaml/go_scanner.hpp"

namespace promwatch::validate::yaml {

/// A 1-based position in the source text.
struct mark {
  int line = 0;
  int column = 0;
};

enum class node_kind { null, scalar, sequence, map };

/// How a scalar was written; decides how its text maps back to source positions and whether
/// it is a string no matter what it looks like (`"123"` is a string, `123` is an int).
enum class scalar_style { plain, single_quoted, double_quoted, literal, folded };

struct entry;

/// One node of the first YAML document, with aliases already expanded.
struct node {
  node_kind kind = node_kind::null;
  mark pos;
  scalar_style style = scalar_style::plain;
  /// Explicit tag as the parser resolved it (`tag:yaml.org,2002:str` for `!!str`); empty when
  /// the node has none.
  std::string tag;
  /// Scalar text after unescaping. For null nodes the literal spelling (`null`, `~`, or empty),
  /// because Prometheus reads some fields as raw yaml.Node values where `null` is text.
  std::string value;
  std::vector<node> items;     ///< sequence elements
  std::vector<entry> entries;  ///< map entries in source order (duplicates kept)

  bool is_null() const { return kind == node_kind::null; }
  bool is_scalar() const { return kind == node_kind::scalar; }
  bool is_sequence() const { return kind == node_kind::sequence; }
  bool is_map() const { return kind == node_kind::map; }
  /// Quoted or block scalars are strings whatever their text says.
  bool is_plain() const {
    return kind == node_kind::scalar && style == scalar_style::plain && tag.empty();
  }
  /// The value of the last entry whose key is the scalar `key` (last wins, as decoders do).
  const node* find(std::string_view key) const;
};

struct entry {
  node key;
  node value;
};

/// What loading produced: the root of the first document (absent for an empty stream or one
/// holding only comments) or the errors that stopped loading.
struct document {
  std::optional<node> root;
  core::diagnostics errors;
  bool ok() const { return errors.empty(); }
};

struct load_options {
  /// yaml.v3/yaml.v2-strict behaviour: a key repeated in one mapping is an error
  /// (`mapping key "x" already defined at line N`), reported at the repeated key.
  bool reject_duplicate_keys = true;
  /// Parse input in the block subset of YAML with the built-in parser (block_subset.hpp),
  /// which yields what yaml-cpp yields several times faster; anything else goes to yaml-cpp.
  /// False always uses yaml-cpp (tests compare the two).
  bool fast_path = true;
  /// Also raise the scanner errors of this Go YAML reader that yaml-cpp lets pass (tabs where
  /// libyaml forbids them; for yaml.v3 the first tokens of the next document), see
  /// go_scanner.hpp. Unset keeps yaml-cpp's verdict alone.
  std::optional<go_reader> go_scanner;
};

/// Parses the first document of `content` (later documents are ignored, as Prometheus does)
/// into a tree with positions. Enforces `lim.max_file_bytes`, `lim.max_depth` and
/// `lim.max_alias_expansion`. Never throws: syntax errors become diagnostics on `path`.
document load(std::string_view path, std::string_view content, const limits& lim = {},
              const load_options& opts = {});

/// Where a second YAML document starts in `content` (its `---`, or its first content after a
/// `...` end marker), or nullopt when the stream holds at most one document; what a Go
/// yaml.v3 Decoder's second Decode call tells apart from io.EOF. Purely lexical: a document
/// marker is `---` or `...` at the start of a line followed by a blank or the line's end, which
/// YAML forbids inside any scalar. (Defined with the other line scanning, in go_scanner.cpp.)
std::optional<mark> second_document_start(std::string_view content);

}  // namespace promwatch::validate::yaml
