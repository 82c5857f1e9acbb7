// The AOF manifest text format and naming rules (see aof_manifest.h).
#include "persistence/aof_manifest.h"

#include <cctype>
#include <cstdlib>
#include <strings.h>

#include "base/split_args.h"

namespace vireo::persistence::aof {
namespace {

// Redis's MANIFEST_MAX_LINE: fgets reads at most this many bytes a line.
constexpr size_t kMaxLine = 1024;

// Redis's sdsneedsrepr.
bool NeedsRepr(std::string_view s) {
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\\' || c == '"' || c == '\n' || c == '\r' || c == '\t' || c == '\a' || c == '\b' || !isprint(c) ||
        isspace(c))
      return true;
  }
  return false;
}

void FormatInfo(std::string* out, const FileInfo& fi) {
  out->append("file ");
  if (NeedsRepr(fi.name)) {
    base::AppendRepr(out, fi.name);
  } else {
    out->append(fi.name);
  }
  out->append(" seq ");
  out->append(std::to_string(fi.seq));
  out->append(" type ");
  out->push_back(static_cast<char>(fi.type));
  out->push_back('\n');
}

std::string_view Trim(std::string_view s) {
  // sdstrim(line, " \t\r\n")
  auto strip = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && strip(s.front())) s.remove_prefix(1);
  while (!s.empty() && strip(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string Format(const Manifest& m) {
  std::string out;
  if (m.base) FormatInfo(&out, *m.base);
  for (const FileInfo& fi : m.history) FormatInfo(&out, fi);
  for (const FileInfo& fi : m.incrs) FormatInfo(&out, fi);
  return out;
}

bool IsBaseName(std::string_view name) {
  return name.find('/') == std::string_view::npos && name.find('\\') == std::string_view::npos;
}

bool Parse(std::string_view text, Manifest* out, std::string* err, int* line_no, std::string* line) {
  *out = Manifest{};
  line->clear();
  *line_no = 0;
  int64_t maxseq = 0;
  size_t pos = 0;
  // Why these quirks: Redis reads the manifest with fgets(1025 bytes) — a
  // longer line, or a last line without its newline, is "too long"; a file
  // with nothing at all is "empty", while comment lines alone are fine.
  if (text.empty()) {
    *err = "Found an empty AOF manifest";
    return false;
  }
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t avail = (nl == std::string_view::npos ? text.size() : nl + 1) - pos;
    size_t take = avail > kMaxLine ? kMaxLine : avail;
    std::string_view raw = text.substr(pos, take);
    pos += take;
    ++*line_no;
    if (raw[0] == '#') continue;
    if (raw.back() != '\n') {
      *err = "The AOF manifest file contains too long line";
      return false;
    }
    std::string_view trimmed = Trim(raw);
    *line = std::string(trimmed);
    if (trimmed.empty()) {
      *err = "Invalid AOF manifest file format";
      return false;
    }
    auto args = base::SplitArgs(trimmed);
    // Why `argc < 6` and pairs: Redis ignores unknown keys for forward
    // compatibility but needs the three it knows.
    if (!args || args->size() < 6 || args->size() % 2) {
      *err = "Invalid AOF manifest file format";
      return false;
    }
    FileInfo fi;
    bool has_name = false;
    char type = 0;
    for (size_t i = 0; i < args->size(); i += 2) {
      const std::string& k = (*args)[i];
      const std::string& v = (*args)[i + 1];
      if (strcasecmp(k.c_str(), "file") == 0) {
        fi.name = v;
        has_name = true;
        if (!IsBaseName(fi.name)) {
          *err = "File can't be a path, just a filename";
          return false;
        }
      } else if (strcasecmp(k.c_str(), "seq") == 0) {
        fi.seq = atoll(v.c_str());
      } else if (strcasecmp(k.c_str(), "type") == 0) {
        type = v.empty() ? 0 : v[0];
      }
    }
    // Why has_name and a non-empty name alike: Redis tests the sds pointer,
    // which an empty "" value still sets.
    if (!has_name || fi.seq == 0 || type == 0) {
      *err = "Invalid AOF manifest file format";
      return false;
    }
    if (type == 'b') {
      if (out->base) {
        *err = "Found duplicate base file information";
        return false;
      }
      fi.type = FileType::kBase;
      out->curr_base_seq = fi.seq;
      out->base = std::move(fi);
    } else if (type == 'h') {
      fi.type = FileType::kHistory;
      out->history.push_back(std::move(fi));
    } else if (type == 'i') {
      if (fi.seq <= maxseq) {
        *err = "Found a non-monotonic sequence number";
        return false;
      }
      fi.type = FileType::kIncr;
      maxseq = fi.seq;
      out->curr_incr_seq = fi.seq;
      out->incrs.push_back(std::move(fi));
    } else {
      *err = "Unknown AOF file type";
      return false;
    }
    line->clear();
  }
  return true;
}

std::string ManifestName(std::string_view aof_filename) { return std::string(aof_filename) + ".manifest"; }

std::string TempManifestName(std::string_view aof_filename) {
  return "temp-" + std::string(aof_filename) + ".manifest";
}

std::string TempIncrName(std::string_view aof_filename) { return "temp-" + std::string(aof_filename) + ".incr"; }

const std::string& NewBase(Manifest* m, std::string_view aof_filename, bool rdb_preamble) {
  if (m->base) {
    FileInfo old = std::move(*m->base);
    old.type = FileType::kHistory;
    m->history.insert(m->history.begin(), std::move(old));
  }
  FileInfo fi;
  fi.seq = ++m->curr_base_seq;
  fi.name = std::string(aof_filename) + "." + std::to_string(fi.seq) + ".base" + (rdb_preamble ? ".rdb" : ".aof");
  fi.type = FileType::kBase;
  m->base = std::move(fi);
  m->dirty = true;
  return m->base->name;
}

const std::string& NewIncr(Manifest* m, std::string_view aof_filename) {
  FileInfo fi;
  fi.seq = ++m->curr_incr_seq;
  fi.name = std::string(aof_filename) + "." + std::to_string(fi.seq) + ".incr.aof";
  fi.type = FileType::kIncr;
  m->incrs.push_back(std::move(fi));
  m->dirty = true;
  return m->incrs.back().name;
}

const std::string& LastIncr(Manifest* m, std::string_view aof_filename) {
  if (m->incrs.empty()) return NewIncr(m, aof_filename);
  return m->incrs.back().name;
}

void MarkRewrittenIncrsAsHistory(Manifest* m, bool keep_last) {
  if (m->incrs.empty()) return;
  size_t n = m->incrs.size() - (keep_last ? 1 : 0);
  // Why this order: Redis walks the incr list from the tail and adds each
  // to the head of the history list, so history ends up oldest first for
  // these (after any base moved there).
  for (size_t i = n; i-- > 0;) {
    FileInfo fi = m->incrs[i];
    fi.type = FileType::kHistory;
    m->history.insert(m->history.begin(), std::move(fi));
  }
  m->incrs.erase(m->incrs.begin(), m->incrs.begin() + static_cast<ptrdiff_t>(n));
  m->dirty = true;
}

}  // namespace vireo::persistence::aof
