// See numbers.h: Redis-exact number parsing and formatting.
#include "base/numbers.h"

#include <cstdarg>
#include <cstdio>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace vireo::base {

bool StringToUint64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > kLongStrSize) return false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  if (s[0] < '1' || s[0] > '9') return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

bool StringToInt64(std::string_view s, int64_t* out) {
  // Mirrors util.c string2ll: length limit, "0" special case, '-' then 1-9.
  if (s.empty() || s.size() > kLongStrSize) return false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  bool negative = false;
  size_t i = 0;
  if (s[0] == '-') {
    negative = true;
    i = 1;
    if (s.size() == 1) return false;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  uint64_t v = 0;
  for (; i < s.size(); i++) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (negative) {
    if (v > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

bool StringToLongDouble(std::string_view s, long double* out) {
  char buf[kMaxLongDoubleChars];
  if (s.empty() || s.size() >= sizeof(buf)) return false;
  memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  errno = 0;
  char* end = nullptr;
  long double v = strtold(buf, &end);
  if (isspace(static_cast<unsigned char>(buf[0])) || end[0] != '\0' ||
      static_cast<size_t>(end - buf) != s.size() ||
      (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO)) ||
      errno == EINVAL || std::isnan(v))
    return false;
  *out = v;
  return true;
}

bool StringToDouble(std::string_view s, double* out) {
  char buf[kMaxLongDoubleChars];
  if (s.empty() || s.size() >= sizeof(buf)) return false;
  memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  errno = 0;
  char* end = nullptr;
  double v = strtod(buf, &end);
  if (isspace(static_cast<unsigned char>(buf[0])) || end[0] != '\0' ||
      static_cast<size_t>(end - buf) != s.size() ||
      (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO)) ||
      std::isnan(v))
    return false;
  *out = v;
  return true;
}

int DigitCount(uint64_t v) {
  int n = 1;
  for (;;) {
    if (v < 10) return n;
    if (v < 100) return n + 1;
    if (v < 1000) return n + 2;
    if (v < 10000) return n + 3;
    v /= 10000U;
    n += 4;
  }
}

size_t Uint64ToChars(uint64_t v, char* buf) {
  static const char kDigits[201] =
      "0001020304050607080910111213141516171819"
      "2021222324252627282930313233343536373839"
      "4041424344454647484950515253545556575859"
      "6061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  const int len = DigitCount(v);
  int next = len - 1;
  while (v >= 100) {
    const unsigned i = static_cast<unsigned>(v % 100) * 2;
    v /= 100;
    buf[next] = kDigits[i + 1];
    buf[next - 1] = kDigits[i];
    next -= 2;
  }
  if (v < 10) {
    buf[next] = static_cast<char>('0' + v);
  } else {
    const unsigned i = static_cast<unsigned>(v) * 2;
    buf[next] = kDigits[i + 1];
    buf[next - 1] = kDigits[i];
  }
  return static_cast<size_t>(len);
}

size_t Int64ToChars(int64_t v, char* buf) {
  if (v < 0) {
    buf[0] = '-';
    uint64_t u = static_cast<uint64_t>(0) - static_cast<uint64_t>(v);
    return 1 + Uint64ToChars(u, buf + 1);
  }
  return Uint64ToChars(static_cast<uint64_t>(v), buf);
}

std::string LongDoubleToString(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[kMaxLongDoubleChars];
  int l = snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (l < 0 || static_cast<size_t>(l) + 1 > sizeof(buf)) return "";
  // Why: Redis strips trailing zeroes after the dot (LD_STR_HUMAN).
  if (memchr(buf, '.', static_cast<size_t>(l)) != nullptr) {
    char* p = buf + l - 1;
    while (*p == '0') {
      p--;
      l--;
    }
    if (*p == '.') l--;
  }
  if (l == 2 && buf[0] == '-' && buf[1] == '0') {
    buf[0] = '0';
    l = 1;
  }
  return std::string(buf, static_cast<size_t>(l));
}

size_t DoubleToChars(double v, char* buf, size_t cap) {
  if (std::isinf(v)) {
    const char* s = v > 0 ? "inf" : "-inf";
    size_t n = strlen(s);
    memcpy(buf, s, n);
    return n;
  }
  if (std::isnan(v)) {
    memcpy(buf, "nan", 3);
    return 3;
  }
  int n = snprintf(buf, cap, "%.17g", v);
  return n < 0 ? 0 : static_cast<size_t>(n);
}

void AppendPrintf(std::string* s, const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (static_cast<size_t>(n) < sizeof(buf)) {
    s->append(buf, static_cast<size_t>(n));
    return;
  }
  std::string big(static_cast<size_t>(n) + 1, '\0');
  va_start(ap, fmt);
  vsnprintf(big.data(), big.size(), fmt, ap);
  va_end(ap);
  big.resize(static_cast<size_t>(n));
  s->append(big);
}

}  // namespace vireo::base
