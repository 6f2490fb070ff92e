#include "api/paging.h"

#include <gtest/gtest.h>

namespace sb::api {
namespace {

TEST(PagingTest, TokensRoundTrip) {
  Continuation c;
  c.after = 123456789012ULL;
  c.page_size = 7;
  c.filters = {{"status", "active"}, {"queueId", "a b/c"}};
  auto decoded = DecodeContinuation(EncodeContinuation(c));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->after, c.after);
  EXPECT_EQ(decoded->page_size, 7u);
  EXPECT_EQ(decoded->filters, c.filters);
}

TEST(PagingTest, TokensAreUrlSafe) {
  Continuation c;
  c.filters = {{"queueId", std::string(50, '\xff')}};
  for (const char ch : EncodeContinuation(c)) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') << ch;
  }
}

TEST(PagingTest, RejectsForeignTokens) {
  EXPECT_FALSE(DecodeContinuation("not a token!").ok());
  EXPECT_FALSE(DecodeContinuation("e30").ok());  // "{}"
  EXPECT_FALSE(DecodeContinuation(std::string(5000, 'A')).ok());
  Continuation c;
  c.page_size = 5000;  // out of range once decoded
  EXPECT_FALSE(DecodeContinuation(EncodeContinuation(c)).ok());
}

TEST(PagingTest, EncodesQueryValues) {
  EXPECT_EQ(EncodeQueryValue("2023-11-01"), "2023-11-01");
  EXPECT_EQ(EncodeQueryValue("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
}

}  // namespace
}  // namespace sb::api
