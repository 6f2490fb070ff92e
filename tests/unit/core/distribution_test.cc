// Queue order (priority, enqueue time, expedite, selector expiry) and the distribution modes.
#include <algorithm>
#include <cmath>
#include <random>

#include "engine_fixture.h"

namespace sb::core::testing {
namespace {

using Op = LabelOperator;
using Mode = DistributionModeKind;

class OrderingTest : public EngineTest {
 protected:
  void SetUp() override { BasicQueue(Policy(Mode::kLongestIdle, 1, 1, 600)); }
  // Lets one worker of capacity 1 take, finish and close every queued job; returns the order.
  std::vector<std::string> DrainOrder(std::size_t jobs) {
    PutWorker("w", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}}, {{"skill", Value(1)}}));
    std::vector<std::string> order;
    for (std::size_t i = 0; i < jobs; ++i) {
      const Worker& worker = WorkerNamed("w");
      if (worker.open_offer_ids.size() != 1) break;
      const std::string job_id = engine_.FindOffer(worker.open_offer_ids[0])->job_id;
      order.push_back(job_id);
      const std::string assignment = AcceptOfferFor(job_id, "w");
      Complete(job_id, assignment);
      Close(job_id, assignment);
    }
    return order;
  }
};

TEST_F(OrderingTest, HigherPriorityFirstThenEarlierEnqueue) {
  PutJob("low-early", JobIn("q", "voice", {}, 1));
  Advance(1);
  PutJob("high-early", JobIn("q", "voice", {}, 5));
  Advance(1);
  PutJob("high-late", JobIn("q", "voice", {}, 5));
  Advance(1);
  PutJob("low-late", JobIn("q", "voice", {}, 1));
  PutJob("negative", JobIn("q", "voice", {}, -100));
  EXPECT_EQ(DrainOrder(5), (std::vector<std::string>{"high-early", "high-late", "low-early",
                                                     "low-late", "negative"}));
}

TEST_F(OrderingTest, SameInstantKeepsArrivalOrder) {
  for (const char* id : {"c", "a", "b"}) PutJob(id, JobIn("q"));
  EXPECT_EQ(DrainOrder(3), (std::vector<std::string>{"c", "a", "b"}));
}

TEST_F(OrderingTest, ExpediteSelectorGoesFirst) {
  PutJob("urgent-high", JobIn("q", "voice", {}, 100));
  Advance(1);
  WorkerSelector expedite = Sel("skill", Op::kEqual, Value(1));
  expedite.expedite = true;
  PutJob("expedited", JobIn("q", "voice", {expedite}, -5));
  EXPECT_TRUE(JobNamed("expedited").expedite);
  EXPECT_EQ(DrainOrder(2), (std::vector<std::string>{"expedited", "urgent-high"}));
}

TEST_F(OrderingTest, PositionReflectsExpediteAndPriority) {
  PutJob("a", JobIn("q", "voice", {}, 1));
  PutJob("b", JobIn("q", "voice", {}, 2));
  WorkerSelector expedite = Sel("skill", Op::kEqual, Value(1));
  expedite.expedite = true;
  PutJob("c", JobIn("q", "voice", {expedite}, 1));
  EXPECT_EQ(engine_.GetJobPosition("c", now_)->position, 1);
  EXPECT_EQ(engine_.GetJobPosition("b", now_)->position, 2);
  EXPECT_EQ(engine_.GetJobPosition("a", now_)->position, 3);
}

TEST_F(OrderingTest, SelectorExpiryLoosensMatching) {
  PutWorker("novice", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}}, {{"skill", Value(1)}}));
  WorkerSelector expert = Sel("skill", Op::kGreaterThan, Value(5));
  expert.expires_after_seconds = 30;
  const Job& job = PutJob("j", JobIn("q", "voice", {expert, Sel("skill", Op::kEqual, Value(1))}));
  EXPECT_TRUE(OfferedWorkers().empty());
  ASSERT_EQ(job.spec.requested_worker_selectors[0].expires_at, now_ + Duration::Seconds(30));
  EXPECT_EQ(job.spec.requested_worker_selectors[0].status, WorkerSelectorStatus::kActive);
  EXPECT_FALSE(job.spec.requested_worker_selectors[1].expires_at.has_value());
  const Timestamp expiry = now_ + Duration::Seconds(30);

  AdvanceTo(expiry - Duration::Micros(1));
  EXPECT_TRUE(Events(EventType::kJobWorkerSelectorsExpired).empty());
  AdvanceTo(expiry + Duration::Seconds(10));
  const auto expired = Events(EventType::kJobWorkerSelectorsExpired);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].job_id, "j");
  EXPECT_EQ(expired[0].at, expiry);
  EXPECT_EQ(job.spec.requested_worker_selectors[0].status, WorkerSelectorStatus::kExpired);
  EXPECT_EQ(job.spec.requested_worker_selectors[1].status, WorkerSelectorStatus::kActive);
  const auto issued = Events(EventType::kWorkerOfferIssued);
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].worker_id, "novice");
  EXPECT_EQ(issued[0].at, expiry);
}

