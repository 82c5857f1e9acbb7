// Glob matching with Redis's stringmatchlen() semantics; see glob.h.
//
// The C original walks NUL-terminated buffers and sometimes reads the byte
// just past the pattern's length (the terminator): At() reproduces that by
// answering '\0' past the end, so the corner cases (e.g. an unterminated
// "[abc" class, a trailing "\\") behave exactly as in Redis.
#include "base/glob.h"

#include <cctype>

namespace vireo::base {
namespace {

struct Matcher {
  std::string_view pattern;
  std::string_view str;
  bool nocase;

  char PatAt(size_t i) const { return i < pattern.size() ? pattern[i] : '\0'; }

  static int Lower(char c) { return std::tolower(static_cast<unsigned char>(c)); }

  // Mirrors stringmatchlen_impl(); `p`/`plen` and `s`/`slen` are the
  // current position and remaining length in pattern and string.
  bool Match(size_t p, size_t plen, size_t s, size_t slen, bool* skip_longer) const {
    while (plen > 0 && slen > 0) {
      switch (PatAt(p)) {
        case '*': {
          while (plen > 0 && PatAt(p + 1) == '*') {
            p++;
            plen--;
          }
          if (plen == 1) return true;  // a trailing '*' matches the rest
          while (slen > 0) {
            if (Match(p + 1, plen - 1, s, slen, skip_longer)) return true;
            if (*skip_longer) return false;
            s++;
            slen--;
          }
          // The rest of the pattern matches nowhere in the rest of the
          // string: a longer match for an earlier '*' cannot help either.
          *skip_longer = true;
          return false;
        }
        case '?':
          s++;
          slen--;
          break;
        case '[': {
          p++;
          plen--;
          bool negate = PatAt(p) == '^';
          if (negate) {
            p++;
            plen--;
          }
          bool match = false;
          const char c = str[s];
          while (true) {
            if (PatAt(p) == '\\' && plen >= 2) {
              p++;
              plen--;
              if (PatAt(p) == c) match = true;
            } else if (PatAt(p) == ']') {
              break;
            } else if (plen == 0) {
              // Unterminated class: step back so the outer increment
              // lands on the end of the pattern.
              p--;
              plen++;
              break;
            } else if (plen >= 3 && PatAt(p + 1) == '-') {
              // Redis compares plain (signed) chars here.
              int start = static_cast<signed char>(PatAt(p));
              int end = static_cast<signed char>(PatAt(p + 2));
              int ch = static_cast<signed char>(c);
              if (start > end) std::swap(start, end);
              if (nocase) {
                start = std::tolower(start);
                end = std::tolower(end);
                ch = std::tolower(ch);
              }
              p += 2;
              plen -= 2;
              if (ch >= start && ch <= end) match = true;
            } else {
              if (!nocase) {
                if (PatAt(p) == c) match = true;
              } else {
                if (Lower(PatAt(p)) == Lower(c)) match = true;
              }
            }
            p++;
            plen--;
          }
          if (negate) match = !match;
          if (!match) return false;
          s++;
          slen--;
          break;
        }
        case '\\':
          if (plen >= 2) {
            p++;
            plen--;
          }
          [[fallthrough]];
        default:
          if (!nocase) {
            if (PatAt(p) != str[s]) return false;
          } else {
            if (Lower(PatAt(p)) != Lower(str[s])) return false;
          }
          s++;
          slen--;
          break;
      }
      p++;
      plen--;
      if (slen == 0) {
        while (PatAt(p) == '*') {
          p++;
          plen--;
        }
        break;
      }
    }
    return plen == 0 && slen == 0;
  }
};

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  Matcher m{pattern, str, nocase};
  bool skip_longer = false;
  return m.Match(0, pattern.size(), 0, str.size(), &skip_longer);
}

}  // namespace vireo::base
