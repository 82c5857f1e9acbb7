// ReplyParser and RespValue (see reply_parser.h): the state machine that
// turns a byte stream from another Redis server into reply trees.
//
// The buffered bytes are parsed in three states: at a type byte (checked as
// soon as it arrives, so a bad stream fails at once), in a header line (the
// CRLF search resumes where the last one stopped), or waiting for a bulk
// body of a known length. Aggregates are frames on a stack; a complete
// value is added to the innermost frame, and a frame whose last element
// arrived completes in turn.
//
// Error texts follow hiredis ("Protocol error, got \"x\" as reply type
// byte"), so the logs of a Sentinel read like Redis's.
#include "protocol/reply_parser.h"

#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "base/numbers.h"

namespace vireo::protocol {

namespace {

using Type = RespValue::Type;

// Compaction threshold: consumed bytes are dropped from the buffer once there
// are this many and they are at least half of it (amortized linear).
constexpr size_t kCompactMin = 4096;

// The type byte as hiredis prints it: "x" or "\xNN" for unprintable bytes.
std::string ReprByte(char c) {
  std::string s = "\"";
  unsigned char u = static_cast<unsigned char>(c);
  if (c == '"' || c == '\\') {
    s += '\\';
    s += c;
  } else if (u >= 0x20 && u < 0x7f) {
    s += c;
  } else {
    char hex[8];
    snprintf(hex, sizeof(hex), "\\x%02x", u);
    s += hex;
  }
  s += '"';
  return s;
}

bool IsTypeByte(char c) {
  switch (c) {
    case '+': case '-': case ':': case '$': case '*': case '%': case '~': case '>':
    case ',': case '#': case '(': case '=': case '!': case '|': case '_':
      return true;
    default:
      return false;
  }
}

// A RESP3 double: what strtod takes whole, plus Redis's "inf", "-inf" and
// "nan" spellings (strtod takes those too). No leading space or empty text.
bool ValidDouble(std::string_view s) {
  if (s.empty() || s.size() > 512 || s[0] == ' ' || s[0] == '\t') return false;
  std::string tmp(s);
  char* end = nullptr;
  errno = 0;
  (void)strtod(tmp.c_str(), &end);
  // Why ERANGE is accepted: a value Redis formatted with %.17g always
  // parses, but a denormal may set ERANGE; the text is kept as sent.
  return end == tmp.c_str() + tmp.size();
}

bool ValidBigNum(std::string_view s) {
  size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); i++) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

Type AggregateType(char c) {
  switch (c) {
    case '%': return Type::kMap;
    case '~': return Type::kSet;
    case '>': return Type::kPush;
    case '|': return Type::kAttribute;
    default: return Type::kArray;
  }
}

void AppendDebug(const RespValue& v, std::string* s) {
  switch (v.type) {
    case Type::kSimple: *s += v.str; break;
    case Type::kError: *s += "(error) " + v.str; break;
    case Type::kInteger: *s += "(integer) " + std::to_string(v.integer); break;
    case Type::kBulk: *s += '"' + v.str + '"'; break;
    case Type::kNull: *s += "(nil)"; break;
    case Type::kDouble: *s += "(double) " + v.str; break;
    case Type::kBool: *s += v.boolean ? "(true)" : "(false)"; break;
    case Type::kBigNum: *s += "(big number) " + v.str; break;
    case Type::kVerbatim: *s += "(" + v.format + ") \"" + v.str + '"'; break;
    case Type::kMap:
    case Type::kAttribute: {
      *s += v.type == Type::kMap ? "{" : "|{";
      for (size_t i = 0; i < v.elements.size(); i++) {
        if (i) *s += (i % 2) ? ": " : ", ";
        AppendDebug(v.elements[i], s);
      }
      *s += '}';
      break;
    }
    case Type::kArray:
    case Type::kSet:
    case Type::kPush: {
      *s += v.type == Type::kArray ? "[" : v.type == Type::kSet ? "~[" : ">[";
      for (size_t i = 0; i < v.elements.size(); i++) {
        if (i) *s += ", ";
        AppendDebug(v.elements[i], s);
      }
      *s += ']';
      break;
    }
  }
}

}  // namespace

