"""Job and worker lifecycles over HTTP: cancel, unassign, scheduling, decline, offer expiry,
worker deregistration, queue statistics and job position."""
import datetime as dt

import pytest

from sbclient import iso, parse_time, utcnow, wait_for
from shapes import Spec

SPEC = Spec()


class Router:
    """A distribution policy and a queue of a test's own, with helpers."""

    def __init__(self, c, uid, **dp_options):
        self.c, self.uid = c, uid
        self.dp, self.queue = uid("dp"), uid("q")
        c.distribution_policy(self.dp, **dp_options)
        c.queue(self.queue, self.dp)

    def job(self, **extra):
        id_ = self.uid("job")
        self.c.new_job(id_, self.queue, **extra)
        return id_

    def worker(self, capacity=1, available=True, **extra):
        id_ = self.uid("w")
        self.c.new_worker(id_, [self.queue], capacity=capacity, available=available, **extra)
        return id_

    def offers(self, worker_id, job_id=None):
        return [o for o in self.c.worker(worker_id)["offers"]
                if job_id is None or o["jobId"] == job_id]

    def wait_offer(self, worker_id, job_id, timeout=5):
        worker = wait_for(lambda: self.c.worker(worker_id),
                          lambda w: any(o["jobId"] == job_id for o in w["offers"]),
                          timeout=timeout, what=f"an offer of {job_id} to {worker_id}")
        return next(o for o in worker["offers"] if o["jobId"] == job_id)

    def accept(self, worker_id, job_id):
        offer = self.wait_offer(worker_id, job_id)
        return self.c.post(f"/routing/workers/{worker_id}/offers/{offer['offerId']}:accept"
                           ).expect(200)["assignmentId"]


@pytest.fixture
def router(client, uid):
    return Router(client, uid)


# -- cancel -------------------------------------------------------------------------------------

def test_cancel_defaults_and_note(router):
    c = router.c
    plain = router.job()
    c.post(f"/routing/jobs/{plain}:cancel").expect(200)  # no body at all
    job = c.job(plain)
    assert (job["status"], job["dispositionCode"]) == ("cancelled", "Cancelled"), job
    assert job["notes"] == [], job  # no note when none is given

    noted = router.job()
    t0 = utcnow()
    c.post(f"/routing/jobs/{noted}:cancel", {"note": "caller hung up"}).expect(200)
    job = c.job(noted)
    assert (job["status"], job["dispositionCode"]) == ("cancelled", "Cancelled"), job
    assert [n["message"] for n in job["notes"]] == ["caller hung up"], job
    added = parse_time(job["notes"][0]["addedAt"])
    assert abs((added - t0).total_seconds()) < 5, job

    coded = router.job()
    c.post(f"/routing/jobs/{coded}:cancel", {"dispositionCode": "Abandoned"}).expect(200)
    assert c.job(coded)["dispositionCode"] == "Abandoned"


def test_cancel_revokes_offers_and_releases_the_worker(router):
    c = router.c
    worker = router.worker(capacity=2)
    offered, assigned = router.job(), router.job()
    router.wait_offer(worker, offered)
    assignment = router.accept(worker, assigned)
    assert c.worker(worker)["loadRatio"] == 1  # an open offer and an assignment
    c.post(f"/routing/jobs/{offered}:cancel").expect(200)
    assert router.offers(worker, offered) == []
    c.post(f"/routing/jobs/{assigned}:cancel", {"note": "gone"}).expect(200)
    w = c.worker(worker)
    assert w["assignedJobs"] == [] and w["loadRatio"] == 0, w
    job = c.job(assigned)
    assert job["status"] == "cancelled" and assignment in job["assignments"], job


# -- unassign -----------------------------------------------------------------------------------

def test_unassign_requeues_and_counts(router):
    c = router.c
    worker = router.worker()
    job_id = router.job()
    enqueued = c.job(job_id)["enqueuedAt"]
    for n in range(1, 5):  # not capped at 3 (docs/COMPATIBILITY.md)
        assignment = router.accept(worker, job_id)
        assert c.job(job_id)["status"] == "assigned"
        result = c.post(f"/routing/jobs/{job_id}/assignments/{assignment}:unassign").expect(200)
        assert result == {"jobId": job_id, "unassignmentCount": n}, result
        SPEC.assert_valid(result, "UnassignJobResult")
        job = c.job(job_id)
        assert job["status"] == "queued", job
        assert job["enqueuedAt"] == enqueued, job  # keeps its place in line
        w = c.worker(worker)
        assert w["assignedJobs"] == [], w
    # Unassigned, the job may be offered to the same worker again.
    router.wait_offer(worker, job_id)


