// Small file-system helpers that the persistence code shares (Redis's
// util.c fileExist / dirExists / dirCreateIfMissing / fsyncFileDir): the
// RDB snapshots and the AOF both rename temp files into place and must
// make the rename durable.
#pragma once

#include <string>

namespace vireo::base {

// A regular file exists at `path` (Redis's fileExist).
bool FileExists(const std::string& path);
// A directory exists at `path` (Redis's dirExists).
bool DirExists(const std::string& path);
// mkdir 0755 unless it exists (Redis's dirCreateIfMissing); errno on failure.
bool DirCreateIfMissing(const std::string& path);
// fsync of the directory holding `path`, so a rename into it survives a
// crash (Redis's fsyncFileDir). Best effort.
void FsyncDirOf(const std::string& path);

}  // namespace vireo::base