bool RespValue::TextEquals(std::string_view s) const {
  return str.size() == s.size() && strncasecmp(str.data(), s.data(), s.size()) == 0;
}

std::string RespValue::DebugString() const {
  std::string s;
  AppendDebug(*this, &s);
  return s;
}

bool RespValue::operator==(const RespValue& o) const {
  return type == o.type && str == o.str && integer == o.integer && boolean == o.boolean &&
         format == o.format && elements == o.elements;
}

ReplyParser::Status ReplyParser::Feed(std::string_view bytes, std::vector<RespValue>* out) {
  if (!error_.empty()) return Status::kError;
  buf_.append(bytes.data(), bytes.size());
  if (!Parse(out)) {
    buf_.clear();
    buf_.shrink_to_fit();
    pos_ = scan_ = 0;
    stack_.clear();
    bulk_len_ = -1;
    return Status::kError;
  }
  Compact();
  bool idle = pos_ == buf_.size() && bulk_len_ < 0 && stack_.empty();
  return idle ? Status::kDone : Status::kNeedMore;
}

void ReplyParser::Reset() {
  buf_.clear();
  pos_ = scan_ = 0;
  bulk_len_ = -1;
  bulk_type_ = 0;
  stack_.clear();
  error_.clear();
}

void ReplyParser::Compact() {
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = scan_ = 0;
    return;
  }
  if (pos_ >= kCompactMin && pos_ * 2 >= buf_.size()) {
    buf_.erase(0, pos_);
    scan_ -= std::min(scan_, pos_);
    pos_ = 0;
  }
}

bool ReplyParser::Fail(std::string msg) {
  error_ = std::move(msg);
  return false;
}

bool ReplyParser::Parse(std::vector<RespValue>* out) {
  while (pos_ < buf_.size()) {
    if (bulk_len_ >= 0) {
      size_t len = static_cast<size_t>(bulk_len_);
      if (buf_.size() - pos_ < len + 2) return true;
      const char* p = buf_.data() + pos_;
      if (p[len] != '\r' || p[len + 1] != '\n') {
        return Fail("Protocol error, bulk string not terminated by CRLF");
      }
      std::string_view body(p, len);
      pos_ += len + 2;
      scan_ = pos_;
      bulk_len_ = -1;
      if (!OnBulk(body, out)) return false;
      continue;
    }
    const char type = buf_[pos_];
    if (!IsTypeByte(type)) {
      return Fail("Protocol error, got " + ReprByte(type) + " as reply type byte");
    }
    size_t from = std::max(scan_, pos_ + 1);
    size_t crlf = buf_.find("\r\n", from);
    if (crlf == std::string::npos) {
      // Why a limit on lines: a server (or a man in the middle) sending an
      // endless line would otherwise grow the buffer without bound.
      if (buf_.size() - pos_ - 1 > static_cast<size_t>(kMaxBulkLen)) {
        return Fail("Protocol error, reply line too long");
      }
      // A lone '\r' at the end may be the start of the CRLF: look again.
      scan_ = std::max(pos_ + 1, buf_.size() - 1);
      return true;
    }
    if (crlf - pos_ - 1 > static_cast<size_t>(kMaxBulkLen)) {
      return Fail("Protocol error, reply line too long");
    }
    std::string_view line(buf_.data() + pos_ + 1, crlf - pos_ - 1);
    pos_ = crlf + 2;
    scan_ = pos_;
    if (!OnLine(type, line, out)) return false;
  }
  return true;
}

