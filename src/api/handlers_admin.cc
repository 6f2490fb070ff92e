// Operations on distribution policies, classification policies, exception policies and queues:
// one generic implementation over a traits type per entity kind.
#include "api/handlers.h"

namespace sb::api {
namespace {

using namespace sb::core;

const std::vector<ReadOnlyProperty> kReadOnly = {{"id", true}, {"etag", false}};

struct DistributionPolicyTraits {
  using Entity = DistributionPolicy;
  static constexpr std::string_view kCollection = "distributionPolicies";
  static constexpr std::string_view kWhat = "distribution policy";
  static const Entity* Find(const Engine& e, std::string_view id) { return e.FindDistributionPolicy(id); }
  static Page<Entity> List(const Engine& e, std::uint64_t after, std::size_t n) {
    return e.ListDistributionPolicies(after, n);
  }
  static auto Decode(const json::object& o) { return DecodeDistributionPolicy(o); }
  template <class Spec>
  static auto Upsert(Context& c, const std::string& id, Spec spec) {
    return c.engine.UpsertDistributionPolicy(id, std::move(spec), c.now, c.effects);
  }
  static Status Delete(Context& c, const std::string& id) {
    return c.engine.DeleteDistributionPolicy(id, c.now, c.effects);
  }
};

struct ClassificationPolicyTraits {
  using Entity = ClassificationPolicy;
  static constexpr std::string_view kCollection = "classificationPolicies";
  static constexpr std::string_view kWhat = "classification policy";
  static const Entity* Find(const Engine& e, std::string_view id) { return e.FindClassificationPolicy(id); }
  static Page<Entity> List(const Engine& e, std::uint64_t after, std::size_t n) {
    return e.ListClassificationPolicies(after, n);
  }
  static auto Decode(const json::object& o) { return DecodeClassificationPolicy(o); }
  template <class Spec>
  static auto Upsert(Context& c, const std::string& id, Spec spec) {
    return c.engine.UpsertClassificationPolicy(id, std::move(spec), c.now, c.effects);
  }
  static Status Delete(Context& c, const std::string& id) {
    return c.engine.DeleteClassificationPolicy(id, c.now, c.effects);
  }
};

struct ExceptionPolicyTraits {
  using Entity = ExceptionPolicy;
  static constexpr std::string_view kCollection = "exceptionPolicies";
  static constexpr std::string_view kWhat = "exception policy";
  static const Entity* Find(const Engine& e, std::string_view id) { return e.FindExceptionPolicy(id); }
  static Page<Entity> List(const Engine& e, std::uint64_t after, std::size_t n) {
    return e.ListExceptionPolicies(after, n);
  }
  static auto Decode(const json::object& o) { return DecodeExceptionPolicy(o); }
  template <class Spec>
  static auto Upsert(Context& c, const std::string& id, Spec spec) {
    return c.engine.UpsertExceptionPolicy(id, std::move(spec), c.now, c.effects);
  }
  static Status Delete(Context& c, const std::string& id) {
    return c.engine.DeleteExceptionPolicy(id, c.now, c.effects);
  }
};

struct QueueTraits {
  using Entity = Stored<QueueSpec>;
  static constexpr std::string_view kCollection = "queues";
  static constexpr std::string_view kWhat = "queue";
  static const Entity* Find(const Engine& e, std::string_view id) { return e.FindQueue(id); }
  static Page<Entity> List(const Engine& e, std::uint64_t after, std::size_t n) {
    return e.ListQueues(after, n);
  }
  static auto Decode(const json::object& o) { return DecodeQueue(o); }
  template <class Spec>
  static auto Upsert(Context& c, const std::string& id, Spec spec) {
    return c.engine.UpsertQueue(id, std::move(spec), c.now, c.effects);
  }
  static Status Delete(Context& c, const std::string& id) {
    return c.engine.DeleteQueue(id, c.now, c.effects);
  }
};

template <class T>
http::Response NotFound(const std::string& id) {
  return Respond(Error::NotFound(std::string(T::kWhat) + " '" + id + "' does not exist"));
}

template <class T>
http::Response List(Context& c) {
  auto page = PageRequest(c, {});
  if (!page) return Respond(page.error());
  const Page<typename T::Entity> result = T::List(c.engine, page->after, page->page_size);
  json::array items;
  for (const auto* entity : result.items) items.push_back(Encode(*entity, c.encoding()));
  return PageResponse(c, T::kCollection, std::move(items), std::move(*page), result.next_after);
}

template <class T>
http::Response Get(Context& c, const std::string& id) {
  const auto* entity = T::Find(c.engine, id);
  if (!entity) return NotFound<T>(id);
  return EntityResponse(200, Encode(*entity, c.encoding()), entity->meta, c.engine);
}

template <class T>
http::Response Upsert(Context& c, const std::string& id) {
  const auto* current = T::Find(c.engine, id);
  if (auto status = CheckPreconditions(c, current ? &current->meta : nullptr); !status) {
    return Respond(status.error());
  }
  auto patch = ReadPatchBody(c);
  if (!patch) return Respond(patch.error());
  json::object base = current ? Encode(*current, c.encoding()) : json::object{{"id", id}};
  auto merged = MergeForUpsert(std::move(*patch), std::move(base), kReadOnly);
  if (!merged) return Respond(merged.error());
  auto spec = T::Decode(*merged);
  if (!spec) return Respond(spec.error());
  auto result = T::Upsert(c, id, std::move(*spec));
  if (!result) return Respond(result.error());
  return EntityResponse(result->created ? 201 : 200, Encode(*result->entity, c.encoding()),
                        result->entity->meta, c.engine);
}

template <class T>
http::Response Delete(Context& c, const std::string& id) {
  if (auto status = T::Delete(c, id); !status) return Respond(status.error());
  return NoContent();
}

template <class F>
http::Response WithTraits(AdminKind kind, F f) {
  switch (kind) {
    case AdminKind::kDistributionPolicy: return f(DistributionPolicyTraits{});
    case AdminKind::kClassificationPolicy: return f(ClassificationPolicyTraits{});
    case AdminKind::kExceptionPolicy: return f(ExceptionPolicyTraits{});
    case AdminKind::kQueue: return f(QueueTraits{});
  }
  return f(QueueTraits{});
}

}  // namespace

http::Response ListAdmin(Context& c, AdminKind kind) {
  return WithTraits(kind, [&](auto t) { return List<decltype(t)>(c); });
}
http::Response GetAdmin(Context& c, AdminKind kind, const std::string& id) {
  return WithTraits(kind, [&](auto t) { return Get<decltype(t)>(c, id); });
}
http::Response UpsertAdmin(Context& c, AdminKind kind, const std::string& id) {
  return WithTraits(kind, [&](auto t) { return Upsert<decltype(t)>(c, id); });
}
http::Response DeleteAdmin(Context& c, AdminKind kind, const std::string& id) {
  return WithTraits(kind, [&](auto t) { return Delete<decltype(t)>(c, id); });
}

http::Response GetQueueStatistics(Context& c, const std::string& queue_id) {
  auto statistics = c.engine.GetQueueStatistics(queue_id, c.now);
  if (!statistics) return Respond(statistics.error());
  // The service sends the queue's ETag and Last-Modified with its statistics.
  return EntityResponse(200, Encode(*statistics), c.engine.FindQueue(queue_id)->meta, c.engine);
}

}  // namespace sb::api
