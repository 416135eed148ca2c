#include <algorithm>
#include <chrono>
#include <iterator>
#include <string>
#include <unordered_set>

#include "validate/gotemplate/check.hpp"
#include "validate/names.hpp"
#include "validate/promql/parser.hpp"
#include "validate/validate.hpp"
#include "validate/yaml/decode.hpp"
#include "validate/yaml/document.hpp"
#include "validate/yaml/locate.hpp"

// Prometheus 2.42 model/rulefmt: the file is decoded with yaml.v3 and KnownFields(true); any
// decoding error ends the check; only then are groups and rules validated (RuleGroups.Validate
// and RuleNode.Validate), collecting every problem. What later versions changed is decided in
// the version rules below (prometheus-versions.md §2, model/rulefmt at each tag).

namespace promwatch::validate {

namespace {

struct rule_fields {
  const yaml::node* self = nullptr;
  const yaml::node* record = nullptr;
  const yaml::node* alert = nullptr;
  const yaml::node* expr = nullptr;
  const yaml::node* for_ = nullptr;
  const yaml::node* keep_firing_for = nullptr;
  const yaml::node* labels = nullptr;
  const yaml::node* annotations = nullptr;
  std::chrono::milliseconds for_value{0};
  std::chrono::milliseconds keep_firing_for_value{0};
};

struct group_fields {
  const yaml::node* self = nullptr;
  std::string name;
  const yaml::node* labels = nullptr;
  std::vector<rule_fields> rules;
};

// ---- what each version of model/rulefmt does differently -----------------------------------

// Group fields by the first release that knows them (RuleGroup in model/rulefmt).
std::vector<std::string_view> group_field_names(const profile& p) {
  std::vector<std::string_view> names = {"name", "interval", "limit", "rules"};
  if (p.at_least(2, 53)) names.push_back("query_offset");
  if (p.at_least(3, 0)) names.push_back("labels");
  return names;
}

// Since 3.3 `record`, `alert` and `expr` are decoded into strings (rulefmt.Rule) rather than
// yaml.Node: a collection is a type error and null is "" instead of its spelling.
bool rule_names_are_strings(const profile& p) {
  return p.at_least(3, 3);
}

// The scheme record, label and annotation names are checked with. 3.0-3.6 use the global
// model.NameValidationScheme, UTF-8 in every 3.x binary; from 3.7 rulefmt.Parse takes the
// scheme (the server's from prometheus.yml, promtool's always UTF-8), which the profile holds.
name_scheme rule_name_scheme(const profile& p) {
  if (p.at_least(3, 0) && !p.at_least(3, 7)) return name_scheme::utf8;
  return p.names;
}

// 3.2 rejects `{` and `}` in record names, valid UTF-8 or not.
bool rejects_braces_in_record(const profile& p) {
  return p.at_least(3, 2);
}

// 3.12 warns when a rule file holds more than one YAML document (it still reads the first).
bool warns_on_second_document(const profile& p) {
  return p.at_least(3, 12);
}

// ----------------------------------------------------------------------------------------------

const yaml::node null_node{};

// Go text/template's `function "x" not defined`.
bool is_unknown_function(std::string_view message) {
  constexpr std::string_view head = "function \"";
  constexpr std::string_view tail = "\" not defined";
  return message.size() > head.size() + tail.size() && message.substr(0, head.size()) == head &&
         message.substr(message.size() - tail.size()) == tail;
}

// Text Prometheus sees for a field decoded into yaml.Node: a scalar's text, null's spelling,
// nothing for collections. Decoded into a string (3.3+), null is "".
std::string_view node_text(const yaml::node* n, bool as_string = false) {
  if (n == nullptr || (!n->is_scalar() && !n->is_null())) return {};
  if (as_string && n->is_null()) return {};
  return n->value;
}

// Decodes a map[string]string field: keys and values are any scalars.
void decode_string_map(const yaml::node& n, yaml::decoder& dec) {
  if (!dec.expect_map(n, "map[string]string")) return;
  for (const auto& e : n.entries) {
    dec.expect_string(e.key);
    dec.expect_string(e.value);
  }
}

rule_fields decode_rule(const yaml::node& n, yaml::decoder& dec, const profile& p) {
  rule_fields r;
  r.self = &n;
  if (!dec.expect_map(n, "rulefmt.RuleNode")) return r;
  dec.known_fields(n,
                   {"record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"},
                   "rulefmt.RuleNode");
  r.record = n.find("record");
  r.alert = n.find("alert");
  r.expr = n.find("expr");
  r.for_ = n.find("for");
  r.keep_firing_for = n.find("keep_firing_for");
  r.labels = n.find("labels");
  r.annotations = n.find("annotations");
  if (rule_names_are_strings(p)) {
    for (const auto* field : {r.record, r.alert, r.expr}) {
      if (field) dec.expect_string(*field);
    }
  }
  if (r.for_) r.for_value = dec.duration(*r.for_).value_or(std::chrono::milliseconds{0});
  if (r.keep_firing_for) {
    r.keep_firing_for_value =
        dec.duration(*r.keep_firing_for).value_or(std::chrono::milliseconds{0});
  }
  if (r.labels) decode_string_map(*r.labels, dec);
  if (r.annotations) decode_string_map(*r.annotations, dec);
  return r;
}

group_fields decode_group(const yaml::node& n, yaml::decoder& dec, const profile& p) {
  group_fields g;
  g.self = &n;
  if (!dec.expect_map(n, "rulefmt.RuleGroup")) return g;
  const auto known = group_field_names(p);
  dec.known_fields(n, known, "rulefmt.RuleGroup");
  auto field = [&](std::string_view key) -> const yaml::node* {
    // A field this version does not know is only looked at by the unknown-field check.
    if (std::find(known.begin(), known.end(), key) == known.end()) return nullptr;
    return n.find(key);
  };
  if (const auto* name = n.find("name")) g.name = dec.string(*name).value_or("");
  if (const auto* interval = n.find("interval")) dec.duration(*interval);
  if (const auto* offset = field("query_offset")) dec.duration(*offset);
  if (const auto* limit = n.find("limit")) dec.integer(*limit);
  if ((g.labels = field("labels"))) decode_string_map(*g.labels, dec);
  if (const auto* rules = n.find("rules")) {
    if (dec.expect_sequence(*rules, "[]rulefmt.RuleNode")) {
      // yaml.v3 drops null items when it decodes a sequence into a slice of structs.
      for (const auto& rule : rules->items) {
        if (!rule.is_null()) g.rules.push_back(decode_rule(rule, dec, p));
      }
    }
  }
  return g;
}

class rule_validator {
 public:
  rule_validator(std::string_view path, std::string_view source, yaml::decoder& dec,
                 const profile& prof)
      : path_(path), map_(source), dec_(dec), profile_(prof) {}

