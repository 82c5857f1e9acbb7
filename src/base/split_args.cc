// Redis's argument splitting and quoting (sdssplitargs / sdscatrepr); see
// split_args.h. Behaviour is byte-for-byte that of Redis 7.0's sds.c,
// including its quirks (e.g. a closing quote glued to the next character is
// an error, a quote opening mid-argument is accepted).
#include "base/split_args.h"

#include <cctype>

namespace vireo::base {
namespace {

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int HexDigitToInt(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::optional<std::vector<std::string>> SplitArgs(std::string_view line) {
  // The C original works on NUL-terminated strings: everything after the
  // first NUL is invisible to it.
  if (auto nul = line.find('\0'); nul != std::string_view::npos) line = line.substr(0, nul);
  // at(i) mimics reading a C string: past the end there is a '\0'.
  auto at = [&line](size_t i) -> char { return i < line.size() ? line[i] : '\0'; };

  std::vector<std::string> args;
  size_t p = 0;
  while (true) {
    while (at(p) != '\0' && IsSpace(at(p))) p++;
    if (at(p) == '\0') return args;

    bool inq = false;   // inside "double quotes"
    bool insq = false;  // inside 'single quotes'
    bool done = false;
    std::string current;
    while (!done) {
      char c = at(p);
      if (inq) {
        if (c == '\\' && at(p + 1) == 'x' && IsHexDigit(at(p + 2)) && IsHexDigit(at(p + 3))) {
          current.push_back(static_cast<char>(HexDigitToInt(at(p + 2)) * 16 + HexDigitToInt(at(p + 3))));
          p += 3;
        } else if (c == '\\' && at(p + 1) != '\0') {
          p++;
          switch (at(p)) {
            case 'n': current.push_back('\n'); break;
            case 'r': current.push_back('\r'); break;
            case 't': current.push_back('\t'); break;
            case 'b': current.push_back('\b'); break;
            case 'a': current.push_back('\a'); break;
            default: current.push_back(at(p)); break;
          }
        } else if (c == '"') {
          // The closing quote must be followed by a space or nothing at all.
          if (at(p + 1) != '\0' && !IsSpace(at(p + 1))) return std::nullopt;
          done = true;
        } else if (c == '\0') {
          return std::nullopt;  // unterminated quotes
        } else {
          current.push_back(c);
        }
      } else if (insq) {
        if (c == '\\' && at(p + 1) == '\'') {
          p++;
          current.push_back('\'');
        } else if (c == '\'') {
          if (at(p + 1) != '\0' && !IsSpace(at(p + 1))) return std::nullopt;
          done = true;
        } else if (c == '\0') {
          return std::nullopt;
        } else {
          current.push_back(c);
        }
      } else {
        switch (c) {
          // Only these end an unquoted argument (not \v or \f, which the
          // blank-skipping loop above does treat as blanks).
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            inq = true;
            break;
          case '\'':
            insq = true;
            break;
          default:
            current.push_back(c);
            break;
        }
      }
      if (at(p) != '\0') p++;
    }
    args.push_back(std::move(current));
  }
}

void AppendRepr(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '\\':
      case '"':
        out->push_back('\\');
        out->push_back(c);
        break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\a': out->append("\\a"); break;
      case '\b': out->append("\\b"); break;
      default:
        if (std::isprint(static_cast<unsigned char>(c))) {
          out->push_back(c);
        } else {
          static constexpr char kHex[] = "0123456789abcdef";
          unsigned char u = static_cast<unsigned char>(c);
          out->append("\\x");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 0xf]);
        }
        break;
    }
  }
  out->push_back('"');
}

std::string Repr(std::string_view s) {
  std::string out;
  AppendRepr(&out, s);
  return out;
}

std::vector<std::string> SplitLen(std::string_view s, char sep) {
  std::vector<std::string> tokens;
  if (s.empty()) return tokens;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      tokens.emplace_back(s.substr(start));
      return tokens;
    }
    tokens.emplace_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

}  // namespace vireo::base
