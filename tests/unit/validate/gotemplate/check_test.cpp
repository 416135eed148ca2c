#include "validate/gotemplate/check.hpp"

#include <string>

#include <doctest/doctest.h>

namespace gt = promwatch::validate::gotemplate;

namespace {

struct verdict_case {
  const char* text;
  int line;             // 0: the template is valid
  const char* message;  // exactly as Go 1.19 / promtool 2.42 prints it
};

// Every row was checked against `promtool check rules` 2.42.0 (template name
// `__alert_T`): same verdict, same line, same message.
const verdict_case promtool_verdicts[] = {
    {"{{ humanise $value }}", 1, "function \"humanise\" not defined"},
    {"{{ $label }}", 1, "undefined variable \"$label\""},
    {"{{ $labels.instance", 1, "unclosed action"},
    {"{{ }}", 1, "missing value for command"},
    {"{{ . }", 1, "unexpected \"}\" in operand"},
    {"{{ end }}", 1, "unexpected {{end}}"},
    {"{{ else }}", 1, "unexpected {{else}}"},
    {"{{ if }}", 1, "missing value for if"},
    {"{{ if 1 }}", 1, "unexpected EOF"},
    {"{{ if 1 }}{{ else }}{{ else }}{{ end }}", 1, "expected end; found {{else}}"},
    {"{{ range $i, $v := . }}{{ $i }}{{ end }}", 0, ""},
    {"{{ range $i, $v, $w := . }}{{ end }}", 1, "too many declarations in range"},
    {"{{ with $x := 1 }}{{ $x }}{{ end }}{{ $x }}", 1, "undefined variable \"$x\""},
    {"{{ $x := 1 }}{{ $x = 2 }}{{ $x }}", 0, ""},
    {"{{ $y = 2 }}", 0, ""},
    {"{{ ( }}", 1, "unclosed left paren"},
    {"{{ ) }}", 1, "unexpected \")\" in command"},
    {"{{ (1 }}", 1, "unclosed left paren"},
    {"{{ 1) }}", 1, "unexpected \")\" in command"},
    {"{{ \"abc }}", 1, "unterminated quoted string"},
    {"{{ `abc }}", 1, "unterminated raw quoted string"},
    {"{{ 'a }}", 1, "unterminated character constant"},
    {"{{ 'ab' }}", 1, "malformed character constant: 'ab'"},
    {"{{ \"\\q\" }}", 1, "invalid syntax"},
    {"{{ 1x }}", 1, "bad number syntax: \"1x\""},
    {"{{ 0x1g }}", 1, "bad number syntax: \"0x1g\""},
    {"{{ 1.2.3 }}", 1, "unexpected \".3\" in operand"},
    {"{{ $x+1 }}", 1, "bad character U+002B '+'"},
    {"{{ .Foo.Bar }}", 0, ""},
    {"{{ 1.Foo }}", 1, "bad number syntax: \"1.F\""},
    {"{{ nil.Foo }}", 1, "unexpected . after term \"nil\""},
    {"{{ (1).Foo }}", 0, ""},
    {"{{ 1 | 2 }}", 1, "non executable command in pipeline stage 2"},
    {"{{ print | 2 }}", 1, "non executable command in pipeline stage 2"},
    {"{{ | print }}", 1, "unexpected \"|\" in command"},
    {"{{ print | }}", 0, ""},
    {"{{ # }}", 1, "unexpected \"#\" in command"},
    {"{{ a }}", 1, "function \"a\" not defined"},
    {"{{ @ }}", 1, "unexpected \"@\" in command"},
    {"{{ \xc3\xa9"
     " }}",
     1,
     "function \"\xc3\xa9"
     "\" not defined"},
    {"{{ template \"x\" }}", 0, ""},
    {"{{ template x }}", 1, "unexpected \"x\" in template clause"},
    {"{{ define \"x\" }}a{{ end }}", 0, ""},
    {"{{ define \"x\" }}{{ $labels }}{{ end }}", 1, "undefined variable \"$labels\""},
    {"{{ block \"x\" . }}a{{ end }}", 0, ""},
    {"{{ range . }}{{ break }}{{ end }}", 0, ""},
    {"{{ range . }}{{ break 1 }}{{ end }}", 1, "unexpected \"1\" in {{break}}"},
    {"{{ else with 1 }}", 1, "unexpected <with> in else"},
    {"{{ with 1 }}{{ else with 2 }}{{ end }}", 1, "unexpected <with> in else"},
    {"{{/* c */}}", 0, ""},
    {"{{/* c */ }}", 1, "comment ends before closing delimiter"},
    {"{{/* c", 1, "unclosed comment"},
    {"{{- /* c */ -}}", 0, ""},
    {"{{-3}}", 0, ""},
    {"{{ -3 }}", 0, ""},
    {"{{ 3 -}}", 0, ""},
    {"{{ 3 -}", 1, "illegal number syntax: \"-\""},
    {"{{ print 1 2 3}", 1, "unexpected \"}\" in operand"},
    {"{{ print 1 2 3 }x", 1, "unexpected \"}\" in operand"},
    {"{{ $x}", 1, "bad character U+007D '}'"},
    {"{{ print 1 \"abc }}", 1, "unterminated quoted string"},
    {"{{ print 1 (2 }}", 1, "unclosed left paren"},
    {"{{ print (1 | 2) }}", 1, "non executable command in pipeline stage 2"},
    {"{{ 1_000 }}", 0, ""},
    {"{{ 089 }}", 1, "integer overflow: \"089\""},
    {"{{ 0x1p-2 }}", 0, ""},
    {"{{ 1e5 }}", 0, ""},
    {"{{ 1i }}", 0, ""},
    {"{{ 1+2i }}", 0, ""},
    {"{{ 99999999999999999999 }}", 1, "integer overflow: \"99999999999999999999\""},
    {"{{ '\\n' }}", 0, ""},
    {"{{ '' }}", 1, "invalid syntax"},
    {"{{ \"\\u00e9\" }}", 0, ""},
    {"{{ \"\\'\" }}", 1, "invalid syntax"},
    {"{{ ..Foo }}", 1, "unexpected . after term \".\""},
    {"{{ \"a\".Foo }}", 1, "unexpected . after term \"\\\"a\\\"\""},
    {"{{ true.Foo }}", 1, "unexpected . after term \"true\""},
    {"{{ print.Foo }}", 0, ""},
    {"{{ $.Foo }}", 0, ""},
    {"{{ $ }}", 0, ""},
    {"{{ $x := 1 }}{{ $x.Foo }}", 0, ""},
    {"{{ with 1 }}{{ else if 2 }}{{ end }}{{ end }}", 1, "unexpected <if> in input"},
    {"{{ if 1 }}{{ else if 2 }}{{ end }}", 0, ""},
    {"{{ range . }}{{ else }}{{ break }}{{ end }}", 1, "{{break}} outside {{range}}"},
    {"{{ define \"a\" }}{{ end }}{{ define \"a\" }}x{{ end }}", 0, ""},
    {"{{ define \"a\" }}y{{ end }}{{ define \"a\" }}x{{ end }}", 1,
     "template: multiple definition of template \"a\""},
    {"{{ if 1 }}{{ define \"a\" }}{{ end }}{{ end }}", 1, "unexpected <define> in command"},
    {"{{ block \"x\" . }}{{ else }}{{ end }}", 1, "unexpected {{else}} in block clause"},
    {"{{ x := 1 }}", 1, "function \"x\" not defined"},
    {"{{ $x := }}", 1, "missing value for command"},
    {"{{ $x := 1 2 | print }}", 0, ""},
    {"{{ $x, $y := 1 }}", 1, "too many declarations in command"},
    {"{{ range $x, 1 }}{{ end }}", 1, "range can only initialize variables"},
    {"{{ print \"abcdefghijklmnop\" \"x\" ) }}", 1, "unexpected \")\" in command"},
    {"{{ 3 | print | \"x\" }}", 1, "non executable command in pipeline stage 3"},
    {"{{ define }}", 1, "unexpected \"}}\" in define clause"},
    {"{{ define \"a\" x }}{{ end }}", 1, "unexpected \"x\" in define clause"},
    {"{{ template \"a\" 1 2 }}", 0, ""},
    {"{{ \xe2\x82\xac"
     " }}",
     1,
     "unrecognized character in action: U+20AC '\xe2\x82\xac"
     "'"},
    {"{{ print ! }}", 1, "unexpected \"!\" in operand"},
    {"line1\n{{ if 1 }}\nline3", 3, "unexpected EOF"},
    {"a\nb\n{{ print\n \"abc }}", 4, "unterminated quoted string in action started at __alert_T:3"},
    {"{{ print\n 1", 2, "unclosed action started at __alert_T:1"},
    {"x\n{{/* a\nb */}}\n{{ foo }}", 4, "function \"foo\" not defined"},
    {"{{ `a\nb` }}\n{{ foo }}", 3, "function \"foo\" not defined"},
    {"{{ if 1 }}\n\n{{ end }}\n{{ end }}", 4, "unexpected {{end}}"},
    {"{{ range .\n}}\n{{ end }}", 0, ""},
    {"{{- \n 3 \n -}}", 0, ""},
    {"{{ 1\n}}", 0, ""},
    {"{{ print 1\n2 }}", 0, ""},
    {"{{\n$labels.x\n}}\n{{ $nope }}", 4, "undefined variable \"$nope\""},
    {"{{ define \"__alert_A\" }}y{{ end }}", 0, ""},
    {"{{ \"\\x41\" }}", 0, ""},
    {"{{ \"\\400\" }}", 1, "invalid syntax"},
    {"{{ \"\\377\" }}", 0, ""},
    {"{{ '\\u12' }}", 1, "invalid syntax"},
    {"{{ 0b101 }}", 0, ""},
    {"{{ 0o17 }}", 0, ""},
    {"{{ 0_1 }}", 0, ""},
    {"{{ 1__0 }}", 1, "illegal number syntax: \"1__0\""},
    {"{{ 1_ }}", 1, "illegal number syntax: \"1_\""},
    {"{{ .5 }}", 0, ""},
    {"{{ 5. }}", 0, ""},
    {"{{ . 5 }}", 0, ""},
    {"{{ 1e400 }}", 1, "illegal number syntax: \"1e400\""},
    {"{{ 0x }}", 1, "illegal number syntax: \"0x\""},
    {"{{ 0x1.8p3 }}", 0, ""},
    {"{{ 0x1.8 }}", 1, "illegal number syntax: \"0x1.8\""},
    {"{{ +5 }}", 0, ""},
    {"{{ -0 }}", 0, ""},
    {"{{ 1ei }}", 1, "illegal number syntax: \"1ei\""},
    {"{{ 1-2 }}", 1, "bad number syntax: \"1-2\""},
    {"{{ 1+2 }}", 1, "bad number syntax: \"1+2\""},
};

}  // namespace

