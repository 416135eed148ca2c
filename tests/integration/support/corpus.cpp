#include "support/corpus.hpp"

#include <cstdlib>
#include <string_view>

namespace promwatch::test {

std::filesystem::path find_corpus() {
  namespace fs = std::filesystem;
  // PROMWATCH_NO_SHARED=1 makes the corpus unreachable, as in a user's fresh clone (CI runs
  // the suite once so); every test that needs it must then skip with a message.
  if (const char* off = std::getenv("PROMWATCH_NO_SHARED"); off && std::string_view(off) == "1") {
    return "/nonexistent/promwatch-shared-corpus-disabled";
  }
  if (const char* env = std::getenv("PROMWATCH_CORPUS")) return env;
  const fs::path src(PROMWATCH_SOURCE_DIR);
  for (const fs::path& p :
       {src / ".." / "shared" / "corpus", src / ".." / ".." / "shared" / "corpus"}) {
    if (fs::exists(p / "manifest.tsv")) return p;
  }
  return src / ".." / "shared" / "corpus";
}

}  // namespace promwatch::test
