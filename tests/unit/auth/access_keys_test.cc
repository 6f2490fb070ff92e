#include "auth/access_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "auth/crypto.h"

namespace sb::auth {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "sb-auth-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST(AccessKeyTest, AcceptsBase64OfEnoughBytes) {
  const std::string text = Base64Encode(std::string(32, 'k'));
  auto key = AccessKey::FromBase64(text, "--access-key");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->secret(), std::string(32, 'k'));
  EXPECT_EQ(key->base64(), text);
  // Azure's own keys are 64 bytes.
  EXPECT_TRUE(AccessKey::FromBase64(Base64Encode(std::string(64, 'x')), "k").ok());
}

TEST(AccessKeyTest, RefusesWeakOrMalformedKeysWithoutQuotingThem) {
  for (const std::string& bad :
       {std::string("secret"), std::string("password1234"), Base64Encode(std::string(15, 'k')),
        std::string(""), Base64Encode(std::string(32, 'k')) + "\n"}) {
    auto key = AccessKey::FromBase64(bad, "--access-key");
    ASSERT_FALSE(key.ok()) << bad;
    EXPECT_EQ(key.error().message.find("--access-key"), 0u);
    if (!bad.empty()) {
      EXPECT_EQ(key.error().message.find(bad), std::string::npos);
    }
  }
}

TEST(AccessKeyTest, GeneratedKeysAre32RandomBytes) {
  const AccessKey a = AccessKey::Generate(), b = AccessKey::Generate();
  EXPECT_EQ(a.secret().size(), 32u);
  EXPECT_EQ(Base64Decode(a.base64()), a.secret());
  EXPECT_NE(a.secret(), b.secret());
}

TEST(AccessKeyTest, KeyFileRoundTrips) {
  const AccessKeys keys{AccessKey::Generate(), AccessKey::Generate()};
  auto parsed = ParseKeyFile(FormatKeyFile(keys));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->primary.base64(), keys.primary.base64());
  EXPECT_EQ(parsed->secondary->base64(), keys.secondary->base64());
  auto primary_only = ParseKeyFile("# comment\n\n  primary = " + keys.primary.base64() + "  \r\n");
  ASSERT_TRUE(primary_only.ok()) << primary_only.error().message;
  EXPECT_FALSE(primary_only->secondary.has_value());
}

TEST(AccessKeyTest, KeyFileErrorsNameTheLine) {
  const std::string key = AccessKey::Generate().base64();
  EXPECT_EQ(ParseKeyFile("").error().message, "no primary key");
  EXPECT_EQ(ParseKeyFile("secondary=" + key).error().message, "no primary key");
  EXPECT_EQ(ParseKeyFile("primary=" + key + "\nprimary=" + key).error().message,
            "line 2: primary is given twice");
  EXPECT_EQ(ParseKeyFile("tertiary=" + key).error().message,
            "line 1: expected primary=BASE64 or secondary=BASE64");
  EXPECT_EQ(ParseKeyFile("primary=nope").error().message.find("line 1 (primary)"), 0u);
}

TEST_F(KeyFileTest, CreatedOnceWithModeOwnerOnly) {
  const std::string path = (dir_ / "access-keys").string();
  bool created = false;
  auto first = LoadOrCreateKeyFile(path, created);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(created);
  ASSERT_TRUE(first->secondary.has_value());
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(path + ".tmp"));
  EXPECT_NE(ReadFile(path).find("primary=" + first->primary.base64() + "\n"), std::string::npos);

  auto second = LoadOrCreateKeyFile(path, created);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_FALSE(created);
  EXPECT_EQ(second->primary.base64(), first->primary.base64());
  EXPECT_EQ(second->secondary->base64(), first->secondary->base64());
}

TEST_F(KeyFileTest, RefusesAFileOthersCanRead) {
  const std::string path = (dir_ / "access-keys").string();
  std::ofstream(path) << "primary=" << AccessKey::Generate().base64() << "\n";
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  bool created = false;
  auto keys = LoadOrCreateKeyFile(path, created);
  ASSERT_FALSE(keys.ok());
  EXPECT_NE(keys.error().message.find("chmod 600"), std::string::npos);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  EXPECT_TRUE(LoadOrCreateKeyFile(path, created).ok());
}

TEST_F(KeyFileTest, RefusesASymlinkAndReportsBadContent) {
  const std::string target = (dir_ / "elsewhere").string();
  const std::string path = (dir_ / "access-keys").string();
  std::ofstream(target) << "primary=" << AccessKey::Generate().base64() << "\n";
  ASSERT_EQ(::chmod(target.c_str(), 0600), 0);
  fs::create_symlink(target, path);
  bool created = false;
  EXPECT_FALSE(LoadOrCreateKeyFile(path, created).ok());
  fs::remove(path);
  std::ofstream(path) << "primary=short\n";
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  auto keys = LoadOrCreateKeyFile(path, created);
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().message.find(path + ": line 1"), 0u);
}

TEST_F(KeyFileTest, MissingDirectoryIsAnError) {
  bool created = false;
  EXPECT_FALSE(LoadOrCreateKeyFile((dir_ / "no" / "access-keys").string(), created).ok());
}

}  // namespace
}  // namespace sb::auth
