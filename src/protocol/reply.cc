// See reply.h.
#include "protocol/reply.h"

#include <cstring>

#include "base/numbers.h"

namespace vireo::protocol {

void ReplyBuilder::Header(char type, int64_t n) {
  if (muted) return;
  char* p = buf_->Reserve(1 + base::kLongStrSize + 2);
  p[0] = type;
  size_t k = 1 + base::Int64ToChars(n, p + 1);
  p[k++] = '\r';
  p[k++] = '\n';
  buf_->Commit(k);
}

void ReplyBuilder::Simple(std::string_view s) {
  if (muted) return;
  char* p = buf_->Reserve(s.size() + 3);
  p[0] = '+';
  memcpy(p + 1, s.data(), s.size());
  p[s.size() + 1] = '\r';
  p[s.size() + 2] = '\n';
  buf_->Commit(s.size() + 3);
}

void ReplyBuilder::Error(std::string_view msg) {
  if (muted) return;
  char* p = buf_->Reserve(msg.size() + 3);
  p[0] = '-';
  // Why: addReplyErrorLength replaces \r and \n so the protocol stays valid.
  for (size_t i = 0; i < msg.size(); i++) {
    char c = msg[i];
    p[i + 1] = (c == '\r' || c == '\n') ? ' ' : c;
  }
  p[msg.size() + 1] = '\r';
  p[msg.size() + 2] = '\n';
  buf_->Commit(msg.size() + 3);
}

void ReplyBuilder::Int(int64_t v) {
  if (muted) return;
  // Why: Redis keeps shared replies for small integers; bytes are the same.
  char* p = buf_->Reserve(1 + base::kLongStrSize + 2);
  p[0] = ':';
  size_t k = 1 + base::Int64ToChars(v, p + 1);
  p[k++] = '\r';
  p[k++] = '\n';
  buf_->Commit(k);
}

void ReplyBuilder::Bulk(std::string_view s) {
  if (muted) return;
  if (s.size() <= 4096) {
    char* p = buf_->Reserve(s.size() + 1 + base::kLongStrSize + 4);
    p[0] = '$';
    size_t k = 1 + base::Uint64ToChars(s.size(), p + 1);
    p[k++] = '\r';
    p[k++] = '\n';
    if (!s.empty()) memcpy(p + k, s.data(), s.size());
    k += s.size();
    p[k++] = '\r';
    p[k++] = '\n';
    buf_->Commit(k);
    return;
  }
  Header('$', static_cast<int64_t>(s.size()));
  buf_->Append(s);  // muted was checked above
  buf_->Append("\r\n", 2);
}

void ReplyBuilder::BulkInt(int64_t v) {
  char tmp[base::kLongStrSize];
  size_t n = base::Int64ToChars(v, tmp);
  Bulk(std::string_view(tmp, n));
}

void ReplyBuilder::Null() { Raw(resp >= 3 ? std::string_view("_\r\n") : std::string_view("$-1\r\n")); }
void ReplyBuilder::NullArray() {
  Raw(resp >= 3 ? std::string_view("_\r\n") : std::string_view("*-1\r\n"));
}
void ReplyBuilder::ArrayLen(int64_t n) { Header('*', n); }
void ReplyBuilder::MapLen(int64_t n) {
  if (resp >= 3)
    Header('%', n);
  else
    Header('*', n * 2);
}
void ReplyBuilder::SetLen(int64_t n) { Header(resp >= 3 ? '~' : '*', n); }
void ReplyBuilder::PushLen(int64_t n) { Header(resp >= 3 ? '>' : '*', n); }

void ReplyBuilder::Double(double d) {
  char tmp[128];
  size_t n = base::DoubleToChars(d, tmp, sizeof(tmp));
  if (resp >= 3) {
    Raw(",");
    Raw(std::string_view(tmp, n));
    Raw("\r\n");
  } else {
    Bulk(std::string_view(tmp, n));
  }
}

void ReplyBuilder::Bool(bool b) {
  if (resp >= 3)
    Raw(b ? "#t\r\n" : "#f\r\n");
  else
    Raw(b ? ":1\r\n" : ":0\r\n");
}

void ReplyBuilder::Verbatim(std::string_view s, std::string_view ext) {
  if (resp < 3) {
    Bulk(s);
    return;
  }
  Header('=', static_cast<int64_t>(s.size() + 4));
  Raw(ext);
  Raw(":");
  Raw(s);
  Raw("\r\n");
}

void ReplyBuilder::BigNumber(std::string_view s) {
  if (resp < 3) {
    Bulk(s);
    return;
  }
  Raw("(");
  Raw(s);
  Raw("\r\n");
}

void ReplyBuilder::EndDeferred(Deferred d, char type, int64_t n) {
  if (muted) return;
  char tmp[1 + base::kLongStrSize + 2];
  tmp[0] = type;
  size_t k = 1 + base::Int64ToChars(n, tmp + 1);
  tmp[k++] = '\r';
  tmp[k++] = '\n';
  buf_->InsertAt(d.pos, tmp, k);
}

}  // namespace vireo::protocol
