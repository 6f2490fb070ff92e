// Durability, the engine's side: every entity's whole state as a versioned binary record, the
// engine's own counters as a meta record, and Restore, which rebuilds tables, indexes and timers
// from them. Derived state (capacity in use, indexes, timers, reverse links) is not stored; it is
// recomputed, so a record can never disagree with it.
#include <algorithm>

#include "core/engine_state.h"
#include "core/record_fields.h"

namespace sb::core {


namespace serial {

void Put(Writer& w, const Value& v) {
  if (v.is_bool()) {
    w.U64(1);
    w.U64(v.as_bool());
  } else if (v.is_int()) {
    w.U64(2);
    w.I64(v.as_int());
  } else if (v.is_double()) {
    w.U64(3);
    w.F64(v.as_double());
  } else if (v.is_string()) {
    w.U64(4);
    w.Str(v.as_string());
  } else {
    w.U64(0);
  }
}

void Get(Reader& r, Value& v) {
  switch (r.U64()) {
    case 0: v = Value(); return;
    case 1: v = Value(r.U64() != 0); return;
    case 2: v = Value(r.I64()); return;
    case 3: v = Value(r.F64()); return;
    case 4: v = Value(r.Str()); return;
    default: r.Fail();
  }
}

}  // namespace serial

namespace {

using serial::Get;
using serial::Put;
using serial::Reader;
using serial::Writer;

using record::Encode;

template <class T>
std::string EncodeStored(const Stored<T>& entity) {
  return Encode([&](Writer& w) {
    Put(w, entity.meta);
    Put(w, entity.spec);
  });
}

std::string EncodeQueue(const QueueState& queue) {
  return Encode([&](Writer& w) {
    Put(w, queue.meta);
    Put(w, queue.spec);
    Put(w, queue.round_robin_cursor);
    Put(w, std::vector<Timestamp>(queue.recent_assignments.begin(), queue.recent_assignments.end()));
  });
}

std::string EncodeJob(const Job& job) {
  return Encode([&](Writer& w) {
    Put(w, job.status);
    Put(w, job.meta);
    Put(w, job.spec);
    Put(w, job.enqueued_at);
    Put(w, job.attached_worker_selectors);
    Put(w, job.assignments);
    Put(w, job.scheduled_at);
    Put(w, job.open_offer_ids);
    Put(w, job.declined_by);
    Put(w, job.unassignment_count);
    Put(w, job.pending_close);
    Put(w, job.queue_seq);
    Put(w, job.queue_from_classification);
    Put(w, job.queue_visit);
    Put(w, job.visit_queue_id);
    Put(w, job.visit_started_at);
    Put(w, job.fired_exception_rules);
  });
}

std::string EncodeWorker(const EngineState& s, const Worker& worker) {
  std::vector<Offer> offers;
  for (const std::string& id : worker.open_offer_ids) offers.push_back(s.offers_.at(id));
  return Encode([&](Writer& w) {
    Put(w, worker.meta);
    Put(w, worker.spec);
    Put(w, worker.state);
    Put(w, worker.assigned_jobs);
    Put(w, worker.idle_since);
    Put(w, worker.recently_closed_offers);
    Put(w, offers);
  });
}

std::optional<std::string> EncodeEntity(const EngineState& s, EntityKind kind, std::string_view id) {
  switch (kind) {
    case EntityKind::kDistributionPolicy:
      if (auto* e = s.distribution_policies_.Find(id)) return EncodeStored(*e);
      break;
    case EntityKind::kClassificationPolicy:
      if (auto* e = s.classification_policies_.Find(id)) return EncodeStored(*e);
      break;
    case EntityKind::kExceptionPolicy:
      if (auto* e = s.exception_policies_.Find(id)) return EncodeStored(*e);
      break;
    case EntityKind::kQueue:
      if (auto* e = s.queues_.Find(id)) return EncodeQueue(*e);
      break;
    case EntityKind::kJob:
      if (auto* e = s.jobs_.Find(id)) return EncodeJob(*e);
      break;
    case EntityKind::kWorker:
      if (auto* e = s.workers_.Find(id)) return EncodeWorker(s, *e);
      break;
  }
  return std::nullopt;
}

}  // namespace

std::vector<StateRecord> Engine::ExportChanges(const std::vector<EntityChange>& changes) const {
  std::set<std::pair<EntityKind, std::string_view>> seen;
  std::vector<StateRecord> out;
  for (const EntityChange& change : changes) {
    if (!seen.insert({change.kind, change.id}).second) continue;
    out.push_back({change.kind, change.id, EncodeEntity(*state_, change.kind, change.id)});
  }
  return out;
}

std::vector<StateRecord> Engine::ExportAll() const {
  const EngineState& s = *state_;
  std::vector<StateRecord> out;
  auto add = [&](EntityKind kind, const auto& table) {
    for (const auto& [seq, entity] : table.in_order()) {
      out.push_back({kind, entity->id, EncodeEntity(s, kind, entity->id)});
    }
  };
  add(EntityKind::kDistributionPolicy, s.distribution_policies_);
  add(EntityKind::kClassificationPolicy, s.classification_policies_);
  add(EntityKind::kExceptionPolicy, s.exception_policies_);
  add(EntityKind::kQueue, s.queues_);
  s.jobs_.ForEachStored([&](const std::string& id, const Job* hot, const std::string* cold) {
    out.push_back({EntityKind::kJob, id, hot ? EncodeJob(*hot) : *cold});
  });
  add(EntityKind::kWorker, s.workers_);
  return out;
}

std::string Engine::ExportMeta() const {
  const EngineState& s = *state_;
  return Encode([&](Writer& w) {
    Put(w, s.next_created_seq_);
    Put(w, s.change_seq_);
    Put(w, s.next_queue_seq_);
    Put(w, s.now_);
    for (std::uint64_t word : s.random_.state()) Put(w, word);
    Put(w, static_cast<std::uint64_t>(s.options_.etag_epoch));
  });
}

}  // namespace sb::core
