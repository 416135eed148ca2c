#include "validate/yaml/document.hpp"

#include <string>

#include <doctest/doctest.h>

#include "validate/yaml/decode.hpp"

namespace yaml = promwatch::validate::yaml;

TEST_CASE("yaml loader gives every node and key a 1-based position") {
  auto doc = yaml::load("f.yml", "a: 1\nb:\n  - x\n  - \"y\"\n");
  REQUIRE(doc.ok());
  REQUIRE(doc.root);
  const auto& root = *doc.root;
  REQUIRE(root.is_map());
  REQUIRE(root.entries.size() == 2);
  CHECK(root.pos.line == 1);
  CHECK(root.pos.column == 1);
  CHECK(root.entries[0].key.value == "a");
  CHECK(root.entries[0].value.pos.column == 4);
  const auto& seq = root.entries[1].value;
  REQUIRE(seq.is_sequence());
  REQUIRE(seq.items.size() == 2);
  CHECK(seq.items[0].pos.line == 3);
  CHECK(seq.items[0].pos.column == 5);
  CHECK(seq.items[0].style == yaml::scalar_style::plain);
  CHECK(seq.items[1].style == yaml::scalar_style::double_quoted);
  CHECK(seq.items[1].value == "y");
}

TEST_CASE("yaml loader tells scalar styles and null spellings apart") {
  auto doc = yaml::load("f.yml", "a: null\nb: ~\nc:\nd: 'x'\ne: |\n  t\nf: >\n  t\ng: !!str 5\n");
  REQUIRE(doc.ok());
  const auto& r = *doc.root;
  CHECK(r.find("a")->is_null());
  CHECK(r.find("a")->value == "null");
  CHECK(r.find("b")->value == "~");
  CHECK(r.find("c")->is_null());
  CHECK(r.find("c")->value.empty());
  CHECK(r.find("d")->style == yaml::scalar_style::single_quoted);
  CHECK(r.find("e")->style == yaml::scalar_style::literal);
  CHECK(r.find("e")->value == "t\n");
  CHECK(r.find("f")->style == yaml::scalar_style::folded);
  CHECK(yaml::short_tag(*r.find("g")) == "!!str");
}

TEST_CASE("yaml loader reports a duplicate key at the repeated key") {
  auto doc = yaml::load("f.yml", "a: 1\nb: 2\na: 3\n");
  REQUIRE(doc.errors.size() == 1);
  CHECK(doc.errors[0].line == 3);
  CHECK(doc.errors[0].column == 1);
  CHECK(doc.errors[0].message == "mapping key \"a\" already defined at line 1");
}

TEST_CASE("yaml loader keeps duplicate keys when asked not to reject them") {
  yaml::load_options opts;
  opts.reject_duplicate_keys = false;
  auto doc = yaml::load("f.yml", "a: 1\na: 3\n", {}, opts);
  REQUIRE(doc.ok());
  CHECK(doc.root->find("a")->value == "3");
}

TEST_CASE("yaml loader reports syntax errors with line and column") {
  auto doc = yaml::load("f.yml", "a: [1, 2\nb: 3\n");
  REQUIRE(doc.errors.size() == 1);
  CHECK(doc.errors[0].file == "f.yml");
  CHECK(doc.errors[0].line > 0);
  CHECK(doc.errors[0].message.rfind("yaml: ", 0) == 0);
}

TEST_CASE("yaml loader uses only the first document") {
  auto doc = yaml::load("f.yml", "a: 1\n---\nb: [\n");
  REQUIRE(doc.ok());
  CHECK(doc.root->find("a") != nullptr);
  CHECK(doc.root->find("b") == nullptr);
}

TEST_CASE("yaml loader treats an empty or comment-only stream as no document") {
  CHECK_FALSE(yaml::load("f.yml", "").root);
  CHECK_FALSE(yaml::load("f.yml", "# nothing\n").root);
  CHECK(yaml::load("f.yml", "# nothing\n").ok());
}

TEST_CASE("yaml loader expands aliases within a budget") {
  SUBCASE("a small alias is expanded") {
    auto doc = yaml::load("f.yml", "a: &x [1, 2]\nb: *x\n");
    REQUIRE(doc.ok());
    CHECK(doc.root->find("b")->items.size() == 2);
  }
  SUBCASE("an alias bomb is an error") {
    std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    char prev = 'a';
    for (char c = 'b'; c <= 'j'; ++c, ++prev) {
      bomb += std::string(1, c) + ": &" + c + " [";
      for (int i = 0; i < 10; ++i)
        bomb += std::string(i ? ", *" : "*") + prev;
      bomb += "]\n";
    }
    auto doc = yaml::load("f.yml", bomb);
    REQUIRE(doc.errors.size() == 1);
    CHECK(doc.errors[0].message.find("alias") != std::string::npos);
  }
}

