#include "watch/coalescer.hpp"

#include <algorithm>
#include <utility>

namespace promwatch::watch {

coalescer::coalescer(coalescer_options options) : options_(options) {}

void coalescer::add(std::span<const event> events, time_point now) {
  if (events.empty()) return;
  if (!first_) {
    first_ = now;
    change_ = change{};
  }
  last_ = now;
  for (const event& e : events) {
    switch (e.kind) {
      case event_kind::overflow:
      case event_kind::watch_error:
        change_.reason = change_reason::overflow;
        change_.full_rescan = true;
        break;
      case event_kind::commit:
        committed_ = true;
        break;
      default:
        break;
    }
    if (!e.path.empty()) add_path(change_, e.path);
  }
}

std::optional<coalescer::time_point> coalescer::deadline() const {
  if (!first_) return std::nullopt;
  // A commit is the writer saying "done": waiting longer would only add latency.
  if (committed_) return last_;
  if (writing_) return *first_ + options_.max_wait;
  return std::min(last_ + options_.quiet, *first_ + options_.max_wait);
}

std::optional<change> coalescer::fire(time_point now) {
  auto due = deadline();
  if (!due || now < *due) return std::nullopt;
  first_.reset();
  committed_ = false;
  return std::exchange(change_, change{});
}

std::string_view to_string(change_reason reason) {
  switch (reason) {
    case change_reason::initial:
      return "initial";
    case change_reason::events:
      return "events";
    case change_reason::overflow:
      return "overflow";
    case change_reason::resync:
      return "resync";
  }
  return "unknown";
}

void add_path(change& c, std::string_view path) {
  // Linear search is fine: the list is capped, and beyond the cap only the count grows.
  if (std::find(c.paths.begin(), c.paths.end(), path) != c.paths.end()) return;
  ++c.path_count;
  if (c.paths.size() < max_change_paths) c.paths.emplace_back(path);
}

namespace {
int strength(change_reason r) {
  switch (r) {
    case change_reason::overflow:
      return 3;
    case change_reason::initial:
      return 2;
    case change_reason::events:
      return 1;
    case change_reason::resync:
      return 0;
  }
  return 0;
}
}  // namespace

change merge(change older, const change& newer) {
  if (strength(newer.reason) > strength(older.reason)) older.reason = newer.reason;
  older.full_rescan = older.full_rescan || newer.full_rescan;
  for (const auto& p : newer.paths)
    add_path(older, p);
  older.path_count += newer.path_count - newer.paths.size();
  return older;
}

}  // namespace promwatch::watch
