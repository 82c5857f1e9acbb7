// RDB byte streams: the Writer and Reader every RDB producer and consumer
// goes through (snapshots, DUMP/RESTORE, later the replication stream and the
// AOF preamble), with Redis's primitive encodings (rdb.c's rdbSaveLen,
// rdbSaveRawString, rdbGenericLoadStringObject, ...).
//
// Why one buffered class each, not Redis's rio vtable: the only targets are
// memory (DUMP) and a file descriptor (a file, a pipe or a socket), and the
// hot loops (a million small strings) must not pay a virtual call per byte
// run. The CRC64 is computed lazily over whole buffer chunks, not per call.
//
// Errors: a Writer remembers the first write error (errno) and ignores what
// follows, so savers check once at the end. A Reader returns false on a short
// read or a malformed encoding and keeps a message (`error()`) in Redis's
// words for the log / RESTORE.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vireo::persistence::rdb {

class Writer {
 public:
  // Memory: everything accumulates in buffer().
  Writer() = default;
  // A file descriptor (not owned). fsync every `autosync_bytes` when > 0
  // (rdb-save-incremental-fsync's REDIS_AUTOSYNC_BYTES).
  explicit Writer(int fd, size_t autosync_bytes = 0) : fd_(fd), autosync_(autosync_bytes) {}
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Bytes buffered before a write to the descriptor (64 KB; a replication
  // pipe uses Redis's 16 KB so a slow snapshot still streams steadily).
  void set_flush_bytes(size_t n) { flush_bytes_ = n; }
  // rdbcompression: LZF for raw strings longer than 20 bytes.
  void set_compression(bool on) { compress_ = on; }
  // rdbchecksum: when off, crc() stays 0 (the loader skips a zero CRC).
  void set_checksum(bool on) { checksum_ = on; }

  void Raw(const void* p, size_t n) {
    buf_.append(static_cast<const char*>(p), n);
    if (fd_ >= 0 && buf_.size() >= flush_bytes_) Flush();
  }
  void Byte(uint8_t b) { Raw(&b, 1); }
  // rdbSaveLen.
  void Len(uint64_t len);
  // rdbSaveMillisecondTime (8 bytes, little endian).
  void MillisecondTime(int64_t ms) { Raw(&ms, 8); }
  // rdbSaveBinaryDoubleValue (8 bytes, little endian IEEE 754).
  void BinaryDouble(double d) { Raw(&d, 8); }
  // rdbSaveRawString: int-encoded when the bytes are a canonical int32,
  // LZF-compressed when enabled and it saves at least 4 bytes, else verbatim.
  void String(std::string_view s);
  // rdbSaveLongLongAsStringObject (an int-encoded value).
  void LongLongAsString(int64_t v);
  // rdbSaveLzfBlob: an already compressed block (a compressed quicklist node).
  void LzfBlob(const void* data, size_t compressed_len, size_t original_len);

  // Writes the buffered bytes to the descriptor (no fsync).
  bool Flush();
  // Flush + fsync.
  bool Sync();
  bool ok() const { return error_ == 0; }
  int error() const { return error_; }
  // CRC64 of every byte so far.
  uint64_t crc();
  // Bytes produced so far (flushed or not).
  uint64_t written() const { return flushed_ + buf_.size(); }
  std::string& buffer() { return buf_; }

 private:
  size_t flush_bytes_ = 64 * 1024;
  void UpdateCrc();
  int fd_ = -1;
  size_t autosync_ = 0;
  size_t since_sync_ = 0;
  bool compress_ = true;
  bool checksum_ = true;
  int error_ = 0;
  uint64_t crc_ = 0;
  size_t crc_pos_ = 0;  // bytes of buf_ already in crc_
  uint64_t flushed_ = 0;
  std::string buf_;
  std::string scratch_;  // LZF output
};

// Size in bytes of rdbSaveLen(len).
size_t LenSize(uint64_t len);
// Bytes of rdbSaveRawString(s) with compression on/off (DEBUG OBJECT's
// serializedlength), computed without writing.
size_t StringSize(std::string_view s, bool compress);

class Reader {
 public:
  // Memory (RESTORE payloads, tests); the bytes must outlive the reader.
  Reader(const void* data, size_t len);
  // A descriptor (not owned), read in 64 KB chunks; `size_hint` bounds
  // allocations by the bytes that can still come (0 = unknown: a pipe).
  explicit Reader(int fd, uint64_t size_hint = 0);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  bool Raw(void* out, size_t n);
  bool Byte(uint8_t* b) { return Raw(b, 1); }
  // rdbLoadLenByRef: *encoded is set for the special string encodings (then
  // *len is the RDB_ENC_* number).
  bool Len(uint64_t* len, bool* encoded = nullptr);
  // rdbGenericLoadStringObject into *out (int and LZF encodings decoded);
  // out's capacity is reused.
  bool String(std::string* out);
  // The same into a fresh base::Alloc block of *len bytes (listpacks,
  // intsets, ziplists: the value keeps it); nullptr on error.
  uint8_t* Blob(size_t* len);
  bool BinaryDouble(double* d);
  // rdbLoadDoubleValue: the pre-RDB-8 text form (253 nan, 254 inf, 255 -inf).
  bool LegacyDouble(double* d);
  bool MillisecondTime(int64_t* ms);

  // An upper bound of the bytes still to come (UINT64_MAX when unknown):
  // sizes announced by the data are capped with it before allocating.
  uint64_t remaining() const {
    if (fd_ < 0) return size_ - pos_;
    if (!remaining_hint_) return UINT64_MAX;
    return remaining_hint_ > processed() ? remaining_hint_ - processed() : 0;
  }
  // Bytes consumed so far.
  uint64_t processed() const { return consumed_base_ + pos_; }
  // fd mode: never read more than `total` bytes from the descriptor (a
  // replication socket, where the stream follows the RDB's last byte).
  void set_read_limit(uint64_t total) { read_limit_ = total; }
  // CRC64 of the bytes consumed so far.
  uint64_t crc();
  // The first error, in Redis's words ("Short read..." or a corruption).
  const std::string& error() const { return error_; }
  bool Fail(std::string msg);
  // True when the failure was a corruption (not a short read).
  bool corrupt() const { return corrupt_; }
  bool Corrupt(std::string msg) {
    corrupt_ = true;
    return Fail(std::move(msg));
  }

 private:
  // Makes at least n bytes available at pos_ (fd mode); false at EOF.
  bool Fill(size_t n);
  // Reads n bytes into a growing allocation (bounded by what arrives).
  uint8_t* ReadAlloc(size_t n);
  bool LoadLzf(std::string* out, uint8_t** blob, size_t* blob_len);
  bool LoadInt(uint64_t enc, std::string* out, uint8_t** blob, size_t* blob_len);

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  int fd_ = -1;
  uint64_t remaining_hint_ = 0;  // fd mode: bytes left in the file (0 = unknown)
  uint64_t read_limit_ = 0;      // fd mode: bytes we may read in all (0 = no limit)
  uint8_t* own_ = nullptr;        // fd mode buffer
  size_t own_cap_ = 0;
  uint64_t consumed_base_ = 0;
  uint64_t crc_ = 0;
  size_t crc_pos_ = 0;
  bool corrupt_ = false;
  std::string error_;
};

}  // namespace vireo::persistence::rdb