TEST_CASE("yaml loader limits nesting depth and file size") {
  promwatch::validate::limits lim;
  lim.max_depth = 10;
  auto deep = yaml::load("f.yml", std::string(50, '[') + std::string(50, ']'), lim);
  REQUIRE(deep.errors.size() == 1);
  CHECK(deep.errors[0].message.find("nesting") != std::string::npos);
  lim.max_file_bytes = 4;
  auto big = yaml::load("f.yml", "a: 12345\n", lim);
  REQUIRE(big.errors.size() == 1);
  CHECK(big.errors[0].message.find("limit") != std::string::npos);
}

TEST_CASE("yaml decoder reports unknown fields and type errors like yaml.v3") {
  auto doc = yaml::load("f.yml", "name: x\nlimit: abc\nbogus: 1\ninterval: 5\n");
  REQUIRE(doc.ok());
  yaml::decoder dec("f.yml", yaml::dialect::v3);
  dec.known_fields(*doc.root, {"name", "limit", "interval"}, "rulefmt.RuleGroup");
  CHECK_FALSE(dec.integer(*doc.root->find("limit")));
  CHECK_FALSE(dec.duration(*doc.root->find("interval")));
  REQUIRE(dec.errors().size() == 3);
  CHECK(dec.errors()[0].message == "field bogus not found in type rulefmt.RuleGroup");
  CHECK(dec.errors()[0].line == 3);
  CHECK(dec.errors()[1].message == "cannot unmarshal !!str `abc` into int");
  CHECK(dec.errors()[2].message == "not a valid duration string: \"5\"");
}

TEST_CASE("yaml decoder resolves scalars as Go yaml libraries do") {
  auto doc = yaml::load("f.yml", "a: 0x10\nb: 1.9\nc: '5'\nd: yes\ne: 1_000\n");
  REQUIRE(doc.ok());
  yaml::decoder v3("f.yml", yaml::dialect::v3);
  CHECK(v3.integer(*doc.root->find("a")) == 16);
  CHECK(v3.integer(*doc.root->find("b")) == 1);
  CHECK(v3.integer(*doc.root->find("e")) == 1000);
  CHECK_FALSE(v3.integer(*doc.root->find("c")));
  CHECK_FALSE(v3.boolean(*doc.root->find("d")));
  yaml::decoder v2("f.yml", yaml::dialect::v2);
  CHECK(v2.boolean(*doc.root->find("d")) == true);
}

TEST_CASE("yaml loader resolves merge keys, explicit keys winning") {
  auto doc = yaml::load("f.yml", "base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  b: 3\n");
  REQUIRE(doc.ok());
  const auto* m = doc.root->find("m");
  REQUIRE(m != nullptr);
  REQUIRE(m->entries.size() == 2);
  CHECK(m->find("a")->value == "1");
  CHECK(m->find("b")->value == "3");
  CHECK_FALSE(yaml::load("f.yml", "m:\n  <<: 5\n").ok());
}

TEST_CASE("yaml loader reports every repeated key against its first occurrence") {
  SUBCASE("small map") {
    auto doc = yaml::load("f.yml", "1: a\n\"1\": b\n~: c\nnull: d\n1: e\n");
    REQUIRE(doc.errors.size() == 3);
    CHECK(doc.errors[0].message == "mapping key \"1\" already defined at line 1");
    CHECK(doc.errors[0].line == 2);
    CHECK(doc.errors[1].line == 4);
    CHECK(doc.errors[1].message == "mapping key \"\" already defined at line 3");
    CHECK(doc.errors[2].line == 5);
    CHECK(doc.errors[2].message == "mapping key \"1\" already defined at line 1");
  }
  SUBCASE("large map") {
    std::string text;
    for (int i = 0; i < 20; ++i)
      text += "k" + std::to_string(i) + ": v\n";
    text += "k3: again\nk3: and again\n";
    auto doc = yaml::load("f.yml", text);
    REQUIRE(doc.errors.size() == 2);
    CHECK(doc.errors[0].line == 21);
    CHECK(doc.errors[0].message == "mapping key \"k3\" already defined at line 4");
    CHECK(doc.errors[1].line == 22);
  }
}
