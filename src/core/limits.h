// Limits on every collection the engine holds, so memory and per-request work stay bounded. The
// defaults suit one machine serving a large contact centre; the server may lower or raise them.
// Breaking a per-entity limit is a 400 (kInvalidArgument); a store-wide quota, a 429
// (kLimitExceeded).
#pragma once

#include <cstddef>

namespace sb::core {

struct Limits {
  // Store-wide quotas.
  std::size_t max_jobs = 5'000'000;
  std::size_t max_workers = 1'000'000;
  std::size_t max_queues = 100'000;
  std::size_t max_policies_per_kind = 100'000;
  std::size_t max_open_offers = 1'000'000;

  // Per entity.
  std::size_t max_id_length = 256;
  std::size_t max_string_length = 1024;   // names, label keys and string values, codes
  std::size_t max_note_length = 4096;
  std::size_t max_labels = 100;           // labels, tags, labelsToUpsert: each map
  std::size_t max_selectors = 50;         // per list of selectors
  std::size_t max_notes = 100;
  std::size_t max_worker_queues = 100;
  std::size_t max_worker_channels = 100;
  std::size_t max_attachments = 50;       // per classification policy list
  std::size_t max_exception_rules = 50;
  std::size_t max_actions_per_rule = 10;
  std::size_t max_allocations = 50;
  std::size_t max_expression_length = 8192;
  int max_concurrent_offers = 100;        // a distribution mode's maxConcurrentOffers
};

}  // namespace sb::core
