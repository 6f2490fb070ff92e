// EntityTable: the engine's store of one kind of entity, addressable by id and listable in
// creation order (a stable order, so paging with a cursor yields every item exactly once even
// while items are added). Owns its entities; pointers are stable until the entity is erased.
//
// An entity may also be held "cold": as the bytes of its stored record, decoded ("thawed") the
// first time anything looks it up. The engine loads finished jobs that way at start-up, which
// keeps a restart with a long history fast and its memory small. Cold entities are left out of
// in_order() (finished jobs need no relinking, checking or resuming) and included by List() and
// ForEachStored(). Not thread-safe; lookups may thaw, so even const use is single-threaded.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/assert.h"

namespace sb::core {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <class T>
class EntityTable {
 public:
  // Decodes a cold entity's bytes; nullptr when they do not decode.
  using Thaw = std::function<std::unique_ptr<T>(std::string_view id, std::string_view bytes)>;
  void set_thaw(Thaw thaw) { thaw_ = std::move(thaw); }

  T* Find(std::string_view id) const {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return nullptr;
    Slot& slot = it->second;
    if (!slot.hot) {
      slot.hot = thaw_(it->first, slot.cold);
      SB_ASSERT_MSG(slot.hot != nullptr, "a stored record no longer decodes");
      slot.hot->id = it->first;
      slot.cold = std::string();
      hot_by_seq_.emplace(slot.seq, slot.hot.get());
      --cold_count_;
    }
    return slot.hot.get();
  }

  // Creates an entity with `id`, listed at position `created_seq`.
  T& Insert(std::string id, std::uint64_t created_seq) {
    auto [it, inserted] = by_id_.try_emplace(std::move(id));
    SB_ASSERT(inserted);
    Slot& slot = it->second;
    slot.seq = created_seq;
    slot.hot = std::make_unique<T>();
    slot.hot->id = it->first;
    slot.hot->meta.created_seq = created_seq;
    hot_by_seq_.emplace(created_seq, slot.hot.get());
    all_by_seq_.emplace(created_seq, &it->first);
    return *slot.hot;
  }

  void InsertCold(std::string id, std::uint64_t created_seq, std::string bytes) {
    auto [it, inserted] = by_id_.try_emplace(std::move(id));
    SB_ASSERT(inserted);
    it->second.seq = created_seq;
    it->second.cold = std::move(bytes);
    all_by_seq_.emplace(created_seq, &it->first);
    ++cold_count_;
  }

  void Erase(std::string_view id) {
    auto it = by_id_.find(id);
    SB_ASSERT(it != by_id_.end());
    if (it->second.hot) {
      hot_by_seq_.erase(it->second.seq);
    } else {
      --cold_count_;
    }
    all_by_seq_.erase(it->second.seq);
    by_id_.erase(it);
  }

  void Reserve(std::size_t n) { by_id_.reserve(n); }
  std::size_t size() const { return by_id_.size(); }
  std::size_t cold_count() const { return cold_count_; }
  // Hot entities in creation order.
  const std::map<std::uint64_t, T*>& in_order() const { return hot_by_seq_; }

  // Every entity in creation order: `visit(id, hot entity or nullptr, cold bytes or nullptr)`.
  template <class Visit>
  void ForEachStored(const Visit& visit) const {
    for (const auto& [seq, id] : all_by_seq_) {
      const Slot& slot = by_id_.find(*id)->second;
      visit(*id, slot.hot.get(), slot.hot ? nullptr : &slot.cold);
    }
  }

  // Up to `max` entities after position `after` that satisfy `keep`, examining at most
  // `budget` entities (thawing cold ones). `next_after` is set when more may follow.
  template <class Keep>
  void List(std::uint64_t after, std::size_t max, std::size_t budget, Keep keep,
            std::vector<const T*>& items, std::optional<std::uint64_t>& next_after) const {
    auto it = all_by_seq_.upper_bound(after);
    std::size_t examined = 0;
    for (; it != all_by_seq_.end() && items.size() < max && examined < budget; ++it, ++examined) {
      const T* entity = Find(*it->second);
      if (keep(*entity)) items.push_back(entity);
    }
    if (it != all_by_seq_.end()) next_after = std::prev(it)->first;
  }

 private:
  struct Slot {
    std::uint64_t seq = 0;
    std::unique_ptr<T> hot;  // set, or else `cold` holds its stored bytes
    std::string cold;
  };
  mutable std::unordered_map<std::string, Slot, StringHash, std::equal_to<>> by_id_;
  mutable std::map<std::uint64_t, T*> hot_by_seq_;
  std::map<std::uint64_t, const std::string*> all_by_seq_;  // ids: keys of by_id_, stable
  mutable std::size_t cold_count_ = 0;
  Thaw thaw_;
};

}  // namespace sb::core
