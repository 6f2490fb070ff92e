// Who may be offered a job: label selectors, channels, capacity, offer limits, declines.
#include "engine_fixture.h"

namespace sb::core::testing {
namespace {

using Op = LabelOperator;

// --- Label operators, one engine per case ---------------------------------------------------

struct LabelCase {
  const char* name;
  std::optional<Value> label;  // the worker's label "k"; absent when nullopt
  Op op;
  Value selector;
  bool matches;
};

class LabelOperatorTest : public EngineTest, public ::testing::WithParamInterface<LabelCase> {};

TEST_P(LabelOperatorTest, OffersOnlyWhenTheSelectorHolds) {
  const LabelCase& c = GetParam();
  BasicQueue();
  LabelMap labels;
  if (c.label) labels.emplace("k", *c.label);
  PutWorker("w", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}}, labels));
  PutJob("j", JobIn("q", "voice", {Sel("k", c.op, c.selector)}));
  EXPECT_EQ(OfferedWorkers().size(), c.matches ? 1u : 0u) << c.name;
}

const LabelCase kLabelCases[] = {
    {"num_gt_true", Value(11), Op::kGreaterThan, Value(10), true},
    {"num_gt_equal", Value(10), Op::kGreaterThan, Value(10), false},
    {"num_ge_equal", Value(10), Op::kGreaterThanOrEqual, Value(10), true},
    {"num_ge_below", Value(9), Op::kGreaterThanOrEqual, Value(10), false},
    {"num_lt_true", Value(9), Op::kLessThan, Value(10), true},
    {"num_lt_equal", Value(10), Op::kLessThan, Value(10), false},
    {"num_le_equal", Value(10), Op::kLessThanOrEqual, Value(10), true},
    {"num_le_above", Value(10.5), Op::kLessThanOrEqual, Value(10), false},
    {"num_eq_int_double", Value(10), Op::kEqual, Value(10.0), true},
    {"num_eq_differs", Value(10), Op::kEqual, Value(11), false},
    {"num_ne_differs", Value(10), Op::kNotEqual, Value(11), true},
    {"num_ne_same", Value(10), Op::kNotEqual, Value(10), false},
    {"num_gt_fraction", Value(10.25), Op::kGreaterThan, Value(10.2), true},
    {"str_eq", Value("english"), Op::kEqual, Value("english"), true},
    {"str_eq_case", Value("English"), Op::kEqual, Value("english"), false},
    {"str_ne", Value("french"), Op::kNotEqual, Value("english"), true},
    {"str_gt_ordinal", Value("b"), Op::kGreaterThan, Value("a"), true},
    {"str_lt_ordinal", Value("B"), Op::kLessThan, Value("a"), true},  // ordinal: 'B' < 'a'
    {"str_ge_equal", Value("b"), Op::kGreaterThanOrEqual, Value("b"), true},
    {"str_le_above", Value("c"), Op::kLessThanOrEqual, Value("b"), false},
    {"bool_eq", Value(true), Op::kEqual, Value(true), true},
    {"bool_eq_differs", Value(true), Op::kEqual, Value(false), false},
    {"bool_ne", Value(true), Op::kNotEqual, Value(false), true},
    {"bool_ne_same", Value(false), Op::kNotEqual, Value(false), false},
    {"bool_gt_never", Value(true), Op::kGreaterThan, Value(false), false},
    {"mixed_eq_never", Value("10"), Op::kEqual, Value(10), false},
    {"mixed_gt_never", Value(11), Op::kGreaterThan, Value("10"), false},
    {"mixed_ne_holds", Value("10"), Op::kNotEqual, Value(10), true},
    {"bool_vs_number_eq", Value(true), Op::kEqual, Value(1), false},
    {"missing_eq", std::nullopt, Op::kEqual, Value(1), false},
    {"missing_ne", std::nullopt, Op::kNotEqual, Value(1), true},
    {"missing_gt", std::nullopt, Op::kGreaterThan, Value(1), false},
    {"missing_lt", std::nullopt, Op::kLessThan, Value(1), false},
};

