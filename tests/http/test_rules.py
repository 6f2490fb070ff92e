"""The rules engine end to end over HTTP, as users write their routing: classification policies
(every attachment kind, static and Power Fx rules, fallback, failures), exception policies
(queueLength and waitTime triggers; cancel, manualReclassify and reclassify actions) and
best-worker scoring rules. Seed scenarios 002 (escalation by reclassification) and 003
(queue-length overflow, staged wait-time escalation) come first.

What a user cannot read on the job - why classification failed, how often an exception rule
fired - is read where the user would read it: the Router events on the live stream (GET
/events). Outbound rules (function, webhook) are tested elsewhere."""
import datetime as dt
import queue as queue_module
import time

import pytest

from eventkit import EventStream
from sbclient import parse_time, utcnow, wait_for

PREFIX = "Microsoft.Communication."
EARLY = dt.timedelta(milliseconds=5)  # client and server read the same clock


class Rules:
    """Policies, queues and jobs of one test, each id made with `uid`."""

    def __init__(self, c, uid):
        self.c, self.uid = c, uid
        self.dp = uid("dp")
        c.distribution_policy(self.dp, offer_seconds=60)

    def queue(self, dp=None, **extra):
        id_ = self.uid("q")
        self.c.queue(id_, dp or self.dp, **extra)
        return id_

    def classification_policy(self, **body):
        id_ = self.uid("cp")
        self.c.upsert("classificationPolicies", id_, body, expect=(201,))
        return id_

    def exception_policy(self, *rules):
        id_ = self.uid("ep")
        self.c.upsert("exceptionPolicies", id_, {"exceptionRules": list(rules)}, expect=(201,))
        return id_

    def job(self, **body):
        """Creates a voice job; answers it as created (the server answers the settled state)."""
        id_ = self.uid("job")
        body.setdefault("channelId", "voice")
        return self.c.upsert("jobs", id_, body, expect=(201,))

    def classify(self, policy_id, **body):
        return self.job(classificationPolicyId=policy_id, **body)

    def worker(self, queues, labels=None, capacity=1):
        id_ = self.uid("w")
        self.c.new_worker(id_, queues, labels=labels, capacity=capacity)
        return id_

    def offered_jobs(self, worker_id):
        return [o["jobId"] for o in self.c.worker(worker_id)["offers"]]

    def wait_offer(self, worker_id, job_id, timeout=5):
        wait_for(lambda: self.offered_jobs(worker_id), lambda jobs: job_id in jobs,
                 timeout=timeout, what=f"an offer of {job_id} to {worker_id}")

    def stream(self, job_id, *event_types):
        """The live stream of this job's events of these types (opened before the job exists)."""
        types = ",".join(event_types)
        s = EventStream(self.c, f"jobId={job_id}&eventType={types}")
        assert s.status == 200, s.body
        return s


@pytest.fixture
def rules(client, uid):
    return Rules(client, uid)


def expression(text):
    return {"kind": "expression", "expression": text}


def selector(key, value, op="equal", **extra):
    return {"key": key, "labelOperator": op, "value": value, **extra}


def wait_time_rule(rule_id, seconds, *actions):
    return {"id": rule_id, "trigger": {"kind": "waitTime", "thresholdSeconds": seconds},
            "actions": list(actions)}


def events_within(stream, seconds):
    """Every event the stream carries within `seconds` from now (a deadline, not a quiet gap:
    a rule firing again and again must not keep the window open)."""
    out, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            item = stream.queue.get(timeout=left)
        except queue_module.Empty:
            break
        assert item is not None, "the stream closed"
        out.append(item)
    return out


def kinds(events):
    return [e["event"][len(PREFIX):] for e in events]


def selectors_of(job, field="attachedWorkerSelectors"):
    return [(s["key"], s["labelOperator"], s["value"]) for s in job[field]]


def since_enqueued(job):
    return utcnow() - parse_time(job["enqueuedAt"])


# -- seed 002: escalation -----------------------------------------------------------------------

