// See scan.h.
#include "commands/scan.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

namespace vireo::commands {

bool ParseScanCursor(Client& c, std::string_view arg, uint64_t* cursor) {
  std::string s(arg);
  const char* p = s.c_str();
  char* end = nullptr;
  errno = 0;
  unsigned long v = strtoul(p, &end, 10);
  if (isspace(static_cast<unsigned char>(p[0])) || end[0] != '\0' || errno == ERANGE) {
    Err(c, server::err::kInvalidCursor);
    return false;
  }
  *cursor = v;
  return true;
}

bool ParseScanOptions(Client& c, size_t first, bool allow_type, ScanOptions* out) {
  for (size_t i = first; i < c.argv.size();) {
    size_t left = c.argv.size() - i;
    std::string_view opt = c.argv[i];
    if (EqNoCase(opt, "count") && left >= 2) {
      if (!ParseInt(c, c.argv[i + 1], &out->count)) return false;
      if (out->count < 1) {
        ErrSyntax(c);
        return false;
      }
      i += 2;
    } else if (EqNoCase(opt, "match") && left >= 2) {
      out->pattern = c.argv[i + 1];
      out->use_pattern = out->pattern != "*";
      i += 2;
    } else if (allow_type && EqNoCase(opt, "type") && left >= 2) {
      out->type = c.argv[i + 1];
      out->has_type = true;
      i += 2;
    } else {
      ErrSyntax(c);
      return false;
    }
  }
  return true;
}

}  // namespace vireo::commands