  void validate(const group_fields& g) {
    if (g.name.empty()) dec_.error(*g.self, "Groupname must not be empty");
    if (!names_.insert(g.name).second) {
      dec_.error(*g.self, "groupname: \"" + g.name + "\" is repeated in the same file");
    }
    if (g.labels) validate_labels(*g.labels, [] { return std::string(); });
    for (std::size_t i = 0; i < g.rules.size(); ++i)
      validate(g, i + 1, g.rules[i]);
  }

 private:
  void validate(const group_fields& g, std::size_t index, const rule_fields& r) {
    const bool as_string = rule_names_are_strings(profile_);
    const std::string_view record = node_text(r.record, as_string);
    const std::string_view alert = node_text(r.alert, as_string);
    const std::string_view expr = node_text(r.expr, as_string);
    // Every message starts with it; only built when there is one.
    const auto prefix = [&] {
      return "group \"" + g.name + "\", rule " + std::to_string(index) + ", \"" +
             std::string(alert.empty() ? record : alert) + "\": ";
    };
    auto at = [&](const yaml::node* n) -> const yaml::node& {
      return n ? *n : r.self ? *r.self : null_node;
    };

    if (!record.empty() && !alert.empty()) {
      dec_.error(at(r.record), prefix() + "only one of 'record' and 'alert' must be set");
    }
    if (record.empty() && alert.empty()) {
      dec_.error(at(r.record), prefix() + "one of 'record' or 'alert' must be set");
    }
    if (expr.empty()) {
      dec_.error(at(r.expr), prefix() + "field 'expr' must be set in rule");
    } else if (auto err = promql::check_expression(expr, profile_)) {
      std::string message = err->message;
      if (message.rfind("parse error: ", 0) == 0) message.erase(0, 13);
      auto text = prefix() + "could not parse expression: " + std::to_string(err->line) + ":" +
                  std::to_string(err->column) + ": parse error: " + message;
      if (err->unknown_to_promwatch && profile_.newer_than_known) {
        // Only "this promwatch does not know it": the newer target may well accept it.
        const yaml::mark m = map_.locate(*r.expr, err->line, err->column);
        warnings_.push_back({std::string(path_), m.line, m.column, std::move(text)});
      } else {
        dec_.error(map_.locate(*r.expr, err->line, err->column), std::move(text));
      }
    }
    if (!record.empty()) {
      if (r.annotations && r.annotations->is_map() && !r.annotations->entries.empty()) {
        dec_.error(*r.annotations, prefix() + "invalid field 'annotations' in recording rule");
      }
      if (r.for_value.count() != 0) {
        dec_.error(at(r.for_), prefix() + "invalid field 'for' in recording rule");
      }
      if (r.keep_firing_for_value.count() != 0) {
        dec_.error(at(r.keep_firing_for),
                   prefix() + "invalid field 'keep_firing_for' in recording rule");
      }
      if (!is_valid_metric_name(record, scheme_)) {
        dec_.error(at(r.record), prefix() + "invalid recording rule name: " + std::string(record));
      }
      if (rejects_braces_in_record(profile_) &&
          record.find_first_of("{}") != std::string_view::npos) {
        dec_.error(at(r.record),
                   prefix() + "braces present in the recording rule name; should it be in expr?: " +
                       std::string(record));
      }
    }
    if (r.labels) validate_labels(*r.labels, prefix);
    if (r.annotations && r.annotations->is_map()) {
      for (const auto& e : r.annotations->entries) {
        if (e.key.is_null()) continue;
        const std::string& name = e.key.value;
        if (!is_valid_label_name(name, scheme_)) {
          dec_.error(e.key, prefix() + "invalid annotation name: " + name);
        }
      }
    }
    if (!alert.empty()) {
      const std::string template_name = "__alert_" + std::string(alert);
      for (const auto* m : {r.labels, r.annotations}) {
        if (!m || !m->is_map()) continue;
        for (const auto& e : m->entries) {
          // A null value decodes to "", which always parses; null keys are skipped.
          if (e.key.is_null() || !e.value.is_scalar()) continue;
          if (auto err = gotemplate::check_template(template_name, e.value.value, profile_)) {
            const auto where = map_.locate(e.value, err->line, err->column);
            std::string message = prefix() + "template: " + template_name + ":" +
                                  std::to_string(err->line) + ": " + err->message;
            if (profile_.newer_than_known && is_unknown_function(err->message)) {
              dec_.warning(where, std::move(message));  // a newer Prometheus may have it
            } else {
              dec_.error(where, std::move(message));
            }
          }
        }
      }
    }
  }

