// Memory accounting: what INFO used_memory reports.
//
// Like Redis's zmalloc, every allocation the server makes is counted by its
// usable size (malloc_usable_size), so used_memory is the allocator's truth,
// not an estimate. Global operator new/delete are replaced in memory.cc, and
// engine code that allocates raw blocks uses Alloc/Free below.
#pragma once

#include <atomic>
#include <cstddef>

namespace vireo::base {

extern std::atomic<size_t> g_used_memory;

inline size_t UsedMemory() { return g_used_memory.load(std::memory_order_relaxed); }

void* Alloc(size_t size);
void* Realloc(void* p, size_t size);
void Free(void* p);
size_t AllocSize(const void* p);
// Name of the allocator for INFO mem_allocator ("jemalloc-5.3.0" or "libc").
const char* AllocatorName();
// Process RSS in bytes (from /proc/self/statm).
size_t ProcessRss();

}  // namespace vireo::base
