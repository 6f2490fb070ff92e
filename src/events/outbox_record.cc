#include "events/outbox_record.h"

#include <boost/json.hpp>

#include <random>

#include "events/json_writer.h"
#include "events/payloads.h"

namespace sb::events {
namespace {

std::uint64_t Entropy() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

std::string StringField(const boost::json::object& object, std::string_view key) {
  const boost::json::value* v = object.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

EventIdSource::EventIdSource() : random_(Entropy()) {}
EventIdSource::EventIdSource(std::uint64_t seed) : random_(seed) {}

OutboxRecord MakeOutboxRecord(const core::Event& event, std::string id) {
  OutboxRecord record;
  record.id = std::move(id);
  record.type = event.type;
  record.time = event.at;
  record.subject = EventSubject(event);
  record.job_id = event.job_id;
  record.worker_id = event.worker_id;
  record.queue_id = event.queue_id;
  record.data = EventData(event);
  return record;
}

std::string EncodeOutboxRecord(const OutboxRecord& r) {
  std::string out;
  out.reserve(r.data.size() + 256);
  JsonWriter w(out);
  w.BeginObject().Field("id", r.id).Field("type", core::EventTypeName(r.type));
  w.Key("time").Int(r.time.unix_micros());
  w.Field("subject", r.subject);
  if (!r.job_id.empty()) w.Field("jobId", r.job_id);
  if (!r.worker_id.empty()) w.Field("workerId", r.worker_id);
  if (!r.queue_id.empty()) w.Field("queueId", r.queue_id);
  w.EndObject();
  out += '\n';  // a JSON header never holds a raw newline
  out += r.data;
  return out;
}

Result<OutboxRecord> DecodeOutboxRecord(std::string_view encoded) {
  const std::size_t newline = encoded.find('\n');
  if (newline == std::string_view::npos) return Error::Internal("outbox: a record without data");
  boost::system::error_code ec;
  const boost::json::value header = boost::json::parse(encoded.substr(0, newline), ec);
  if (ec || !header.is_object()) return Error::Internal("outbox: an unreadable record header");
  const boost::json::object& h = header.get_object();
  OutboxRecord r;
  if (!ParseEventType(StringField(h, "type"), r.type)) {
    return Error::Internal("outbox: a record of unknown type");
  }
  const boost::json::value* time = h.if_contains("time");
  if (!time || !time->is_int64()) return Error::Internal("outbox: a record without a time");
  r.time = Timestamp::FromUnixMicros(time->get_int64());
  r.id = StringField(h, "id");
  r.subject = StringField(h, "subject");
  r.job_id = StringField(h, "jobId");
  r.worker_id = StringField(h, "workerId");
  r.queue_id = StringField(h, "queueId");
  r.data = std::string(encoded.substr(newline + 1));
  return r;
}

store::OutboxEntry ToOutboxEntry(const core::Event& event, EventIdSource& ids) {
  return {EncodeOutboxRecord(MakeOutboxRecord(event, ids.Next())), event.at};
}

}  // namespace sb::events
