// EntityTable: the engine's store of one kind of entity, addressable by id and listable in
// creation order (a stable order, so paging with a cursor yields every item exactly once even
// while items are added). Owns its entities; pointers are stable until the entity is erased.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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
  T* Find(std::string_view id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second.get();
  }

  // Creates an entity with `id`, listed at position `created_seq`.
  T& Insert(std::string id, std::uint64_t created_seq) {
    auto entity = std::make_unique<T>();
    entity->id = std::move(id);
    entity->meta.created_seq = created_seq;
    T& ref = *entity;
    const bool inserted = by_id_.emplace(ref.id, std::move(entity)).second;
    SB_ASSERT(inserted);
    by_seq_.emplace(created_seq, &ref);
    return ref;
  }

  void Erase(std::string_view id) {
    auto it = by_id_.find(id);
    SB_ASSERT(it != by_id_.end());
    by_seq_.erase(it->second->meta.created_seq);
    by_id_.erase(it);
  }

  std::size_t size() const { return by_id_.size(); }
  const std::map<std::uint64_t, T*>& in_order() const { return by_seq_; }

  // Up to `max` entities after position `after` that satisfy `keep`, examining at most
  // `budget` entities. `next_after` is set when more may follow.
  template <class Keep>
  void List(std::uint64_t after, std::size_t max, std::size_t budget, Keep keep,
            std::vector<const T*>& items, std::optional<std::uint64_t>& next_after) const {
    auto it = by_seq_.upper_bound(after);
    std::size_t examined = 0;
    for (; it != by_seq_.end() && items.size() < max && examined < budget; ++it, ++examined) {
      if (keep(*it->second)) items.push_back(it->second);
    }
    if (it != by_seq_.end()) next_after = std::prev(it)->first;
  }

 private:
  std::unordered_map<std::string, std::unique_ptr<T>, StringHash, std::equal_to<>> by_id_;
  std::map<std::uint64_t, T*> by_seq_;
};

}  // namespace sb::core
