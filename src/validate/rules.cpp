#include <chrono>
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
// and RuleNode.Validate), collecting every problem.

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
  std::vector<rule_fields> rules;
};

const yaml::node null_node{};

// Text Prometheus sees for a field decoded into yaml.Node: a scalar's text, null's spelling,
// nothing for collections.
std::string node_text(const yaml::node* n) {
  if (n == nullptr || (!n->is_scalar() && !n->is_null())) return {};
  return n->value;
}

// Decodes a map[string]string field: keys and values are any scalars.
void decode_string_map(const yaml::node& n, yaml::decoder& dec) {
  if (!dec.expect_map(n, "map[string]string")) return;
  for (const auto& e : n.entries) {
    dec.string(e.key);
    dec.string(e.value);
  }
}

rule_fields decode_rule(const yaml::node& n, yaml::decoder& dec) {
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
  if (r.for_) r.for_value = dec.duration(*r.for_).value_or(std::chrono::milliseconds{0});
  if (r.keep_firing_for) {
    r.keep_firing_for_value =
        dec.duration(*r.keep_firing_for).value_or(std::chrono::milliseconds{0});
  }
  if (r.labels) decode_string_map(*r.labels, dec);
  if (r.annotations) decode_string_map(*r.annotations, dec);
  return r;
}

group_fields decode_group(const yaml::node& n, yaml::decoder& dec) {
  group_fields g;
  g.self = &n;
  if (!dec.expect_map(n, "rulefmt.RuleGroup")) return g;
  dec.known_fields(n, {"name", "interval", "limit", "rules"}, "rulefmt.RuleGroup");
  if (const auto* name = n.find("name")) g.name = dec.string(*name).value_or("");
  if (const auto* interval = n.find("interval")) dec.duration(*interval);
  if (const auto* limit = n.find("limit")) dec.integer(*limit);
  if (const auto* rules = n.find("rules")) {
    if (dec.expect_sequence(*rules, "[]rulefmt.RuleNode")) {
      // yaml.v3 drops null items when it decodes a sequence into a slice of structs.
      for (const auto& rule : rules->items) {
        if (!rule.is_null()) g.rules.push_back(decode_rule(rule, dec));
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
    for (std::size_t i = 0; i < g.rules.size(); ++i)
      validate(g, i + 1, g.rules[i]);
  }

 private:
  void validate(const group_fields& g, std::size_t index, const rule_fields& r) {
    const std::string record = node_text(r.record);
    const std::string alert = node_text(r.alert);
    const std::string expr = node_text(r.expr);
    const std::string prefix = "group \"" + g.name + "\", rule " + std::to_string(index) + ", \"" +
                               (alert.empty() ? record : alert) + "\": ";
    auto at = [&](const yaml::node* n) -> const yaml::node& {
      return n ? *n : r.self ? *r.self : null_node;
    };

    if (!record.empty() && !alert.empty()) {
      dec_.error(at(r.record), prefix + "only one of 'record' and 'alert' must be set");
    }
    if (record.empty() && alert.empty()) {
      dec_.error(at(r.record), prefix + "one of 'record' or 'alert' must be set");
    }
    if (expr.empty()) {
      dec_.error(at(r.expr), prefix + "field 'expr' must be set in rule");
    } else if (auto err = promql::check_expression(expr, profile_)) {
      std::string message = err->message;
      if (message.rfind("parse error: ", 0) == 0) message.erase(0, 13);
      auto text = prefix + "could not parse expression: " + std::to_string(err->line) + ":" +
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
        dec_.error(*r.annotations, prefix + "invalid field 'annotations' in recording rule");
      }
      if (r.for_value.count() != 0) {
        dec_.error(at(r.for_), prefix + "invalid field 'for' in recording rule");
      }
      if (r.keep_firing_for_value.count() != 0) {
        dec_.error(at(r.keep_firing_for),
                   prefix + "invalid field 'keep_firing_for' in recording rule");
      }
      if (!is_valid_metric_name(record)) {
        dec_.error(at(r.record), prefix + "invalid recording rule name: " + record);
      }
    }
    if (r.labels && r.labels->is_map()) {
      for (const auto& e : r.labels->entries) {
        if (e.key.is_null()) continue;  // Go yaml skips map entries whose key is null
        const std::string& name = e.key.value;
        if (!is_valid_label_name(name) || name == "__name__") {
          dec_.error(e.key, prefix + "invalid label name: " + name);
        }
        if (!is_valid_utf8(e.value.value)) {
          dec_.error(e.value, prefix + "invalid label value: " + e.value.value);
        }
      }
    }
    if (r.annotations && r.annotations->is_map()) {
      for (const auto& e : r.annotations->entries) {
        if (e.key.is_null()) continue;
        const std::string& name = e.key.value;
        if (!is_valid_label_name(name)) {
          dec_.error(e.key, prefix + "invalid annotation name: " + name);
        }
      }
    }
    if (!alert.empty()) {
      const std::string template_name = "__alert_" + alert;
      for (const auto* m : {r.labels, r.annotations}) {
        if (!m || !m->is_map()) continue;
        for (const auto& e : m->entries) {
          // A null value decodes to "", which always parses; null keys are skipped.
          if (e.key.is_null() || !e.value.is_scalar()) continue;
          if (auto err = gotemplate::check_template(template_name, e.value.value)) {
            dec_.error(map_.locate(e.value, err->line, err->column),
                       prefix + "template: " + template_name + ":" + std::to_string(err->line) +
                           ": " + err->message);
          }
        }
      }
    }
  }

  std::string_view path_;
  yaml::source_map map_;
  yaml::decoder& dec_;
  const profile& profile_;
  std::unordered_set<std::string> names_;

 public:
  core::diagnostics warnings_;
};

}  // namespace

namespace {
report check_rules_unplaced(std::string_view path, std::string_view content, const limits& lim,
                            const profile& prof) {
  report out;
  yaml::document doc = yaml::load(path, content, lim);
  if (!doc.root) {
    out.errors = std::move(doc.errors);  // syntax error, or an empty file (valid)
    return out;
  }
  // The loader drops a byte order mark; the source map must see the same text.
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);

  yaml::decoder dec(path, yaml::dialect::v3);
  for (auto& e : doc.errors)
    dec.error(yaml::mark{e.line, e.column}, std::move(e.message));
  std::vector<group_fields> groups;
  const yaml::node& root = *doc.root;
  if (dec.expect_map(root, "rulefmt.RuleGroups")) {
    dec.known_fields(root, {"groups"}, "rulefmt.RuleGroups");
    if (const auto* list = root.find("groups")) {
      if (dec.expect_sequence(*list, "[]rulefmt.RuleGroup")) {
        for (const auto& g : list->items) {
          if (!g.is_null()) groups.push_back(decode_group(g, dec));
        }
      }
    }
  }
  if (dec.errors().empty()) {
    rule_validator validator(path, content, dec, prof);
    for (const auto& g : groups)
      validator.validate(g);
    out.warnings = std::move(validator.warnings_);
  }
  for (const auto& g : groups)
    out.rule_count += g.rules.size();
  out.errors = dec.take_errors();
  return out;
}
}  // namespace

report check_rules(std::string_view path, std::string_view content, const limits& lim,
                   const profile& prof) {
  return place_file_level_errors(check_rules_unplaced(path, content, lim, prof));
}

}  // namespace promwatch::validate