TEST_CASE("check_template agrees with promtool on each recorded template") {
  for (const auto& c : promtool_verdicts) {
    CAPTURE(c.text);
    const auto err = gt::check_template("__alert_T", c.text);
    if (c.line == 0) {
      CHECK_FALSE(err.has_value());
      if (err) CAPTURE(err->message);
    } else {
      REQUIRE(err.has_value());
      CHECK(err->message == c.message);
      CHECK(err->line == c.line);
    }
  }
}

TEST_CASE("typical alert annotations are valid") {
  const char* valid[] = {
      "{{ $labels.instance }} of job {{ $labels.job }} has been down for more than 5 minutes.",
      "{{ $value | humanizePercentage }} errors",
      "{{ printf \"%.2f\" $value }}",
      "{{ with query \"up\" }}{{ . | first | value | humanize }}{{ end }}",
      "{{ range $i, $s := query \"up\" }}{{ $s.Labels.job }}{{ end }}",
      "{{- if gt $value 0.5 -}} high {{- else if gt $value 0.1 -}} medium {{- else -}} low {{- end "
      "}}",
      "{{ $externalURL }}/graph?g0.expr={{ \"up\" | urlquery }}",
      "{{ $externalLabels.cluster }} {{ reReplaceAll \"(.*):.*\" \"$1\" $labels.instance }}",
      "{{ define \"x\" }}{{ . }}{{ end }}{{ template \"x\" $labels }}",
      "{{/* a comment */}}plain text with } and { braces",
      "",
      "{{ $x := 1 }}{{ $x = 2 }}{{ $x }}",
      "{{ range . }}{{ if . }}{{ continue }}{{ end }}{{ break }}{{ end }}",
  };
  for (const char* t : valid) {
    CAPTURE(t);
    const auto err = gt::check_template("__alert_T", t);
    if (err) CAPTURE(err->message);
    CHECK_FALSE(err.has_value());
  }
}