  // Rule labels and (3.0+) group labels: names valid under the scheme and not __name__,
  // values valid UTF-8. Group label errors carry no rule prefix.
  template <class Prefix>
  void validate_labels(const yaml::node& labels, const Prefix& prefix) {
    if (!labels.is_map()) return;
    for (const auto& e : labels.entries) {
      if (e.key.is_null()) continue;  // Go yaml skips map entries whose key is null
      const std::string& name = e.key.value;
      if (!is_valid_label_name(name, scheme_) || name == "__name__") {
        dec_.error(e.key, prefix() + "invalid label name: " + name);
      }
      if (!is_valid_utf8(e.value.value)) {
        dec_.error(e.value, prefix() + "invalid label value: " + e.value.value);
      }
    }
  }

  std::string_view path_;
  yaml::source_map map_;
  yaml::decoder& dec_;
  const profile& profile_;
  const name_scheme scheme_ = rule_name_scheme(profile_);
  std::unordered_set<std::string> names_;

 public:
  core::diagnostics warnings_;
};

}  // namespace

namespace {
report check_rules_unplaced(std::string_view path, std::string_view content, const limits& lim,
                            const profile& prof) {
  report out;
  yaml::load_options options;
  options.go_scanner = yaml::go_reader::v3;
  yaml::document doc = yaml::load(path, content, lim, options);
  if (!doc.root) {
    out.errors = std::move(doc.errors);  // syntax error, or an empty file (valid)
    return out;
  }
  // The loader drops a byte order mark; the source map must see the same text.
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);

  yaml::decoder dec(path, yaml::dialect::v3);
  dec.unknown_fields_are_warnings(prof.newer_than_known);
  for (auto& e : doc.errors)
    dec.error(yaml::mark{e.line, e.column}, std::move(e.message));
  std::vector<group_fields> groups;
  const yaml::node& root = *doc.root;
  if (dec.expect_map(root, "rulefmt.RuleGroups")) {
    dec.known_fields(root, {"groups"}, "rulefmt.RuleGroups");
    if (const auto* list = root.find("groups")) {
      if (dec.expect_sequence(*list, "[]rulefmt.RuleGroup")) {
        for (const auto& g : list->items) {
          if (!g.is_null()) groups.push_back(decode_group(g, dec, prof));
        }
      }
    }
  }
  core::diagnostics expression_warnings;
  if (dec.errors().empty()) {
    rule_validator validator(path, content, dec, prof);
    for (const auto& g : groups)
      validator.validate(g);
    expression_warnings = std::move(validator.warnings_);
  }
  for (const auto& g : groups)
    out.rule_count += g.rules.size();
  out.errors = dec.take_errors();
  out.warnings = dec.take_warnings();
  out.warnings.insert(out.warnings.end(), std::make_move_iterator(expression_warnings.begin()),
                      std::make_move_iterator(expression_warnings.end()));
  return out;
}
}  // namespace

report check_rules(std::string_view path, std::string_view content, const limits& lim,
                   const profile& prof) {
  report out = place_file_level_errors(check_rules_unplaced(path, content, lim, prof));
  if (warns_on_second_document(prof)) {
    if (auto second = yaml::second_document_start(content)) {
      out.warnings.push_back(
          {std::string(path), second->line, second->column,
           "Multiple document yaml rules files are not supported, only the first document is "
           "processed"});
    }
  }
  return out;
}

}  // namespace promwatch::validate
