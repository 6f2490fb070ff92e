"""Seed scenario (a), the Job Router quickstart, as the SDK's samples write it: a distribution
policy, a queue, a job needing Some-Skill > 10, a worker with Some-Skill 11; poll for the
offer, accept, complete, close; then a second job closed with a future close_at."""
import datetime as dt

from azure.communication.jobrouter.models import (CloseJobOptions, CompleteJobOptions,
                                                  DistributionPolicy, LabelOperator,
                                                  LongestIdleMode, RouterChannel, RouterJob,
                                                  RouterJobStatus, RouterQueue, RouterWorker,
                                                  RouterWorkerSelector, RouterWorkerState)

from helpers import assign, utcnow


async def _setup(sdk, uid):
    policy = await sdk.admin.upsert_distribution_policy(
        uid("distribution-policy"),
        DistributionPolicy(offer_expires_after_seconds=60, mode=LongestIdleMode(),
                           name="My distribution policy"))
    assert policy.offer_expires_after_seconds == 60
    assert policy.mode.kind == "longestIdle"
    queue = await sdk.admin.upsert_queue(
        uid("queue"), RouterQueue(name="My Queue", distribution_policy_id=policy.id))
    assert queue.distribution_policy_id == policy.id
    return policy, queue


async def _skill_job(sdk, job_id, queue_id):
    return await sdk.router.upsert_job(job_id, RouterJob(
        channel_id="voice", queue_id=queue_id, priority=1,
        requested_worker_selectors=[RouterWorkerSelector(
            key="Some-Skill", label_operator=LabelOperator.GREATER_THAN, value=10)]))


async def _skilled_worker(sdk, worker_id, queue_id):
    return await sdk.router.upsert_worker(worker_id, RouterWorker(
        capacity=1, queues=[queue_id], labels={"Some-Skill": 11},
        channels=[RouterChannel(channel_id="voice", capacity_cost_per_job=1)],
        available_for_offers=True))


async def test_quickstart(sdk, uid):
    _, queue = await _setup(sdk, uid)
    job = await _skill_job(sdk, uid("job"), queue.id)
    assert job.status in (RouterJobStatus.QUEUED, RouterJobStatus.CREATED), sdk.dump()
    assert job.requested_worker_selectors[0].key == "Some-Skill"
    assert job.requested_worker_selectors[0].label_operator == LabelOperator.GREATER_THAN
    assert job.requested_worker_selectors[0].value == 10

    worker = await _skilled_worker(sdk, uid("worker"), queue.id)
    assert worker.state == RouterWorkerState.ACTIVE

    # The quickstart polls the worker until the offer shows up.
    worker = await sdk.wait_for(lambda: sdk.router.get_worker(worker.id),
                                lambda w: len(w.offers) == 1, "the offer")
    offer = worker.offers[0]
    assert offer.job_id == job.id and offer.capacity_cost == 1
    assert offer.offered_at is not None and offer.expires_at > offer.offered_at
    assert isinstance(offer.offered_at, dt.datetime) and offer.offered_at.tzinfo is not None

    accept = await sdk.router.accept_job_offer(worker.id, offer.offer_id)
    assert accept.job_id == job.id and accept.worker_id == worker.id and accept.assignment_id

    job = await sdk.router.get_job(job.id)
    assert job.status == RouterJobStatus.ASSIGNED
    assert list(job.assignments) == [accept.assignment_id]
    assert job.assignments[accept.assignment_id].worker_id == worker.id

    await sdk.router.complete_job(job.id, accept.assignment_id,
                                  CompleteJobOptions(note="Resolved on the first call"))
    job = await sdk.router.get_job(job.id)
    assert job.status == RouterJobStatus.COMPLETED
    assert job.assignments[accept.assignment_id].completed_at is not None
    assert [n.message for n in job.notes] == ["Resolved on the first call"]

    await sdk.router.close_job(job.id, accept.assignment_id,
                               CloseJobOptions(disposition_code="Resolved"))
    job = await sdk.router.get_job(job.id)
    assert job.status == RouterJobStatus.CLOSED
    assert job.disposition_code == "Resolved"
    assert job.assignments[accept.assignment_id].closed_at is not None

    worker = await sdk.router.get_worker(worker.id)
    assert worker.assigned_jobs == [] and worker.load_ratio == 0


async def test_close_with_future_close_at(sdk, uid):
    _, queue = await _setup(sdk, uid)
    worker = await _skilled_worker(sdk, uid("worker"), queue.id)
    job = await _skill_job(sdk, uid("job"), queue.id)
    accept = await assign(sdk, worker.id, job.id)
    await sdk.router.complete_job(job.id, accept.assignment_id)

    # Far in the future: the job stays completed and the worker keeps the capacity.
    far = utcnow() + dt.timedelta(hours=1)
    await sdk.router.close_job(job.id, accept.assignment_id,
                               CloseJobOptions(disposition_code="Later", close_at=far,
                                               note="wrap-up"))
    job = await sdk.router.get_job(job.id)
    assert job.status == RouterJobStatus.COMPLETED
    assert job.assignments[accept.assignment_id].closed_at is None
    worker = await sdk.router.get_worker(worker.id)
    assert [a.job_id for a in worker.assigned_jobs] == [job.id]

    # Soon: the job closes by itself when the time comes, and the capacity is freed.
    soon = utcnow() + dt.timedelta(milliseconds=600)
    job3 = await _skill_job(sdk, uid("job"), queue.id)
    other = await _skilled_worker(sdk, uid("worker"), queue.id)
    accept3 = await assign(sdk, other.id, job3.id)
    await sdk.router.complete_job(job3.id, accept3.assignment_id)
    await sdk.router.close_job(job3.id, accept3.assignment_id,
                               CloseJobOptions(disposition_code="Soon", close_at=soon))
    job3 = await sdk.wait_for(lambda: sdk.router.get_job(job3.id),
                              lambda j: j.status == RouterJobStatus.CLOSED, "the deferred close")
    assert job3.disposition_code == "Soon"
    closed_at = job3.assignments[accept3.assignment_id].closed_at
    assert closed_at is not None and closed_at >= soon - dt.timedelta(milliseconds=5)
    other = await sdk.router.get_worker(other.id)
    assert other.assigned_jobs == []
