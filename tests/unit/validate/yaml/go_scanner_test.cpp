#include "validate/yaml/go_scanner.hpp"

#include <string>

#include <doctest/doctest.h>

#include "validate/yaml/document.hpp"

namespace yaml = promwatch::validate::yaml;

namespace {
struct scan_case {
  const char* content;
  const char* v3;  // the error raised for yaml.v3 ("" when none)
  const char* v2;  // the same for yaml.v2
  int line = 0;    // where, when an error is expected
  int column = 0;
};

// Whether there is a scanner error was checked with promtool 3.5 on each input (check rules:
// yaml.v3; check service-discovery: yaml.v2). Go's message differs in places: after a plain
// scalar it says `found a tab character that violates indentation`, and it puts block scalar
// errors on the scalar's first line.
const scan_case cases[] = {
    {"a: []\n\t\n", "found character that cannot start any token",
     "found character that cannot start any token", 2, 1},
    {"a: []\n  \t\n", "found character that cannot start any token",
     "found character that cannot start any token", 2, 3},
    {"a: 1\n\t# c\n", "found character that cannot start any token",
     "found character that cannot start any token", 2, 1},
    {"# c\n\t# c\na: 1\n", "", "found character that cannot start any token", 2, 1},
    {"a: 1 # c\n\t# d\n", "found character that cannot start any token",
     "found character that cannot start any token", 2, 1},
    {"-\ta\n", "found character that cannot start any token",
     "found character that cannot start any token", 1, 2},
    {"? \ta\n: 1\n", "found character that cannot start any token",
     "found character that cannot start any token", 1, 3},
    {"a:\n\t[]\n", "found character that cannot start any token",
     "found character that cannot start any token", 2, 1},
    {"a:\n  b: |\n    x\n\t\n", "found a tab character where an indentation space is expected",
     "found a tab character where an indentation space is expected", 4, 1},
    {"a:\n  b: x\n  \t\n", "found character that cannot start any token",
     "found character that cannot start any token", 3, 3},
    // yaml.v3 reads on from a comment line to the next one, over blank lines; not further.
    {"a: []\n# c\n\t\n# d\n", "", "found character that cannot start any token", 3, 1},
    {"a: []\n# c\n\t\n", "found character that cannot start any token",
     "found character that cannot start any token", 3, 1},
    {"a: []\n# c\n\n\t# d\n", "", "found character that cannot start any token", 4, 1},
    {"a: []\n---\n# c\n\t\n", "found character that cannot start any token", "", 4, 1},
    {"a: []\n---\n# c\n\t\n# d\n", "", ""},
    // Until a block scalar's first line fixes its indentation, no tab may lead a line.
    {"a:\n  b: >\n     \t x\n", "found a tab character where an indentation space is expected",
     "found a tab character where an indentation space is expected", 3, 6},
    {"a:\n  b: |\n\n   \t\n    x\n", "found a tab character where an indentation space is expected",
     "found a tab character where an indentation space is expected", 4, 4},
    {"a:\n  b: |\n      x\n     \ty\n",
     "found a tab character where an indentation space is expected",
     "found a tab character where an indentation space is expected", 4, 6},
    // A quoted scalar may not run to the end of the stream or over a document marker.
    {"- a\n\"", "found unexpected end of stream", "found unexpected end of stream", 2, 1},
    {"- a\n- \"b\n- c\n", "found unexpected end of stream", "found unexpected end of stream", 2, 3},
    {"- {a: b}\n'c\n", "found unexpected end of stream", "found unexpected end of stream", 2, 1},
    {"- \"a\n---\nb\"\n", "found unexpected document indicator",
     "found unexpected document indicator", 2, 1},
    {"a: b\n  \"c\n", "", ""},  // the plain scalar goes on: `b "c`
    {"a: it's\n", "", ""},
    {"a: [x, 'y''s']\n", "", ""},
    // `%` at the start of a line is a directive, which may not stand inside a document.
    {"a:\n%  - b\n", "could not find expected directive name",
     "could not find expected directive name", 2, 1},
    {"a:\n- b\n%x\n", "found unknown directive name", "found unknown directive name", 3, 1},
    {"%YAML 1.1\n---\na: 1\n", "", ""},
    // Empty flow entries and an end marker before any document (yaml-cpp accepts them).
    {"a: [b, , c]\n", "did not find expected node content", "did not find expected node content", 1,
     8},
    {"a: [, b]\n", "did not find expected node content", "did not find expected node content", 1,
     5},
    {"a: {b: 1,, c: 2}\n", "did not find expected node content",
     "did not find expected node content", 1, 10},
    {"a: [b,\n  ,c]\n", "did not find expected node content", "did not find expected node content",
     2, 3},
    {"...\na: 1\n", "did not find expected node content", "did not find expected node content", 1,
     1},
    {"# c\n...\n", "did not find expected node content", "did not find expected node content", 2,
     1},
    {"a: [&b, c]\n", "", ""},
    {"a: [!!str , c]\n", "", ""},
    {"a: [{b: , c: 1}]\n", "", ""},
    {"a: [b,]\n", "", ""},
    {"a: ['b':]\n\t\n", "found character that cannot start any token",
     "found character that cannot start any token", 2, 1},  // used to loop forever
    {"a: [b:, c]\n", "", ""},
    {"---\na: 1\n...\n", "", ""},
    // Accepted: flow context, quoted scalars, after `:`, plain continuation right of the indent.
    {"a: [\n\t]\n", "", ""},
    {"a:\t1\n", "", ""},
    {"a: 1 \t\n", "", ""},
    {"a: \"x\n\ty\"\n", "", ""},
    {"a:\n  b: x\n     \ty\n", "", ""},
    {"a:\n  b: |\n    x\n     \ty\n", "", ""},
    {"- a\n    \t\n", "", ""},
    {"--- \t[a]\n", "", ""},
    // yaml.v3 scans two tokens into the next document; yaml.v2 stops at the first one's end.
    {"a: 1\n---\n\tb\n", "found character that cannot start any token", "", 3, 1},
    {"a: 1\n...\n\tb\n", "found character that cannot start any token", "", 3, 1},
    {"a: 1\n---\n\"b\n", "found unexpected end of stream", "", 3, 1},
    {"a: 1\n--- 'b\n", "found unexpected end of stream", "", 2, 1},
    {"a: 1\n---\n\"b\"\n\tc\n", "found character that cannot start any token", "", 4, 1},
    {"a: 1\n---\n\"b\nc\"\n", "", ""},
    {"a: 1\n---\nb: \"c\n", "", ""},
    {"a: 1\n---\nb:\n\t- 1\n", "", ""},
    {"a: 1\n---\n- 'b\n", "", ""},
};
}  // namespace

