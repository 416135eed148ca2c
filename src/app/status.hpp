#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "app/sync_state.hpp"
#include "reload/reload_loop.hpp"

namespace promwatch::app {

/// What `/status` shows beyond the sync state itself: the last sync's outcome and the last
/// answer of every reload target. Updated and rendered on the loop's thread.
struct status_info {
  std::string backend;
  std::string config_file;

  struct sync_record {
    double time = 0;
    std::string action;
    std::size_t files_changed = 0;
    std::size_t invalid_files = 0;
  };
  struct reload_record {
    double time = 0;
    std::uint64_t generation = 0;
    bool ok = false;
    bool final = false;
    int attempts = 0;
    unsigned http_status = 0;
    std::string message;
    std::string sha256;
  };

  std::string output_dir;          // publish mode only
  std::string published_data_dir;  // the `..<timestamp>` dir behind `..data`
  std::string last_publish_error;
  std::uint64_t syncs = 0;
  sync_record last_sync;
  std::map<std::string, reload_record> targets;  // by reload URL

  /// The validation profile of one reload target, as the last sync used it.
  struct profile_record {
    std::string target;          // reload URL
    std::string version;         // "3.5"
    std::string target_version;  // what buildinfo said ("3.5.3+ds1"); empty without an answer
    std::string features;        // comma-joined
    std::string names;           // legacy | utf8
    std::string source;          // target | flag | default
    std::string description;     // validate::describe
    bool newer_than_known = false;
    bool features_api = false;  // /api/v1/features was used
    std::string last_error;     // why the target did not answer the last time, if so
  };
  std::vector<profile_record> profiles;

  void record_sync(const sync_state& sync, const sync_decision& d, double now);
  void record_reload(const reload::reload_report& r, double now);

  /// The whole `/status` JSON document.
  std::string render(const sync_state& sync, std::size_t watches, bool ready) const;
};

std::string_view to_string(sync_action a);

}  // namespace promwatch::app
