// Offers: expiry, accept and decline, and the answers to late or wrong accepts.
#include "engine_fixture.h"

namespace sb::core::testing {
namespace {

class OffersTest : public EngineTest {
 protected:
  void SetUp() override { BasicQueue(Policy(DistributionModeKind::kLongestIdle, 1, 1, 60)); }
  // Workers a (idle longest) and b, then job j: offered to a.
  void TwoWorkersOneJob() {
    PutWorker("a", WorkerIn({"q"}));
    Advance(1);
    PutWorker("b", WorkerIn({"q"}));
    PutJob("j", JobIn("q"));
    ASSERT_EQ(WorkersOffered("j"), std::vector<std::string>{"a"});
  }
};

TEST_F(OffersTest, ExpiryDeregistersTheWorkerAndReoffers) {
  TwoWorkersOneJob();
  const std::string offer_id = OfferId("j", "a");
  const Timestamp expires_at = *engine_.FindOffer(offer_id)->expires_at;
  EXPECT_EQ(expires_at, now_ + Duration::Seconds(60));
  EXPECT_EQ(engine_.NextDeadline(), expires_at);

  AdvanceTo(expires_at - Duration::Micros(1));
  EXPECT_TRUE(Events(EventType::kWorkerOfferExpired).empty());
  AdvanceTo(expires_at + Duration::Seconds(5));
  const auto expired = Events(EventType::kWorkerOfferExpired);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].offer_id, offer_id);
  EXPECT_EQ(expired[0].worker_id, "a");
  EXPECT_EQ(expired[0].at, expires_at);
  ASSERT_EQ(Events(EventType::kWorkerDeregistered).size(), 1u);
  EXPECT_EQ(Events(EventType::kWorkerDeregistered)[0].worker_id, "a");
  EXPECT_FALSE(WorkerNamed("a").spec.available_for_offers);
  EXPECT_EQ(WorkerNamed("a").state, WorkerState::kInactive);
  EXPECT_EQ(WorkerNamed("a").used_capacity, 0);
  EXPECT_EQ(engine_.FindOffer(offer_id), nullptr);
  // Re-offered, at the moment of expiry, to the other worker.
  const auto issued = Events(EventType::kWorkerOfferIssued);
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].worker_id, "b");
  EXPECT_EQ(issued[0].at, expires_at);

  effects_.Clear();
  ExpectError(engine_.AcceptJobOffer("a", offer_id, now_, effects_), ErrorCode::kNotFound);
  EXPECT_TRUE(effects_.events.empty());
}

TEST_F(OffersTest, ExpiryOfAWorkerWithAJobLeavesItDraining) {
  PutWorker("a", WorkerIn({"q"}, 2));
  PutJob("first", JobIn("q"));
  const std::string assignment = AcceptOfferFor("first", "a");
  PutJob("second", JobIn("q"));
  ASSERT_EQ(WorkersOffered("second"), std::vector<std::string>{"a"});
  Advance(60);
  EXPECT_EQ(Events(EventType::kWorkerOfferExpired).size(), 1u);
  EXPECT_EQ(WorkerNamed("a").state, WorkerState::kDraining);
  Complete("first", assignment);
  Close("first", assignment);
  EXPECT_EQ(WorkerNamed("a").state, WorkerState::kInactive);
  EXPECT_TRUE(OfferedWorkers().empty());
}

TEST_F(OffersTest, OfferWithoutExpiryStaysOpen) {
  AddPolicy("forever", Policy(DistributionModeKind::kLongestIdle, 1, 1, std::nullopt));
  AddQueue("slow", "forever");
  PutWorker("a", WorkerIn({"slow"}));
  PutJob("j", JobIn("slow"));
  const std::string offer_id = OfferId("j", "a");
  EXPECT_FALSE(engine_.FindOffer(offer_id)->expires_at.has_value());
  EXPECT_FALSE(engine_.NextDeadline().has_value());
  Advance(86400 * 30);
  EXPECT_NE(engine_.FindOffer(offer_id), nullptr);
}