TEST_F(OrderingTest, ExpiredExpediteSelectorLosesItsPlace) {
  WorkerSelector expedite = Sel("skill", Op::kEqual, Value(1));
  expedite.expedite = true;
  expedite.expires_after_seconds = 10;
  PutJob("expedited", JobIn("q", "voice", {expedite}, 1));
  PutJob("important", JobIn("q", "voice", {}, 50));
  EXPECT_EQ(engine_.GetJobPosition("expedited", now_)->position, 1);
  Advance(10);
  EXPECT_FALSE(JobNamed("expedited").expedite);
  EXPECT_EQ(engine_.GetJobPosition("expedited", now_)->position, 2);
}

// --- Distribution modes -----------------------------------------------------------------

class DistributionTest : public EngineTest {
 protected:
  std::string AddSetupJobFor(const std::string& worker_id, int n) {
    PutJob(worker_id + "-setup" + std::to_string(n),
           JobIn("setup", "chat", {Sel("Id", Op::kEqual, Value(worker_id))}));
    return AcceptOfferFor(worker_id + "-setup" + std::to_string(n), worker_id);
  }
};

TEST_F(DistributionTest, LongestIdleDocExampleOrdersDCAB) {
  // distribution-concepts, "Longest idle mode": A 3/5 idle 5 min, B 3/4 idle 3 min, C 3/5 idle
  // 7 min, D 0/3 idle 2 min => D, C, A, B.
  AddPolicy("setup-policy", Policy(Mode::kLongestIdle, 1, 1, 3600));
  AddQueue("setup", "setup-policy");
  AddPolicy("li", Policy(Mode::kLongestIdle, 1, 4, 60));
  AddQueue("q", "li");
  struct Spec {
    const char* id;
    int capacity;
    int busy;
    int minutes_ago;
  };
  const Spec workers[] = {{"C", 5, 3, 7}, {"A", 5, 3, 5}, {"B", 4, 3, 3}, {"D", 3, 0, 2}};
  const Timestamp decision = now_ + Duration::Minutes(7);
  for (const Spec& w : workers) {
    AdvanceTo(decision - Duration::Minutes(w.minutes_ago));
    PutWorker(w.id, WorkerIn({"setup", "q"}, w.capacity, {{"chat", 1, std::nullopt}}));
    for (int i = 0; i < w.busy; ++i) AddSetupJobFor(w.id, i);
  }
  AdvanceTo(decision);
  EXPECT_DOUBLE_EQ(WorkerNamed("A").LoadRatio(), 0.6);
  EXPECT_DOUBLE_EQ(WorkerNamed("B").LoadRatio(), 0.75);
  PutJob("chat", JobIn("q", "chat"));
  EXPECT_EQ(OfferedWorkers(), (std::vector<std::string>{"D", "C", "A", "B"}));
}

TEST_F(DistributionTest, RoundRobinCyclesInIdOrderResumingAfterTheLast) {
  BasicQueue(Policy(Mode::kRoundRobin, 1, 1, 600));
  for (const char* id : {"w3", "w1", "w2"}) PutWorker(id, WorkerIn({"q"}, 10));
  std::vector<std::string> order;
  for (int i = 0; i < 7; ++i) {
    PutJob("j" + std::to_string(i), JobIn("q"));
    order.push_back(OfferedWorkers().at(0));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"w1", "w2", "w3", "w1", "w2", "w3", "w1"}));

  // w2 goes away; the cycle skips it and resumes after the last one offered.
  WorkerSpec away = WorkerNamed("w2").spec;
  away.available_for_offers = false;
  PutWorker("w2", away);
  PutJob("k0", JobIn("q"));
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"w3"});
  PutJob("k1", JobIn("q"));
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"w1"});
}