def escalation_setup(rules, wait_seconds):
    """The seed's escalation: a classification policy whose Power Fx priority is 10 for escalated
    jobs and whose conditional attachment sends them to the escalation queue; the regular
    queue's exception policy reclassifies a job that waited too long with Escalated=true."""
    team = rules.uid("team")
    regular = rules.queue()
    escalation = rules.queue(labels={"Team": team})
    cp = rules.classification_policy(
        name="escalation", fallbackQueueId=regular,
        prioritizationRule=expression("If(job.Escalated = true, 10, 1)"),
        queueSelectorAttachments=[{"kind": "conditional",
                                   "condition": expression("job.Escalated = true"),
                                   "queueSelectors": [selector("Team", team)]}])
    ep = rules.exception_policy(wait_time_rule("escalate", wait_seconds, {
        "kind": "reclassify", "classificationPolicyId": cp, "labelsToUpsert": {"Escalated": True}}))
    rules.c.upsert("queues", regular, {"exceptionPolicyId": ep}, expect=(200,))
    return regular, escalation, cp


def test_seed_002_waiting_job_is_escalated_once(rules):
    c = rules.c
    regular, escalation, cp = escalation_setup(rules, wait_seconds=1)
    agent, senior = rules.worker([regular]), rules.worker([escalation])
    job_id = rules.uid("job")
    stream = rules.stream(job_id, "RouterJobExceptionTriggered")
    try:
        job = c.upsert("jobs", job_id, {"channelId": "voice", "classificationPolicyId": cp,
                                        "labels": {"Escalated": False}}, expect=(201,))
        assert (job["status"], job["queueId"], job["priority"]) == ("queued", regular, 1), job
        enqueued = job["enqueuedAt"]
        rules.wait_offer(agent, job_id)  # the agent lets the offer sit

        job = wait_for(lambda: c.job(job_id), lambda j: j["queueId"] != regular, timeout=5,
                       what="the escalation")
        assert since_enqueued(job) >= dt.timedelta(seconds=1) - EARLY, "escalated early"
        assert (job["status"], job["queueId"], job["priority"]) == ("queued", escalation, 10), job
        assert job["labels"] == {"Escalated": True}, job
        assert (job["classificationPolicyId"], job["enqueuedAt"]) == (cp, enqueued), job
        assert rules.offered_jobs(agent) == []  # the regular queue's offer was revoked
        rules.wait_offer(senior, job_id)

        fired = stream.next(timeout=1)
        assert fired["data"]["data"]["exceptionRuleId"] == "escalate", fired
        # Once escalated the job stays put: no second firing within another threshold and more.
        assert events_within(stream, 1.5) == []
        after = c.job(job_id)
        assert (after["status"], after["queueId"], after["priority"], after["enqueuedAt"]) == \
            ("queued", escalation, 10, enqueued), after
    finally:
        stream.close()


def test_escalation_that_keeps_the_queue_fires_once(rules):
    """The reclassified job lands in the queue it waited in, whose policy carries the rule: the
    same visit goes on, so the rule does not fire again (docs/COMPATIBILITY.md)."""
    c = rules.c
    home = rules.queue()
    cp = rules.classification_policy(
        fallbackQueueId=home, prioritizationRule=expression("If(job.Escalated = true, 10, 1)"))
    ep = rules.exception_policy(wait_time_rule("escalate", 0.5, {
        "kind": "reclassify", "classificationPolicyId": cp, "labelsToUpsert": {"Escalated": True}}))
    c.upsert("queues", home, {"exceptionPolicyId": ep}, expect=(200,))
    job_id = rules.uid("job")
    stream = rules.stream(job_id, "RouterJobExceptionTriggered", "RouterJobClassified")
    try:
        c.upsert("jobs", job_id, {"channelId": "voice", "classificationPolicyId": cp},
                 expect=(201,))
        job = wait_for(lambda: c.job(job_id), lambda j: j["priority"] == 10, timeout=5,
                       what="the escalation")
        assert (job["status"], job["queueId"], job["labels"]) == \
            ("queued", home, {"Escalated": True}), job
        seen = kinds(events_within(stream, 1.5))  # three times the threshold
        assert seen == ["RouterJobClassified", "RouterJobExceptionTriggered",
                        "RouterJobClassified"], seen
    finally:
        stream.close()


