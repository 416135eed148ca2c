#pragma once
#include <filesystem>

namespace promwatch::test {

/// The shared corpus of real configuration files: $PROMWATCH_CORPUS when set, else the
/// `shared/corpus` directory (with its manifest.tsv) next to the worktrees; a path that does
/// not exist when PROMWATCH_NO_SHARED=1. The path may
/// not exist; callers skip what needs it.
std::filesystem::path find_corpus();

}  // namespace promwatch::test
