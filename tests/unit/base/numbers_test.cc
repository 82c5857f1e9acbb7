// Unit tests for base/numbers: Redis-exact integer / float parsing and
// formatting (util.c string2ll, string2ld, ld2string(LD_STR_HUMAN), the
// "%.17g" of addReplyDouble).
//
// Expected strings marked "redis 7.0.15" were obtained from a live
// redis-server 7.0.15 (SET k <a>; INCRBYFLOAT k <b>, or ZADD/ZSCORE) and are
// hardcoded here.
#include "base/numbers.h"

#include <gtest/gtest.h>

#include <cinttypes>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>

namespace vireo::base {
namespace {

using namespace std::string_literals;

// ---------------------------------------------------------------- StringToInt64

TEST(NumbersStringToInt64, AcceptsCanonicalIntegers) {
  struct Case {
    const char* in;
    int64_t want;
  } cases[] = {
      {"0", 0},
      {"1", 1},
      {"-1", -1},
      {"9", 9},
      {"10", 10},
      {"-10", -10},
      {"123456789", 123456789},
      {"1000000000000000000", 1000000000000000000LL},
      {"9223372036854775807", INT64_MAX},
      {"-9223372036854775808", INT64_MIN},
      {"9223372036854775806", INT64_MAX - 1},
      {"-9223372036854775807", INT64_MIN + 1},
  };
  for (const auto& c : cases) {
    int64_t v = 42;
    EXPECT_TRUE(StringToInt64(c.in, &v)) << c.in;
    EXPECT_EQ(v, c.want) << c.in;
  }
}

TEST(NumbersStringToInt64, RejectsWhatString2llRejects) {
  const std::string bad[] = {
      "",
      " 1",
      "1 ",
      " ",
      "+1",
      "01",
      "00",
      "-0",
      "-01",
      "-",
      "--1",
      "1-",
      "1a",
      "a1",
      "0x10",
      "1.0",
      "1e3",
      "\t1",
      "1\r",
      "1\n",
      "9223372036854775808",      // INT64_MAX + 1
      "-9223372036854775809",     // INT64_MIN - 1
      "18446744073709551615",     // UINT64_MAX
      "18446744073709551616",     // UINT64_MAX + 1 (unsigned overflow)
      "99999999999999999999",     // 20 digits
      "100000000000000000000",    // 21 chars
      "-100000000000000000000",   // 22 chars
      "1"s + '\0',                // embedded NUL: length is explicit
      "\0"s,
  };
  for (const auto& s : bad) {
    int64_t v = 42;
    EXPECT_FALSE(StringToInt64(s, &v)) << "'" << s << "'";
    EXPECT_EQ(v, 42) << "output must be untouched on failure: '" << s << "'";
  }
}

TEST(NumbersStringToInt64, UsesExplicitLengthNotTerminator) {
  const char buf[] = "12345";
  int64_t v = 0;
  ASSERT_TRUE(StringToInt64(std::string_view(buf, 3), &v));
  EXPECT_EQ(v, 123);
}

TEST(NumbersStringToInt64, RoundTripsRandomValues) {
  std::mt19937_64 rng(7);
  char buf[kLongStrSize];
  for (int i = 0; i < 20000; i++) {
    int64_t x = static_cast<int64_t>(rng());
    if (i % 3 == 0) x >>= (rng() % 63);
    size_t n = Int64ToChars(x, buf);
    int64_t back = 0;
    ASSERT_TRUE(StringToInt64(std::string_view(buf, n), &back)) << x;
    ASSERT_EQ(back, x);
  }
}

// --------------------------------------------------------------- StringToUint64

TEST(NumbersStringToUint64, Basics) {
  uint64_t v = 0;
  EXPECT_TRUE(StringToUint64("0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(StringToUint64("18446744073709551615", &v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_TRUE(StringToUint64("9223372036854775808", &v));
  EXPECT_EQ(v, 9223372036854775808ull);
  for (const char* s : {"", "18446744073709551616", "-1", "-0", "01", "+1", " 1", "1 ", "1x",
                        "99999999999999999999", "184467440737095516150"}) {
    EXPECT_FALSE(StringToUint64(s, &v)) << s;
  }
}

// ----------------------------------------------------------- StringToLongDouble

TEST(NumbersStringToLongDouble, Accepts) {
  struct Case {
    const char* in;
    long double want;
  } cases[] = {
      {"0", 0.0L},      {"1.5", 1.5L},     {"-1.5", -1.5L}, {"+1.5", 1.5L}, {".5", 0.5L},
      {"5.", 5.0L},     {"-.5", -0.5L},    {"1E3", 1000.0L}, {"3.0e3", 3000.0L},
      {"0x10", 16.0L},  {"10", 10.0L},     {"-0", -0.0L},
  };
  for (const auto& c : cases) {
    long double v = 42;
    EXPECT_TRUE(StringToLongDouble(c.in, &v)) << c.in;
    EXPECT_EQ(v, c.want) << c.in;
  }
  long double v = 0;
  EXPECT_TRUE(StringToLongDouble("inf", &v));
  EXPECT_TRUE(std::isinf(v) && v > 0);
  EXPECT_TRUE(StringToLongDouble("-inf", &v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  EXPECT_TRUE(StringToLongDouble("infinity", &v));
  EXPECT_TRUE(std::isinf(v));
  // Beyond double's range but within long double's: accepted (redis 7.0.15:
  // INCRBYFLOAT k 1e4930 works).
  EXPECT_TRUE(StringToLongDouble("1e4930", &v));
  EXPECT_TRUE(StringToLongDouble("1.18e4932", &v));
  // Denormal: ERANGE but not zero -> accepted (redis 7.0.15: 1e-4950 -> "0").
  EXPECT_TRUE(StringToLongDouble("1e-4950", &v));
  EXPECT_GT(v, 0.0L);
}

TEST(NumbersStringToLongDouble, Rejects) {
  const std::string bad[] = {
      "",       " 1.5",   "\t1",   "1.5 ",  "1.5x", "x",         "nan",      "NaN",   "-nan",
      "1/3",    "1e4933", "1.19e4932", "-1e4933",   // overflow to inf (ERANGE)
      "1e-5000",                                     // underflow to zero (ERANGE)
      "1.5"s + '\0',                                 // embedded NUL
      "\0"s,
      std::string(kMaxLongDoubleChars, '1'),         // too long for the buffer
  };
  for (const auto& s : bad) {
    long double v = 42;
    EXPECT_FALSE(StringToLongDouble(s, &v)) << "'" << s.substr(0, 30) << "'";
    EXPECT_EQ(v, 42.0L);
  }
  // Just below the buffer limit is still parsed.
  long double v = 0;
  std::string long_ok = "1." + std::string(kMaxLongDoubleChars - 3, '0');
  EXPECT_TRUE(StringToLongDouble(long_ok, &v));
  EXPECT_EQ(v, 1.0L);
}

TEST(NumbersStringToDouble, AcceptsAndRejects) {
  double v = 0;
  EXPECT_TRUE(StringToDouble("1.5", &v));
  EXPECT_EQ(v, 1.5);
  EXPECT_TRUE(StringToDouble("-inf", &v));
  EXPECT_TRUE(std::isinf(v) && v < 0);
  EXPECT_TRUE(StringToDouble("1e308", &v));
  EXPECT_TRUE(StringToDouble("4.9e-324", &v));  // denormal
  for (std::string s : {"1e309"s, "-1e309"s, "1e-400"s, "nan"s, " 1"s, "1 "s, ""s, "1x"s,
                        "1"s + '\0'}) {
    v = 42;
    EXPECT_FALSE(StringToDouble(s, &v)) << s;
    EXPECT_EQ(v, 42);
  }
}

// ------------------------------------------------------------- Int64ToChars

std::string I2S(int64_t v) {
  char buf[kLongStrSize];
  size_t n = Int64ToChars(v, buf);
  return std::string(buf, n);
}
std::string U2S(uint64_t v) {
  char buf[kLongStrSize];
  size_t n = Uint64ToChars(v, buf);
  return std::string(buf, n);
}

TEST(NumbersInt64ToChars, Table) {
  EXPECT_EQ(I2S(0), "0");
  EXPECT_EQ(I2S(1), "1");
  EXPECT_EQ(I2S(-1), "-1");
  EXPECT_EQ(I2S(9), "9");
  EXPECT_EQ(I2S(10), "10");
  EXPECT_EQ(I2S(99), "99");
  EXPECT_EQ(I2S(100), "100");
  EXPECT_EQ(I2S(-100), "-100");
  EXPECT_EQ(I2S(12345), "12345");
  EXPECT_EQ(I2S(INT64_MAX), "9223372036854775807");
  EXPECT_EQ(I2S(INT64_MIN), "-9223372036854775808");
  EXPECT_EQ(U2S(UINT64_MAX), "18446744073709551615");
  EXPECT_EQ(U2S(0), "0");
}

TEST(NumbersInt64ToChars, MatchesPrintfAroundPowersOfTen) {
  char want[32];
  for (int64_t p = 1; p <= INT64_MAX / 10; p *= 10) {
    for (int64_t d : {-1, 0, 1}) {
      for (int64_t sign : {1, -1}) {
        int64_t v = sign * (p + d);
        snprintf(want, sizeof(want), "%" PRId64, v);
        EXPECT_EQ(I2S(v), want);
      }
    }
  }
  std::mt19937_64 rng(1);
  for (int i = 0; i < 20000; i++) {
    int64_t v = static_cast<int64_t>(rng()) >> (rng() % 64);
    snprintf(want, sizeof(want), "%" PRId64, v);
    ASSERT_EQ(I2S(v), want);
    uint64_t u = rng() >> (rng() % 64);
    snprintf(want, sizeof(want), "%" PRIu64, u);
    ASSERT_EQ(U2S(u), want);
  }
}

TEST(NumbersDigitCount, Boundaries) {
  EXPECT_EQ(DigitCount(0), 1);
  EXPECT_EQ(DigitCount(9), 1);
  EXPECT_EQ(DigitCount(10), 2);
  uint64_t p = 1;
  for (int d = 1; d <= 19; d++) {
    EXPECT_EQ(DigitCount(p), d) << p;
    EXPECT_EQ(DigitCount(p * 10 - 1), d) << p * 10 - 1;
    p *= 10;
  }
  EXPECT_EQ(DigitCount(p), 20);  // 10^19
  EXPECT_EQ(DigitCount(UINT64_MAX), 20);
}

// ------------------------------------------------------- LongDoubleToString

// INCRBYFLOAT semantics: value = string2ld(a) + string2ld(b); NaN/inf is an
// error, otherwise ld2string(LD_STR_HUMAN).
struct IncrCase {
  const char* a;
  const char* b;
  const char* want;  // nullptr: "increment would produce NaN or Infinity"
};

TEST(NumbersLongDoubleToString, IncrByFloatTableFromRedis) {
  // redis 7.0.15: SET k <a>; INCRBYFLOAT k <b>.
  const IncrCase cases[] = {
      {"10.5", "0.1", "10.6"},
      {"3.0e3", "5.0e3", "8000"},
      {"0.1", "0.2", "0.3"},
      {"10", "0", "10"},
      {"0", "-0", "0"},
      {"5", "-5", "0"},
      {"1.5", "-3", "-1.5"},
      {"10.50", "0", "10.5"},
      {"1", "1e-17", "1.00000000000000001"},
      {"1", "1e-18", "1"},
      {"123456789012345678", "1", "123456789012345679"},
      {"1e17", "1", "100000000000000001"},
      {"0", "1e20", "100000000000000000000"},
      {"0", "1e-5", "0.00001"},
      {"0", "0.1", "0.1"},
      {"0", "3.14159", "3.14159"},
      {"0", "-3.14159", "-3.14159"},
      {"0", "1.23456789012345678", "1.23456789012345678"},
      {"0", "1e25", "10000000000000000000000000"},
      {"5.0e3", "2.0e2", "5200"},
      {"0", "0.3333333333333333333", "0.33333333333333333"},
      {"0", "12345.6789", "12345.67889999999999961"},
      {"17179869184", "0.5", "17179869184.5"},
      {"0", "2.5e-3", "0.0025"},
      {"0", "-0.0001", "-0.0001"},
      {"0", "0x10", "16"},
      {"0", "1e-300", "0"},
      {"9007199254740993", "0", "9007199254740993"},
      {"-1.1", "1.1", "0"},
      {"0", "-1e-20", "0"},  // "-0.00000000000000000" -> "-0" -> "0"
      {"0", "1e-4950", "0"},
      {"1.1", "2.2", "3.3"},
      {"0.7", "0.1", "0.8"},
      {"-5", "0.5", "-4.5"},
      {"100", "-0.01", "99.99"},
      {"3", "0.00000000000000001", "3.00000000000000001"},
      {"0", ".5", "0.5"},
      {"0", "5.", "5"},
      {"0", "-.5", "-0.5"},
      {"0", "+1.5", "1.5"},
      {"0", "1E3", "1000"},
      {"0", "1e-17", "0.00000000000000001"},
      {"0", "1e-18", "0"},
      {"0", "0.000000000000000005", "0"},
      {"0", "0.000000000000000015", "0.00000000000000002"},
      {"2", "-2.00000000000000001", "-0.00000000000000001"},
      {"1e308", "1e308",
       "19999999999999999999337175931169129132112019969483113441559409598984346973767612374420025"
       "38437770786408934944501080264463042694991879211671948416288603928375359182000392063815573"
       "26219209014213335878306791577877829121087126122536729803237260434173178506889763247582601"
       "711514636284849020905456510092687857156096"},
      {"1e308", "1e309",
       "10999999999999999999927806182485020995072212454851968042183962085169241061378223999647402"
       "42213073210832311064673240176232349396994227792424122006468327769888587284062104573058823"
       "88803874944759243694305632014848900522437797411160715053886172616413710662513278870811120"
       "6251813715975982447621256291279758956691456"},
      {"0", "-1e308",
       "-9999999999999999999668587965584564566056009984741556720779704799492173486883806187210012"
       "69218885393204467472250540132231521347495939605835974208144301964187679591000196031907786"
       "63109604507106667939153395788938914560543563061268364901618630217086589253444881623791300"
       "855757318142424510452728255046343928578048"},
      {"1.7976931348623157e308", "0",
       "17976931348623156999592104677410443404838644694432917848531442076517662852312439635470186"
       "86083870855644287934194255206893087083634511360553578972780264776170734989776862883948356"
       "18163294045594434929537447290627480669417384648879122776218333598953852832103282504751611"
       "691208117720159985926376802466863339536384"},
      // Overflow / NaN -> error.
      {"1e4932", "1e4932", nullptr},
      {"0", "inf", nullptr},
      {"0", "infinity", nullptr},
      {"0", "-inf", nullptr},
  };
  for (const auto& c : cases) {
    long double a = 0, b = 0;
    ASSERT_TRUE(StringToLongDouble(c.a, &a)) << c.a;
    ASSERT_TRUE(StringToLongDouble(c.b, &b)) << c.b;
    long double sum = a + b;
    if (c.want == nullptr) {
      EXPECT_TRUE(std::isinf(sum) || std::isnan(sum)) << c.a << " + " << c.b;
      continue;
    }
    ASSERT_FALSE(std::isinf(sum) || std::isnan(sum)) << c.a << " + " << c.b;
    EXPECT_EQ(LongDoubleToString(sum), c.want) << c.a << " + " << c.b;
  }
}

TEST(NumbersLongDoubleToString, InvalidIncrementsAreRejectedByParser) {
  // redis 7.0.15: "ERR value is not a valid float" for these increments.
  for (const char* s : {"1/3", " 1", "1 ", "nan", "1e4933", "1e-5000", "1.5x", " 1.5"}) {
    long double v;
    EXPECT_FALSE(StringToLongDouble(s, &v)) << s;
  }
}

TEST(NumbersLongDoubleToString, HugeValues) {
  // redis 7.0.15: SET k 0; INCRBYFLOAT k 1e4930 -> 4931 chars.
  long double v = 0;
  ASSERT_TRUE(StringToLongDouble("1e4930", &v));
  std::string s = LongDoubleToString(v);
  EXPECT_EQ(s.size(), 4931u);
  EXPECT_EQ(s.substr(0, 40), "1000000000000000000026173784887037930572");
  EXPECT_EQ(s.substr(s.size() - 20), "15470041149975035904");
  // redis 7.0.15: SET k 1.18e4932; INCRBYFLOAT k 0 -> 4933 chars (fits in
  // MAX_LONG_DOUBLE_CHARS).
  ASSERT_TRUE(StringToLongDouble("1.18e4932", &v));
  EXPECT_EQ(LongDoubleToString(v).size(), 4933u);
  // LDBL_MAX also fits.
  EXPECT_FALSE(LongDoubleToString(std::numeric_limits<long double>::max()).empty());
  EXPECT_FALSE(LongDoubleToString(-std::numeric_limits<long double>::max()).empty());
}

TEST(NumbersLongDoubleToString, SpecialValues) {
  EXPECT_EQ(LongDoubleToString(0.0L), "0");
  EXPECT_EQ(LongDoubleToString(-0.0L), "0");
  EXPECT_EQ(LongDoubleToString(1.0L), "1");
  EXPECT_EQ(LongDoubleToString(-1.0L), "-1");
  EXPECT_EQ(LongDoubleToString(100.0L), "100");
  EXPECT_EQ(LongDoubleToString(0.5L), "0.5");
  EXPECT_EQ(LongDoubleToString(-1e-30L), "0");
  EXPECT_EQ(LongDoubleToString(std::numeric_limits<long double>::infinity()), "inf");
  EXPECT_EQ(LongDoubleToString(-std::numeric_limits<long double>::infinity()), "-inf");
}

// ---------------------------------------------------------------- DoubleToChars

std::string D2S(double d) {
  char buf[128];
  size_t n = DoubleToChars(d, buf, sizeof(buf));
  return std::string(buf, n);
}

TEST(NumbersDoubleToChars, Percent17g) {
  // redis 7.0.15: ZADD z <in> m; ZSCORE z m.
  EXPECT_EQ(D2S(0.1), "0.10000000000000001");
  EXPECT_EQ(D2S(5), "5");
  EXPECT_EQ(D2S(1e300), "1.0000000000000001e+300");
  EXPECT_EQ(D2S(1.5), "1.5");
  EXPECT_EQ(D2S(123456789.123), "123456789.123");
  EXPECT_EQ(D2S(1e-7), "9.9999999999999995e-08");
  EXPECT_EQ(D2S(3000), "3000");
  EXPECT_EQ(D2S(0.3), "0.29999999999999999");
  EXPECT_EQ(D2S(1e17), "1e+17");
  EXPECT_EQ(D2S(1e16), "10000000000000000");
  EXPECT_EQ(D2S(12345678901234567890.0), "1.2345678901234567e+19");
  EXPECT_EQ(D2S(2.5e-310), "2.5000000000000171e-310");
  EXPECT_EQ(D2S(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(D2S(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(D2S(0.0), "0");
  EXPECT_EQ(D2S(-0.0), "-0");  // plain "%.17g"
  EXPECT_EQ(D2S(-2.5), "-2.5");
  EXPECT_EQ(D2S(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(D2S(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(D2S(-std::numeric_limits<double>::max()), "-1.7976931348623157e+308");
}

TEST(NumbersDoubleToChars, MatchesSnprintfAndRoundTrips) {
  std::mt19937_64 rng(3);
  char want[64];
  for (int i = 0; i < 10000; i++) {
    uint64_t bits = rng();
    double d;
    memcpy(&d, &bits, sizeof(d));
    if (std::isnan(d) || std::isinf(d)) continue;
    snprintf(want, sizeof(want), "%.17g", d);
    std::string got = D2S(d);
    ASSERT_EQ(got, want);
    double back = 0;
    ASSERT_TRUE(StringToDouble(got, &back) || d == 0 || std::fpclassify(d) == FP_SUBNORMAL)
        << got;
    if (std::fpclassify(d) == FP_NORMAL) {
      ASSERT_EQ(back, d) << got;
    }
  }
}

}  // namespace
}  // namespace vireo::base