INSTANTIATE_TEST_SUITE_P(Operators, LabelOperatorTest, ::testing::ValuesIn(kLabelCases),
                         [](const ::testing::TestParamInfo<LabelCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

// --- Channels and capacity ----------------------------------------------------------------

class EligibilityTest : public EngineTest {
 protected:
  void SetUp() override { BasicQueue(Policy(DistributionModeKind::kLongestIdle, 1, 1, 600)); }
  void AddJobs(const std::string& prefix, int n, const std::string& channel) {
    for (int i = 0; i < n; ++i) PutJob(prefix + std::to_string(i), JobIn("q", channel));
  }
  std::size_t OpenOffers(const std::string& worker_id) const {
    return WorkerNamed(worker_id).open_offer_ids.size();
  }
};

TEST_F(EligibilityTest, ChannelMaxNumberOfJobsCapsOffers) {
  PutWorker("w", WorkerIn({"q"}, 10, {{"voice", 1, 2}}));
  AddJobs("j", 3, "voice");
  EXPECT_EQ(OpenOffers("w"), 2u);
  EXPECT_EQ(WorkerNamed("w").JobsOnChannel("voice"), 2);
  // Accepting keeps the slot taken; closing frees it for the third job.
  const std::string assignment = AcceptOfferFor("j0", "w");
  EXPECT_EQ(OpenOffers("w"), 1u);
  Complete("j0", assignment);
  Close("j0", assignment);
  EXPECT_EQ(WorkersOffered("j2"), std::vector<std::string>{"w"});
}

TEST_F(EligibilityTest, TotalCapacityAllowsOneVoiceOrFiveChats) {
  const std::vector<Channel> channels = {{"voice", 100, std::nullopt}, {"chat", 20, std::nullopt}};
  PutWorker("w", WorkerIn({"q"}, 100, channels));
  AddJobs("chat", 6, "chat");
  EXPECT_EQ(OpenOffers("w"), 5u);
  EXPECT_TRUE(JobNamed("chat5").open_offer_ids.empty());
  PutJob("voice", JobIn("q", "voice"));
  EXPECT_TRUE(OfferedWorkers().empty());  // open chat offers reserve all the capacity
  EXPECT_DOUBLE_EQ(WorkerNamed("w").LoadRatio(), 1.0);
}

TEST_F(EligibilityTest, VoiceTakesTheWholeCapacity) {
  const std::vector<Channel> channels = {{"voice", 100, std::nullopt}, {"chat", 20, std::nullopt}};
  PutJob("voice", JobIn("q", "voice"));
  AddJobs("chat", 2, "chat");
  PutWorker("w", WorkerIn({"q"}, 100, channels));
  // The voice job is first in the queue; after it there is no room for a chat.
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"w"});
  EXPECT_EQ(WorkersOffered("voice"), std::vector<std::string>{"w"});
  Decline("w", OfferId("voice", "w"));
  // Declining frees the capacity: now five chats would fit, two exist.
  EXPECT_EQ(OpenOffers("w"), 2u);
}

TEST_F(EligibilityTest, WorkerMaxConcurrentOffersLimitsOpenOffers) {
  WorkerSpec spec = WorkerIn({"q"}, 10, {{"voice", 1, std::nullopt}});
  spec.max_concurrent_offers = 2;
  PutWorker("w", spec);
  AddJobs("j", 3, "voice");
  EXPECT_EQ(OpenOffers("w"), 2u);
  // An accept ends an offer (the assignment does not count), so the third job is offered.
  AcceptOfferFor("j0", "w");
  EXPECT_EQ(WorkersOffered("j2"), std::vector<std::string>{"w"});
  EXPECT_EQ(OpenOffers("w"), 2u);
}

TEST_F(EligibilityTest, BypassSelectorsIgnoresLabels) {
  AddPolicy("bypass", Policy(DistributionModeKind::kLongestIdle, 1, 1, 60, true));
  AddQueue("qb", "bypass");
  PutWorker("w", WorkerIn({"q", "qb"}));
  PutJob("strict", JobIn("q", "voice", {Sel("skill", Op::kEqual, Value(1))}));
  EXPECT_TRUE(OfferedWorkers().empty());
  PutJob("lenient", JobIn("qb", "voice", {Sel("skill", Op::kEqual, Value(1))}));
  EXPECT_EQ(WorkersOffered("lenient"), std::vector<std::string>{"w"});
}

