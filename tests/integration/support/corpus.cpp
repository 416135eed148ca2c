#include "support/corpus.hpp"

#include <cstdlib>

namespace promwatch::test {

std::filesystem::path find_corpus() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("PROMWATCH_CORPUS")) return env;
  const fs::path src(PROMWATCH_SOURCE_DIR);
  for (const fs::path& p :
       {src / ".." / "shared" / "corpus", src / ".." / ".." / "shared" / "corpus"}) {
    if (fs::exists(p / "manifest.tsv")) return p;
  }
  return src / ".." / "shared" / "corpus";
}

}  // namespace promwatch::test
