#include "outbound/address_guard.h"

#include <charconv>

namespace sb::outbound {
namespace {

namespace ip = boost::asio::ip;

struct Range {
  const char* cidr;
  const char* kind;
};

// Checked in order; the first match names the kind.
constexpr Range kV4Ranges[] = {
    {"169.254.169.254/32", "cloud metadata"},
    {"168.63.129.16/32", "cloud metadata (Azure platform)"},
    {"0.0.0.0/8", "unspecified"},
    {"127.0.0.0/8", "loopback"},
    {"10.0.0.0/8", "private (RFC 1918)"},
    {"172.16.0.0/12", "private (RFC 1918)"},
    {"192.168.0.0/16", "private (RFC 1918)"},
    {"169.254.0.0/16", "link-local"},
    {"100.64.0.0/10", "shared address space (RFC 6598)"},
    {"192.0.0.0/24", "reserved (IETF protocol assignments)"},
    {"192.0.2.0/24", "reserved (documentation)"},
    {"198.51.100.0/24", "reserved (documentation)"},
    {"203.0.113.0/24", "reserved (documentation)"},
    {"198.18.0.0/15", "reserved (benchmarking)"},
    {"224.0.0.0/4", "multicast"},
    {"240.0.0.0/4", "reserved (incl. broadcast)"},
};

constexpr Range kV6Ranges[] = {
    {"::/128", "unspecified"},
    {"::1/128", "loopback"},
    {"fd00:ec2::254/128", "cloud metadata"},
    {"fc00::/7", "private (unique local)"},
    {"fec0::/10", "private (site-local)"},
    {"fe80::/10", "link-local"},
    {"ff00::/8", "multicast"},
    {"100::/64", "reserved (discard)"},
    {"2001:db8::/32", "reserved (documentation)"},
    {"2001::/32", "reserved (Teredo)"},
};

std::array<unsigned char, 16> BytesOf(const ip::address& address) {
  std::array<unsigned char, 16> out{};
  if (address.is_v4()) {
    const auto b = address.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.begin());
  } else {
    const auto b = address.to_v6().to_bytes();
    std::copy(b.begin(), b.end(), out.begin());
  }
  return out;
}

// The IPv4 address an IPv6 address carries, if it is of a form that embeds one.
std::optional<ip::address_v4> EmbeddedV4(const ip::address_v6& v6) {
  const auto b = v6.to_bytes();
  auto v4_at = [&](std::size_t offset) {
    return ip::address_v4(
        ip::address_v4::bytes_type{b[offset], b[offset + 1], b[offset + 2], b[offset + 3]});
  };
  if (v6.is_v4_mapped()) return v4_at(12);
  auto zero = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      if (b[i] != 0) return false;
    }
    return true;
  };
  const bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && zero(4, 12);
  if (nat64) return v4_at(12);
  if (b[0] == 0x20 && b[1] == 0x02) return v4_at(2);                                    // 6to4
  if (zero(0, 12) && !zero(12, 16) && !(zero(12, 15) && b[15] == 1)) return v4_at(12);  // compat
  return std::nullopt;
}

const std::vector<std::pair<Cidr, const char*>>& Table(bool v6) {
  static const auto build = [](bool six) {
    std::vector<std::pair<Cidr, const char*>> out;
    auto add = [&](const Range& r) { out.emplace_back(ParseCidr(r.cidr).value(), r.kind); };
    if (six) {
      for (const Range& r : kV6Ranges) add(r);
    } else {
      for (const Range& r : kV4Ranges) add(r);
    }
    return out;
  };
  static const auto v4_table = build(false);
  static const auto v6_table = build(true);
  return v6 ? v6_table : v4_table;
}

}  // namespace

bool Cidr::Contains(const ip::address& address) const {
  if (address.is_v6() != v6) return false;
  const auto b = BytesOf(address);
  unsigned bits = prefix_bits;
  for (std::size_t i = 0; bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0) {
    const unsigned take = bits >= 8 ? 8 : bits;
    const auto mask = static_cast<unsigned char>(0xff << (8 - take));
    if ((b[i] & mask) != (bytes[i] & mask)) return false;
  }
  return true;
}

std::string Cidr::ToString() const {
  ip::address address;
  if (v6) {
    ip::address_v6::bytes_type b{};
    std::copy(bytes.begin(), bytes.end(), b.begin());
    address = ip::address_v6(b);
  } else {
    address = ip::address_v4(ip::address_v4::bytes_type{bytes[0], bytes[1], bytes[2], bytes[3]});
  }
  return address.to_string() + "/" + std::to_string(prefix_bits);
}

Result<Cidr> ParseCidr(std::string_view text) {
  const std::size_t slash = text.find('/');
  boost::system::error_code ec;
  const ip::address address = ip::make_address(std::string(text.substr(0, slash)), ec);
  if (ec) return Error::InvalidArgument("'" + std::string(text) + "' is not an address or CIDR");
  Cidr cidr;
  cidr.v6 = address.is_v6();
  cidr.bytes = BytesOf(address);
  const unsigned max_bits = cidr.v6 ? 128 : 32;
  cidr.prefix_bits = max_bits;
  if (slash != std::string_view::npos) {
    const std::string_view bits = text.substr(slash + 1);
    auto [end, err] = std::from_chars(bits.data(), bits.data() + bits.size(), cidr.prefix_bits);
    if (err != std::errc() || end != bits.data() + bits.size() || bits.empty() ||
        cidr.prefix_bits > max_bits) {
      return Error::InvalidArgument("'" + std::string(text) + "' has an invalid prefix length");
    }
  }
  return cidr;
}

std::optional<std::string> InternalAddressKind(const ip::address& address) {
  if (address.is_v6()) {
    if (auto v4 = EmbeddedV4(address.to_v6())) return InternalAddressKind(ip::address(*v4));
  }
  for (const auto& [cidr, kind] : Table(address.is_v6())) {
    if (cidr.Contains(address)) return std::string(kind);
  }
  return std::nullopt;
}

Result<AddressGuard> AddressGuard::FromAllowList(std::string_view list) {
  std::vector<Cidr> allow;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    auto cidr = ParseCidr(item);
    if (!cidr) return std::move(cidr).error();
    allow.push_back(*cidr);
  }
  return AddressGuard(std::move(allow));
}

std::optional<std::string> AddressGuard::Refusal(const ip::address& address) const {
  auto kind = InternalAddressKind(address);
  if (!kind) return std::nullopt;
  for (const Cidr& cidr : allow_) {
    if (cidr.Contains(address)) return std::nullopt;
    if (address.is_v6() && address.to_v6().is_v4_mapped() &&
        cidr.Contains(ip::make_address_v4(ip::v4_mapped, address.to_v6()))) {
      return std::nullopt;
    }
  }
  return address.to_string() + " is " + *kind;
}

}  // namespace sb::outbound
