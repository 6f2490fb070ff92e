"""The seed quickstart, end to end: policy, queue, job, worker, offer, accept, complete, close;
then a second job closed with `closeAt` in the future."""
import datetime as dt
import time

from sbclient import iso, parse_time, utcnow, wait_for


def setup_router(c, uid):
    dp, queue, worker = uid("dp"), uid("queue"), uid("worker")
    c.distribution_policy(dp, offer_seconds=60)
    c.queue(queue, dp)
    return dp, queue, worker


def new_skill_job(c, job_id, queue):
    return c.new_job(job_id, queue, channel="voice", priority=1, requestedWorkerSelectors=[
        {"key": "Some-Skill", "labelOperator": "greaterThan", "value": 10}])


def accept_only_offer(c, worker_id, job_id):
    worker = wait_for(lambda: c.worker(worker_id), lambda w: len(w["offers"]) == 1,
                      what=f"one offer for {worker_id}")
    offer = worker["offers"][0]
    assert offer["jobId"] == job_id and offer["capacityCost"] == 1, worker
    accepted = c.post(f"/routing/workers/{worker_id}/offers/{offer['offerId']}:accept").expect(200)
    assert accepted["jobId"] == job_id and accepted["workerId"] == worker_id, accepted
    assert accepted["assignmentId"], accepted
    return accepted["assignmentId"]


def test_quickstart(client, uid):
    c = client
    _, queue, worker_id = setup_router(c, uid)
    job_id = uid("job")
    job = new_skill_job(c, job_id, queue)
    assert job["status"] == "queued", job
    assert job["requestedWorkerSelectors"][0]["value"] == 10, job

    worker = c.new_worker(worker_id, [queue], channels=[("voice", 1)], capacity=1,
                          labels={"Some-Skill": 11}, available=True)
    assert worker["state"] == "active", worker
    assignment = accept_only_offer(c, worker_id, job_id)

    job = c.job(job_id)
    assert job["status"] == "assigned", job
    assert list(job["assignments"]) == [assignment], job
    assert job["assignments"][assignment]["workerId"] == worker_id, job
    worker = c.worker(worker_id)
    assert worker["loadRatio"] == 1, worker
    assert worker["offers"] == [], worker
    assert [(a["assignmentId"], a["jobId"]) for a in worker["assignedJobs"]] == \
        [(assignment, job_id)], worker

    c.post(f"/routing/jobs/{job_id}/assignments/{assignment}:complete",
           {"note": "Call handled"}).expect(200)
    job = c.job(job_id)
    assert job["status"] == "completed", job
    assert "completedAt" in job["assignments"][assignment], job

    c.post(f"/routing/jobs/{job_id}/assignments/{assignment}:close",
           {"dispositionCode": "Resolved"}).expect(200)
    job = c.job(job_id)
    assert job["status"] == "closed", job
    assert job["dispositionCode"] == "Resolved", job
    assert [n["message"] for n in job["notes"]] == ["Call handled"], job
    assert all("addedAt" in n for n in job["notes"]), job
    assert "closedAt" in job["assignments"][assignment], job
    worker = c.worker(worker_id)
    assert worker["loadRatio"] == 0 and worker["assignedJobs"] == [], worker

    # A second job, closed with closeAt a couple of seconds ahead.
    second = uid("job2")
    new_skill_job(c, second, queue)
    assignment2 = accept_only_offer(c, worker_id, second)
    c.post(f"/routing/jobs/{second}/assignments/{assignment2}:complete").expect(200)
    close_at = utcnow() + dt.timedelta(seconds=2)
    c.post(f"/routing/jobs/{second}/assignments/{assignment2}:close",
           {"closeAt": iso(close_at), "note": "closing later"}).expect(200)

    # Until closeAt the job stays completed and keeps holding the worker's capacity.
    while utcnow() < close_at - dt.timedelta(milliseconds=300):
        job = c.job(second)
        assert job["status"] == "completed", job
        assert c.worker(worker_id)["loadRatio"] == 1
        time.sleep(0.1)

    job = wait_for(lambda: c.job(second), lambda j: j["status"] == "closed", timeout=5,
                   what="the job to close at closeAt")
    closed_at = parse_time(job["assignments"][assignment2]["closedAt"])
    assert closed_at >= close_at - dt.timedelta(milliseconds=5), (closed_at, close_at)
    assert job["dispositionCode"] == "Closed", job  # the default of close
    assert [n["message"] for n in job["notes"]] == ["closing later"], job
    worker = c.worker(worker_id)
    assert worker["loadRatio"] == 0 and worker["assignedJobs"] == [], worker
