// The AOF manifest of Redis 7.0's multi-part AOF: which files in
// `appenddirname` make up the append-only file, in order.
//
//   file appendonly.aof.2.base.rdb seq 2 type b
//   file appendonly.aof.1.incr.aof seq 1 type h
//   file appendonly.aof.3.incr.aof seq 3 type i
//
// One BASE file (the snapshot of the last rewrite: an RDB with
// aof-use-rdb-preamble yes, else commands), HISTORY files (what a rewrite
// replaced, deleted in the background), and the INCR files written since
// (several when a rewrite failed or is running). This module is the text
// format and the naming rules only (Redis's aof.c manifest part): it knows
// no server, so redis-check-aof-like tools and tests can use it; the server
// (server/aof.cc) owns the files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vireo::persistence::aof {

enum class FileType : char { kBase = 'b', kHistory = 'h', kIncr = 'i' };

struct FileInfo {
  std::string name;
  int64_t seq = 0;
  FileType type = FileType::kIncr;
  bool operator==(const FileInfo&) const = default;
};

struct Manifest {
  std::optional<FileInfo> base;
  std::vector<FileInfo> incrs;    // in sequence order
  std::vector<FileInfo> history;  // newest first (Redis adds at the head)
  int64_t curr_base_seq = 0;
  int64_t curr_incr_seq = 0;
  bool dirty = false;  // changed since last written

  bool empty() const { return !base && incrs.empty(); }
  // BASE + INCR files (the ones loaded).
  size_t loaded_files() const { return (base ? 1 : 0) + incrs.size(); }
};

// Redis's getAofManifestAsString: base, then history, then incr files;
// a name that needs quoting is written as sdscatrepr does.
std::string Format(const Manifest& m);

// Redis's aofLoadManifestFromFile applied to the file's text. On error
// returns false with *err (Redis's message) and *line_no / *line set to
// the offending line when there is one (line empty otherwise).
bool Parse(std::string_view text, Manifest* out, std::string* err, int* line_no, std::string* line);

// --- naming (appendfilename "appendonly.aof") -------------------------------
// "<appendfilename>.manifest" and its temp name "temp-<...>.manifest".
std::string ManifestName(std::string_view aof_filename);
std::string TempManifestName(std::string_view aof_filename);
// "temp-<appendfilename>.incr": the incr file written while appendonly is
// being switched on (until the first rewrite ends).
std::string TempIncrName(std::string_view aof_filename);

// Redis's getNewBaseFileNameAndMarkPreAsHistory: the previous base becomes
// history (at the head), a new base "<name>.<seq>.base.rdb|aof" is set.
// Returns the new base's file name.
const std::string& NewBase(Manifest* m, std::string_view aof_filename, bool rdb_preamble);
// Redis's getNewIncrAofName: appends "<name>.<seq>.incr.aof".
const std::string& NewIncr(Manifest* m, std::string_view aof_filename);
// Redis's getLastIncrAofName: the last incr file, or a new one.
const std::string& LastIncr(Manifest* m, std::string_view aof_filename);
// Redis's markRewrittenIncrAofAsHistory: every incr file but the last one
// (when `keep_last`: it is being written) becomes history.
void MarkRewrittenIncrsAsHistory(Manifest* m, bool keep_last);

// Whether a manifest file name is a plain base name (no '/' or '\\').
bool IsBaseName(std::string_view name);

}  // namespace vireo::persistence::aof
