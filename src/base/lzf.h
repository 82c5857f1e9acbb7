// LZF compression, output-compatible with liblzf 3.6 as Redis builds it
// (HLOG 16, VERY_FAST, hash table cleared per call).
//
// Redis compresses RDB strings longer than 20 bytes with lzf_compress and
// DEBUG OBJECT's serializedlength reports the resulting size, so the
// compressed length must be the one liblzf produces, byte for byte: same
// hash function, same match rules, same literal-run framing. The format:
//   000LLLLL <L+1 bytes>          literal run of L+1 bytes
//   LLLooooo oooooooo             back reference, length L+2 (L in 1..6)
//   111ooooo LLLLLLLL oooooooo    back reference, length L+9
#pragma once

#include <cstddef>

namespace vireo::base {

// Compresses `in` into `out` (at most out_len bytes). Returns the compressed
// size, or 0 when the result would not fit in out_len (Redis passes
// out_len = in_len - 4 and stores the string uncompressed on 0).
size_t LzfCompress(const void* in, size_t in_len, void* out, size_t out_len);

// Decompresses; returns the decompressed size, or 0 on a corrupt stream or
// when the output does not fit in out_len.
size_t LzfDecompress(const void* in, size_t in_len, void* out, size_t out_len);

}  // namespace vireo::base
