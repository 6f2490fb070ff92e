#include "auth/gate.h"

#include <boost/asio/ip/address.hpp>

#include <utility>

namespace sb::auth {
namespace {

constexpr std::size_t kKeySlots = 2;

std::string SlotName(KeySlot slot) { return slot == KeySlot::kPrimary ? "primary" : "secondary"; }

Refusal TooMany(std::string message, Duration retry_after, std::string reason) {
  return Refusal{429, std::move(message), retry_after, std::move(reason)};
}

}  // namespace

std::string AddressKey(std::string_view remote_address) {
  std::string_view host = remote_address.substr(0, remote_address.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  if (ec) return std::string(host);
  if (address.is_v4()) return address.to_string();
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string();
  }
  auto bytes = v6.to_bytes();
  for (std::size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

Gate::Gate(GateOptions options)
    : options_(std::move(options)),
      per_key_(options_.per_key, kKeySlots),
      failures_by_address_(options_.auth_failures_per_address, options_.max_tracked_addresses) {}

std::optional<Refusal> Gate::Check(const http::Request& request, Timestamp now) {
  if (IsAnonymous(request) || !options_.keys) return std::nullopt;
  const std::string address = AddressKey(request.remote_address);
  if (const Admission a = failures_by_address_.Peek(address, now); !a.allowed) {
    return TooMany("Too many requests that failed authentication from this address.", a.retry_after,
                   "failed-authentication limit of " + address);
  }
  auto slot = Authenticate(request, *options_.keys, now, options_.hmac);
  if (!slot) {
    std::string reason = slot.error().message + " (from " + address + ")";
    if (const Admission a = failures_by_address_.Take(address, now); !a.allowed) {
      return TooMany("Too many requests that failed authentication from this address.",
                     a.retry_after, std::move(reason));
    }
    return Refusal{401, std::string(kUnauthorizedMessage), std::nullopt, std::move(reason)};
  }
  const std::string name = SlotName(*slot);
  if (const Admission a = per_key_.Take(name, now); !a.allowed) {
    return TooMany("Too many requests for this access key.", a.retry_after,
                   "rate limit of the " + name + " key");
  }
  return std::nullopt;
}

}  // namespace sb::auth