def test_reclassify_after_a_label_change_escalates(rules):
    """The manual path of seed 002: the client sets the label and asks to reclassify."""
    c = rules.c
    regular, escalation, cp = escalation_setup(rules, wait_seconds=3600)
    job = rules.classify(cp, labels={"Escalated": False})
    assert (job["queueId"], job["priority"]) == (regular, 1), job
    c.upsert("jobs", job["id"], {"labels": {"Escalated": True}}, expect=(200,))
    assert c.job(job["id"])["queueId"] == regular  # a label change alone does not re-route
    assert c.post(f"/routing/jobs/{job['id']}:reclassify", {}).expect(200) == {}
    after = c.job(job["id"])
    assert (after["status"], after["queueId"], after["priority"]) == ("queued", escalation, 10), \
        after
    assert after["enqueuedAt"] == job["enqueuedAt"], after
    # And back: the escalation is undone by the same rules.
    c.upsert("jobs", job["id"], {"labels": {"Escalated": False}}, expect=(200,))
    c.post(f"/routing/jobs/{job['id']}:reclassify").expect(200)
    back = c.job(job["id"])
    assert (back["queueId"], back["priority"]) == (regular, 1), back


# -- seed 003: queue length, staged wait time ---------------------------------------------------

def test_seed_003_queue_length_cancels_the_overflowing_job(rules):
    """Threshold 2: the jobs already queued are counted, not the arriving one
    (docs/COMPATIBILITY.md), so the third job is the first cancelled."""
    c = rules.c
    ep = rules.exception_policy({
        "id": "overflow", "trigger": {"kind": "queueLength", "threshold": 2},
        "actions": [{"kind": "cancel", "dispositionCode": "QueueFull",
                     "note": "The queue is full, call back later"}]})
    q = rules.queue(exceptionPolicyId=ep)
    first, second = rules.job(queueId=q), rules.job(queueId=q)
    assert (first["status"], second["status"]) == ("queued", "queued")
    t0 = utcnow()
    third = rules.job(queueId=q)
    assert third["status"] == "cancelled", third
    assert third["dispositionCode"] == "QueueFull", third
    assert [n["message"] for n in third["notes"]] == ["The queue is full, call back later"], third
    assert abs((parse_time(third["notes"][0]["addedAt"]) - t0).total_seconds()) < 5, third
    assert c.job(third["id"]) == third  # as answered, so as stored
    fourth = rules.job(queueId=q)
    assert fourth["status"] == "cancelled", fourth  # still two ahead of it

    for earlier in (first, second):
        now = c.job(earlier["id"])
        assert (now["status"], now["notes"]) == ("queued", []), now
        assert "dispositionCode" not in now, now
    stats = c.get(f"/routing/queues/{q}/statistics").expect(200)
    assert stats["length"] == 2, stats

    # One leaves; the next arrival finds one job ahead and stays.
    c.post(f"/routing/jobs/{first['id']}:cancel").expect(200)
    fifth = rules.job(queueId=q)
    assert fifth["status"] == "queued", fifth
    assert rules.job(queueId=q)["status"] == "cancelled"  # and the one after it overflows


def test_seed_003_staged_wait_time_reclassification(rules):
    c = rules.c
    overflow = rules.queue()
    ep = rules.exception_policy(
        wait_time_rule("bump", 1, {"kind": "manualReclassify", "priority": 10}),
        wait_time_rule("move", 2.5, {"kind": "manualReclassify", "queueId": overflow}))
    q = rules.queue(exceptionPolicyId=ep)
    job_id = rules.uid("job")
    stream = rules.stream(job_id, "RouterJobExceptionTriggered")
    try:
        job = c.upsert("jobs", job_id, {"channelId": "voice", "queueId": q}, expect=(201,))
        enqueued = job["enqueuedAt"]

        bumped = wait_for(lambda: c.job(job_id), lambda j: j["priority"] != 1, timeout=5,
                          what="the first stage")
        assert since_enqueued(bumped) >= dt.timedelta(seconds=1) - EARLY, "bumped early"
        assert (bumped["status"], bumped["queueId"], bumped["priority"]) == ("queued", q, 10), \
            bumped
        assert since_enqueued(bumped) < dt.timedelta(seconds=2.5), "the stages came together"

        moved = wait_for(lambda: c.job(job_id), lambda j: j["queueId"] != q, timeout=5,
                         what="the second stage")
        assert since_enqueued(moved) >= dt.timedelta(seconds=2.5) - EARLY, "moved early"
        assert (moved["status"], moved["queueId"], moved["priority"]) == \
            ("queued", overflow, 10), moved
        assert moved["enqueuedAt"] == enqueued, moved  # it keeps its place in line

        fired = [stream.next(timeout=1)["data"]["data"]["exceptionRuleId"] for _ in range(2)]
        assert fired == ["bump", "move"], fired
    finally:
        stream.close()