TEST_CASE("check_template reports the column of the offending item") {
  SUBCASE("an unknown function on the first line") {
    const auto err = gt::check_template("__alert_T", "value: {{ humanise $value }}");
    REQUIRE(err);
    CHECK(err->line == 1);
    CHECK(err->column == 11);
  }
  SUBCASE("an undefined variable on a later line, after multi-byte text") {
    const auto err = gt::check_template("__alert_T", "\xc3\xa9t\xc3\xa9\n\xc3\xa9 {{ $nope }}");
    REQUIRE(err);
    CHECK(err->line == 2);
    CHECK(err->column == 6);
  }
}

TEST_CASE("to_promtool_message renders the text promtool prints") {
  const auto err = gt::check_template("__alert_InstanceDown", "{{ $label }}");
  REQUIRE(err);
  CHECK(gt::to_promtool_message("__alert_InstanceDown", *err) ==
        "template: __alert_InstanceDown:1: undefined variable \"$label\"");
}

TEST_CASE("the name appears in messages about actions spanning lines") {
  const auto err = gt::check_template("__alert_Foo", "{{ print\n 1");
  REQUIRE(err);
  CHECK(err->message == "unclosed action started at __alert_Foo:1");
  CHECK(err->line == 2);
}

TEST_CASE("deep nesting is reported instead of exhausting the stack") {
  std::string parens(5000, '(');
  const auto err =
      gt::check_template("__alert_T", "{{ " + parens + "1" + std::string(5000, ')') + " }}");
  REQUIRE(err);
  CHECK(err->message == "max expression depth exceeded");

  std::string ifs;
  for (int i = 0; i < 3000; ++i)
    ifs += "{{ if 1 }}";
  const auto err2 = gt::check_template("__alert_T", ifs);
  REQUIRE(err2);
  CHECK(err2->message == "max expression depth exceeded");
}