TEST_F(DistributionTest, BestWorkerSelectorScoringOrdersHIG) {
  BasicQueue(Policy(Mode::kBestWorker, 1, 3, 60));
  // Registered in the reverse of the expected order, so idle time would say G, I, H.
  PutWorker("G",
            WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}},
                     {{"language", Value("french")}, {"sales", Value(10)}, {"cost", Value(10)}}));
  Advance(1);
  PutWorker("I",
            WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}},
                     {{"language", Value("french")}, {"sales", Value(10)}, {"cost", Value(9)}}));
  Advance(1);
  PutWorker("H",
            WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}},
                     {{"language", Value("french")}, {"sales", Value(15)}, {"cost", Value(10)}}));
  PutJob("j", JobIn("q", "voice",
                    {Sel("language", Op::kEqual, Value("french")),
                     Sel("sales", Op::kGreaterThanOrEqual, Value(10)),
                     Sel("cost", Op::kLessThanOrEqual, Value(10))}));
  EXPECT_EQ(OfferedWorkers(), (std::vector<std::string>{"H", "I", "G"}));
}

TEST_F(DistributionTest, BestWorkerLabelMatchingThenLongestIdle) {
  BasicQueue(Policy(Mode::kBestWorker, 1, 3, 60));
  PutWorker("C", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}},
                          {{"language", Value("english")}, {"department", Value("support")}}));
  Advance(1);
  PutWorker("B",
            WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}}, {{"language", Value("english")}}));
  Advance(1);
  PutWorker("A", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}},
                          {{"language", Value("english")}, {"department", Value("sales")}}));
  JobSpec job = JobIn("q");
  job.labels = {{"language", Value("english")}, {"department", Value("sales")}};
  PutJob("j", job);
  // A scores 1; B and C 0.5 each, C idle longer.
  EXPECT_EQ(OfferedWorkers(), (std::vector<std::string>{"A", "C", "B"}));
}

TEST_F(DistributionTest, BestWorkerNotEqualExampleWithBypass) {
  BasicQueue(Policy(Mode::kBestWorker, 1, 3, 60, /*bypass_selectors=*/true));
  PutWorker("F", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}},
                          {{"department", Value("sales")}, {"segment", Value("new")}}));
  Advance(1);
  PutWorker("E",
            WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}}, {{"department", Value("billing")}}));
  Advance(1);
  PutWorker("D", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}},
                          {{"department", Value("billing")}, {"segment", Value("vip")}}));
  PutJob("j", JobIn("q", "voice",
                    {Sel("department", Op::kEqual, Value("billing")),
                     Sel("segment", Op::kNotEqual, Value("vip"))}));
  // E scores 1 (a missing label satisfies notEqual); D and F 0.5, F idle longer.
  EXPECT_EQ(OfferedWorkers(), (std::vector<std::string>{"E", "F", "D"}));
}

// When every eligible worker scores the same (here: equality selectors only), best worker is a
// walk in its tie order - longest idle first - that skips the ineligible.
TEST_F(DistributionTest, BestWorkerEqualScoresGoToTheLongestIdle) {
  BasicQueue(Policy(Mode::kBestWorker, 1, 2, 60));
  for (const char* id : {"d", "c", "b", "a"}) {  // "d" idle longest: not the id order
    PutWorker(id, WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}},
                           {{"team", Value(std::string(id) == "c" ? "other" : "sales")}}));
    Advance(1);
  }
  PutJob("j", JobIn("q", "voice", {Sel("team", Op::kEqual, Value("sales")),
                                   Sel("vip", Op::kNotEqual, Value(true))}));
  EXPECT_EQ(WorkersOffered("j"), (std::vector<std::string>{"d", "b"}));
  // No selectors and no labels: the longest idle of those with room ("d" and "b" hold offers).
  PutJob("k", JobIn("q"));
  EXPECT_EQ(WorkersOffered("k"), (std::vector<std::string>{"c", "a"}));
}

// Scoring by the job's labels: the workers carrying them first, then the rest (score 0) in
// their tie order, longest idle first.
TEST_F(DistributionTest, BestWorkerJobLabelsRankCarriersThenTheLongestIdle) {
  BasicQueue(Policy(Mode::kBestWorker, 1, 3, 60));
  for (const char* id : {"d", "c", "b", "a"}) {
    LabelMap labels;
    if (std::string(id) == "b") labels = {{"team", Value("sales")}};
    PutWorker(id, WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}}, labels));
    Advance(1);
  }
  JobSpec job = JobIn("q");
  job.labels = {{"team", Value("sales")}, {"tier", Value(2)}};
  PutJob("j", job);
  EXPECT_EQ(WorkersOffered("j"), (std::vector<std::string>{"b", "d", "c"}));
}