def test_changed_policy_applies_to_jobs_already_waiting(rules):
    """A waitTime trigger counts from when the job joined the queue, by the queue's exception
    policy as it is now (docs/COMPATIBILITY.md): lowering a threshold, raising it, or giving a
    queue a policy acts on the jobs already waiting, as it does after a restart."""
    c = rules.c
    bump = {"kind": "manualReclassify", "priority": 10}
    lowered = rules.exception_policy(wait_time_rule("bump", 3600, bump))
    raised = rules.exception_policy(wait_time_rule("bump", 1, bump))
    q_lowered = rules.queue(exceptionPolicyId=lowered)
    q_raised = rules.queue(exceptionPolicyId=raised)
    q_later = rules.queue()
    a, b, later = rules.job(queueId=q_lowered), rules.job(queueId=q_raised), \
        rules.job(queueId=q_later)
    c.upsert("exceptionPolicies", lowered, {"exceptionRules": [wait_time_rule("bump", 1, bump)]},
             expect=(200,))
    c.upsert("exceptionPolicies", raised, {"exceptionRules": [wait_time_rule("bump", 3600, bump)]},
             expect=(200,))
    c.upsert("queues", q_later, {"exceptionPolicyId": lowered}, expect=(200,))

    for job in (a, later):
        bumped = wait_for(lambda: c.job(job["id"]), lambda j: j["priority"] == 10, timeout=5,
                          what=f"{job['id']} to be bumped by the lowered threshold")
        assert since_enqueued(bumped) >= dt.timedelta(seconds=1) - EARLY, "bumped early"
    # Past its old threshold, the job whose threshold was raised is still waiting untouched.
    deadline = parse_time(b["enqueuedAt"]) + dt.timedelta(seconds=1.5)
    while utcnow() < deadline:
        assert c.job(b["id"])["priority"] == 1, "fired by the threshold it no longer has"
        time.sleep(0.05)


# -- classification attachments -----------------------------------------------------------------

def test_conditional_and_static_attachments_with_power_fx(rules):
    pool = rules.uid("pool")
    general = rules.queue(labels={"Pool": pool, "Tier": 1})
    na = rules.queue(labels={"Pool": pool, "Tier": 2, "Region": "NA"})
    cp = rules.classification_policy(
        fallbackQueueId=general,
        queueSelectorAttachments=[
            {"kind": "static", "queueSelector": selector("Pool", pool)},
            {"kind": "conditional", "condition": expression('job.Region = "NA"'),
             "queueSelectors": [selector("Region", "NA"), selector("Tier", 1, "greaterThan")]}],
        workerSelectorAttachments=[
            {"kind": "conditional",
             "condition": expression("job.Urgent = true And job.Value > 100"),
             "workerSelectors": [selector("Skill", 5, "greaterThanOrEqual")]},
            {"kind": "static", "workerSelector": selector("Lang", "en")}])

    urgent = rules.classify(cp, labels={"Region": "NA", "Urgent": True, "Value": 250})
    assert (urgent["status"], urgent["queueId"]) == ("queued", na), urgent
    assert selectors_of(urgent) == [("Skill", "greaterThanOrEqual", 5), ("Lang", "equal", "en")]
    calm = rules.classify(cp, labels={"Region": "NA", "Urgent": True, "Value": 50})
    assert calm["queueId"] == na and selectors_of(calm) == [("Lang", "equal", "en")], calm
    # Outside NA only the static Pool selector is left: both queues satisfy it, and the first
    # created is chosen (docs/COMPATIBILITY.md).
    elsewhere = rules.classify(cp, labels={"Region": "EU", "Urgent": True, "Value": 250})
    assert (elsewhere["status"], elsewhere["queueId"]) == ("queued", general), elsewhere
    assert selectors_of(elsewhere) == selectors_of(urgent), elsewhere

    # The attached selectors decide who is offered the job.
    novice = rules.worker([na], labels={"Skill": 3, "Lang": "en"})
    expert = rules.worker([na], labels={"Skill": 7, "Lang": "en"})
    rules.wait_offer(expert, urgent["id"])
    rules.wait_offer(novice, calm["id"])
    assert urgent["id"] not in rules.offered_jobs(novice)