bool ReplyParser::OnLine(char type, std::string_view line, std::vector<RespValue>* out) {
  if (type == '$' || type == '!' || type == '=') {
    int64_t len;
    if (!base::StringToInt64(line, &len)) return Fail("Protocol error, bad bulk string length");
    // Why only '$' may be -1: that is RESP2's null bulk; RESP3 says "_".
    if (len == -1 && type == '$') {
      Complete(RespValue{}, out);
      return true;
    }
    if (len < 0 || len > kMaxBulkLen) return Fail("Protocol error, bulk string length out of range");
    bulk_len_ = len;
    bulk_type_ = type;
    return true;
  }
  if (type == '*' || type == '%' || type == '~' || type == '>' || type == '|') {
    int64_t count;
    if (!base::StringToInt64(line, &count)) return Fail("Protocol error, bad aggregate length");
    // Why only '*' may be -1: RESP2's null array (*-1), a kNull like $-1.
    if (count == -1 && type == '*') {
      Complete(RespValue{}, out);
      return true;
    }
    if (count < 0 || count > kMaxAggregateLen) {
      return Fail("Protocol error, aggregate length out of range");
    }
    return PushAggregate(AggregateType(type), count, out);
  }
  // A single-line value.
  RespValue v;
  switch (type) {
    case '+':
      v.type = Type::kSimple;
      break;
    case '-':
      v.type = Type::kError;
      break;
    case ',':
      if (!ValidDouble(line)) return Fail("Protocol error, bad double value");
      v.type = Type::kDouble;
      break;
    case '(':
      if (!ValidBigNum(line)) return Fail("Protocol error, bad big number value");
      v.type = Type::kBigNum;
      break;
    case ':':
      if (!base::StringToInt64(line, &v.integer)) return Fail("Protocol error, bad integer value");
      v.type = Type::kInteger;
      line = {};
      break;
    case '#':
      if (line != "t" && line != "f") return Fail("Protocol error, bad bool value");
      v.type = Type::kBool;
      v.boolean = line == "t";
      line = {};
      break;
    default:  // '_'
      if (!line.empty()) return Fail("Protocol error, bad nil value");
      v.type = Type::kNull;
      break;
  }
  v.str.assign(line);
  Complete(std::move(v), out);
  return true;
}

bool ReplyParser::OnBulk(std::string_view body, std::vector<RespValue>* out) {
  RespValue v;
  if (bulk_type_ == '=') {
    // "=15\r\ntxt:Some string\r\n": a three-letter format, ':', the text.
    if (body.size() < 4 || body[3] != ':') return Fail("Protocol error, bad verbatim string");
    v.type = Type::kVerbatim;
    v.format.assign(body.substr(0, 3));
    v.str.assign(body.substr(4));
  } else {
    v.type = bulk_type_ == '!' ? Type::kError : Type::kBulk;
    v.str.assign(body);
  }
  Complete(std::move(v), out);
  return true;
}

bool ReplyParser::PushAggregate(RespValue::Type type, int64_t count, std::vector<RespValue>* out) {
  if (stack_.size() >= static_cast<size_t>(kMaxDepth)) {
    return Fail("Protocol error, aggregates nested deeper than " + std::to_string(kMaxDepth));
  }
  RespValue v;
  v.type = type;
  int64_t n = (type == Type::kMap || type == Type::kAttribute) ? count * 2 : count;
  if (n == 0) {
    Complete(std::move(v), out);
    return true;
  }
  // Why a small reserve and not n: the count is the peer's word; memory
  // grows only with elements that really arrive.
  v.elements.reserve(static_cast<size_t>(std::min<int64_t>(n, 16)));
  stack_.push_back(Frame{std::move(v), n});
  return true;
}

void ReplyParser::Complete(RespValue v, std::vector<RespValue>* out) {
  for (;;) {
    // Attributes are dropped: they neither reach the caller nor count as
    // an element of the enclosing aggregate.
    if (v.type == Type::kAttribute) return;
    if (stack_.empty()) {
      out->push_back(std::move(v));
      return;
    }
    Frame& f = stack_.back();
    f.value.elements.push_back(std::move(v));
    if (--f.remaining > 0) return;
    v = std::move(f.value);
    stack_.pop_back();
  }
}

}  // namespace vireo::protocol