TEST_CASE("every Prometheus 2.42 template function is known, and only those") {
  for (const char* f : {"query",
                        "first",
                        "label",
                        "value",
                        "strvalue",
                        "args",
                        "reReplaceAll",
                        "safeHtml",
                        "match",
                        "title",
                        "toUpper",
                        "toLower",
                        "graphLink",
                        "tableLink",
                        "sortByLabel",
                        "humanize",
                        "humanize1024",
                        "humanizeDuration",
                        "humanizePercentage",
                        "humanizeTimestamp",
                        "pathPrefix",
                        "externalURL",
                        "parseDuration",
                        "stripPort",
                        "stripDomain",
                        "toTime",
                        "and",
                        "call",
                        "html",
                        "index",
                        "slice",
                        "js",
                        "len",
                        "not",
                        "or",
                        "print",
                        "printf",
                        "println",
                        "urlquery",
                        "eq",
                        "ge",
                        "gt",
                        "le",
                        "lt",
                        "ne"}) {
    CAPTURE(f);
    CHECK_FALSE(gt::check_template("__alert_T", std::string("{{ ") + f + " }}"));
  }
  for (const char* f : {"toDuration", "now", "humanise", "Title", "sprintf"}) {
    const auto err = gt::check_template("__alert_T", std::string("{{ ") + f + " }}");
    REQUIRE(err);
    CHECK(err->message == std::string("function \"") + f + "\" not defined");
  }
}

TEST_CASE("template functions added after 2.42 exist from their release on") {
  using promwatch::validate::judge;
  using promwatch::validate::make_profile;
  using promwatch::validate::prometheus_version;
  const auto at = [](int major, int minor) {
    return make_profile(prometheus_version{major, minor}, judge::server, {});
  };
  struct row {
    const char* text;
    prometheus_version since;
  };
  // template/template.go at v3.6.0 (now, toDuration) and v3.8.0 (urlQueryEscape).
  const row rows[] = {
      {"{{ now }}", {3, 6}},
      {"{{ now | toTime }}", {3, 6}},
      {"{{ $value | toDuration }}", {3, 6}},
      {"{{ urlQueryEscape \"a b\" }}", {3, 8}},
      // template/template_test.go at v3.6.0
      {"{{ (1800 | toDuration).String }}", {3, 6}},
      {"{{ (\"1800\" | toDuration).String }}", {3, 6}},
      {"{{ (now | toTime).Format \"Mon Jan 2 15:04:05 2006\" }}", {3, 6}},
      {"{{ (\"-30m\" | parseDuration | toDuration | (now | toTime).Add).UnixMilli }}", {3, 6}},
  };
  for (const auto& r : rows) {
    CAPTURE(r.text);
    const auto before =
        make_profile(prometheus_version{r.since.major, r.since.minor - 1}, judge::server, {});
    const auto err = gt::check_template("__alert_T", r.text, before);
    REQUIRE(err);
    CHECK(err->message.find("not defined") != std::string::npos);
    CHECK_FALSE(gt::check_template("__alert_T", r.text, at(r.since.major, r.since.minor)));
    CHECK_FALSE(gt::check_template("__alert_T", r.text, at(3, 14)));
  }
  // Every 2.42 function is still there in 3.14.
  for (const char* f : {"humanize", "stripPort", "toTime", "sortByLabel", "graphLink", "title"}) {
    CAPTURE(f);
    CHECK_FALSE(gt::check_template("__alert_T", std::string("{{ ") + f + " }}", at(3, 14)));
  }
}

TEST_CASE("templating_functions from /api/v1/features decides Prometheus' functions") {
  auto p = promwatch::validate::make_profile({3, 9}, promwatch::validate::judge::server, {});
  p.features_api["templating_functions"] = {{"now", true}, {"urlQueryEscape", true}};
  CHECK_FALSE(gt::check_template("__alert_T", "{{ urlQueryEscape now }}", p));  // listed: true
  CHECK(gt::check_template("__alert_T", "{{ humanize 1 }}", p));                // absent: not there
  CHECK_FALSE(gt::check_template("__alert_T", "{{ printf \"%v\" 1 }}", p));     // Go builtin
  p.features_api["templating_functions"]["now"] = false;
  CHECK(gt::check_template("__alert_T", "{{ now }}", p));
}