def test_fallback_and_no_queue_at_all(rules):
    c = rules.c
    fallback = rules.queue()
    nowhere = {"kind": "static", "queueSelector": selector("Region", rules.uid("nowhere"))}
    with_fallback = rules.classification_policy(fallbackQueueId=fallback,
                                                queueSelectorAttachments=[nowhere])
    job = rules.classify(with_fallback)
    assert (job["status"], job["queueId"]) == ("queued", fallback), job

    without = rules.classification_policy(queueSelectorAttachments=[nowhere])
    job_id = rules.uid("job")
    stream = rules.stream(job_id, "RouterJobClassificationFailed")
    try:
        job = c.upsert("jobs", job_id, {"channelId": "voice", "classificationPolicyId": without},
                       expect=(201,))
        assert job["status"] == "classificationFailed" and "queueId" not in job, job
        failed = stream.next(timeout=5)["data"]["data"]
        assert "fallbackQueueId" in failed["errors"][0]["message"], failed
    finally:
        stream.close()


def test_pass_through_selectors_and_their_expiry(rules):
    c = rules.c
    product = rules.uid("product")
    target = rules.queue(labels={"Product": product})
    fallback = rules.queue()
    cp = rules.classification_policy(
        fallbackQueueId=fallback,
        queueSelectorAttachments=[{"kind": "passThrough", "key": "Product",
                                   "labelOperator": "equal"}],
        workerSelectorAttachments=[{"kind": "passThrough", "key": "Lang", "labelOperator": "equal",
                                    "expiresAfterSeconds": 1}])
    # Without the labels, nothing passes through.
    bare = rules.classify(cp)
    assert (bare["queueId"], bare["attachedWorkerSelectors"]) == (fallback, []), bare

    job = rules.classify(cp, labels={"Product": product, "Lang": "fr"})
    assert (job["status"], job["queueId"]) == ("queued", target), job
    [attached] = job["attachedWorkerSelectors"]
    assert (attached["key"], attached["labelOperator"], attached["value"]) == \
        ("Lang", "equal", "fr"), job
    assert (attached["status"], attached["expiresAfterSeconds"]) == ("active", 1), job
    assert parse_time(attached["expiresAt"]) - parse_time(job["enqueuedAt"]) == \
        dt.timedelta(seconds=1), job

    german = rules.worker([target], labels={"Lang": "de"})
    assert rules.offered_jobs(german) == []  # the French selector keeps it away
    rules.wait_offer(german, job["id"], timeout=5)  # until it expires
    expired = c.job(job["id"])
    assert since_enqueued(expired) >= dt.timedelta(seconds=1) - EARLY, "offered early"
    assert expired["attachedWorkerSelectors"][0]["status"] == "expired", expired


def test_rule_engine_attachments(rules):
    c = rules.c
    na, other = rules.queue(), rules.queue()
    cp = rules.classification_policy(
        prioritizationRule=expression('Switch(job.Tier, "gold", 9, "silver", 5, 1)'),
        queueSelectorAttachments=[{"kind": "ruleEngine", "rule": expression(
            f'If(job.Region = "NA", "{na}", "{other}")')}],
        workerSelectorAttachments=[{"kind": "ruleEngine", "rule": {"kind": "directMap"}}])
    gold = rules.classify(cp, labels={"Region": "NA", "Tier": "gold"})
    assert (gold["status"], gold["queueId"], gold["priority"]) == ("queued", na, 9), gold
    assert sorted(selectors_of(gold)) == [("Region", "equal", "NA"), ("Tier", "equal", "gold")]
    plain = rules.classify(cp, labels={"Region": "EU"})
    assert (plain["queueId"], plain["priority"]) == (other, 1), plain
    assert selectors_of(plain) == [("Region", "equal", "EU")]

    # A static rule may name the queue too.
    fixed = rules.classification_policy(queueSelectorAttachments=[
        {"kind": "ruleEngine", "rule": {"kind": "static", "value": other}}])
    assert rules.classify(fixed)["queueId"] == other

    # Selectors for workers cannot come from an expression (Power Fx here has no records).
    r = c.patch(f"/routing/classificationPolicies/{rules.uid('cp')}", {
        "workerSelectorAttachments": [{"kind": "ruleEngine", "rule": expression("job.Lang")}]})
    r.expect(400)
    assert r.json["error"]["target"] == "workerSelectorAttachments[0].rule", r