def test_unassign_with_suspend_matching(router):
    c = router.c
    worker = router.worker()
    job_id = router.job()
    assignment = router.accept(worker, job_id)
    result = c.post(f"/routing/jobs/{job_id}/assignments/{assignment}:unassign",
                    {"suspendMatching": True}).expect(200)
    assert result["unassignmentCount"] == 1
    job = c.job(job_id)
    assert job["status"] == "waitingForActivation", job
    assert job["matchingMode"] == {"kind": "suspend"}, job
    assert router.offers(worker) == [] and c.worker(worker)["loadRatio"] == 0
    c.get(f"/routing/jobs/{job_id}/position").expect(409)

    job = c.upsert("jobs", job_id, {"matchingMode": {"kind": "queueAndMatch"}}, expect=(200,))
    assert job["status"] == "queued" and job["matchingMode"] == {"kind": "queueAndMatch"}, job
    router.wait_offer(worker, job_id)


# -- scheduling ---------------------------------------------------------------------------------

def test_scheduled_job(router):
    c = router.c
    worker = router.worker()
    schedule_at = utcnow() + dt.timedelta(seconds=1.5)
    job_id = router.job(matchingMode={"kind": "scheduleAndSuspend",
                                      "scheduleAt": iso(schedule_at)})
    job = c.job(job_id)
    assert job["status"] == "scheduled", job
    assert parse_time(job["scheduledAt"]) == schedule_at, job
    assert parse_time(job["matchingMode"]["scheduleAt"]) == schedule_at, job
    assert router.offers(worker) == []
    listed = c.list_all("jobs", query={"status": "scheduled", "queueId": router.queue})[0]
    assert [j["id"] for j in listed] == [job_id]

    job = wait_for(lambda: c.job(job_id), lambda j: j["status"] != "scheduled", timeout=5,
                   what="the scheduled time")
    assert utcnow() >= schedule_at - dt.timedelta(milliseconds=5), "activated early"
    assert job["status"] == "waitingForActivation", job
    assert router.offers(worker) == []  # matching does not start by itself

    job = c.upsert("jobs", job_id, {"matchingMode": {"kind": "queueAndMatch"}}, expect=(200,))
    assert job["status"] == "queued", job
    router.wait_offer(worker, job_id)


def test_scheduled_job_can_be_activated_early(router):
    c = router.c
    job_id = router.job(matchingMode={"kind": "scheduleAndSuspend",
                                      "scheduleAt": iso(utcnow() + dt.timedelta(hours=1))})
    assert c.job(job_id)["status"] == "scheduled"
    job = c.upsert("jobs", job_id, {"matchingMode": {"kind": "queueAndMatch"}}, expect=(200,))
    assert job["status"] == "queued", job
    assert c.get(f"/routing/jobs/{job_id}/position").expect(200)["position"] == 1


def test_suspended_job_waits_for_activation(router):
    c = router.c
    worker = router.worker()
    job_id = router.job(matchingMode={"kind": "suspend"})
    assert c.job(job_id)["status"] == "waitingForActivation"
    assert router.offers(worker) == []
    c.upsert("jobs", job_id, {"matchingMode": {"kind": "queueAndMatch"}}, expect=(200,))
    router.wait_offer(worker, job_id)


# -- decline ------------------------------------------------------------------------------------

def test_decline_with_retry_offer_at(router):
    c = router.c
    worker = router.worker()
    job_id = router.job()
    offer = router.wait_offer(worker, job_id)
    retry_at = utcnow() + dt.timedelta(seconds=1.5)
    c.post(f"/routing/workers/{worker}/offers/{offer['offerId']}:decline",
           {"retryOfferAt": iso(retry_at)}).expect(200)
    assert router.offers(worker) == [], c.worker(worker)
    assert c.job(job_id)["status"] == "queued"
    # The offer cannot be used any more.
    c.post(f"/routing/workers/{worker}/offers/{offer['offerId']}:accept").expect(404)

    again = router.wait_offer(worker, job_id, timeout=6)
    assert utcnow() >= retry_at - dt.timedelta(milliseconds=5), "re-offered before retryOfferAt"
    assert again["offerId"] != offer["offerId"]
    assert parse_time(again["offeredAt"]) >= retry_at - dt.timedelta(milliseconds=5), again


