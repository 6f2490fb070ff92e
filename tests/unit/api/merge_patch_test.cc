#include "api/merge_patch.h"

#include <gtest/gtest.h>

namespace sb::api {
namespace {

json::value Parse(std::string_view text) { return *ParseJson(text); }

std::string Merge(std::string_view target, std::string_view patch) {
  json::value t = Parse(target);
  ApplyMergePatch(t, Parse(patch));
  return Serialize(t);
}

// The examples of RFC 7396, appendix A.
TEST(MergePatchTest, Rfc7396Examples) {
  EXPECT_EQ(Merge(R"({"a":"b"})", R"({"a":"c"})"), R"({"a":"c"})");
  EXPECT_EQ(Merge(R"({"a":"b"})", R"({"b":"c"})"), R"({"a":"b","b":"c"})");
  EXPECT_EQ(Merge(R"({"a":"b"})", R"({"a":null})"), R"({})");
  EXPECT_EQ(Merge(R"({"a":"b","b":"c"})", R"({"a":null})"), R"({"b":"c"})");
  EXPECT_EQ(Merge(R"({"a":["b"]})", R"({"a":"c"})"), R"({"a":"c"})");
  EXPECT_EQ(Merge(R"({"a":"c"})", R"({"a":["b"]})"), R"({"a":["b"]})");
  EXPECT_EQ(Merge(R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})"), R"({"a":{"b":"d"}})");
  EXPECT_EQ(Merge(R"({"a":[{"b":"c"}]})", R"({"a":[1]})"), R"({"a":[1]})");
  EXPECT_EQ(Merge(R"(["a","b"])", R"(["c","d"])"), R"(["c","d"])");
  EXPECT_EQ(Merge(R"({"a":"b"})", R"(["c"])"), R"(["c"])");
  EXPECT_EQ(Merge(R"({"a":"foo"})", "null"), "null");
  EXPECT_EQ(Merge(R"({"e":null})", R"({"a":1})"), R"({"e":null,"a":1})");
  EXPECT_EQ(Merge(R"([1,2])", R"({"a":"b","c":null})"), R"({"a":"b"})");
  EXPECT_EQ(Merge(R"({})", R"({"a":{"bb":{"ccc":null}}})"), R"({"a":{"bb":{}}})");
}

TEST(MergePatchTest, NormalizesPropertyNamesButNotLabelKeys) {
  json::value v = Parse(R"({"ChannelReference":null,"LABELS":{"Skill":1,"skill":2},
                            "RequestedWorkerSelectors":[{"Key":"k","LabelOperator":"equal"}],
                            "unknownThing":1})");
  NormalizePropertyNames(v);
  EXPECT_EQ(Serialize(v),
            R"({"channelReference":null,"labels":{"Skill":1,"skill":2},)"
            R"("requestedWorkerSelectors":[{"key":"k","labelOperator":"equal"}],"unknownThing":1})");
}

}  // namespace
}  // namespace sb::api