def test_weighted_allocation_takes_every_branch(rules):
    pool = rules.uid("pool")
    qa, qb = rules.queue(labels={"Pool": pool, "Branch": "a"}), \
        rules.queue(labels={"Pool": pool, "Branch": "b"})
    cp = rules.classification_policy(
        queueSelectorAttachments=[
            {"kind": "static", "queueSelector": selector("Pool", pool)},
            {"kind": "weightedAllocation", "allocations": [
                {"weight": 0.5, "queueSelectors": [selector("Branch", "a")]},
                {"weight": 0.5, "queueSelectors": [selector("Branch", "b")]}]}],
        workerSelectorAttachments=[{"kind": "weightedAllocation", "allocations": [
            {"weight": 0.3, "workerSelectors": [selector("Team", "red")]},
            {"weight": 0.7, "workerSelectors": [selector("Team", "blue")]}]}])
    jobs = [rules.classify(cp) for _ in range(40)]
    assert all(j["status"] == "queued" for j in jobs)
    queues = [j["queueId"] for j in jobs]
    assert set(queues) == {qa, qb}, queues  # each branch missed with odds of 2^-40
    teams = [selectors_of(j) for j in jobs]
    assert {tuple(t) for t in teams} == {(("Team", "equal", "red"),),
                                         (("Team", "equal", "blue"),)}, teams


def test_queue_id_on_the_job_wins_over_the_policy(rules):
    c = rules.c
    chosen, elsewhere = rules.queue(), rules.queue()
    cp = rules.classification_policy(
        fallbackQueueId=elsewhere, prioritizationRule={"kind": "static", "value": 8},
        queueSelectorAttachments=[{"kind": "ruleEngine",
                                   "rule": {"kind": "static", "value": elsewhere}}],
        workerSelectorAttachments=[{"kind": "static", "workerSelector": selector("Skill", 1)}])
    job = rules.classify(cp, queueId=chosen)
    assert (job["status"], job["queueId"], job["priority"]) == ("queued", chosen, 8), job
    assert selectors_of(job) == [("Skill", "equal", 1)], job
    c.post(f"/routing/jobs/{job['id']}:reclassify").expect(200)
    assert c.job(job["id"])["queueId"] == chosen  # reclassification keeps it too


def test_failed_classification_says_why(rules):
    c = rules.c
    fallback = rules.queue()
    cp = rules.classification_policy(fallbackQueueId=fallback,
                                     prioritizationRule=expression("100 / job.Divisor"))
    cases = [({"Divisor": 0}, "division by zero"),  # an error value
             ({"Divisor": 0.5}, "-100 to 100")]      # 200: out of the priority range
    for labels, reason in cases:
        job_id = rules.uid("job")
        stream = rules.stream(job_id, "RouterJobClassificationFailed")
        try:
            job = c.upsert("jobs", job_id, {"channelId": "voice", "classificationPolicyId": cp,
                                            "labels": labels}, expect=(201,))
            assert job["status"] == "classificationFailed" and "queueId" not in job, job
            assert "enqueuedAt" not in job, job
            failed = stream.next(timeout=5)["data"]["data"]
        finally:
            stream.close()
        [error] = failed["errors"]
        assert "prioritizationRule" in error["message"] and reason in error["message"], failed
        listed = c.list_all("jobs", query={"status": "classificationFailed",
                                           "classificationPolicyId": cp})[0]
        assert job_id in [j["id"] for j in listed]

    # Fixing the label and reclassifying queues the job.
    c.upsert("jobs", job_id, {"labels": {"Divisor": 20}}, expect=(200,))
    c.post(f"/routing/jobs/{job_id}:reclassify").expect(200)
    job = c.job(job_id)
    assert (job["status"], job["queueId"], job["priority"]) == ("queued", fallback, 5), job