def test_decline_without_retry_until_reregistered(router):
    c = router.c
    worker = router.worker()
    job_id = router.job()
    offer = router.wait_offer(worker, job_id)
    c.post(f"/routing/workers/{worker}/offers/{offer['offerId']}:decline").expect(200)
    assert router.offers(worker) == []
    assert c.job(job_id)["status"] == "queued"
    # Another worker can take it meanwhile ...
    other = router.worker()
    router.wait_offer(other, job_id)
    c.post(f"/routing/workers/{other}/offers/{router.offers(other)[0]['offerId']}:decline"
           ).expect(200)
    # ... and re-registering makes the first worker eligible again.
    c.upsert("workers", worker, {"availableForOffers": False})
    c.upsert("workers", worker, {"availableForOffers": True})
    router.wait_offer(worker, job_id)


# -- offer expiry -------------------------------------------------------------------------------

def test_offer_expiry_deregisters_the_worker(client, uid):
    router = Router(client, uid, offer_seconds=1)
    c = router.c
    worker = router.worker()
    job_id = router.job()
    offer = router.wait_offer(worker, job_id)
    lifetime = parse_time(offer["expiresAt"]) - parse_time(offer["offeredAt"])
    assert lifetime == dt.timedelta(seconds=1), offer

    w = wait_for(lambda: c.worker(worker), lambda w: not w["offers"], timeout=5,
                 what="the offer to expire")
    assert w["state"] == "inactive" and w["availableForOffers"] is False, w
    assert w["loadRatio"] == 0, w
    assert c.job(job_id)["status"] == "queued"
    c.post(f"/routing/workers/{worker}/offers/{offer['offerId']}:accept").expect(404)


# -- worker deregistration ----------------------------------------------------------------------

def test_worker_deregistration_drains(router):
    c = router.c
    worker = router.worker(capacity=2)
    busy, pending = router.job(), router.job()
    assignment = router.accept(worker, busy)
    router.wait_offer(worker, pending)

    w = c.upsert("workers", worker, {"availableForOffers": False}, expect=(200,))
    assert w["state"] == "draining", w
    assert w["offers"] == [], w  # open offers are revoked at once
    assert [a["jobId"] for a in w["assignedJobs"]] == [busy], w
    assert c.job(pending)["status"] == "queued"
    assert [x["id"] for x in c.list_all("workers", query={"state": "draining",
                                                           "queueId": router.queue})[0]] == \
        [worker]

    c.post(f"/routing/jobs/{busy}/assignments/{assignment}:complete").expect(200)
    assert c.worker(worker)["state"] == "draining"  # the completed job still holds it
    c.post(f"/routing/jobs/{busy}/assignments/{assignment}:close").expect(200)
    w = c.worker(worker)
    assert w["state"] == "inactive" and w["assignedJobs"] == [] and w["loadRatio"] == 0, w
    assert router.offers(worker) == []
    c.delete(f"/routing/workers/{worker}").expect(204)
    c.get(f"/routing/workers/{worker}").expect(404)


# -- queue statistics and position --------------------------------------------------------------

def test_queue_statistics_and_positions(router):
    c = router.c
    stats = c.get(f"/routing/queues/{router.queue}/statistics").expect(200)
    assert stats == {"queueId": router.queue, "length": 0}, stats

    jobs = [router.job() for _ in range(3)]
    first_enqueued = parse_time(c.job(jobs[0])["enqueuedAt"])
    for i, job_id in enumerate(jobs):
        pos = c.get(f"/routing/jobs/{job_id}/position").expect(200)
        assert (pos["jobId"], pos["queueId"], pos["position"], pos["queueLength"]) == \
            (job_id, router.queue, i + 1, 3), pos

    stats = wait_for(lambda: c.get(f"/routing/queues/{router.queue}/statistics").expect(200),
                     lambda s: s.get("longestJobWaitTimeMinutes", 0) > 0, timeout=2,
                     what="a positive longest wait")
    SPEC.assert_valid(stats, "RouterQueueStatistics")
    assert stats["length"] == 3, stats
    waited = (utcnow() - first_enqueued).total_seconds() / 60
    assert 0 < stats["longestJobWaitTimeMinutes"] <= waited + 1 / 60, (stats, waited)

    # A higher priority goes first.
    urgent = router.job(priority=10)
    assert c.get(f"/routing/jobs/{urgent}/position").expect(200)["position"] == 1
    assert c.get(f"/routing/jobs/{jobs[2]}/position").expect(200)["position"] == 4
    # Leaving the queue shifts the others up; only queued jobs count.
    c.post(f"/routing/jobs/{jobs[0]}:cancel").expect(200)
    pos = c.get(f"/routing/jobs/{jobs[1]}/position").expect(200)
    assert (pos["position"], pos["queueLength"]) == (2, 3), pos
    worker = router.worker()
    router.accept(worker, urgent)
    assert c.get(f"/routing/queues/{router.queue}/statistics").expect(200)["length"] == 2
    c.get(f"/routing/jobs/{urgent}/position").expect(409)  # assigned, not queued
    pos = c.get(f"/routing/jobs/{jobs[1]}/position").expect(200)
    assert (pos["position"], pos["queueLength"]) == (1, 2), pos


