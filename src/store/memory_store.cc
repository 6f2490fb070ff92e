// MemoryStore: the Store interface over in-process maps. Commits are instant and lost on exit.
// The engine side and the events side share one mutex, so the dispatcher may read and trim the
// outbox while the engine commits; every call is short.
#include <algorithm>
#include <map>
#include <mutex>

#include "store/store.h"

namespace sb::store {

void Batch::Append(Batch&& other) {
  records.insert(records.end(), std::make_move_iterator(other.records.begin()),
                 std::make_move_iterator(other.records.end()));
  events.insert(events.end(), std::make_move_iterator(other.events.begin()),
                std::make_move_iterator(other.events.end()));
  if (other.engine_meta) engine_meta = std::move(other.engine_meta);
}

namespace {

using RetryMap = std::map<std::pair<std::string, std::uint64_t>, RetryRecord>;
using DeadLetterMap = std::map<std::pair<std::string, std::uint64_t>, DeadLetterRecord>;

// Erases the entries of `map` keyed (id, *).
template <class Map>
void EraseSubscription(Map& map, std::string_view id) {
  auto first = map.lower_bound({std::string(id), 0});
  auto last = first;
  while (last != map.end() && last->first.first == id) ++last;
  map.erase(first, last);
}

class MemoryEventStore final : public EventStore {
 public:
  explicit MemoryEventStore(std::mutex& mutex) : mutex_(mutex) {}

  // Called by MemoryStore::Commit with the mutex held.
  void AppendLocked(const OutboxEntry& entry) { outbox_.emplace(++last_seq_, entry); }

  Result<std::vector<OutboxEvent>> ReadOutbox(std::uint64_t after_seq, std::size_t limit) override {
    std::lock_guard lock(mutex_);
    std::vector<OutboxEvent> out;
    for (auto it = outbox_.upper_bound(after_seq); it != outbox_.end() && out.size() < limit;
         ++it) {
      out.push_back({it->first, it->second.data, it->second.at});
    }
    return out;
  }

  Result<std::uint64_t> LastOutboxSeq() override {
    std::lock_guard lock(mutex_);
    return last_seq_;
  }

  Result<std::uint64_t> LastOutboxSeqAtOrBefore(Timestamp t) override {
    std::lock_guard lock(mutex_);
    std::uint64_t found = 0;
    for (const auto& [seq, entry] : outbox_) {
      if (entry.at <= t) found = seq;
    }
    return found;
  }

  Status TrimOutbox(std::uint64_t through_seq) override {
    std::lock_guard lock(mutex_);
    outbox_.erase(outbox_.begin(), outbox_.upper_bound(through_seq));
    return Ok{};
  }

  Result<std::vector<SubscriptionRecord>> LoadSubscriptions() override {
    std::lock_guard lock(mutex_);
    std::vector<SubscriptionRecord> out;
    for (const auto& [id, data] : subscriptions_) out.push_back({id, data});
    return out;
  }

  Status PutSubscription(const SubscriptionRecord& subscription,
                         std::optional<std::uint64_t> start_progress) override {
    std::lock_guard lock(mutex_);
    subscriptions_[subscription.id] = subscription.data;
    if (start_progress) progress_[subscription.id] = *start_progress;
    return Ok{};
  }

  Status DeleteSubscription(std::string_view id) override {
    std::lock_guard lock(mutex_);
    subscriptions_.erase(std::string(id));
    progress_.erase(std::string(id));
    EraseSubscription(retries_, id);
    EraseSubscription(dead_letters_, id);
    return Ok{};
  }

  Result<std::map<std::string, std::uint64_t>> LoadProgress() override {
    std::lock_guard lock(mutex_);
    return progress_;
  }

  Result<std::vector<RetryRecord>> LoadRetries() override {
    std::lock_guard lock(mutex_);
    std::vector<RetryRecord> out;
    for (const auto& [key, retry] : retries_) out.push_back(retry);
    return out;
  }

  Status ApplyDelivery(const DeliveryBatch& batch) override {
    std::lock_guard lock(mutex_);
    for (const auto& [id, seq] : batch.progress) progress_[id] = seq;
    for (const RetryRecord& r : batch.retries) retries_[{r.subscription_id, r.seq}] = r;
    for (const RetryKey& key : batch.retries_done) retries_.erase({key.subscription_id, key.seq});
    for (const DeadLetterRecord& d : batch.dead_letters) {
      dead_letters_[{d.subscription_id, d.seq}] = d;
      retries_.erase({d.subscription_id, d.seq});
    }
    return Ok{};
  }

  Result<std::vector<DeadLetterRecord>> ListDeadLetters(std::string_view subscription_id,
                                                        std::uint64_t after_seq,
                                                        std::size_t limit) override {
    std::lock_guard lock(mutex_);
    std::vector<DeadLetterRecord> out;
    for (auto it = dead_letters_.upper_bound({std::string(subscription_id), after_seq});
         it != dead_letters_.end() && it->first.first == subscription_id && out.size() < limit;
         ++it) {
      out.push_back(it->second);
    }
    return out;
  }

  Result<std::uint64_t> CountDeadLetters(std::string_view subscription_id) override {
    std::lock_guard lock(mutex_);
    std::uint64_t count = 0;
    for (auto it = dead_letters_.lower_bound({std::string(subscription_id), 0});
         it != dead_letters_.end() && it->first.first == subscription_id; ++it) {
      ++count;
    }
    return count;
  }

  Status TrimDeadLetters(std::string_view subscription_id, std::size_t keep) override {
    std::lock_guard lock(mutex_);
    std::vector<std::uint64_t> seqs;
    for (auto it = dead_letters_.lower_bound({std::string(subscription_id), 0});
         it != dead_letters_.end() && it->first.first == subscription_id; ++it) {
      seqs.push_back(it->first.second);
    }
    for (std::size_t i = 0; i + keep < seqs.size(); ++i) {
      dead_letters_.erase({std::string(subscription_id), seqs[i]});
    }
    return Ok{};
  }

 private:
  std::mutex& mutex_;
  std::map<std::uint64_t, OutboxEntry> outbox_;
  std::uint64_t last_seq_ = 0;
  std::map<std::string, std::string, std::less<>> subscriptions_;
  std::map<std::string, std::uint64_t> progress_;
  RetryMap retries_;
  DeadLetterMap dead_letters_;
};

class MemoryStore final : public Store {
 public:
  Status LoadRecords(const std::function<Status(const Record&)>& visit) override {
    std::lock_guard lock(mutex_);
    for (const auto& [key, data] : records_) {
      SB_TRY(visit(Record{key.first, key.second, data}));
    }
    return Ok{};
  }

  Result<std::optional<std::string>> LoadEngineMeta() override {
    std::lock_guard lock(mutex_);
    return engine_meta_;
  }

  Status Commit(const Batch& batch) override {
    std::lock_guard lock(mutex_);
    for (const Record& record : batch.records) {
      if (record.data) {
        records_[{record.kind, record.id}] = *record.data;
      } else {
        records_.erase({record.kind, record.id});
      }
    }
    for (const OutboxEntry& event : batch.events) events_.AppendLocked(event);
    if (batch.engine_meta) engine_meta_ = batch.engine_meta;
    return Ok{};
  }

  EventStore& events() override { return events_; }

  bool durable() const override { return false; }
  std::string Describe() const override { return "memory (not durable: state is lost on exit)"; }

 private:
  std::mutex mutex_;
  std::map<std::pair<int, std::string>, std::string> records_;
  std::optional<std::string> engine_meta_;
  MemoryEventStore events_{mutex_};
};

}  // namespace

std::unique_ptr<Store> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace sb::store