@pytest.mark.parametrize("field, body, position", [
    ("prioritizationRule",
     {"prioritizationRule": expression("If(job.Escalated = true, 10")}, 28),
    ("queueSelectorAttachments[0].condition",
     {"queueSelectorAttachments": [{"kind": "conditional", "condition": expression("job.A = = 1"),
                                    "queueSelectors": []}]}, 9),
    ("workerSelectorAttachments[1].condition",
     {"workerSelectorAttachments": [
         {"kind": "static", "workerSelector": selector("a", 1)},
         {"kind": "conditional", "condition": expression('job.A = "unterminated'),
          "workerSelectors": []}]}, 9),
])
def test_power_fx_syntax_error_is_refused_when_saved(rules, field, body, position):
    c = rules.c
    body["fallbackQueueId"] = rules.queue()
    cp = rules.uid("cp")
    r = c.patch(f"/routing/classificationPolicies/{cp}", body)
    error = r.expect(400)["error"]
    assert r.header("x-ms-error-code") == "BadRequest", r
    assert (error["code"], error["target"]) == ("BadRequest", field), r
    assert error["message"].startswith(f"{field} expression: position {position}: "), r
    c.get(f"/routing/classificationPolicies/{cp}").expect(404)  # nothing was stored


def test_scoring_rule_syntax_error_is_refused_when_saved(rules):
    c = rules.c
    dp = rules.uid("dp")
    r = c.patch(f"/routing/distributionPolicies/{dp}", {
        "offerExpiresAfterSeconds": 60,
        "mode": {"kind": "bestWorker", "scoringRule": expression("worker.Skill *")}})
    error = r.expect(400)["error"]
    assert error["target"] == "mode.scoringRule", r
    assert "position" in error["message"], r
    c.get(f"/routing/distributionPolicies/{dp}").expect(404)


# -- best worker with a scoring rule ------------------------------------------------------------

def best_worker_queue(rules, rule, descending=None):
    dp = rules.uid("dp")
    mode = {"kind": "bestWorker", "scoringRule": rule, "minConcurrentOffers": 1,
            "maxConcurrentOffers": 1}
    if descending is not None:
        mode["scoringRuleOptions"] = {"descendingOrder": descending}
    rules.c.upsert("distributionPolicies", dp, {"offerExpiresAfterSeconds": 60, "mode": mode},
                   expect=(201,))
    return rules.queue(dp=dp)


@pytest.mark.parametrize("descending, winner", [(None, 9), (True, 9), (False, 2)])
def test_best_worker_expression_score_on_worker_labels(rules, descending, winner):
    q = best_worker_queue(rules, expression("worker.Skill"), descending)
    workers = {skill: rules.worker([q], labels={"Skill": skill}) for skill in (5, 9, 2)}
    job = rules.job(queueId=q)
    rules.wait_offer(workers[winner], job["id"])
    assert [skill for skill, w in workers.items() if rules.offered_jobs(w)] == [winner]


def test_best_worker_expression_score_on_job_and_worker_labels(rules):
    """The closest level to what the job asks wins; a worker whose score fails ranks last."""
    q = best_worker_queue(rules, expression("Abs(worker.Level - job.Wanted) + 10 / worker.Level"),
                          descending=False)
    broken = rules.worker([q], labels={"Level": 0})  # 10 / 0: its score is an error
    far, near = rules.worker([q], labels={"Level": 9}), rules.worker([q], labels={"Level": 5})
    job = rules.job(queueId=q, labels={"Wanted": 6})
    rules.wait_offer(near, job["id"])
    assert rules.offered_jobs(far) == [] and rules.offered_jobs(broken) == []
    # With the others busy, the failing worker is still offered a job: last, not never.
    rules.job(queueId=q, labels={"Wanted": 6})
    rules.job(queueId=q, labels={"Wanted": 6})
    wait_for(lambda: [rules.offered_jobs(w) for w in (broken, far, near)],
             lambda offers: all(len(o) == 1 for o in offers), timeout=5,
             what="every worker holding an offer")