// Property: however best worker gets there (a walk when scores tie, the label index when they
// come from the job's labels or from one graded selector), the offers are those of the
// documented formula scored over every worker, ties to the longest idle. Random workforces and
// jobs, brute-force oracle.
TEST_F(DistributionTest, BestWorkerMatchesTheFormulaOverEveryWorker) {
  std::mt19937 random(42);
  auto pick = [&](int n) { return static_cast<int>(random() % static_cast<unsigned>(n)); };
  const std::vector<std::pair<std::string, std::vector<Value>>> keys = {
      {"team", {Value("sales"), Value("support")}},
      {"lang", {Value("en"), Value("fr")}},
      {"skill", {Value(1), Value(2), Value(3.5), Value(5), Value(8)}},
      {"level", {Value(0), Value(4), Value(60), Value(90)}}};
  auto any_of = [&](const std::vector<Value>& values) {
    return values[static_cast<std::size_t>(pick(static_cast<int>(values.size())))];
  };
  auto random_labels = [&] {
    LabelMap labels;
    for (const auto& [key, values] : keys) {
      if (pick(4) != 0) labels[key] = any_of(values);
    }
    return labels;
  };
  const Op ops[] = {Op::kEqual, Op::kNotEqual, Op::kGreaterThan, Op::kGreaterThanOrEqual,
                    Op::kLessThan, Op::kLessThanOrEqual};
  for (int round = 0; round < 120; ++round) {
    const std::string q = "q" + std::to_string(round);
    AddPolicy("p" + q, Policy(Mode::kBestWorker, 1, 3, 600));
    AddQueue(q, "p" + q);
    std::vector<std::pair<std::string, LabelMap>> workers;  // longest idle first
    for (int i = 0; i < 12; ++i) {
      workers.emplace_back(q + "-w" + std::to_string(i), random_labels());
      PutWorker(workers.back().first, WorkerIn({q}, 1, {{"voice", 1, std::nullopt}},
                                               workers.back().second));
      Advance(1);
    }
    JobSpec job = JobIn(q);
    if (pick(3) == 0) {
      job.labels = random_labels();
    } else {
      for (int n = pick(3) + 1; n > 0; --n) {
        const auto& [key, values] = keys[static_cast<std::size_t>(pick(4))];
        job.requested_worker_selectors.push_back(Sel(key, ops[pick(6)], any_of(values)));
      }
    }
    // The oracle: eligible workers, scored, stable-sorted best first (ties keep idle order).
    std::vector<std::pair<double, std::string>> ranked;
    for (const auto& [id, labels] : workers) {
      bool eligible = true;
      double sum = 0;
      for (const WorkerSelector& s : job.requested_worker_selectors) {
        auto it = labels.find(s.key);
        const bool has = it != labels.end();
        const bool number = has && it->second.is_number() && s.value.is_number();
        const double label = number ? it->second.as_number() : 0, value = number ? s.value.as_number() : 0;
        switch (s.label_operator) {
          case Op::kEqual: eligible = eligible && has && it->second == s.value; sum += 1; break;
          case Op::kNotEqual: eligible = eligible && !(has && it->second == s.value); sum += 1; break;
          default: {
            const bool greater = s.label_operator == Op::kGreaterThan ||
                                 s.label_operator == Op::kGreaterThanOrEqual;
            const bool strict = s.label_operator == Op::kGreaterThan ||
                                s.label_operator == Op::kLessThan;
            const bool text = has && it->second.is_string() && s.value.is_string();
            const int order = text ? it->second.as_string().compare(s.value.as_string()) : 0;
            const double diff = greater ? label - value : value - label;
            const double sign = text ? (greater ? order : -order) : diff;  // ordinal for text
            eligible = eligible && (number || text) && (strict ? sign > 0 : sign >= 0);
            const double x = value == 0 ? diff : diff / value;
            sum += number ? 1.0 / (1.0 + std::exp(-x)) : 0;
          }
        }
      }
      if (!eligible) continue;
      double score = job.requested_worker_selectors.empty()
                         ? 0 : sum / static_cast<double>(job.requested_worker_selectors.size());
      if (job.requested_worker_selectors.empty() && !job.labels.empty()) {
        int matched = 0;
        for (const auto& [key, value] : job.labels) {
          auto it = labels.find(key);
          matched += it != labels.end() && it->second == value;
        }
        score = static_cast<double>(matched) / static_cast<double>(job.labels.size());
      }
      ranked.emplace_back(score, id);
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<std::string> expected;
    for (std::size_t i = 0; i < std::min<std::size_t>(3, ranked.size()); ++i) {
      expected.push_back(ranked[i].second);
    }
    PutJob(q + "-job", job);
    EXPECT_EQ(WorkersOffered(q + "-job"), expected) << "round " << round;
  }
}

TEST_F(DistributionTest, BestWorkerExpressionScoringRule) {
  DistributionPolicySpec policy = Policy(Mode::kBestWorker, 1, 3, 60);
  policy.mode->scoring_rule = ExpressionRule{
      "powerFx", "If(worker.Language = job.Language, 100, 0) + worker.Experience"};
  policy.mode->scoring_rule_options = ScoringRuleOptions{};
  BasicQueue(policy);
  PutWorker("fluent-junior", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}},
                                      {{"Language", Value("nl")}, {"Experience", Value(1)}}));
  PutWorker("fluent-senior", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}},
                                      {{"Language", Value("nl")}, {"Experience", Value(8)}}));
  PutWorker("other", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}},
                              {{"Language", Value("en")}, {"Experience", Value(50)}}));
  PutWorker("broken", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}},
                               {{"Language", Value("nl")}, {"Experience", Value("lots")}}));
  JobSpec job = JobIn("q");
  job.labels = {{"Language", Value("nl")}};
  PutJob("j", job);
  // 108, 101, 50; a score that fails to evaluate ranks last.
  EXPECT_EQ(OfferedWorkers(), (std::vector<std::string>{"fluent-senior", "fluent-junior", "other"}));
}