TEST_F(OffersTest, AcceptOfUnknownOfferOrWorkerIsNotFound) {
  TwoWorkersOneJob();
  effects_.Clear();
  ExpectError(engine_.AcceptJobOffer("a", "no-such-offer", now_, effects_), ErrorCode::kNotFound);
  ExpectError(engine_.AcceptJobOffer("nobody", OfferId("j", "a"), now_, effects_),
              ErrorCode::kNotFound);
  // Another worker's offer is not open for b.
  ExpectError(engine_.AcceptJobOffer("b", OfferId("j", "a"), now_, effects_), ErrorCode::kNotFound);
  ExpectError(engine_.DeclineJobOffer("b", OfferId("j", "a"), {}, now_, effects_),
              ErrorCode::kNotFound);
  EXPECT_EQ(JobNamed("j").status, JobStatus::kQueued);
  EXPECT_TRUE(effects_.events.empty());
}

TEST_F(OffersTest, AcceptAfterAnotherWorkerAcceptedIsConflict) {
  AddPolicy("pair", Policy(DistributionModeKind::kLongestIdle, 2, 2, 60));
  AddQueue("q2", "pair");
  PutWorker("a", WorkerIn({"q2"}));
  PutWorker("b", WorkerIn({"q2"}));
  PutJob("j", JobIn("q2"));
  const std::string a_offer = OfferId("j", "a"), b_offer = OfferId("j", "b");
  ASSERT_FALSE(a_offer.empty());
  ASSERT_FALSE(b_offer.empty());
  Accept("a", a_offer);
  ASSERT_EQ(Events(EventType::kWorkerOfferRevoked).size(), 1u);
  EXPECT_EQ(Events(EventType::kWorkerOfferRevoked)[0].offer_id, b_offer);

  effects_.Clear();
  ExpectError(engine_.AcceptJobOffer("b", b_offer, now_, effects_), ErrorCode::kConflict);
  ExpectError(engine_.AcceptJobOffer("a", a_offer, now_, effects_), ErrorCode::kConflict);
  ExpectError(engine_.DeclineJobOffer("a", a_offer, {}, now_, effects_), ErrorCode::kConflict);
  EXPECT_EQ(JobNamed("j").assignments.size(), 1u);
}

TEST_F(OffersTest, AcceptOfARevokedOfferIsNotFound) {
  TwoWorkersOneJob();
  const std::string offer_id = OfferId("j", "a");
  Cancel("j");
  ASSERT_EQ(Events(EventType::kWorkerOfferRevoked).size(), 1u);
  effects_.Clear();
  ExpectError(engine_.AcceptJobOffer("a", offer_id, now_, effects_), ErrorCode::kNotFound);
}

TEST_F(OffersTest, DeclineFreesCapacityAndOffersTheNextWorker) {
  TwoWorkersOneJob();
  Decline("a", OfferId("j", "a"));
  const auto declined = Events(EventType::kWorkerOfferDeclined);
  ASSERT_EQ(declined.size(), 1u);
  EXPECT_EQ(declined[0].worker_id, "a");
  EXPECT_EQ(OfferedWorkers(), std::vector<std::string>{"b"});
  EXPECT_EQ(WorkerNamed("a").used_capacity, 0);
  EXPECT_EQ(WorkerNamed("a").state, WorkerState::kActive);  // declining is no deregistration
  // A declined offer cannot be declined or accepted again.
  effects_.Clear();
  ExpectError(engine_.AcceptJobOffer("a", declined[0].offer_id, now_, effects_),
              ErrorCode::kNotFound);
}

TEST_F(OffersTest, DeclineByEveryWorkerLeavesTheJobQueued) {
  TwoWorkersOneJob();
  Decline("a", OfferId("j", "a"));
  Decline("b", OfferId("j", "b"));
  EXPECT_TRUE(OfferedWorkers().empty());
  EXPECT_EQ(JobNamed("j").status, JobStatus::kQueued);
  EXPECT_EQ(JobNamed("j").declined_by.size(), 2u);
}

TEST_F(OffersTest, OfferIdsAreGuids) {
  TwoWorkersOneJob();
  const std::string offer_id = OfferId("j", "a");
  ASSERT_EQ(offer_id.size(), 36u);
  EXPECT_EQ(offer_id[8], '-');
  EXPECT_EQ(offer_id[14], '4');
  const std::string assignment = AcceptOfferFor("j", "a");
  EXPECT_EQ(assignment.size(), 36u);
  EXPECT_NE(assignment, offer_id);
}

}  // namespace
}  // namespace sb::core::testing
