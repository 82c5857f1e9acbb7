// See memory.h. The replacement operator new/delete live here so that every
// std container's memory is counted too.
#include "base/memory.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <new>

namespace vireo::base {

std::atomic<size_t> g_used_memory{0};

namespace {
[[noreturn]] void OutOfMemory(size_t size) {
  fprintf(stderr, "Out Of Memory allocating %zu bytes!\n", size);
  abort();
}
}  // namespace

void* Alloc(size_t size) {
  void* p = malloc(size ? size : 1);
  if (!p) OutOfMemory(size);
  g_used_memory.fetch_add(malloc_usable_size(p), std::memory_order_relaxed);
  return p;
}

void* Realloc(void* p, size_t size) {
  if (!p) return Alloc(size);
  size_t old = malloc_usable_size(p);
  void* n = realloc(p, size ? size : 1);
  if (!n) OutOfMemory(size);
  g_used_memory.fetch_add(malloc_usable_size(n) - old, std::memory_order_relaxed);
  return n;
}

void Free(void* p) {
  if (!p) return;
  g_used_memory.fetch_sub(malloc_usable_size(p), std::memory_order_relaxed);
  free(p);
}

size_t AllocSize(const void* p) { return p ? malloc_usable_size(const_cast<void*>(p)) : 0; }

const char* AllocatorName() {
#ifdef VIREO_HAVE_JEMALLOC
  return "jemalloc-5.3.0";
#else
  return "libc";
#endif
}

size_t ProcessRss() {
  FILE* f = fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, rss = 0;
  int n = fscanf(f, "%lu %lu", &size, &rss);
  fclose(f);
  if (n != 2) return 0;
  return rss * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace vireo::base

// Global replacements: count every C++ allocation.
void* operator new(size_t size) { return vireo::base::Alloc(size); }
void* operator new[](size_t size) { return vireo::base::Alloc(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept { return vireo::base::Alloc(size); }
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  return vireo::base::Alloc(size);
}
void operator delete(void* p) noexcept { vireo::base::Free(p); }
void operator delete[](void* p) noexcept { vireo::base::Free(p); }
void operator delete(void* p, size_t) noexcept { vireo::base::Free(p); }
void operator delete[](void* p, size_t) noexcept { vireo::base::Free(p); }
