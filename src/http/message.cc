#include "http/message.h"

#include <atomic>
#include <utility>

#include "base/assert.h"

namespace sb::http {
namespace {

constexpr char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

std::string_view Request::header(std::string_view name) const {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

bool Request::has_header(std::string_view name) const {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return true;
  }
  return false;
}

// Shared by all copies of one Responder; its destructor runs when the last copy goes.
class Responder::State {
 public:
  explicit State(std::shared_ptr<ResponseSink> sink) : sink_(std::move(sink)) {
    SB_ASSERT(sink_ != nullptr);
  }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (!invoked_.load(std::memory_order_acquire)) sink_->Abandon();
  }

  void Invoke(Response response) {
    const bool was_invoked = invoked_.exchange(true, std::memory_order_acq_rel);
    SB_ASSERT_MSG(!was_invoked, "a Responder was invoked twice");
    sink_->Deliver(std::move(response));
  }

 private:
  std::shared_ptr<ResponseSink> sink_;
  std::atomic<bool> invoked_{false};
};

Responder::Responder(std::shared_ptr<ResponseSink> sink)
    : state_(std::make_shared<State>(std::move(sink))) {}

void Responder::operator()(Response response) const {
  SB_ASSERT_MSG(state_ != nullptr, "a moved-from Responder was invoked");
  state_->Invoke(std::move(response));
}

}  // namespace sb::http
