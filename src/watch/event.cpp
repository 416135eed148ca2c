#include "watch/event.hpp"

namespace promwatch::watch {

std::string_view to_string(event_kind kind) {
  switch (kind) {
    case event_kind::created:
      return "created";
    case event_kind::modified:
      return "modified";
    case event_kind::removed:
      return "removed";
    case event_kind::moved:
      return "moved";
    case event_kind::attrib:
      return "attrib";
    case event_kind::overflow:
      return "overflow";
    case event_kind::watch_error:
      return "watch_error";
    case event_kind::commit:
      return "commit";
  }
  return "unknown";
}

bool is_internal_name(std::string_view name) {
  return name.size() > 2 && name.starts_with("..");
}

}  // namespace promwatch::watch
