// See event_loop.h.
#include "net/event_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/clock.h"

namespace vireo::net {

namespace {
constexpr int kMaxEvents = 1024;

uint32_t ToEpoll(uint32_t mask) {
  uint32_t ev = 0;
  if (mask & EventLoop::kReadable) ev |= EPOLLIN;
  if (mask & EventLoop::kWritable) ev |= EPOLLOUT;
  return ev;
}
}  // namespace

EventLoop::EventLoop() { epfd_ = epoll_create1(EPOLL_CLOEXEC); }

EventLoop::~EventLoop() {
  if (epfd_ >= 0) ::close(epfd_);
}

bool EventLoop::Add(int fd, uint32_t mask, Handler* h) {
  if (fd < 0) return false;
  if (static_cast<size_t>(fd) >= slots_.size()) slots_.resize(static_cast<size_t>(fd) + 64);
  epoll_event ev{};
  ev.events = ToEpoll(mask);
  ev.data.fd = fd;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) return false;
  slots_[static_cast<size_t>(fd)] = Slot{h, mask};
  return true;
}

void EventLoop::SetMask(int fd, uint32_t mask) {
  if (fd < 0 || static_cast<size_t>(fd) >= slots_.size()) return;
  Slot& s = slots_[static_cast<size_t>(fd)];
  if (!s.handler || s.mask == mask) return;
  epoll_event ev{};
  ev.events = ToEpoll(mask);
  ev.data.fd = fd;
  epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
  s.mask = mask;
}

uint32_t EventLoop::mask(int fd) const {
  if (fd < 0 || static_cast<size_t>(fd) >= slots_.size()) return 0;
  return slots_[static_cast<size_t>(fd)].mask;
}

void EventLoop::Remove(int fd) {
  if (fd < 0 || static_cast<size_t>(fd) >= slots_.size()) return;
  Slot& s = slots_[static_cast<size_t>(fd)];
  if (!s.handler) return;
  epoll_event ev{};
  epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, &ev);
  s = Slot{};
}

EventLoop::TimerId EventLoop::AddTimer(int64_t delay_us, std::function<void()> fn) {
  TimerId id = next_timer_id_++;
  timers_.push_back(Timer{id, base::MonotonicUs() + delay_us, std::move(fn)});
  return id;
}

void EventLoop::CancelTimer(TimerId id) {
  timers_.erase(std::remove_if(timers_.begin(), timers_.end(),
                               [id](const Timer& t) { return t.id == id; }),
                timers_.end());
}

void EventLoop::Post(std::function<void()> fn) { posted_.push_back(std::move(fn)); }

void EventLoop::RunTimers() {
  if (timers_.empty()) return;
  int64_t now = base::MonotonicUs();
  // A timer may add or cancel timers: take the due ones out first.
  std::vector<Timer> due;
  for (size_t i = 0; i < timers_.size();) {
    if (timers_[i].when_us <= now) {
      due.push_back(std::move(timers_[i]));
      timers_[i] = std::move(timers_.back());
      timers_.pop_back();
    } else {
      i++;
    }
  }
  std::sort(due.begin(), due.end(), [](const Timer& a, const Timer& b) { return a.when_us < b.when_us; });
  for (Timer& t : due) t.fn();
}

void EventLoop::RunPosted() {
  if (posted_.empty()) return;
  running_.swap(posted_);
  for (auto& fn : running_) fn();
  running_.clear();
}

int EventLoop::RunOnce(int64_t max_wait_ms) {
  int timeout = max_wait_ms < 0 ? -1 : static_cast<int>(max_wait_ms);
  if (!posted_.empty()) {
    timeout = 0;
  } else if (!timers_.empty()) {
    int64_t next = timers_.front().when_us;
    for (const Timer& t : timers_) next = std::min(next, t.when_us);
    int64_t wait_us = next - base::MonotonicUs();
    int ms = wait_us <= 0 ? 0 : static_cast<int>((wait_us + 999) / 1000);
    if (timeout < 0 || ms < timeout) timeout = ms;
  }
  epoll_event events[kMaxEvents];
  int n = epoll_wait(epfd_, events, kMaxEvents, timeout);
  if (n < 0) n = 0;  // EINTR: a signal; the caller checks its flags
  for (int i = 0; i < n; i++) {
    int fd = events[i].data.fd;
    if (static_cast<size_t>(fd) >= slots_.size()) continue;
    Slot& s = slots_[static_cast<size_t>(fd)];
    if (!s.handler) continue;  // removed earlier in this batch
    uint32_t e = events[i].events;
    uint32_t mask = 0;
    // Why: errors and hangups are reported as readable, so the read that
    // follows finds the EOF or the error, as Redis's ae does.
    if (e & (EPOLLIN | EPOLLERR | EPOLLHUP)) mask |= kReadable;
    if (e & (EPOLLOUT | EPOLLERR | EPOLLHUP)) mask |= kWritable;
    s.handler->OnEvents(mask & (s.mask | kReadable));
  }
  RunTimers();
  RunPosted();
  return n;
}

}  // namespace vireo::net
