#include "http/server_core.h"

#include <string>
#include <utility>
#include <vector>

#include "base/assert.h"
#include "http/response_writer.h"

namespace sb::http::detail {

bool ConnectionRegistry::Add(Connection* connection, std::weak_ptr<Connection> handle,
                             bool admitted) {
  std::lock_guard lock(mutex_);
  if (closed_) return false;
  const bool inserted = connections_.emplace(connection, Entry{std::move(handle), admitted}).second;
  SB_ASSERT(inserted);
  if (admitted) ++admitted_;
  return true;
}

void ConnectionRegistry::Remove(Connection* connection) {
  std::lock_guard lock(mutex_);
  const auto it = connections_.find(connection);
  if (it == connections_.end()) return;
  if (it->second.admitted) --admitted_;
  connections_.erase(it);
}

std::size_t ConnectionRegistry::size() const {
  std::lock_guard lock(mutex_);
  return connections_.size();
}

std::size_t ConnectionRegistry::admitted() const {
  std::lock_guard lock(mutex_);
  return admitted_;
}

std::size_t ConnectionRegistry::rejecting() const {
  std::lock_guard lock(mutex_);
  return connections_.size() - admitted_;
}

void ConnectionRegistry::CloseAll() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    open.reserve(connections_.size());
    for (auto& [raw, entry] : connections_) {
      if (auto connection = entry.handle.lock()) open.push_back(std::move(connection));
    }
  }
  // Outside the lock: closing removes the connection from the registry.
  for (auto& connection : open) connection->PostClose();
}

Response ServerCore::ErrorResponse(unsigned status, std::string_view message) const {
  if (errors) {
    try {
      Response response = errors(status, message);
      if (response.status == status && IsWellFormed(response)) return response;
    } catch (...) {
      // Fall through to the plain form: the transport must answer regardless.
    }
  }
  Response response;
  response.status = status;
  response.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  response.body = std::string(message);
  return response;
}

std::string FormatEndpoint(const boost::asio::ip::tcp::endpoint& endpoint) {
  const std::string address = endpoint.address().to_string();
  const std::string port = std::to_string(endpoint.port());
  if (endpoint.address().is_v6()) return "[" + address + "]:" + port;
  return address + ":" + port;
}

}  // namespace sb::http::detail
