// The process title that `ps` and /proc/PID/cmdline show (Redis's
// setproctitle.c + redisSetProcTitle).
//
// Linux has no setproctitle(): like Redis, the title is written over the
// memory that holds argv (and the environment strings right after it, once
// they are copied to the heap), padded with NULs. Call ProcTitleInit once at
// startup, after anything that keeps pointers into argv has copied what it
// needs; argv[] must not be read afterwards.
#pragma once

#include <string_view>

namespace vireo::base {

void ProcTitleInit(int argc, char** argv);
// Sets the title (truncated to the room argv and the environment had).
// A no-op when ProcTitleInit was not called.
void SetProcTitle(std::string_view title);

}  // namespace vireo::base
