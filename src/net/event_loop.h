// EventLoop: the readiness layer under every socket — one epoll instance,
// timers and deferred calls, run by the main thread (Redis's ae.c).
//
// Why our own and not asio's io_context: asio re-arms a descriptor with
// epoll_ctl on every async_wait, and its async_read_some costs a
// speculative recv (EAGAIN) per request plus a zero-timeout epoll_wait per
// loop iteration; measured with strace under a GET load that is twice the
// syscalls Redis makes. Here a socket is registered once, level-triggered,
// for readability; writability is added only while a reply could not be
// written whole (a slow reader) and removed when it is. So a request costs
// one read and one write, and a loop iteration one epoll_wait for all the
// sockets that are ready — exactly Redis's pattern.
//
// Contract:
//  - Handlers are looked up by fd at dispatch time; Remove() before close()
//    makes later events of that fd (even in the same batch) go nowhere.
//  - Timers are one-shot, in microseconds of the monotonic clock; a periodic
//    job re-adds itself. Due timers run after the socket events.
//  - Post() defers a call to the end of the current iteration (or the next
//    one when called from there).
//  - RunOnce() blocks at most until the next timer (or `max_wait_ms`), or
//    until a signal interrupts the wait.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace vireo::net {

class EventLoop {
 public:
  enum Mask : uint32_t { kNone = 0, kReadable = 1, kWritable = 2 };

  class Handler {
   public:
    virtual ~Handler() = default;
    // `events`: kReadable (also on error/hangup, so the read sees it) and/or
    // kWritable.
    virtual void OnEvents(uint32_t events) = 0;
  };

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  bool ok() const { return epfd_ >= 0; }

  // Registers `fd` for `mask`; false (errno set) when epoll refuses it.
  bool Add(int fd, uint32_t mask, Handler* h);
  // Changes the interest of a registered fd (an epoll_ctl only on change).
  void SetMask(int fd, uint32_t mask);
  uint32_t mask(int fd) const;
  // Unregisters (before close()).
  void Remove(int fd);

  using TimerId = uint64_t;
  TimerId AddTimer(int64_t delay_us, std::function<void()> fn);
  void CancelTimer(TimerId id);

  void Post(std::function<void()> fn);

  // One iteration: wait, dispatch every ready fd, run due timers and posted
  // calls. Returns the number of fd events handled.
  int RunOnce(int64_t max_wait_ms = -1);

 private:
  struct Timer {
    TimerId id;
    int64_t when_us;
    std::function<void()> fn;
  };
  struct Slot {
    Handler* handler = nullptr;
    uint32_t mask = 0;
  };
  void RunTimers();
  void RunPosted();

  int epfd_ = -1;
  std::vector<Slot> slots_;  // indexed by fd
  std::vector<Timer> timers_;
  TimerId next_timer_id_ = 1;
  std::vector<std::function<void()>> posted_;
  std::vector<std::function<void()>> running_;
};

}  // namespace vireo::net
