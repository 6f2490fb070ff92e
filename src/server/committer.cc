#include "server/committer.h"

#include <boost/asio/post.hpp>

#include <cstdlib>

#include "base/log.h"

namespace sb::server {

Committer::Committer(store::Store& store, boost::asio::io_context& io)
    : store_(store), io_(io), thread_([this] { Run(); }) {}

Committer::~Committer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Committer::Submit(store::Batch batch, std::function<void()> done) {
  ++in_flight_;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({std::move(batch), std::move(done)});
  }
  wake_.notify_one();
}

void Committer::AfterPending(std::function<void()> done) {
  if (in_flight_ == 0) {
    if (done) done();  // a timer that changed nothing has nothing to wait for
    return;
  }
  Submit(store::Batch{}, std::move(done));
}

CommitStats Committer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void Committer::Run() {
  for (;;) {
    std::deque<Item> items;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left
      items.swap(queue_);
    }
    store::Batch merged;
    for (Item& item : items) merged.Append(std::move(item.batch));
    if (!merged.empty()) {
      if (Status committed = store_.Commit(merged); !committed) {
        Log(LogLevel::kError, "commit failed, stopping so that a restart recovers the durable state: " +
                                  committed.error().message);
        std::abort();
      }
    }
    {
      std::lock_guard lock(mutex_);
      stats_.commits += merged.empty() ? 0 : 1;
      stats_.batches += items.size();
    }
    boost::asio::post(io_, [this, items = std::move(items)]() mutable {
      for (Item& item : items) {
        --in_flight_;
        if (item.done) item.done();
      }
    });
  }
}

}  // namespace sb::server
