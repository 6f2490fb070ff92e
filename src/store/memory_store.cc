// MemoryStore: the Store interface over in-process maps. Commits are instant and lost on exit.
#include <map>

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

class MemoryStore final : public Store {
 public:
  Status LoadRecords(const std::function<Status(const Record&)>& visit) override {
    for (const auto& [key, data] : records_) {
      SB_TRY(visit(Record{key.first, key.second, data}));
    }
    return Ok{};
  }

  Result<std::optional<std::string>> LoadEngineMeta() override { return engine_meta_; }

  Status Commit(const Batch& batch) override {
    for (const Record& record : batch.records) {
      if (record.data) {
        records_[{record.kind, record.id}] = *record.data;
      } else {
        records_.erase({record.kind, record.id});
      }
    }
    for (const std::string& event : batch.events) outbox_.emplace(++last_seq_, event);
    if (batch.engine_meta) engine_meta_ = batch.engine_meta;
    return Ok{};
  }

  Result<std::vector<OutboxEvent>> ReadOutbox(std::uint64_t after_seq, std::size_t limit) override {
    std::vector<OutboxEvent> out;
    for (auto it = outbox_.upper_bound(after_seq); it != outbox_.end() && out.size() < limit; ++it) {
      out.push_back({it->first, it->second});
    }
    return out;
  }

  Status TrimOutbox(std::uint64_t through_seq) override {
    outbox_.erase(outbox_.begin(), outbox_.upper_bound(through_seq));
    return Ok{};
  }

  bool durable() const override { return false; }
  std::string Describe() const override { return "memory (not durable: state is lost on exit)"; }

 private:
  std::map<std::pair<int, std::string>, std::string> records_;
  std::map<std::uint64_t, std::string> outbox_;
  std::optional<std::string> engine_meta_;
  std::uint64_t last_seq_ = 0;
};

}  // namespace

std::unique_ptr<Store> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace sb::store
