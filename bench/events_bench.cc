// Events delivered per second to a local webhook: a Dispatcher over a store holding N
// committed events (SB_EVENTS_BENCH_EVENTS, default 20,000) delivers them to an in-process
// receiver (the project's HTTP server answering 200 on another thread) over keep-alive
// loopback connections. Runs the memory store and the SQLite store (delivery progress fsync'd),
// each with 16 and 64 attempts in flight, and prints events/s and the time from the first
// commit to the last delivery. The receiver shares the machine's cores with the dispatcher, so
// the figure is for both ends together. Prints figures; asserts nothing.
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include "base/log.h"
#include "events/dispatcher.h"
#include "events/outbox_record.h"
#include "http/server.h"

namespace {

using namespace sb;
using Clock = std::chrono::steady_clock;

Timestamp Now() {
  return Timestamp::FromUnixMicros(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
}

// A webhook that answers every handshake and delivery at once.
class Receiver {
 public:
  Receiver() {
    http::ServerOptions options;
    server_ = std::make_unique<http::Server>(
        io_, options,
        [this](http::Request request, http::Responder respond) {
          http::Response response;
          if (request.header("aeg-event-type") == "SubscriptionValidation") {
            const std::string body = request.body;
            const std::size_t at = body.find("\"validationCode\":\"") + 18;
            response.body = "{\"validationResponse\":\"" + body.substr(at, 36) + "\"}";
          } else {
            ++received_;
          }
          respond(std::move(response));
        },
        [](unsigned status, std::string_view) {
          http::Response r;
          r.status = status;
          return r;
        });
    address_ = server_->Start().value();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~Receiver() {
    server_->Stop();
    thread_.join();
  }
  std::string url() const { return "http://" + address_ + "/hook"; }
  std::uint64_t received() const { return received_.load(); }

 private:
  boost::asio::io_context io_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  std::string address_;
  std::atomic<std::uint64_t> received_{0};
};

void Run(const char* store_name, store::Store& store, std::size_t in_flight, int events) {
  Receiver receiver;
  events::DispatcherOptions options;
  options.topic = "/bench";
  options.max_in_flight_per_subscription = in_flight;
  options.client.guard = outbound::AddressGuard::FromAllowList("127.0.0.1/32").value();
  auto dispatcher = events::Dispatcher::Create(store.events(), options).value();
  if (!dispatcher->Start().ok()) std::abort();
  events::SubscriptionSpec spec;
  spec.id = "bench";
  spec.endpoint_url = receiver.url();
  if (!dispatcher->Call([&] { return dispatcher->PutSubscription(spec); }).ok()) std::abort();
  while (dispatcher->Call([&] {
    return dispatcher->GetSubscription("bench")->subscription.validation;
  }) != events::ValidationState::kValidated) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  events::EventIdSource ids;
  core::Event event;
  event.type = core::EventType::kJobQueued;
  auto job = std::make_shared<core::EventJob>();
  job->channel_id = "voice";
  job->labels = {{"Language", Value("en")}, {"Skill", Value(11)}};
  event.job = job;
  event.queue_id = "queue-1";
  const auto started = Clock::now();
  for (int done = 0; done < events;) {  // committed in batches of 100, as group commit would
    store::Batch batch;
    for (int i = 0; i < 100 && done < events; ++i, ++done) {
      event.job_id = "job-" + std::to_string(done);
      event.at = Now();
      batch.events.push_back(events::ToOutboxEntry(event, ids));
    }
    if (!store.Commit(batch).ok()) std::abort();
    dispatcher->Notify();
  }
  const auto committed = Clock::now();
  while (receiver.received() < static_cast<std::uint64_t>(events)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const auto delivered = Clock::now();
  dispatcher->Stop();
  const double seconds = std::chrono::duration<double>(delivered - started).count();
  std::printf("%-7s in flight %3zu: %6d events in %6.3f s = %8.0f events/s (commits took %.3f s)\n",
              store_name, in_flight, events, seconds, events / seconds,
              std::chrono::duration<double>(committed - started).count());
}

// The engine thread's share: turning one event into its outbox entry (payload, subject, id).
void MeasureEncoding() {
  core::Event event;
  event.type = core::EventType::kWorkerOfferIssued;
  auto job = std::make_shared<core::EventJob>();
  job->id = "job-1";
  job->channel_id = "voice";
  job->labels = {{"Language", Value("en")}, {"Skill", Value(11)}, {"Vip", Value(true)}};
  job->tags = {{"Source", Value("web")}};
  auto worker = std::make_shared<core::EventWorker>();
  worker->id = "worker-1";
  worker->labels = {{"Id", Value("worker-1")}, {"Skill", Value(12)}};
  event.job = job;
  event.worker = worker;
  event.job_id = "job-1";
  event.worker_id = "worker-1";
  event.queue_id = "queue-1";
  event.offer_id = "0b9d1c2e-6f1a-4c55-9a53-2d0c6f3f2a10";
  event.at = Now();
  event.offered_at = event.at;
  event.expires_at = event.at + Duration::Seconds(60);
  events::EventIdSource ids;
  constexpr int kRounds = 200'000;
  std::size_t bytes = 0;
  const auto started = Clock::now();
  for (int i = 0; i < kRounds; ++i) bytes += events::ToOutboxEntry(event, ids).data.size();
  const double us = std::chrono::duration<double, std::micro>(Clock::now() - started).count();
  std::printf("outbox entry for a RouterWorkerOfferIssued: %.2f us each (%zu bytes)\n",
              us / kRounds, bytes / kRounds);
}

}  // namespace

int main() {
  sb::SetLogLevel(sb::LogLevel::kWarn);
  const char* count = std::getenv("SB_EVENTS_BENCH_EVENTS");
  const int events = count ? std::atoi(count) : 20000;
  MeasureEncoding();
  for (std::size_t in_flight : {16, 64}) {
    auto memory = sb::store::NewMemoryStore();
    Run("memory", *memory, in_flight, events);
    std::random_device entropy;
    const auto dir = std::filesystem::temp_directory_path() /
                     ("switchboard-events-bench-" + std::to_string(entropy()));
    {
      auto sqlite = sb::store::OpenSqliteStore(dir.string()).value();
      Run("sqlite", *sqlite, in_flight, events);
    }
    std::filesystem::remove_all(dir);
  }
}
