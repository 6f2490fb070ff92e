// Committer: group commit. The engine thread submits a batch of durable changes with a callback;
// a committer thread takes every batch waiting, merges them into one transaction and commits it
// (one fsync for many requests), then runs the callbacks on the engine's io_context, in
// submission order. A callback registered with AfterPending runs once everything submitted
// before it is durable, so a read is never answered before the writes it may have observed.
//
// Failure policy: if a commit fails, the engine's memory is ahead of the disk and cannot be
// trusted; the committer logs the error and aborts the process. Nothing unacknowledged is lost
// (its callers never got a 2xx), and a restart recovers the last durable state.
//
// Thread-safety: Submit and AfterPending are called from the engine thread only; callbacks run
// there too. The store is used by the committer thread only.
#pragma once

#include <boost/asio/io_context.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "store/store.h"

namespace sb::server {

struct CommitStats {
  std::uint64_t commits = 0;  // transactions
  std::uint64_t batches = 0;  // submitted batches they held
};

class Committer {
 public:
  Committer(store::Store& store, boost::asio::io_context& io);
  ~Committer();  // commits what is queued, then joins
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  void Submit(store::Batch batch, std::function<void()> done);
  void AfterPending(std::function<void()> done);
  CommitStats stats() const;

 private:
  struct Item {
    store::Batch batch;
    std::function<void()> done;
  };
  void Run();

  store::Store& store_;
  boost::asio::io_context& io_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  std::uint64_t in_flight_ = 0;  // submitted, callbacks not yet run (engine thread only)
  bool stopping_ = false;
  CommitStats stats_;
  std::thread thread_;
};

}  // namespace sb::server
