#include "watch/inotify_records.hpp"

#include <cstdint>
#include <cstring>
#include <string_view>
#include <sys/inotify.h>

namespace promwatch::watch {

std::uint32_t inotify_watch_mask() {
  return IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO |
         IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
}

namespace {

std::string join(const std::string& dir, std::string_view name) {
  std::string out;
  out.reserve(dir.size() + 1 + name.size());
  out += dir;
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

void push(inotify_batch& b, std::string path, event_kind kind) {
  if (!b.events.empty() && b.events.back().kind == kind && b.events.back().path == path) return;
  b.events.push_back(event{std::move(path), kind});
}

// A record about an entry inside a watched directory.
void decode_named(inotify_batch& b, const std::string& dir, std::string_view name,
                  std::uint32_t mask) {
  if (is_internal_name(name)) {
    // The kubelet's atomic writer renames `..data_tmp` onto `..data`; creating it directly
    // (first population, other tools) publishes just as well.
    if (name == commit_link_name && (mask & (IN_MOVED_TO | IN_CREATE))) {
      push(b, join(dir, name), event_kind::commit);
    }
    return;
  }
  std::string path = join(dir, name);
  bool is_dir = mask & IN_ISDIR;
  if (is_dir && (mask & (IN_CREATE | IN_MOVED_TO))) b.dirs_added.push_back(path);
  if (is_dir && (mask & (IN_DELETE | IN_MOVED_FROM))) b.dirs_gone.push_back(path);

  if (mask & IN_CLOSE_WRITE) {
    b.open_for_writing[path] = false;
  } else if (mask & IN_MODIFY) {
    b.open_for_writing[path] = true;
  }
  if (mask & (IN_DELETE | IN_MOVED_FROM)) b.open_for_writing[path] = false;
  if (mask & IN_CREATE) push(b, path, event_kind::created);
  if (mask & IN_DELETE) push(b, path, event_kind::removed);
  if (mask & (IN_MOVED_FROM | IN_MOVED_TO)) push(b, path, event_kind::moved);
  if (mask & (IN_MODIFY | IN_CLOSE_WRITE)) push(b, path, event_kind::modified);
  if (mask & IN_ATTRIB) push(b, path, event_kind::attrib);
}

// A record about the watched directory itself.
void decode_self(inotify_batch& b, int wd, const std::string& dir, std::uint32_t mask) {
  if (mask & IN_DELETE_SELF) {
    push(b, dir, event_kind::removed);
    b.self_gone.push_back(wd);
  }
  if (mask & IN_MOVE_SELF) {
    push(b, dir, event_kind::moved);
    b.self_gone.push_back(wd);
  }
  if (mask & IN_ATTRIB) push(b, dir, event_kind::attrib);
  // The filesystem went away under the watch; what is mounted there now is unknown.
  if (mask & IN_UNMOUNT) push(b, dir, event_kind::watch_error);
}

}  // namespace

inotify_batch parse_inotify_records(std::span<const std::byte> bytes,
                                    const std::unordered_map<int, std::string>& dirs) {
  inotify_batch b;
  std::size_t off = 0;
  while (off < bytes.size()) {
    inotify_event header;
    if (bytes.size() - off < sizeof header) {
      push(b, "", event_kind::watch_error);
      break;
    }
    // memcpy: the buffer gives no alignment guarantee for the header's ints.
    std::memcpy(&header, bytes.data() + off, sizeof header);
    std::size_t record = sizeof header + header.len;
    if (bytes.size() - off < record) {
      push(b, "", event_kind::watch_error);
      break;
    }
    // The name is NUL-padded to an alignment boundary; len counts the padding.
    const char* name_begin = reinterpret_cast<const char*>(bytes.data() + off + sizeof header);
    std::string_view name(name_begin, ::strnlen(name_begin, header.len));
    off += record;

    if (header.mask & IN_Q_OVERFLOW) {
      push(b, "", event_kind::overflow);
      continue;
    }
    if (header.mask & IN_IGNORED) {
      b.ignored.push_back(header.wd);
      continue;
    }
    auto dir = dirs.find(header.wd);
    if (dir == dirs.end()) continue;
    if (!name.empty()) {
      decode_named(b, dir->second, name, header.mask);
    } else {
      decode_self(b, header.wd, dir->second, header.mask);
    }
  }
  return b;
}

}  // namespace promwatch::watch
