// The Worker entity: the writable spec (queues, channels, capacity, labels, availability) and the
// state the engine keeps (state, open offers, assignments, capacity in use, idle time). Owned by
// the Engine; others see it through const pointers valid until the next command. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/time.h"
#include "base/value.h"
#include "core/policies.h"

namespace sb::core {

enum class WorkerState { kActive, kDraining, kInactive };

struct Channel {
  std::string channel_id;
  int capacity_cost_per_job = 0;
  std::optional<int> max_number_of_jobs;
  bool operator==(const Channel&) const = default;
};

struct WorkerSpec {
  std::vector<std::string> queues;
  int capacity = 0;
  LabelMap labels;  // the engine keeps the automatic "Id" label in here
  LabelMap tags;
  std::vector<Channel> channels;
  bool available_for_offers = false;
  std::optional<int> max_concurrent_offers;  // 2024-01-18-preview
  bool operator==(const WorkerSpec&) const = default;

  const Channel* FindChannel(std::string_view channel_id) const;
};

struct Offer {
  std::string offer_id;
  std::string job_id;
  std::string worker_id;
  std::string queue_id;
  std::string channel_id;
  int capacity_cost = 0;
  Timestamp offered_at;
  std::optional<Timestamp> expires_at;
};

struct WorkerAssignment {
  std::string assignment_id;
  std::string job_id;
  std::string channel_id;
  int capacity_cost = 0;
  Timestamp assigned_at;
};

// Why an offer stopped being open; kept briefly so a late accept gets the right answer.
enum class OfferEnd { kAccepted, kDeclined, kExpired, kRevoked, kTakenByOther };

struct ClosedOffer {
  std::string offer_id;
  std::string job_id;
  OfferEnd end;
};

struct Worker {
  std::string id;
  WorkerSpec spec;
  WorkerState state = WorkerState::kInactive;
  EntityMeta meta;

  std::vector<std::string> open_offer_ids;  // in the order issued
  std::vector<WorkerAssignment> assigned_jobs;
  int used_capacity = 0;                       // open offers + assignments
  std::map<std::string, int, std::less<>> jobs_per_channel;  // open offers + assignments
  Timestamp idle_since;                        // last registration or release of capacity
  std::set<std::string, std::less<>> declined_job_ids;  // jobs this worker declined
  std::vector<ClosedOffer> recently_closed_offers;      // bounded ring, newest last
  // The key this worker is filed under in ready-worker indexes, while it is filed.
  bool indexed = false;
  double indexed_load_ratio = 0;
  Timestamp indexed_idle_since;

  double LoadRatio() const;
  int JobsOnChannel(std::string_view channel_id) const;
  // Room for one more job on the channel, counting open offers, capacity and the channel cap.
  bool HasRoomFor(const Channel& channel) const;
};

}  // namespace sb::core
