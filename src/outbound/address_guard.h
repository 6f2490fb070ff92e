// The internal-address guard for outbound calls (webhook deliveries here; the rules engine's
// function and webhook rules may use it too). An endpoint's host is resolved and each address
// is checked before a connection is opened to it, so a name that resolves to an internal
// address (DNS rebinding included) is refused just like a literal one. Refused unless an
// allow-list entry covers them: loopback, unspecified, private (RFC 1918, IPv6 ULA and
// site-local), link-local, shared address space (RFC 6598), cloud metadata addresses
// (169.254.169.254, 168.63.129.16, fd00:ec2::254 - covered by the ranges above or listed),
// multicast, broadcast and reserved ranges, documentation and benchmarking ranges; IPv6 forms
// that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by that address.
// Values; thread-safe for reading.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace sb::outbound {

// An address range, v4 or v6.
struct Cidr {
  std::array<unsigned char, 16> bytes{};
  bool v6 = false;
  unsigned prefix_bits = 0;

  bool Contains(const boost::asio::ip::address& address) const;
  std::string ToString() const;
};

// "10.0.0.0/8", "::1/128", or a bare address (a single host).
Result<Cidr> ParseCidr(std::string_view text);

// Why `address` is internal ("loopback", "private (RFC 1918)", "cloud metadata", ...), or
// nullopt for a public address.
std::optional<std::string> InternalAddressKind(const boost::asio::ip::address& address);

class AddressGuard {
 public:
  AddressGuard() = default;  // refuses every internal address
  explicit AddressGuard(std::vector<Cidr> allow) : allow_(std::move(allow)) {}
  // A comma-separated list of CIDRs ("" allows nothing extra).
  static Result<AddressGuard> FromAllowList(std::string_view list);

  // nullopt when a connection to `address` is allowed; otherwise why not.
  std::optional<std::string> Refusal(const boost::asio::ip::address& address) const;
  bool Allows(const boost::asio::ip::address& address) const { return !Refusal(address); }
  const std::vector<Cidr>& allow_list() const { return allow_; }

 private:
  std::vector<Cidr> allow_;
};

}  // namespace sb::outbound