TEST_F(DistributionTest, BestWorkerAscendingScores) {
  DistributionPolicySpec policy = Policy(Mode::kBestWorker, 1, 1, 60);
  policy.mode->scoring_rule = ExpressionRule{"powerFx", "worker.Load"};
  policy.mode->scoring_rule_options = ScoringRuleOptions{std::nullopt, std::nullopt, std::nullopt, false};
  BasicQueue(policy);
  PutWorker("busy", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}}, {{"Load", Value(0.9)}}));
  PutWorker("calm", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}}, {{"Load", Value(0.1)}}));
  PutJob("j", JobIn("q"));
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"calm"});
}

TEST_F(DistributionTest, MinConcurrentOffersWaitsForEnoughWorkers) {
  BasicQueue(Policy(Mode::kLongestIdle, 2, 3, 60));
  PutWorker("w1", WorkerIn({"q"}));
  PutJob("j", JobIn("q"));
  EXPECT_TRUE(OfferedWorkers().empty());
  Advance(1);
  PutWorker("w2", WorkerIn({"q"}));
  EXPECT_EQ(OfferedWorkers(), (std::vector<std::string>{"w1", "w2"}));
  Advance(1);
  PutWorker("w3", WorkerIn({"q"}));
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"w3"});
  EXPECT_EQ(JobNamed("j").open_offer_ids.size(), 3u);
}

TEST_F(DistributionTest, AcceptRevokesTheOtherConcurrentOffers) {
  BasicQueue(Policy(Mode::kLongestIdle, 2, 3, 60));
  for (const char* id : {"w1", "w2", "w3"}) PutWorker(id, WorkerIn({"q"}));
  PutJob("j", JobIn("q"));
  EXPECT_EQ(OfferedWorkers().size(), 3u);
  Accept("w2", OfferId("j", "w2"));
  const auto revoked = Events(EventType::kWorkerOfferRevoked);
  ASSERT_EQ(revoked.size(), 2u);
  EXPECT_EQ(revoked[0].worker_id, "w1");
  EXPECT_EQ(revoked[1].worker_id, "w3");
  for (const Event& event : revoked) EXPECT_EQ(event.job_id, "j");
  EXPECT_TRUE(JobNamed("j").open_offer_ids.empty());
  EXPECT_TRUE(WorkerNamed("w1").open_offer_ids.empty());
  EXPECT_EQ(WorkerNamed("w1").used_capacity, 0);
}

TEST_F(DistributionTest, MaxConcurrentOffersCapsOffersPerJob) {
  BasicQueue(Policy(Mode::kRoundRobin, 1, 2, 60));
  for (const char* id : {"w1", "w2", "w3", "w4"}) PutWorker(id, WorkerIn({"q"}));
  PutJob("j", JobIn("q"));
  EXPECT_EQ(OfferedWorkers(), (std::vector<std::string>{"w1", "w2"}));
  PutJob("k", JobIn("q"));
  EXPECT_EQ(OfferedWorkers(), (std::vector<std::string>{"w3", "w4"}));
}

}  // namespace
}  // namespace sb::core::testing
