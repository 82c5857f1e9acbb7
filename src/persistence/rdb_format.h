// RDB format constants: Redis's type numbers, opcodes and string encodings
// (rdb.h of 7.0.15, plus the RDB 11 types of Redis 7.2 / Valkey 8 that the
// loader accepts).
//
// Why in one header: the writer, the reader, DUMP/RESTORE and later the
// replication stream and AOF preamble all speak these numbers, and a file
// written by one server is read by the other, so they must be Redis's.
#pragma once

#include <cstdint>

namespace vireo::persistence::rdb {

// The version we write (Redis 7.0's RDB_VERSION) and the newest we read.
inline constexpr int kVersion = 10;
inline constexpr int kMaxLoadVersion = 11;  // Redis 7.2 / Valkey 8 files

// Object types (RDB_TYPE_*).
enum Type : uint8_t {
  kTypeString = 0,
  kTypeList = 1,
  kTypeSet = 2,
  kTypeZset = 3,
  kTypeHash = 4,
  kTypeZset2 = 5,         // binary double scores
  kTypeModulePreGa = 6,
  kTypeModule2 = 7,
  kTypeHashZipmap = 9,    // Redis < 2.6
  kTypeListZiplist = 10,  // Redis < 3.2
  kTypeSetIntset = 11,
  kTypeZsetZiplist = 12,  // Redis < 7.0
  kTypeHashZiplist = 13,  // Redis < 7.0
  kTypeListQuicklist = 14,   // Redis 3.2 - 6.2: ziplist nodes
  kTypeStreamListpacks = 15,
  kTypeHashListpack = 16,
  kTypeZsetListpack = 17,
  kTypeListQuicklist2 = 18,  // Redis 7.0: listpack / plain nodes
  kTypeStreamListpacks2 = 19,
  kTypeSetListpack = 20,       // RDB 11 (Redis 7.2)
  kTypeStreamListpacks3 = 21,  // RDB 11 (Redis 7.2)
};

// Redis's rdbIsObjectType: 0-7 and 9-21 (RDB 11 included).
inline bool IsObjectType(int t) { return (t >= 0 && t <= 7) || (t >= 9 && t <= 21); }

// Opcodes (RDB_OPCODE_*).
enum Opcode : uint8_t {
  kOpFunction2 = 245,
  kOpFunctionPreGa = 246,
  kOpModuleAux = 247,
  kOpIdle = 248,
  kOpFreq = 249,
  kOpAux = 250,
  kOpResizeDb = 251,
  kOpExpireTimeMs = 252,
  kOpExpireTime = 253,
  kOpSelectDb = 254,
  kOpEof = 255,
};

// Length encodings (RDB_6BITLEN ... RDB_ENCVAL) and special string
// encodings (RDB_ENC_*).
inline constexpr uint8_t k6BitLen = 0;
inline constexpr uint8_t k14BitLen = 1;
inline constexpr uint8_t k32BitLen = 0x80;
inline constexpr uint8_t k64BitLen = 0x81;
inline constexpr uint8_t kEncVal = 3;
inline constexpr uint8_t kEncInt8 = 0;
inline constexpr uint8_t kEncInt16 = 1;
inline constexpr uint8_t kEncInt32 = 2;
inline constexpr uint8_t kEncLzf = 3;

// DUMP payload trailer: 2 bytes of RDB version and 8 of CRC64.
inline constexpr size_t kDumpTrailer = 10;

}  // namespace vireo::persistence::rdb