def test_estimates_once_the_queue_has_history(router):
    c = router.c
    worker = router.worker()
    done = router.job()
    router.accept(worker, done)
    waiting = [router.job(priority=p) for p in (1, 5)]
    pos = c.get(f"/routing/jobs/{waiting[1]}/position").expect(200)
    SPEC.assert_valid(pos, "RouterJobPositionDetails")
    assert pos["estimatedWaitTimeMinutes"] >= 0, pos
    stats = c.get(f"/routing/queues/{router.queue}/statistics").expect(200)
    SPEC.assert_valid(stats, "RouterQueueStatistics")
    assert set(stats["estimatedWaitTimeMinutes"]) == {"1", "5"}, stats
    assert all(v >= 0 for v in stats["estimatedWaitTimeMinutes"].values()), stats



def test_position_always_has_an_estimate(router):
    job_id = router.job()
    pos = router.c.get(f"/routing/jobs/{job_id}/position").expect(200)
    assert (pos["position"], pos["queueLength"]) == (1, 1), pos
    SPEC.assert_valid(pos, "RouterJobPositionDetails", context=f"position of {job_id}")


# -- worker selectors, classification, reclassify, times ----------------------------------------

def test_selector_expiry_and_expedite(router):
    c = router.c
    rare = router.job(requestedWorkerSelectors=[
        {"key": "rare", "labelOperator": "equal", "value": 1, "expiresAfterSeconds": 1}])
    job = c.job(rare)
    selector = job["requestedWorkerSelectors"][0]
    assert selector["status"] == "active", job
    assert parse_time(selector["expiresAt"]) - parse_time(job["enqueuedAt"]) == \
        dt.timedelta(seconds=1), job
    # expedite: ahead of every other job in the queue while the selector is active.
    urgent = router.job(priority=-5, requestedWorkerSelectors=[
        {"key": "x", "labelOperator": "notEqual", "value": 1, "expedite": True}])
    assert c.get(f"/routing/jobs/{urgent}/position").expect(200)["position"] == 1
    assert c.get(f"/routing/jobs/{rare}/position").expect(200)["position"] == 2

    worker = router.worker(capacity=2)  # has no `rare` label: gets only the expedited job
    router.wait_offer(worker, urgent)
    assert router.offers(worker, rare) == []
    router.wait_offer(worker, rare, timeout=5)  # once the selector expires
    job = c.job(rare)
    assert job["requestedWorkerSelectors"][0]["status"] == "expired", job


def test_classification(router, uid):
    c = router.c
    fr, fallback = uid("qfr"), uid("qfb")
    c.queue(fr, router.dp, labels={"lang": "fr"})
    c.queue(fallback, router.dp)
    cp = uid("cp")
    c.upsert("classificationPolicies", cp, {
        "fallbackQueueId": fallback,
        "queueSelectorAttachments": [{"kind": "passThrough", "key": "lang",
                                      "labelOperator": "equal"}],
        "prioritizationRule": {"kind": "static", "value": 7},
        "workerSelectorAttachments": [{"kind": "static", "workerSelector": {
            "key": "skill", "labelOperator": "greaterThanOrEqual", "value": 3}}]}, expect=(201,))
    matched, unmatched = uid("job"), uid("job")
    job = c.upsert("jobs", matched, {"channelId": "voice", "classificationPolicyId": cp,
                                     "labels": {"lang": "fr"}}, expect=(201,))
    assert (job["status"], job["queueId"], job["priority"]) == ("queued", fr, 7), job
    assert [(s["key"], s["labelOperator"], s["value"]) for s in job["attachedWorkerSelectors"]] \
        == [("skill", "greaterThanOrEqual", 3)], job
    job = c.upsert("jobs", unmatched, {"channelId": "voice", "classificationPolicyId": cp,
                                       "labels": {"lang": "de"}}, expect=(201,))
    assert (job["status"], job["queueId"]) == ("queued", fallback), job
    listed = c.list_all("jobs", query={"classificationPolicyId": cp})[0]
    assert [j["id"] for j in listed] == [matched, unmatched]

    # Reclassify after the labels changed: a new queue, the same enqueuedAt.
    enqueued = job["enqueuedAt"]
    c.upsert("jobs", unmatched, {"labels": {"lang": "fr"}}, expect=(200,))
    c.post(f"/routing/jobs/{unmatched}:reclassify", {}).expect(200)
    job = c.job(unmatched)
    assert (job["status"], job["queueId"], job["enqueuedAt"]) == ("queued", fr, enqueued), job


