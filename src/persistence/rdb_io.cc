// RDB primitive encodings over buffered streams (see rdb_io.h).
#include "persistence/rdb_io.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "base/crc64.h"
#include "base/lzf.h"
#include "base/memory.h"
#include "base/numbers.h"
#include "persistence/rdb_format.h"

namespace vireo::persistence::rdb {
namespace {

// rdbEncodeInteger: the int8/16/32 special encodings; 0 when v needs more.
size_t EncodeInteger(int64_t v, uint8_t* enc) {
  if (v >= -(1 << 7) && v <= (1 << 7) - 1) {
    enc[0] = (kEncVal << 6) | kEncInt8;
    enc[1] = static_cast<uint8_t>(v & 0xFF);
    return 2;
  }
  if (v >= -(1 << 15) && v <= (1 << 15) - 1) {
    enc[0] = (kEncVal << 6) | kEncInt16;
    enc[1] = static_cast<uint8_t>(v & 0xFF);
    enc[2] = static_cast<uint8_t>((v >> 8) & 0xFF);
    return 3;
  }
  if (v >= -(1LL << 31) && v <= (1LL << 31) - 1) {
    enc[0] = (kEncVal << 6) | kEncInt32;
    for (int i = 0; i < 4; i++) enc[1 + i] = static_cast<uint8_t>((v >> (8 * i)) & 0xFF);
    return 5;
  }
  return 0;
}

// rdbTryIntegerEncoding: only strings that are exactly the canonical form of
// an integer (string2ll and back) qualify, so "007" stays a string.
size_t TryIntegerEncoding(std::string_view s, uint8_t* enc) {
  int64_t v;
  if (s.size() > 11 || !base::StringToInt64(s, &v)) return 0;
  return EncodeInteger(v, enc);
}

}  // namespace

// ---------------------------------------------------------------------------
// Writer

void Writer::Len(uint64_t len) {
  uint8_t buf[9];
  if (len < (1 << 6)) {
    buf[0] = static_cast<uint8_t>((len & 0xFF) | (k6BitLen << 6));
    Raw(buf, 1);
  } else if (len < (1 << 14)) {
    buf[0] = static_cast<uint8_t>(((len >> 8) & 0xFF) | (k14BitLen << 6));
    buf[1] = static_cast<uint8_t>(len & 0xFF);
    Raw(buf, 2);
  } else if (len <= UINT32_MAX) {
    // Why big endian: Redis writes the 32/64-bit lengths with htonl/htonu64.
    buf[0] = k32BitLen;
    for (int i = 0; i < 4; i++) buf[1 + i] = static_cast<uint8_t>(len >> (24 - 8 * i));
    Raw(buf, 5);
  } else {
    buf[0] = k64BitLen;
    for (int i = 0; i < 8; i++) buf[1 + i] = static_cast<uint8_t>(len >> (56 - 8 * i));
    Raw(buf, 9);
  }
}

void Writer::String(std::string_view s) {
  uint8_t enc[5];
  if (size_t n = TryIntegerEncoding(s, enc)) {
    Raw(enc, n);
    return;
  }
  // Why > 20: Redis skips LZF below that ("unable to compress even
  // aaaaaaaaaaaaaaaaaa") and wants a gain of at least 4 bytes (outlen len-4).
  if (compress_ && s.size() > 20) {
    size_t outlen = s.size() - 4;
    if (scratch_.size() < outlen + 1) scratch_.resize(outlen + 1);
    size_t comp = base::LzfCompress(s.data(), s.size(), scratch_.data(), outlen);
    if (comp > 0) {
      LzfBlob(scratch_.data(), comp, s.size());
      return;
    }
  }
  Len(s.size());
  Raw(s.data(), s.size());
}

void Writer::LongLongAsString(int64_t v) {
  uint8_t enc[5];
  if (size_t n = EncodeInteger(v, enc)) {
    Raw(enc, n);
    return;
  }
  char buf[base::kLongStrSize];
  size_t len = base::Int64ToChars(v, buf);
  Len(len);
  Raw(buf, len);
}

void Writer::LzfBlob(const void* data, size_t compressed_len, size_t original_len) {
  Byte((kEncVal << 6) | kEncLzf);
  Len(compressed_len);
  Len(original_len);
  Raw(data, compressed_len);
}

void Writer::UpdateCrc() {
  if (checksum_ && crc_pos_ < buf_.size()) {
    crc_ = base::Crc64(crc_, buf_.data() + crc_pos_, buf_.size() - crc_pos_);
  }
  crc_pos_ = buf_.size();
}

uint64_t Writer::crc() {
  UpdateCrc();
  return checksum_ ? crc_ : 0;
}

bool Writer::Flush() {
  if (fd_ < 0) return ok();
  UpdateCrc();
  if (error_ == 0) {
    size_t off = 0;
    while (off < buf_.size()) {
      ssize_t n = write(fd_, buf_.data() + off, buf_.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        break;
      }
      if (n == 0) {
        error_ = EIO;
        break;
      }
      off += static_cast<size_t>(n);
    }
    since_sync_ += off;
    if (error_ == 0 && autosync_ > 0 && since_sync_ >= autosync_) {
      // Why: rdb-save-incremental-fsync avoids one huge flush at the end.
      fdatasync(fd_);
      since_sync_ = 0;
    }
  }
  flushed_ += buf_.size();
  buf_.clear();
  crc_pos_ = 0;
  return ok();
}

bool Writer::Sync() {
  if (!Flush()) return false;
  if (fd_ >= 0 && fsync(fd_) != 0) error_ = errno;
  return ok();
}

size_t LenSize(uint64_t len) {
  if (len < (1u << 6)) return 1;
  if (len < (1u << 14)) return 2;
  if (len <= UINT32_MAX) return 5;
  return 9;
}

size_t StringSize(std::string_view s, bool compress) {
  uint8_t enc[5];
  if (size_t n = TryIntegerEncoding(s, enc)) return n;
  if (compress && s.size() > 20) {
    std::string out(s.size() - 4 + 1, '\0');
    size_t comp = base::LzfCompress(s.data(), s.size(), out.data(), s.size() - 4);
    if (comp) return 1 + LenSize(comp) + LenSize(s.size()) + comp;
  }
  return LenSize(s.size()) + s.size();
}

// ---------------------------------------------------------------------------
// Reader

namespace {
constexpr size_t kChunk = 64 * 1024;
// Why a bound: an LZF stream expands at most ~88x (a 3-byte back reference
// yields 264 bytes), so a declared length beyond this is a corrupt header,
// refused before allocating it.
constexpr uint64_t kMaxLzfRatio = 100;
}  // namespace

Reader::Reader(const void* data, size_t len)
    : data_(static_cast<const uint8_t*>(data)), size_(len) {}

Reader::Reader(int fd, uint64_t size_hint) : data_(nullptr), size_(0), fd_(fd), remaining_hint_(size_hint) {
  own_cap_ = kChunk;
  own_ = static_cast<uint8_t*>(malloc(own_cap_));
  data_ = own_;
}

Reader::~Reader() { free(own_); }

bool Reader::Fail(std::string msg) {
  if (error_.empty()) error_ = std::move(msg);
  return false;
}

bool Reader::Fill(size_t n) {
  if (size_ - pos_ >= n) return true;
  if (fd_ < 0) return false;
  // Fold the consumed bytes into the CRC, then compact.
  if (crc_pos_ < pos_) crc_ = base::Crc64(crc_, data_ + crc_pos_, pos_ - crc_pos_);
  size_t keep = size_ - pos_;
  if (pos_ > 0) {
    memmove(own_, own_ + pos_, keep);
    consumed_base_ += pos_;
  }
  pos_ = 0;
  crc_pos_ = 0;
  size_ = keep;
  if (n > own_cap_) {
    size_t cap = own_cap_;
    while (cap < n) cap *= 2;
    own_ = static_cast<uint8_t*>(realloc(own_, cap));
    own_cap_ = cap;
  }
  data_ = own_;
  while (size_ < n) {
    size_t room = own_cap_ - size_;
    if (read_limit_) {
      uint64_t got = consumed_base_ + size_;
      if (got >= read_limit_) return false;
      if (room > read_limit_ - got) room = static_cast<size_t>(read_limit_ - got);
    }
    ssize_t r = read(fd_, own_ + size_, room);
    if (r < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (r == 0) return false;
    size_ += static_cast<size_t>(r);
  }
  return true;
}

bool Reader::Raw(void* out, size_t n) {
  auto* dst = static_cast<uint8_t*>(out);
  if (size_ - pos_ >= n) {
    memcpy(dst, data_ + pos_, n);
    pos_ += n;
    return true;
  }
  if (fd_ < 0) {
    pos_ = size_;
    return Fail("Short read or OOM loading DB. Unrecoverable error, aborting now.");
  }
  // Large reads go through the buffer in chunks so it never grows past kChunk.
  while (n > 0) {
    if (pos_ == size_ && !Fill(1)) {
      return Fail("Short read or OOM loading DB. Unrecoverable error, aborting now.");
    }
    size_t take = std::min(n, size_ - pos_);
    memcpy(dst, data_ + pos_, take);
    pos_ += take;
    dst += take;
    n -= take;
  }
  return true;
}

uint64_t Reader::crc() {
  if (crc_pos_ < pos_) crc_ = base::Crc64(crc_, data_ + crc_pos_, pos_ - crc_pos_);
  crc_pos_ = pos_;
  return crc_;
}

bool Reader::Len(uint64_t* len, bool* encoded) {
  if (encoded) *encoded = false;
  uint8_t b;
  if (!Byte(&b)) return false;
  int type = (b & 0xC0) >> 6;
  if (type == kEncVal) {
    if (encoded) *encoded = true;
    *len = b & 0x3F;
    return true;
  }
  if (type == k6BitLen) {
    *len = b & 0x3F;
    return true;
  }
  if (type == k14BitLen) {
    uint8_t b2;
    if (!Byte(&b2)) return false;
    *len = (static_cast<uint64_t>(b & 0x3F) << 8) | b2;
    return true;
  }
  if (b == k32BitLen) {
    uint8_t v[4];
    if (!Raw(v, 4)) return false;
    *len = (uint64_t(v[0]) << 24) | (uint64_t(v[1]) << 16) | (uint64_t(v[2]) << 8) | v[3];
    return true;
  }
  if (b == k64BitLen) {
    uint8_t v[8];
    if (!Raw(v, 8)) return false;
    uint64_t x = 0;
    for (uint8_t c : v) x = (x << 8) | c;
    *len = x;
    return true;
  }
  return Corrupt("Unknown length encoding " + std::to_string(b) + " in rdbLoadLen()");
}

uint8_t* Reader::ReadAlloc(size_t n) {
  // Why grow with the data: a corrupt or hostile length must not make us
  // allocate gigabytes before the bytes are seen to be missing.
  if (n > remaining()) {
    Fail("Short read or OOM loading DB. Unrecoverable error, aborting now.");
    return nullptr;
  }
  size_t cap = std::min<size_t>(n, 1 << 20);
  auto* p = static_cast<uint8_t*>(base::Alloc(cap ? cap : 1));
  size_t got = 0;
  while (got < n) {
    size_t want = std::min(n - got, cap - got);
    if (want == 0) {
      cap = std::min(n, cap * 2);
      p = static_cast<uint8_t*>(base::Realloc(p, cap));
      continue;
    }
    if (!Raw(p + got, want)) {
      base::Free(p);
      return nullptr;
    }
    got += want;
  }
  return p;
}

bool Reader::LoadInt(uint64_t enc, std::string* out, uint8_t** blob, size_t* blob_len) {
  uint8_t v[4];
  int64_t val;
  if (enc == kEncInt8) {
    if (!Raw(v, 1)) return false;
    val = static_cast<int8_t>(v[0]);
  } else if (enc == kEncInt16) {
    if (!Raw(v, 2)) return false;
    val = static_cast<int16_t>(v[0] | (v[1] << 8));
  } else {
    if (!Raw(v, 4)) return false;
    val = static_cast<int32_t>(uint32_t(v[0]) | uint32_t(v[1]) << 8 | uint32_t(v[2]) << 16 |
                               uint32_t(v[3]) << 24);
  }
  char buf[base::kLongStrSize];
  size_t n = base::Int64ToChars(val, buf);
  if (out) out->assign(buf, n);
  if (blob) {
    *blob = static_cast<uint8_t*>(base::Alloc(n));
    memcpy(*blob, buf, n);
    *blob_len = n;
  }
  return true;
}

bool Reader::LoadLzf(std::string* out, uint8_t** blob, size_t* blob_len) {
  uint64_t clen, len;
  if (!Len(&clen) || !Len(&len)) return false;
  if (len == 0 || clen == 0 || len > clen * kMaxLzfRatio + 64) {
    return Corrupt("Invalid LZF compressed string");
  }
  uint8_t* c = ReadAlloc(clen);
  if (!c) return false;
  uint8_t* dst;
  if (out) {
    out->resize(len);
    dst = reinterpret_cast<uint8_t*>(out->data());
  } else {
    dst = static_cast<uint8_t*>(base::Alloc(len));
  }
  size_t got = base::LzfDecompress(c, clen, dst, len);
  base::Free(c);
  if (got != len) {
    if (!out) base::Free(dst);
    return Corrupt("Invalid LZF compressed string");
  }
  if (blob) {
    *blob = dst;
    *blob_len = len;
  }
  return true;
}

bool Reader::String(std::string* out) {
  bool encoded;
  uint64_t len;
  if (!Len(&len, &encoded)) return false;
  if (encoded) {
    if (len <= kEncInt32) return LoadInt(len, out, nullptr, nullptr);
    if (len == kEncLzf) return LoadLzf(out, nullptr, nullptr);
    return Corrupt("Unknown RDB string encoding type " + std::to_string(len));
  }
  if (fd_ < 0 && len > size_ - pos_) {
    pos_ = size_;
    return Fail("Short read or OOM loading DB. Unrecoverable error, aborting now.");
  }
  if (fd_ >= 0 && len > kChunk) {
    uint8_t* p = ReadAlloc(len);
    if (!p) return false;
    out->assign(reinterpret_cast<char*>(p), len);
    base::Free(p);
    return true;
  }
  out->resize(len);
  return Raw(out->data(), len);
}

uint8_t* Reader::Blob(size_t* blob_len) {
  bool encoded;
  uint64_t len;
  if (!Len(&len, &encoded)) return nullptr;
  uint8_t* blob = nullptr;
  if (encoded) {
    bool ok;
    if (len <= kEncInt32) {
      ok = LoadInt(len, nullptr, &blob, blob_len);
    } else if (len == kEncLzf) {
      ok = LoadLzf(nullptr, &blob, blob_len);
    } else {
      ok = Corrupt("Unknown RDB string encoding type " + std::to_string(len));
    }
    return ok ? blob : nullptr;
  }
  blob = ReadAlloc(len);
  if (blob) *blob_len = len;
  return blob;
}

bool Reader::BinaryDouble(double* d) { return Raw(d, 8); }

bool Reader::LegacyDouble(double* d) {
  uint8_t len;
  if (!Byte(&len)) return false;
  switch (len) {
    case 255:
      *d = -HUGE_VAL;
      return true;
    case 254:
      *d = HUGE_VAL;
      return true;
    case 253:
      *d = NAN;
      return true;
    default: {
      char buf[256];
      if (!Raw(buf, len)) return false;
      buf[len] = '\0';
      if (sscanf(buf, "%lg", d) != 1) return Corrupt("Invalid double value");
      return true;
    }
  }
}

bool Reader::MillisecondTime(int64_t* ms) { return Raw(ms, 8); }

}  // namespace vireo::persistence::rdb
