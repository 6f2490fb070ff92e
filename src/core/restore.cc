// Restore: rebuilds an engine from stored records. Entities come back exactly as they were;
// everything derived - capacity in use, reverse links, queue and worker indexes, timers - is
// recomputed from them, in the same way the engine maintains it, so a restart changes no
// routing outcome.
#include <algorithm>

#include "core/engine_state.h"
#include "core/record_fields.h"

namespace sb::core {
namespace {

using serial::Get;
using serial::Reader;

using record::Decode;

template <class T>
Status RestoreStored(EngineState& s, EntityTable<T>& table, const StateRecord& record,
                     std::string_view what) {
  T entity;
  SB_TRY(Decode(*record.data, what, [&](Reader& r, std::uint64_t /*format*/) {
    Get(r, entity.meta);
    Get(r, entity.spec);
  }));
  T& stored = table.Insert(record.id, entity.meta.created_seq);
  stored.meta = entity.meta;
  stored.spec = std::move(entity.spec);
  (void)s;
  return Ok{};
}

Status RestoreQueue(EngineState& s, const StateRecord& record) {
  QueueState queue;
  std::vector<Timestamp> recent;
  SB_TRY(Decode(*record.data, "queue", [&](Reader& r, std::uint64_t /*format*/) {
    Get(r, queue.meta);
    Get(r, queue.spec);
    Get(r, queue.round_robin_cursor);
    Get(r, recent);
  }));
  QueueState& stored = s.queues_.Insert(record.id, queue.meta.created_seq);
  stored.meta = queue.meta;
  stored.spec = std::move(queue.spec);
  stored.round_robin_cursor = std::move(queue.round_robin_cursor);
  stored.recent_assignments.assign(recent.begin(), recent.end());
  return Ok{};
}

void ReadJobRest(Reader& r, std::uint64_t format, Job& job) {
  Get(r, job.enqueued_at);
  Get(r, job.attached_worker_selectors);
  Get(r, job.assignments);
  Get(r, job.scheduled_at);
  Get(r, job.open_offer_ids);
  Get(r, job.declined_by);
  Get(r, job.unassignment_count);
  Get(r, job.pending_close);
  Get(r, job.queue_seq);
  Get(r, job.queue_from_classification);
  if (format >= 2) {
    Get(r, job.queue_visit);
    Get(r, job.visit_queue_id);
    Get(r, job.visit_started_at);
    Get(r, job.fired_exception_rules);
  }
}

// A finished job's record is kept as bytes until something looks the job up (EntityTable).
bool IsFinished(std::string_view data, EntityMeta& meta) {
  Reader r(data);
  if (r.U64() < 3) return false;  // older formats put the status later: decode them now
  JobStatus status{};
  Get(r, status);
  Get(r, meta);
  return r.ok() && IsTerminal(status);
}

Status RestoreJob(EngineState& s, StateRecord& record) {
  EntityMeta meta;
  if (IsFinished(*record.data, meta)) {
    s.jobs_.InsertCold(std::move(record.id), meta.created_seq, std::move(*record.data));
    return Ok{};
  }
  auto job = DecodeJob(*record.data);
  if (!job) return std::move(job).error();
  Job& stored = s.jobs_.Insert(record.id, (*job)->meta.created_seq);
  (*job)->id = stored.id;
  stored = std::move(**job);
  return Ok{};
}

Status RestoreWorker(EngineState& s, const StateRecord& record) {
  Worker worker;
  std::vector<Offer> offers;
  SB_TRY(Decode(*record.data, "worker", [&](Reader& r, std::uint64_t /*format*/) {
    Get(r, worker.meta);
    Get(r, worker.spec);
    Get(r, worker.state);
    Get(r, worker.assigned_jobs);
    Get(r, worker.idle_since);
    Get(r, worker.recently_closed_offers);
    Get(r, offers);
  }));
  Worker& stored = s.workers_.Insert(record.id, worker.meta.created_seq);
  worker.id = stored.id;
  stored = std::move(worker);
  for (Offer& offer : offers) {
    stored.open_offer_ids.push_back(offer.offer_id);
    stored.used_capacity += offer.capacity_cost;
    ++stored.jobs_per_channel[offer.channel_id];
    if (offer.expires_at) {
      s.timers_.Schedule(*offer.expires_at, TimerKind::kOfferExpiry, offer.offer_id);
    }
    const std::string offer_id = offer.offer_id;
    s.offers_.emplace(offer_id, std::move(offer));
  }
  for (const WorkerAssignment& a : stored.assigned_jobs) {
    stored.used_capacity += a.capacity_cost;
    ++stored.jobs_per_channel[a.channel_id];
  }
  return Ok{};
}

// Timers and links a job's stored state implies.
void RelinkJob(EngineState& s, Job& job) {
  s.ChangeJobCount(job, +1);
  for (const auto& [worker_id, until] : job.declined_by) {
    if (Worker* worker = s.workers_.Find(worker_id)) worker->declined_job_ids.insert(job.id);
    if (until) s.timers_.Schedule(*until, TimerKind::kDeclineRetry, job.id, worker_id);
  }
  auto selector_timer = [&](const WorkerSelector& selector) {
    if (IsActive(selector) && selector.expires_at) {
      s.timers_.Schedule(*selector.expires_at, TimerKind::kSelectorExpiry, job.id);
    }
  };
  std::for_each(job.spec.requested_worker_selectors.begin(), job.spec.requested_worker_selectors.end(),
                selector_timer);
  std::for_each(job.attached_worker_selectors.begin(), job.attached_worker_selectors.end(), selector_timer);
  if (job.status == JobStatus::kScheduled && job.scheduled_at) {
    s.timers_.Schedule(*job.scheduled_at, TimerKind::kScheduledActivation, job.id);
  }
  if (job.pending_close) s.timers_.Schedule(job.pending_close->close_at, TimerKind::kCloseAt, job.id);
  if (job.status == JobStatus::kQueued) {
    s.File(job);
    s.ScheduleWaitTimeTriggers(job);
  }
}

Status RestoreMeta(EngineState& s, std::string_view meta) {
  Random::State random{};
  SB_TRY(Decode(meta, "engine", [&](Reader& r, std::uint64_t /*format*/) {
    Get(r, s.next_created_seq_);
    Get(r, s.change_seq_);
    Get(r, s.next_queue_seq_);
    Get(r, s.now_);
    for (std::uint64_t& word : random) Get(r, word);
    std::uint64_t epoch = 0;
    Get(r, epoch);  // etags stay valid across restarts
    s.options_.etag_epoch = static_cast<std::uint32_t>(epoch);
  }));
  s.random_.set_state(random);
  return Ok{};
}

}  // namespace

Result<std::unique_ptr<Job>> DecodeJob(std::string_view data) {
  auto job = std::make_unique<Job>();
  SB_TRY(Decode(data, "job", [&](Reader& r, std::uint64_t format) {
    if (format >= 3) {
      Get(r, job->status);
      Get(r, job->meta);
      Get(r, job->spec);
    } else {
      Get(r, job->meta);
      Get(r, job->spec);
      Get(r, job->status);
    }
    ReadJobRest(r, format, *job);
  }));
  return job;
}

Status Engine::Restore(std::vector<StateRecord> records, std::string_view meta) {
  EngineState& s = *state_;
  SB_ASSERT(s.jobs_.size() == 0 && s.workers_.size() == 0 && s.queues_.size() == 0);
  SB_TRY(RestoreMeta(s, meta));
  std::vector<StateRecord*> ordered;  // policies before queues before jobs before workers
  std::size_t jobs = 0;
  for (StateRecord& record : records) {
    if (record.data) ordered.push_back(&record);
    if (record.kind == EntityKind::kJob) ++jobs;
  }
  s.jobs_.Reserve(jobs);
  std::stable_sort(ordered.begin(), ordered.end(), [](StateRecord* a, StateRecord* b) {
    return a->kind < b->kind;
  });
  for (StateRecord* record : ordered) {
    switch (record->kind) {
      case EntityKind::kDistributionPolicy:
        SB_TRY(RestoreStored(s, s.distribution_policies_, *record, "distribution policy"));
        break;
      case EntityKind::kClassificationPolicy:
        SB_TRY(RestoreStored(s, s.classification_policies_, *record, "classification policy"));
        break;
      case EntityKind::kExceptionPolicy:
        SB_TRY(RestoreStored(s, s.exception_policies_, *record, "exception policy"));
        break;
      case EntityKind::kQueue:
        SB_TRY(RestoreQueue(s, *record));
        break;
      case EntityKind::kJob:
        SB_TRY(RestoreJob(s, *record));
        break;
      case EntityKind::kWorker:
        SB_TRY(RestoreWorker(s, *record));
        break;
    }
  }
  for (const auto& [seq, queue] : s.queues_.in_order()) s.ApplyDistributionPolicy(*queue);
  for (const auto& [seq, worker] : s.workers_.in_order()) s.LinkWorker(*worker, true);
  for (const auto& [seq, job] : s.jobs_.in_order()) RelinkJob(s, *job);
  for (const auto& [seq, worker] : s.workers_.in_order()) s.IndexWorker(*worker);
  s.jobs_to_match_.clear();  // the stored state was already matched
  s.workers_to_match_.clear();
  return Ok{};
}

}  // namespace sb::core