def test_times_are_normalised_to_utc_microseconds(router):
    c = router.c
    job_id = router.job(matchingMode={"kind": "scheduleAndSuspend",
                                      "scheduleAt": "2099-01-01T05:30:00.123456789+05:30"})
    job = c.job(job_id)
    assert job["matchingMode"]["scheduleAt"] == "2099-01-01T00:00:00.123456+00:00", job
    assert job["scheduledAt"] == "2099-01-01T00:00:00.123456+00:00", job
    job = c.upsert("jobs", job_id, {"matchingMode": {
        "kind": "scheduleAndSuspend", "scheduleAt": "2099-01-01T00:00:00.5Z"}})
    assert job["matchingMode"]["scheduleAt"] == "2099-01-01T00:00:00.5+00:00", job


# -- more of docs/COMPATIBILITY.md --------------------------------------------------------------

def test_cancel_is_allowed_in_every_active_status(router):
    c = router.c
    worker = router.worker(capacity=2)
    jobs = {"assigned": router.job()}
    router.accept(worker, jobs["assigned"])
    completed = router.job()
    a = router.accept(worker, completed)
    c.post(f"/routing/jobs/{completed}/assignments/{a}:complete").expect(200)
    later = iso(utcnow() + dt.timedelta(hours=1))
    jobs["queued"] = router.job()  # the worker is full: stays queued
    jobs["scheduled"] = router.job(matchingMode={"kind": "scheduleAndSuspend",
                                                 "scheduleAt": later})
    jobs["waitingForActivation"] = router.job(matchingMode={"kind": "suspend"})
    for status, job_id in jobs.items():
        assert c.job(job_id)["status"] == status
        c.post(f"/routing/jobs/{job_id}:cancel").expect(200)
        assert c.job(job_id)["status"] == "cancelled", status
    c.post(f"/routing/jobs/{completed}:cancel").expect(409)
    assert c.job(completed)["status"] == "completed"
    # The assigned job's cancel released its capacity; the completed one still holds its own.
    w = c.worker(worker)
    assert [x["jobId"] for x in w["assignedJobs"]] == [completed], w


def test_the_newest_100_notes_are_kept(router):
    c = router.c
    job_id = router.job(notes=[{"message": f"m{i}"} for i in range(100)])
    c.post(f"/routing/jobs/{job_id}:cancel", {"note": "newest"}).expect(200)
    notes = [n["message"] for n in c.job(job_id)["notes"]]
    assert len(notes) == 100 and notes[0] == "m1" and notes[-1] == "newest", notes


def test_lowering_capacity_revokes_offers_that_no_longer_fit(router):
    c = router.c
    worker = router.worker(capacity=3)
    jobs = [router.job() for _ in range(3)]
    for j in jobs:
        router.wait_offer(worker, j)
    w = c.upsert("workers", worker, {"capacity": 1}, expect=(200,))
    assert [o["jobId"] for o in w["offers"]] == jobs[:1], w
    assert w["loadRatio"] == 1, w
    assert all(c.job(j)["status"] == "queued" for j in jobs)


def test_min_and_max_concurrent_offers(client, uid):
    router = Router(client, uid, min_offers=2, max_offers=3)
    c = router.c
    job_id = router.job()
    first = router.worker()
    # One eligible worker cannot bring the job to minConcurrentOffers: no offer at all.
    assert router.offers(first) == []
    second = router.worker()
    router.wait_offer(first, job_id)
    router.wait_offer(second, job_id)
    third = router.worker()
    router.wait_offer(third, job_id)  # up to maxConcurrentOffers
    fourth = router.worker()
    assert router.offers(fourth) == []
    offered = [w for w in (first, second, third, fourth) if router.offers(w, job_id)]
    assert len(offered) == 3, offered
