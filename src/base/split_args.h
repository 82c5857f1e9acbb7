// Redis's argument splitting and quoting (sdssplitargs / sdscatrepr).
//
// Owns the one tokenizer shared by redis.conf parsing, the redis-server
// command line and anything else that must read "Redis-quoted" text, plus
// its inverse (Repr) used when Redis writes such text back (CONFIG REWRITE,
// the command line turned into config lines).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vireo::base {

// Splits `line` into arguments exactly like Redis's sdssplitargs():
//  - blanks (isspace) separate arguments;
//  - "double quotes" support \xHH hex escapes, \n \r \t \b \a, and \<any>
//    for the character itself;
//  - 'single quotes' only support \' ;
//  - a closing quote must be followed by a blank or the end of the line;
//  - a quote may open in the middle of an argument (foo"bar" -> foobar).
// Returns std::nullopt for unbalanced quotes (Redis returns NULL).
// Like the C original, the input ends at its first NUL byte.
std::optional<std::vector<std::string>> SplitArgs(std::string_view line);

// Appends `s` to *out quoted as Redis's sdscatrepr() does: surrounded by
// double quotes, \\ \" \n \r \t \a \b escaped, other non-printable bytes as
// \xHH (lower-case hex).
void AppendRepr(std::string* out, std::string_view s);

// Convenience wrapper around AppendRepr().
std::string Repr(std::string_view s);

// Splits `s` on every occurrence of `sep` like Redis's sdssplitlen(): empty
// tokens are kept (so "a  b" on ' ' gives "a", "", "b") and an empty input
// gives no tokens at all.
std::vector<std::string> SplitLen(std::string_view s, char sep);

}  // namespace vireo::base
