#include "auth/access_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "auth/crypto.h"

namespace sb::auth {
namespace {

constexpr std::size_t kMaxKeyFileBytes = std::size_t{64} * 1024;

constexpr std::string_view kKeyFileHeader =
    "# Switchboard access keys. Clients sign every request with one of them (HMAC-SHA256, as\n"
    "# the Azure SDKs do): connection string endpoint=http(s)://HOST:PORT/;accesskey=<key>.\n"
    "# Keep this file secret (mode 0600). To rotate: put the new key in `primary`, keep the old\n"
    "# one in `secondary` until every client has moved, then restart the server.\n";

Error FileError(const std::string& what, const std::string& path) {
  return Error::Internal(what + " " + path + ": " + std::strerror(errno));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Directory(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error::Internal(std::string("write failed: ") + std::strerror(errno));
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return Ok{};
}

// Creates `path` with `text`, mode 0600, so that it either exists complete or not at all.
Status WriteKeyFile(const std::string& path, std::string_view text) {
  const std::string temporary = path + ".tmp";
  ::unlink(temporary.c_str());  // a leftover of a crash; O_EXCL below refuses anything else
  const int fd =
      ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return FileError("cannot create", temporary);
  Status written = WriteAll(fd, text);
  if (written && ::fsync(fd) != 0) written = FileError("cannot sync", temporary);
  if (::close(fd) != 0 && written) written = FileError("cannot close", temporary);
  if (written && ::rename(temporary.c_str(), path.c_str()) != 0) {
    written = FileError("cannot rename to", path);
  }
  if (!written) {
    ::unlink(temporary.c_str());
    return written;
  }
  const std::string directory = Directory(path);
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return FileError("cannot open", directory);
  const int synced = ::fsync(dir_fd);
  ::close(dir_fd);
  if (synced != 0) return FileError("cannot sync", directory);
  return Ok{};
}

// The file's text, or an error if it is not private to this user. nullopt when it is absent.
Result<std::optional<std::string>> ReadPrivateFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return FileError("cannot open", path);
  }
  struct stat info {};
  std::string text;
  Status status = Ok{};
  if (::fstat(fd, &info) != 0) {
    status = FileError("cannot stat", path);
  } else if (!S_ISREG(info.st_mode) || info.st_uid != ::geteuid()) {
    status = Error::InvalidArgument(path + " must be a regular file owned by this user");
  } else if ((info.st_mode & 077) != 0) {
    status = Error::InvalidArgument(path + " is accessible to group or others; it holds secret " +
                                    "keys: chmod 600 " + path);
  } else if (static_cast<std::size_t>(info.st_size) > kMaxKeyFileBytes) {
    status = Error::InvalidArgument(path + " is too large to be a key file");
  } else {
    text.resize(static_cast<std::size_t>(info.st_size));
    std::size_t have = 0;
    while (have < text.size()) {
      const ssize_t n = ::read(fd, text.data() + have, text.size() - have);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      have += static_cast<std::size_t>(n);
    }
    if (have != text.size()) status = FileError("cannot read", path);
  }
  ::close(fd);
  if (!status) return std::move(status).error();
  return std::optional<std::string>(std::move(text));
}

}  // namespace

Result<AccessKey> AccessKey::FromBase64(std::string_view text, std::string_view what) {
  std::optional<std::string> secret = Base64Decode(text);
  if (!secret || secret->size() < kMinAccessKeyBytes) {
    return Error::InvalidArgument(std::string(what) + " must be standard base64 of at least " +
                                  std::to_string(kMinAccessKeyBytes) +
                                  " random bytes (for example: openssl rand -base64 32)");
  }
  return AccessKey(std::move(*secret), std::string(text));
}

AccessKey AccessKey::Generate() {
  std::string secret = RandomBytes(kGeneratedAccessKeyBytes);
  std::string text = Base64Encode(secret);
  return AccessKey(std::move(secret), std::move(text));
}

std::string FormatKeyFile(const AccessKeys& keys) {
  std::string text(kKeyFileHeader);
  text += "primary=" + keys.primary.base64() + "\n";
  if (keys.secondary) text += "secondary=" + keys.secondary->base64() + "\n";
  return text;
}

Result<AccessKeys> ParseKeyFile(std::string_view text) {
  std::optional<AccessKey> primary, secondary;
  int line_number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = Trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const std::size_t equals = line.find('=');
    const std::string_view name = Trim(line.substr(0, equals));
    const std::string where = "line " + std::to_string(line_number);
    if (equals == std::string_view::npos || (name != "primary" && name != "secondary")) {
      return Error::InvalidArgument(where + ": expected primary=BASE64 or secondary=BASE64");
    }
    std::optional<AccessKey>& slot = name == "primary" ? primary : secondary;
    if (slot) return Error::InvalidArgument(where + ": " + std::string(name) + " is given twice");
    auto key = AccessKey::FromBase64(Trim(line.substr(equals + 1)),
                                     where + " (" + std::string(name) + ")");
    if (!key) return std::move(key).error();
    slot = std::move(*key);
  }
  if (!primary) return Error::InvalidArgument("no primary key");
  return AccessKeys{std::move(*primary), std::move(secondary)};
}

Result<AccessKeys> LoadOrCreateKeyFile(const std::string& path, bool& created) {
  created = false;
  auto text = ReadPrivateFile(path);
  if (!text) return std::move(text).error();
  if (*text) {
    auto keys = ParseKeyFile(**text);
    if (!keys) return Error::InvalidArgument(path + ": " + keys.error().message);
    return keys;
  }
  AccessKeys keys{AccessKey::Generate(), AccessKey::Generate()};
  SB_TRY(WriteKeyFile(path, FormatKeyFile(keys)));
  created = true;
  return keys;
}

}  // namespace sb::auth