TEST_CASE("find_go_scanner_error raises the Go scanner errors yaml-cpp lets pass") {
  for (const auto& c : cases) {
    CAPTURE(c.content);
    for (auto reader : {yaml::go_reader::v3, yaml::go_reader::v2}) {
      const std::string expected = reader == yaml::go_reader::v3 ? c.v3 : c.v2;
      CAPTURE(expected);
      const auto err = yaml::find_go_scanner_error("f.yml", c.content, reader);
      if (expected.empty()) {
        CHECK_FALSE(err);
        continue;
      }
      REQUIRE(err);
      CHECK(err->message == "yaml: " + expected);
      CHECK(err->line == c.line);
      CHECK(err->column == c.column);
    }
  }
}

TEST_CASE("yaml::load applies the scanner checks only when asked") {
  yaml::load_options v3;
  v3.go_scanner = yaml::go_reader::v3;
  CHECK(yaml::load("f.yml", "a: []\n\t\n").ok());
  CHECK_FALSE(yaml::load("f.yml", "a: []\n\t\n", {}, v3).ok());
  CHECK_FALSE(yaml::load("f.yml", "a: []\n\t\n", {}, v3).root);
  CHECK_FALSE(yaml::load("f.yml", "\t\n", {}, v3).ok());  // an otherwise empty stream
  // yaml-cpp's own syntax error is kept.
  const auto broken = yaml::load("f.yml", "a: [\n\t\n", {}, v3);
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.errors.front().message.rfind("yaml: ", 0) == 0);
}

TEST_CASE("second_document_start finds where a second YAML document begins") {
  struct row {
    const char* content;
    int line;  // 0: one document at most
  };
  const row rows[] = {
      {"", 0},
      {"a: 1\n", 0},
      {"---\na: 1\n", 0},
      {"# c\n---\na: 1\n", 0},
      {"%YAML 1.2\n---\na: 1\n", 0},
      {"a: 1\n...\n", 0},
      {"a: 1\n...\n# c\n", 0},
      {"a: |\n  ---\n", 0},
      {"a: 1\n---\n", 2},
      {"a: 1\n--- b\n", 2},
      {"---\n---\n", 2},
      {"a: 1\n...\nb: 2\n", 3},
      {"a: 1\n...\n---\n", 3},
      {"\xEF\xBB\xBF"
       "a: 1\n---\n",
       2},
  };
  for (const auto& r : rows) {
    CAPTURE(r.content);
    const auto at = yaml::second_document_start(r.content);
    if (r.line == 0) {
      CHECK_FALSE(at);
    } else {
      REQUIRE(at);
      CHECK(at->line == r.line);
    }
  }
}
