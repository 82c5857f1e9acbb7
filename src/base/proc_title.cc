// See proc_title.h.
#include "base/proc_title.h"

#include <errno.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

extern char** environ;

namespace vireo::base {
namespace {

char* g_base = nullptr;  // argv[0]
char* g_nul = nullptr;   // the NUL that ended argv[0]
char* g_end = nullptr;   // one past the last byte we may overwrite
bool g_reset = false;    // the whole area was cleared once
// Redis's SPT_MAXTITLE.
constexpr size_t kMaxTitle = 255;

}  // namespace

void ProcTitleInit(int argc, char** argv) {
  if (argc <= 0 || argv == nullptr || argv[0] == nullptr) return;
  char* base = argv[0];
  char* end = base + strlen(base) + 1;
  // The argv strings are contiguous; so usually are the environment
  // strings after them: both become room for the title.
  for (int i = 1; i < argc; i++) {
    if (argv[i] == end) end = argv[i] + strlen(argv[i]) + 1;
  }
  size_t envc = 0;
  while (environ[envc]) envc++;
  char** env = static_cast<char**>(malloc(sizeof(char*) * (envc + 1)));
  if (env == nullptr) return;
  for (size_t i = 0; i < envc; i++) {
    if (environ[i] == end) end = environ[i] + strlen(environ[i]) + 1;
    env[i] = strdup(environ[i]);
  }
  env[envc] = nullptr;
  environ = env;
  // Why: glibc's program_invocation_name(s) point into argv[0]; keep them
  // valid (error messages use them), as Redis's spt_init does.
  program_invocation_name = strdup(program_invocation_name);
  program_invocation_short_name = strdup(program_invocation_short_name);
  g_base = base;
  g_nul = base + strlen(base);
  g_end = end;
}

void SetProcTitle(std::string_view title) {
  if (g_base == nullptr || title.empty()) return;
  size_t room = static_cast<size_t>(g_end - g_base);
  // Why these steps: Redis's setproctitle. The first title clears the whole
  // area, later ones the first 256 bytes; the title is cut at 255 bytes.
  if (!g_reset) {
    memset(g_base, 0, room);
    g_reset = true;
  } else {
    memset(g_base, 0, room < kMaxTitle + 1 ? room : kMaxTitle + 1);
  }
  size_t cap = (room < kMaxTitle + 1 ? room : kMaxTitle + 1) - 1;
  size_t len = title.size() < cap ? title.size() : cap;
  memcpy(g_base, title.data(), len);
  char* nul = g_base + len;
  // A non-NUL byte where argv[0] used to end tells Linux the area holds one
  // title string, so /proc/PID/cmdline stops at its end.
  if (nul < g_nul) {
    *g_nul = '.';
  } else if (nul == g_nul && nul + 1 < g_end) {
    *g_nul = ' ';
    *++nul = '\0';
  }
}

}  // namespace vireo::base
