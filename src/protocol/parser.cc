// See parser.h.
#include "protocol/parser.h"

#include <cctype>
#include <climits>
#include <cstring>

#include "base/numbers.h"
#include "base/split_args.h"

namespace vireo::protocol {

namespace {
// Why: Redis looks for the header's '\r' with strchr(), which stops at a NUL
// byte, so a NUL before the '\r' hides it (the request never completes until
// it exceeds the 64k header limit).
const char* FindCr(const char* p, size_t n) {
  const char* cr = static_cast<const char*>(memchr(p, '\r', n));
  if (cr && memchr(p, '\0', static_cast<size_t>(cr - p)) != nullptr) return nullptr;
  return cr;
}
}  // namespace

void RequestParser::Reset() {
  multibulk_len_ = 0;
  bulk_len_ = -1;
  started_ = false;
  inline_ = false;
  argc_ = 0;
  offsets_.clear();
  inline_storage_.clear();
}

void RequestParser::Rebase(size_t delta) {
  pos_ -= delta;
  for (auto& o : offsets_) o.first -= delta;
}

void RequestParser::BuildArgs(const char* buf, std::vector<std::string_view>* out) const {
  out->clear();
  if (inline_) {
    for (const auto& s : inline_storage_) out->emplace_back(s);
    return;
  }
  for (const auto& o : offsets_) out->emplace_back(buf + o.first, o.second);
}

RequestParser::Status RequestParser::Parse(const char* buf, size_t start, size_t len,
                                           const Limits& limits, size_t* consumed) {
  if (!started_) {
    if (start >= len) return Status::kIncomplete;
    started_ = true;
    pos_ = start;
    inline_ = buf[start] != '*';
  }
  if (inline_) return ParseInline(buf, start, len, consumed);
  return ParseMultibulk(buf, start, len, limits, consumed);
}

RequestParser::Status RequestParser::ParseInline(const char* buf, size_t start, size_t len,
                                                 size_t* consumed) {
  const char* nl = static_cast<const char*>(memchr(buf + start, '\n', len - start));
  // Why: Redis finds the newline with strchr(), which stops at a NUL byte:
  // an inline request with a NUL before its newline never completes (until
  // it grows past the inline limit).
  if (nl && memchr(buf + start, '\0', static_cast<size_t>(nl - (buf + start))) != nullptr)
    nl = nullptr;
  if (!nl) {
    if (len - start > kInlineMaxSize) {
      error_ = "Protocol error: too big inline request";
      return Status::kError;
    }
    started_ = false;  // rescan from the start next time (bounded by 64k)
    return Status::kIncomplete;
  }
  size_t line_end = static_cast<size_t>(nl - buf);
  size_t content_end = line_end;
  if (content_end > start && buf[content_end - 1] == '\r') content_end--;
  *consumed = line_end + 1 - start;
  auto args = base::SplitArgs(std::string_view(buf + start, content_end - start));
  if (!args) {
    error_ = "Protocol error: unbalanced quotes in request";
    return Status::kError;
  }
  inline_storage_ = std::move(*args);
  argc_ = inline_storage_.size();
  return argc_ == 0 ? Status::kEmpty : Status::kCommand;
}

RequestParser::Status RequestParser::ParseMultibulk(const char* buf, size_t start, size_t len,
                                                   const Limits& limits, size_t* consumed) {
  if (multibulk_len_ == 0) {
    // Header "*<count>\r\n".
    const char* nl = FindCr(buf + pos_, len - pos_);
    if (!nl) {
      if (len - pos_ > kInlineMaxSize) {
        error_ = "Protocol error: too big mbulk count string";
        return Status::kError;
      }
      return Status::kIncomplete;
    }
    size_t cr = static_cast<size_t>(nl - buf);
    // Why: Redis needs the '\n' too before parsing the line.
    if (cr + 1 >= len) return Status::kIncomplete;
    int64_t ll;
    bool ok = base::StringToInt64(std::string_view(buf + pos_ + 1, cr - pos_ - 1), &ll);
    if (!ok || ll > INT_MAX) {
      error_ = "Protocol error: invalid multibulk length";
      return Status::kError;
    }
    if (ll > 10 && limits.auth_required) {
      error_ = "Protocol error: unauthenticated multibulk length";
      return Status::kError;
    }
    pos_ = cr + 2;
    if (ll <= 0) {
      *consumed = pos_ - start;
      return Status::kEmpty;
    }
    multibulk_len_ = ll;
    offsets_.clear();
    // Why: Redis caps the preallocation of argv at 1024 entries.
    offsets_.reserve(ll < 1024 ? static_cast<size_t>(ll) : 1024);
  }
  while (multibulk_len_ > 0) {
    if (bulk_len_ == -1) {
      const char* nl = FindCr(buf + pos_, len - pos_);
      if (!nl) {
        if (len - pos_ > kInlineMaxSize) {
          error_ = "Protocol error: too big bulk count string";
          return Status::kError;
        }
        return Status::kIncomplete;
      }
      size_t cr = static_cast<size_t>(nl - buf);
      if (cr + 1 >= len) return Status::kIncomplete;
      if (buf[pos_] != '$') {
        error_ = "Protocol error: expected '$', got '";
        error_.push_back(buf[pos_]);
        error_.push_back('\'');
        return Status::kError;
      }
      int64_t ll;
      bool ok = base::StringToInt64(std::string_view(buf + pos_ + 1, cr - pos_ - 1), &ll);
      if (!ok || ll < 0 || ll > limits.proto_max_bulk_len) {
        error_ = "Protocol error: invalid bulk length";
        return Status::kError;
      }
      if (ll > 16384 && limits.auth_required) {
        error_ = "Protocol error: unauthenticated bulk length";
        return Status::kError;
      }
      pos_ = cr + 2;
      bulk_len_ = ll;
    }
    // Why: Redis skips the two bytes after the payload without checking them.
    if (len - pos_ < static_cast<size_t>(bulk_len_) + 2) return Status::kIncomplete;
    offsets_.emplace_back(pos_, static_cast<size_t>(bulk_len_));
    pos_ += static_cast<size_t>(bulk_len_) + 2;
    bulk_len_ = -1;
    multibulk_len_--;
  }
  argc_ = offsets_.size();
  *consumed = pos_ - start;
  return Status::kCommand;
}

}  // namespace vireo::protocol