TEST_F(EligibilityTest, DeclinedWorkerIsNotReofferedUntilItReregisters) {
  PutWorker("w", WorkerIn({"q"}));
  PutJob("j", JobIn("q"));
  Decline("w", OfferId("j", "w"));
  EXPECT_EQ(Events(EventType::kWorkerOfferDeclined).size(), 1u);
  EXPECT_TRUE(OfferedWorkers().empty());
  Advance(3600);
  EXPECT_TRUE(JobNamed("j").open_offer_ids.empty());
  // Another job is still offered to the worker.
  PutJob("other", JobIn("q"));
  EXPECT_EQ(WorkersOffered("other"), std::vector<std::string>{"w"});
  Decline("w", OfferId("other", "w"));

  WorkerSpec spec = WorkerNamed("w").spec;
  spec.available_for_offers = false;
  PutWorker("w", spec);
  EXPECT_TRUE(OfferedWorkers().empty());
  spec.available_for_offers = true;
  PutWorker("w", spec);
  EXPECT_EQ(Events(EventType::kWorkerRegistered).size(), 1u);
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"w"});  // j first: it is older
  EXPECT_EQ(WorkersOffered("j"), std::vector<std::string>{"w"});
}

TEST_F(EligibilityTest, DeclinedJobGoesToAnotherWorker) {
  PutWorker("a", WorkerIn({"q"}));
  Advance(1);
  PutWorker("b", WorkerIn({"q"}));
  PutJob("j", JobIn("q"));
  EXPECT_EQ(WorkersOffered("j"), std::vector<std::string>{"a"});
  Decline("a", OfferId("j", "a"));
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"b"});
}

TEST_F(EligibilityTest, RetryOfferAtMakesTheWorkerEligibleAgainAtThatTime) {
  PutWorker("w", WorkerIn({"q"}));
  PutJob("j", JobIn("q"));
  const Timestamp retry = now_ + Duration::Seconds(30);
  Decline("w", OfferId("j", "w"), retry);
  EXPECT_TRUE(OfferedWorkers().empty());
  AdvanceTo(retry - Duration::Micros(1));
  EXPECT_TRUE(OfferedWorkers().empty());
  AdvanceTo(retry);
  ASSERT_EQ(OfferedWorkers(), std::vector<std::string>{"w"});
  EXPECT_EQ(Events(EventType::kWorkerOfferIssued)[0].at, retry);
}

TEST_F(EligibilityTest, RetryOfferAtInThePastIsNoDecline) {
  PutWorker("w", WorkerIn({"q"}));
  PutJob("j", JobIn("q"));
  Decline("w", OfferId("j", "w"), now_);
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"w"});
}

TEST_F(EligibilityTest, WorkersThatCannotServeAreNeverOffered) {
  AddQueue("other", "p");
  PutWorker("elsewhere", WorkerIn({"other"}));
  PutWorker("chat-only", WorkerIn({"q"}, 1, {{"chat", 1, std::nullopt}}));
  PutWorker("away", WorkerIn({"q"}, 1, {{"voice", 1, std::nullopt}}, {}, false));
  PutWorker("no-capacity", WorkerIn({"q"}, 0, {{"voice", 1, std::nullopt}}));
  PutJob("j", JobIn("q", "voice"));
  Advance(3600);
  EXPECT_TRUE(JobNamed("j").open_offer_ids.empty());
  EXPECT_EQ(WorkerNamed("away").state, WorkerState::kInactive);
  // Joining the queue makes one eligible at once.
  PutWorker("elsewhere", WorkerIn({"other", "q"}));
  EXPECT_EQ(WorkersOffered("j"), std::vector<std::string>{"elsewhere"});
}

TEST_F(EligibilityTest, ZeroCostChannelIsLimitedByMaxNumberOfJobs) {
  PutWorker("w", WorkerIn({"q"}, 0, {{"voice", 0, 3}}));
  AddJobs("j", 5, "voice");
  EXPECT_EQ(OpenOffers("w"), 3u);
}

}  // namespace
}  // namespace sb::core::testing
