#include "validate/yaml/block_subset.hpp"

#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include "validate/yaml/document.hpp"

namespace yaml = promwatch::validate::yaml;

namespace {

class recorder final : public YAML::EventHandler {
 public:
  std::vector<std::string> events;

  void OnDocumentStart(const YAML::Mark& m) override { add("doc", m); }
  void OnDocumentEnd() override { events.push_back("/doc"); }
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { add("null", m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { add("alias", m); }
  void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t,
                const std::string& value) override {
    add("scalar " + tag, m);
    events.back() += " [" + value + "]";
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    add("seq " + tag, m);
  }
  void OnSequenceEnd() override { events.push_back("/seq"); }
  void OnMapStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    add("map " + tag, m);
  }
  void OnMapEnd() override { events.push_back("/map"); }

 private:
  void add(const std::string& what, const YAML::Mark& m) {
    events.push_back(what + " " + std::to_string(m.pos) + "/" + std::to_string(m.line) + "/" +
                     std::to_string(m.column));
  }
};

std::vector<std::string> yaml_cpp_events(const std::string& text) {
  recorder r;
  std::istringstream in{text};
  YAML::Parser parser(in);
  parser.HandleNextDocument(r);
  return r.events;
}

// The fast parser takes `text` and reports what yaml-cpp reports.
void check_same_as_yaml_cpp(const std::string& text) {
  CAPTURE(text);
  recorder fast;
  REQUIRE(yaml::parse_block_subset(text, fast));
  CHECK(fast.events == yaml_cpp_events(text));
}

}  // namespace

TEST_CASE("fast yaml parser reports yaml-cpp's events for the block subset") {
  SUBCASE("rule file shape") {
    check_same_as_yaml_cpp(
        "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: 5m\n"
        "    labels:\n      severity: page\n    annotations:\n"
        "      summary: \"{{ $labels.job }} down\"\n      description: 'it''s down'\n");
  }
  SUBCASE("explicit document start") {
    check_same_as_yaml_cpp("--- # rules\ngroups:\n- name: x\n");
  }
  SUBCASE("empty values point at the next token") {
    check_same_as_yaml_cpp("a:\nb:\n  c:\n  d:\ne:\n-\n- ~\n- null\n");
    check_same_as_yaml_cpp("a:\n  - x\n  -\nb:");
  }
  SUBCASE("empty value at the end of input after trailing spaces") {
    check_same_as_yaml_cpp("a:\n  b:\n  ");
    check_same_as_yaml_cpp("a:\n  - \n  ");
    check_same_as_yaml_cpp("  a:\n  ");
    check_same_as_yaml_cpp("a:\n# c");
  }
  SUBCASE("sequences at their key's indentation") {
    check_same_as_yaml_cpp("a:\n- x\n- y: 1\n  z: 2\nb: 3\n");
  }
  SUBCASE("multi-line plain and quoted scalars") {
    check_same_as_yaml_cpp("a: one\n  two\n\n  three # c\nb: \"x\n  \\\n  y \\u00e9\\x41\\N\"\n");
    check_same_as_yaml_cpp("- 'a\n\n  b'\n- c\n  d #x\n# c\n- e\n");
  }
  SUBCASE("block scalars with chomping and indentation indicators") {
    check_same_as_yaml_cpp("a: |\n  x\n   y\n\n\nb: >-\n  p\n  q\n\n   r\n  s\nc: |+\n  k\n\n");
    check_same_as_yaml_cpp("- |2\n    x\n  y\n- >\n\n  z\n");
  }
  SUBCASE("keys that look like other things") {
    check_same_as_yaml_cpp("\"quoted\": 1\n'single' : 2\nnull: 3\n~: 4\n<<: 5\n-x: 6\n:y: 7\n");
  }
}

TEST_CASE("fast yaml parser leaves everything outside the subset to yaml-cpp") {
  for (const char* text : {
           "",                        // empty stream
           "# only a comment\n",      // no document
           "---\n",                   // empty document
           "a: &x 1\nb: *x\n",        // anchors and aliases
           "a: !!str 1\n",            // tags
           "a: [1, 2]\n",             // flow collections
           "a: {b: 1}\n",             //
           "%YAML 1.2\n---\na: 1\n",  // directives
           "a: 1\n---\nb: 2\n",       // several documents
           "a: 1\n...\n",             // document end
           "? a\n: 1\n",              // explicit keys
           "a:\n\tb: 1\n",            // tabs
           "a: 1\r\nb: 2\r\n",        // carriage returns
           "a: b: c\n",               // yaml-cpp rejects it
           "a: 1\n b: 2\n",           //
           "a: \"\\q\"\n",            //
           "- - nested inline\n",     // not in the subset
       }) {
    CAPTURE(text);
    recorder r;
    CHECK_FALSE(yaml::parse_block_subset(text, r));
  }
}

TEST_CASE("yaml loader builds the same tree with and without the fast path") {
  yaml::load_options reference;
  reference.fast_path = false;
  for (const char* text : {
           "a: 1\nb:\n  - x\n  - \"y\"\na: dup\n",
           "base: 1\n<<:\n  k: v\n",
           "a: &x 1\nb: *x\n",
       }) {
    CAPTURE(text);
    auto fast = yaml::load("f.yml", text);
    auto slow = yaml::load("f.yml", text, {}, reference);
    REQUIRE(fast.root.has_value() == slow.root.has_value());
    REQUIRE(fast.errors.size() == slow.errors.size());
    for (std::size_t i = 0; i < fast.errors.size(); ++i) {
      CHECK(fast.errors[i].line == slow.errors[i].line);
      CHECK(fast.errors[i].column == slow.errors[i].column);
      CHECK(fast.errors[i].message == slow.errors[i].message);
    }
    REQUIRE(fast.root->entries.size() == slow.root->entries.size());
    for (std::size_t i = 0; i < fast.root->entries.size(); ++i) {
      const auto& a = fast.root->entries[i];
      const auto& b = slow.root->entries[i];
      CHECK(a.key.value == b.key.value);
      CHECK(a.value.value == b.value.value);
      CHECK(a.value.pos.line == b.value.pos.line);
      CHECK(a.value.pos.column == b.value.pos.column);
      CHECK(a.value.kind == b.value.kind);
    }
  }
}
