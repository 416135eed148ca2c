#include <algorithm>
#include <cctype>
#include <string>

#include "validate/json/parse.hpp"
#include "validate/names.hpp"
#include "validate/validate.hpp"
#include "validate/yaml/decode.hpp"
#include "validate/yaml/document.hpp"

// Prometheus 2.42 discovery/file readFile: the extension picks encoding/json (unknown fields
// disallowed) or yaml.v2 UnmarshalStrict into []*targetgroup.Group; a null item is an error;
// label names are checked by model.LabelSet's unmarshalers.

namespace promwatch::validate {

namespace {

std::string lower_extension(std::string_view path) {
  auto slash = path.find_last_of('/');
  auto name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  auto dot = name.find_last_of('.');
  if (dot == std::string_view::npos) return {};
  std::string ext(name.substr(dot));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

const char* json_type(const yaml::node& n) {
  switch (n.kind) {
    case yaml::node_kind::null:
      return "null";
    case yaml::node_kind::sequence:
      return "array";
    case yaml::node_kind::map:
      return "object";
    case yaml::node_kind::scalar:
      break;
  }
  if (n.style == yaml::scalar_style::double_quoted) return "string";
  return n.value == "true" || n.value == "false" ? "bool" : "number";
}

// model.LabelName.IsValid follows the global model.NameValidationScheme, which every 3.x binary
// sets to UTF-8 in init() whatever prometheus.yml says; in 2.55 the server's
// --enable-feature=utf8-names set it. Older versions: legacy names.
name_scheme label_name_scheme(const profile& p) {
  if (p.at_least(3, 0)) return name_scheme::utf8;
  if (p.at_least(2, 55) && p.by == judge::server && p.has_feature("utf8-names")) {
    return name_scheme::utf8;
  }
  return name_scheme::legacy;
}

// Go matches JSON object keys to struct fields case-insensitively.
bool json_key_is(const yaml::node& key, std::string_view field) {
  if (key.value.size() != field.size()) return false;
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(key.value[i])) != field[i]) return false;
  }
  return true;
}

void check_json_group(const yaml::node& group, yaml::decoder& dec, name_scheme scheme) {
  if (!group.is_map()) {
    dec.error(group, std::string("json: cannot unmarshal ") + json_type(group) +
                         " into Go value of type targetgroup.Group");
    return;
  }
  for (const auto& e : group.entries) {
    const yaml::node& v = e.value;
    if (json_key_is(e.key, "targets")) {
      if (v.is_null()) continue;
      if (!v.is_sequence()) {
        dec.error(v, std::string("json: cannot unmarshal ") + json_type(v) +
                         " into Go struct field .targets of type []string");
        continue;
      }
      for (const auto& t : v.items) {
        if (!t.is_null() && std::string_view(json_type(t)) != "string") {
          dec.error(t, std::string("json: cannot unmarshal ") + json_type(t) +
                           " into Go struct field .targets of type string");
        }
      }
    } else if (json_key_is(e.key, "labels")) {
      if (v.is_null()) continue;
      if (!v.is_map()) {
        dec.error(v, std::string("json: cannot unmarshal ") + json_type(v) +
                         " into Go struct field .labels of type model.LabelSet");
        continue;
      }
      for (const auto& label : v.entries) {
        if (!is_valid_label_name(label.key.value, scheme)) {
          dec.error(label.key, "\"" + label.key.value + "\" is not a valid label name");
        }
        if (!label.value.is_null() && std::string_view(json_type(label.value)) != "string") {
          dec.error(label.value, std::string("json: cannot unmarshal ") + json_type(label.value) +
                                     " into Go struct field .labels of type model.LabelValue");
        }
      }
    } else if (dec.unknown_fields_are_warnings()) {
      dec.warning(e.key, "json: unknown field \"" + e.key.value + "\"");
    } else {
      dec.error(e.key, "json: unknown field \"" + e.key.value + "\"");
    }
  }
}

void check_yaml_group(const yaml::node& group, yaml::decoder& dec, name_scheme scheme) {
  if (!dec.expect_map(group, "targetgroup.Group")) return;
  dec.known_fields(group, {"targets", "labels"}, "targetgroup.Group");
  for (const auto& e : group.entries) {
    const yaml::node& v = e.value;
    if (e.key.value == "targets") {
      if (!dec.expect_sequence(v, "[]string")) continue;
      for (const auto& t : v.items)
        dec.string(t);
    } else if (e.key.value == "labels") {
      if (!dec.expect_map(v, "model.LabelSet")) continue;
      for (const auto& label : v.entries) {
        if (label.key.is_null()) continue;  // yaml.v2 skips entries whose key is null
        auto name = dec.string(label.key);
        if (name && !is_valid_label_name(*name, scheme)) {
          dec.error(label.key, "\"" + *name + "\" is not a valid label name");
        }
        if (!label.value.is_null() && !label.value.is_scalar()) {
          dec.type_error(label.value, "model.LabelValue");
        }
      }
    }
  }
}

}  // namespace

namespace {
report check_file_sd_unplaced(std::string_view path, std::string_view content, const limits& lim,
                              const profile& prof) {
  report out;
  const std::string ext = lower_extension(path);
  const bool is_json = ext == ".json";
  if (!is_json && ext != ".yml" && ext != ".yaml") {
    out.errors.push_back({std::string(path), 0, 0,
                          "file_sd files must end in .json, .yml or .yaml; got \"" + ext + "\""});
    return out;
  }
  yaml::load_options options;
  options.go_scanner = yaml::go_reader::v2;
  yaml::document doc =
      is_json ? json::parse(path, content, lim) : yaml::load(path, content, lim, options);
  if (!doc.ok()) {
    out.errors = std::move(doc.errors);
    return out;
  }
  if (!doc.root || doc.root->is_null()) return out;
  const yaml::node& root = *doc.root;
  yaml::decoder dec(path, yaml::dialect::v2);
  dec.unknown_fields_are_warnings(prof.newer_than_known);
  const name_scheme scheme = label_name_scheme(prof);
  if (!root.is_sequence()) {
    if (is_json) {
      dec.error(root, std::string("json: cannot unmarshal ") + json_type(root) +
                          " into Go value of type []*targetgroup.Group");
    } else {
      dec.type_error(root, "[]*targetgroup.Group");
    }
    out.errors = dec.take_errors();
    return out;
  }
  for (const auto& group : root.items) {
    if (group.is_null()) {
      dec.error(group, "nil target group item found");
    } else if (is_json) {
      check_json_group(group, dec, scheme);
    } else {
      check_yaml_group(group, dec, scheme);
    }
  }
  out.target_group_count = root.items.size();
  out.errors = dec.take_errors();
  out.warnings = dec.take_warnings();
  return out;
}
}  // namespace

report check_file_sd(std::string_view path, std::string_view content, const limits& lim,
                     const profile& prof) {
  return place_file_level_errors(check_file_sd_unplaced(path, content, lim, prof));
}

}  // namespace promwatch::validate
