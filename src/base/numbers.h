// Number parsing and formatting with Redis's exact rules.
//
// Redis is strict about what it accepts as an integer ("01", " 1", "+1", "-0"
// are not integers) and about how it prints numbers ("%.17Lf" with trailing
// zeroes removed for INCRBYFLOAT, "%.17g" for doubles). Replies are compared
// byte for byte with redis-server, so these helpers mirror Redis's util.c
// contracts (string2ll, string2ld, ld2string, d2string), not the C library's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vireo::base {

// Longest decimal representation of a 64-bit integer, sign included.
inline constexpr size_t kLongStrSize = 21;
// Buffer size Redis uses for long double strings (MAX_LONG_DOUBLE_CHARS).
inline constexpr size_t kMaxLongDoubleChars = 5 * 1024;

// Redis string2ll: no spaces, no '+', no leading zeroes, "-0" rejected,
// range checked. Returns false when `s` is not exactly an integer.
bool StringToInt64(std::string_view s, int64_t* out);
// Redis string2ull-like for unsigned values (used by a few parsers).
bool StringToUint64(std::string_view s, uint64_t* out);
// Redis string2ld: strtold on the whole string; rejects leading space,
// trailing garbage, NaN, and overflow to +-inf (but accepts "inf"/"-inf").
bool StringToLongDouble(std::string_view s, long double* out);
// Redis string2d (strtod): same acceptance rules with double.
bool StringToDouble(std::string_view s, double* out);

// Writes the decimal digits of v into buf (at least kLongStrSize bytes) and
// returns the length. No terminator.
size_t Int64ToChars(int64_t v, char* buf);
size_t Uint64ToChars(uint64_t v, char* buf);
// Number of decimal digits of v (1 for 0).
int DigitCount(uint64_t v);

// Redis ld2string(..., LD_STR_HUMAN): "%.17Lf" without trailing zeroes,
// "inf"/"-inf", "-0" printed as "0". Returns "" when it does not fit.
std::string LongDoubleToString(long double v);
// Redis "%.17g" as used by addReplyDouble (RESP2 bulk / RESP3 ','),
// "inf"/"-inf"/"nan" spelled out. Returns length written into buf (>= 32 bytes).
size_t DoubleToChars(double v, char* buf, size_t cap);

// Appends printf-formatted text to *s (INFO sections and other reports).
void AppendPrintf(std::string* s, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

}  // namespace vireo::base
