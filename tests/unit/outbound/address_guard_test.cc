// The internal-address guard and endpoint URLs.
#include <gtest/gtest.h>

#include "outbound/address_guard.h"
#include "outbound/endpoint.h"

namespace sb::outbound {
namespace {

namespace ip = boost::asio::ip;

std::optional<std::string> Kind(const char* address) {
  return InternalAddressKind(ip::make_address(address));
}

TEST(AddressGuardTest, InternalAddresses) {
  const char* internal[] = {
      "127.0.0.1",
      "127.255.0.9",
      "0.0.0.0",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.1.1",
      "169.254.169.254",
      "168.63.129.16",
      "100.64.0.1",
      "100.100.100.200",
      "224.0.0.1",
      "255.255.255.255",
      "192.0.2.1",
      "198.18.0.1",
      "::",
      "::1",
      "fe80::1",
      "fc00::1",
      "fd00:ec2::254",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
      "64:ff9b::a9fe:a9fe",
      "2002:7f00:1::",
      "::127.0.0.1",
      "fec0::1",
  };
  for (const char* address : internal) EXPECT_TRUE(Kind(address).has_value()) << address;
  const char* external[] = {"8.8.8.8",        "1.1.1.1",          "172.32.0.1",
                            "192.169.0.1",    "100.128.0.1",      "2606:4700:4700::1111",
                            "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::"};
  for (const char* address : external) EXPECT_FALSE(Kind(address).has_value()) << address;
  EXPECT_EQ(*Kind("169.254.169.254"), "cloud metadata");
  EXPECT_EQ(*Kind("127.0.0.1"), "loopback");
  EXPECT_EQ(*Kind("10.0.0.1"), "private (RFC 1918)");
  EXPECT_EQ(*Kind("fd12::1"), "private (unique local)");
}

TEST(AddressGuardTest, AllowList) {
  AddressGuard none;
  EXPECT_TRUE(none.Refusal(ip::make_address("127.0.0.1")).has_value());
  EXPECT_EQ(*none.Refusal(ip::make_address("127.0.0.1")), "127.0.0.1 is loopback");
  EXPECT_TRUE(none.Allows(ip::make_address("8.8.8.8")));

  auto guard = AddressGuard::FromAllowList("127.0.0.1/32, 10.0.0.0/8,fd00::/8");
  ASSERT_TRUE(guard.ok());
  EXPECT_TRUE(guard->Allows(ip::make_address("127.0.0.1")));
  EXPECT_FALSE(guard->Allows(ip::make_address("127.0.0.2")));
  EXPECT_TRUE(guard->Allows(ip::make_address("10.200.0.1")));
  EXPECT_TRUE(guard->Allows(ip::make_address("::ffff:127.0.0.1")));
  EXPECT_TRUE(guard->Allows(ip::make_address("fd00:ec2::254")));
  EXPECT_FALSE(guard->Allows(ip::make_address("::1")));
  EXPECT_FALSE(guard->Allows(ip::make_address("169.254.169.254")));
}

TEST(AddressGuardTest, ParsesCidrs) {
  EXPECT_EQ(ParseCidr("10.0.0.0/8")->ToString(), "10.0.0.0/8");
  EXPECT_EQ(ParseCidr("::1")->ToString(), "::1/128");
  EXPECT_EQ(ParseCidr("1.2.3.4")->prefix_bits, 32u);
  EXPECT_TRUE(ParseCidr("10.0.0.0/12")->Contains(ip::make_address("10.15.255.255")));
  EXPECT_FALSE(ParseCidr("10.0.0.0/12")->Contains(ip::make_address("10.16.0.0")));
  EXPECT_TRUE(ParseCidr("0.0.0.0/0")->Contains(ip::make_address("8.8.8.8")));
  EXPECT_FALSE(ParseCidr("0.0.0.0/0")->Contains(ip::make_address("::1")));
  for (const char* bad : {"", "10.0.0.0/33", "::/129", "host/8", "10.0.0.0/", "10.0.0.0/x"}) {
    EXPECT_FALSE(ParseCidr(bad).ok()) << bad;
  }
  EXPECT_FALSE(AddressGuard::FromAllowList("127.0.0.1/32,nope").ok());
  EXPECT_TRUE(AddressGuard::FromAllowList("").ok());
}

TEST(EndpointTest, Parses) {
  auto e = ParseEndpoint("https://hooks.example.com/api/events?code=a%20b");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->host, "hooks.example.com");
  EXPECT_EQ(e->port, 443);
  EXPECT_EQ(e->target, "/api/events?code=a%20b");
  EXPECT_EQ(e->host_header, "hooks.example.com");
  e = ParseEndpoint("http://[::1]:8080");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 8080);
  EXPECT_EQ(e->target, "/");
  EXPECT_EQ(e->host_header, "[::1]:8080");
  for (const char* bad : {"", "ftp://x/", "/relative", "http://", "http://user:pw@host/",
                          "http://host:0/", "http://host:70000/", "not a url"}) {
    EXPECT_FALSE(ParseEndpoint(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseEndpoint("http://h/" + std::string(3000, 'a')).ok());
}

}  // namespace
}  // namespace sb::outbound
