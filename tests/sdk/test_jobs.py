"""JobRouterClient and jobs: upsert (model, keyword and read-modify-write forms), get, list
with every filter, cancel, complete, close, unassign, decline, reclassify, queue position and
statistics, scheduling, delete."""
import datetime as dt

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError

from azure.communication.jobrouter.models import (
    CancelJobOptions, ClassificationPolicy, DeclineJobOfferOptions, DistributionPolicy,
    LabelOperator, LongestIdleMode, RouterQueue,
    RouterJob, RouterJobNote, RouterJobStatus, RouterQueueSelector, RouterWorkerSelector,
    RouterWorkerSelectorStatus, ScheduleAndSuspendMode, StaticQueueSelectorAttachment,
    StaticRouterRule, UnassignJobOptions)

from helpers import (assign, job as make_job, queue as make_queue, queue_and_match, suspend,
                     utcnow, worker as make_worker)

LABELS = {"key1": "JobKey", "key2": 10, "key3": True, "key4": 10.01}
SELECTORS = [
    RouterWorkerSelector(key="FakeKey1", label_operator=LabelOperator.EQUAL, value=True),
    RouterWorkerSelector(key="FakeKey2", label_operator=LabelOperator.NOT_EQUAL, value=False),
    RouterWorkerSelector(key="FakeKey3", label_operator=LabelOperator.LESS_THAN, value=10),
    RouterWorkerSelector(key="FakeKey4", label_operator=LabelOperator.LESS_THAN_OR_EQUAL,
                         value=10.01),
    RouterWorkerSelector(key="FakeKey5", label_operator=LabelOperator.GREATER_THAN, value=10),
    RouterWorkerSelector(key="FakeKey6", label_operator=LabelOperator.GREATER_THAN_OR_EQUAL,
                         value=10, expires_after_seconds=300, expedite=False),
]
# A note stamped in another zone with seven fraction digits, as the SDK's own tests send it.
NOTE_AT = dt.datetime(2022, 5, 13, 23, 59, 4, 531199, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _same_selectors(got, want):
    assert [(s.key, s.label_operator, s.value) for s in got] == \
        [(s.key, s.label_operator, s.value) for s in want]


async def test_job_lifecycle(sdk, uid):
    queue = await make_queue(sdk, uid)
    job_id = uid("job")
    created = await sdk.router.upsert_job(job_id, RouterJob(
        channel_id="fakeChannelId1", channel_reference="fakeChannelRef1", queue_id=queue.id,
        priority=10, requested_worker_selectors=SELECTORS, labels=LABELS, tags={"tag1": "info"},
        notes=[RouterJobNote(message="Fake notes attached to job", added_at=NOTE_AT)]))
    assert sdk.last.status == 201, sdk.dump(1)
    assert created.id == job_id and created.etag
    assert (created.channel_id, created.channel_reference, created.queue_id, created.priority) == (
        "fakeChannelId1", "fakeChannelRef1", queue.id, 10)
    assert created.labels == LABELS and created.tags == {"tag1": "info"}
    _same_selectors(created.requested_worker_selectors, SELECTORS)
    assert all(s.status == RouterWorkerSelectorStatus.ACTIVE
               for s in created.requested_worker_selectors)
    assert created.requested_worker_selectors[5].expires_after_seconds == 300
    assert [(n.message, n.added_at) for n in created.notes] == [
        ("Fake notes attached to job", NOTE_AT)]
    assert created.status in (RouterJobStatus.CREATED, RouterJobStatus.QUEUED)
    assert created.matching_mode is not None and created.matching_mode.kind == "queueAndMatch"
    job = await sdk.wait_for(lambda: sdk.router.get_job(job_id),
                             lambda j: j.status == RouterJobStatus.QUEUED, "queued")
    assert job.enqueued_at is not None and job.assignments == {}
    assert job.attached_worker_selectors == []

    # Read-modify-write with the fetched model, as the SDK's tests do: labels change, nothing
    # else does (notes are not duplicated, read-only fields are not sent).
    job.labels = {**job.labels, "FakeKey": "FakeWorkerValue"}
    updated = await sdk.router.upsert_job(job_id, job)
    assert sdk.last.status == 200
    assert updated.labels == {**LABELS, "FakeKey": "FakeWorkerValue"}
    assert [n.message for n in updated.notes] == ["Fake notes attached to job"]
    _same_selectors(updated.requested_worker_selectors, SELECTORS)
    assert updated.status == RouterJobStatus.QUEUED

    # Keyword form: only what is given changes.
    updated = await sdk.router.upsert_job(job_id, priority=5, tags={"tag2": 2})
    assert updated.priority == 5 and updated.tags == {"tag1": "info", "tag2": 2}
    assert updated.labels["FakeKey"] == "FakeWorkerValue"

    # JSON form, with a null removing a label.
    updated = await sdk.router.upsert_job(job_id, {"labels": {"FakeKey": None}})
    assert "FakeKey" not in updated.labels

    # A job that is not finished cannot be deleted.
    with pytest.raises(HttpResponseError) as err:
        await sdk.router.delete_job(job_id)
    assert err.value.status_code == 409, sdk.dump(1)

    await sdk.router.cancel_job(job_id, CancelJobOptions(note="Customer hung up",
                                                         disposition_code="JobCancelledByUser"))
    job = await sdk.router.get_job(job_id)
    assert job.status == RouterJobStatus.CANCELLED
    assert job.disposition_code == "JobCancelledByUser"
    assert [n.message for n in job.notes][-1] == "Customer hung up"

    await sdk.router.delete_job(job_id)
    with pytest.raises(ResourceNotFoundError) as err:
        await sdk.router.get_job(job_id)
    assert err.value.status_code == 404 and err.value.reason == "Not Found"


async def test_job_validation_errors(sdk, uid):
    queue = await make_queue(sdk, uid)
    with pytest.raises(HttpResponseError) as err:
        await sdk.router.upsert_job(uid("job"), RouterJob(channel_id="voice", queue_id=queue.id,
                                                          priority=1000))
    assert err.value.status_code == 400 and err.value.error.code == "BadRequest", sdk.dump(1)
    with pytest.raises(HttpResponseError) as err:
        await sdk.router.upsert_job(uid("job"), RouterJob(queue_id=queue.id))  # no channel
    assert err.value.status_code == 400, sdk.dump(1)
    with pytest.raises(ResourceNotFoundError):
        await sdk.router.cancel_job(uid("missing"))
    with pytest.raises(ResourceNotFoundError):
        await sdk.router.get_queue_position(uid("missing"))


async def test_list_jobs_filters(sdk, uid):
    queue = await make_queue(sdk, uid)
    other = await make_queue(sdk, uid)
    cp = await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        fallback_queue_id=other.id, prioritization_rule=StaticRouterRule(value=3)))
    voice = [(await make_job(sdk, uid("job"), queue.id)).id for _ in range(3)]
    chat = (await make_job(sdk, uid("job"), queue.id, channel="chat")).id
    classified = (await sdk.router.upsert_job(uid("job"), RouterJob(
        channel_id="voice", classification_policy_id=cp.id))).id
    await sdk.wait_for(lambda: sdk.router.get_job(classified),
                       lambda j: j.status == RouterJobStatus.QUEUED, "classified")
    await sdk.router.cancel_job(voice[2])

    async def ids(**filters):
        return [j.id for j in await sdk.items(sdk.router.list_jobs(**filters))]

    assert await ids(queue_id=queue.id) == voice + [chat]
    assert await ids(queue_id=queue.id, channel_id="voice") == voice
    assert await ids(queue_id=queue.id, status=RouterJobStatus.QUEUED) == voice[:2] + [chat]
    assert await ids(queue_id=queue.id, status="cancelled") == [voice[2]]
    assert await ids(queue_id=queue.id, status="active") == voice[:2] + [chat]
    assert await ids(queue_id=queue.id, status="all") == voice + [chat]
    assert await ids(classification_policy_id=cp.id) == [classified]
    assert await ids(queue_id=other.id, classification_policy_id=cp.id) == [classified]
    assert await ids(queue_id=uid("nothing")) == []
    # The SDK's list_jobs default sends status=all.
    assert "status=all" in sdk.last.url


async def test_scheduled_jobs(sdk, uid):
    queue = await make_queue(sdk, uid)
    at = (utcnow() + dt.timedelta(hours=2)).replace(microsecond=0)
    job_id = uid("job")
    created = await sdk.router.upsert_job(job_id, RouterJob(
        channel_id="voice", queue_id=queue.id,
        matching_mode=ScheduleAndSuspendMode(schedule_at=at)))
    assert created.status in (RouterJobStatus.PENDING_SCHEDULE, RouterJobStatus.SCHEDULED)
    assert isinstance(created.matching_mode, ScheduleAndSuspendMode)
    assert created.matching_mode.schedule_at == at
    job = await sdk.wait_for(lambda: sdk.router.get_job(job_id),
                             lambda j: j.status == RouterJobStatus.SCHEDULED, "scheduled")
    assert job.scheduled_at == at

    # A string schedule_at, as the SDK's tests pass it.
    job2 = await sdk.router.upsert_job(uid("job"), RouterJob(
        channel_id="voice", queue_id=queue.id,
        matching_mode=ScheduleAndSuspendMode(schedule_at=(at + dt.timedelta(hours=1)).isoformat())))
    await sdk.wait_for(lambda: sdk.router.get_job(job2.id),
                       lambda j: j.status == RouterJobStatus.SCHEDULED, "scheduled")

    async def ids(**filters):
        return [j.id for j in await sdk.items(sdk.router.list_jobs(queue_id=queue.id, **filters))]

    assert await ids(status=RouterJobStatus.SCHEDULED) == [job_id, job2.id]
    assert await ids(scheduled_before=at) == [job_id]  # inclusive
    assert await ids(scheduled_after=at + dt.timedelta(seconds=1)) == [job2.id]
    assert await ids(scheduled_after=at,
                     scheduled_before=at + dt.timedelta(hours=1)) == [job_id, job2.id]
    assert await ids(scheduled_before=at.isoformat()) == [job_id]  # the SDK parses strings too

    # Activate the first one now: queueAndMatch queues it.
    job = await sdk.router.upsert_job(job_id, matching_mode=queue_and_match())
    job = await sdk.wait_for(lambda: sdk.router.get_job(job_id),
                             lambda j: j.status == RouterJobStatus.QUEUED, "queued")
    assert job.matching_mode.kind == "queueAndMatch"
    assert job.scheduled_at == at

    # A suspended job waits for activation until it is switched to queueAndMatch.
    suspended = await sdk.router.upsert_job(uid("job"), RouterJob(
        channel_id="voice", queue_id=queue.id, matching_mode=suspend()))
    suspended = await sdk.wait_for(lambda: sdk.router.get_job(suspended.id),
                                   lambda j: j.status == RouterJobStatus.WAITING_FOR_ACTIVATION,
                                   "waitingForActivation")
    assert suspended.matching_mode.kind == "suspend"
    await sdk.router.upsert_job(suspended.id, matching_mode=queue_and_match())
    await sdk.wait_for(lambda: sdk.router.get_job(suspended.id),
                       lambda j: j.status == RouterJobStatus.QUEUED, "queued")


async def test_queue_position_and_statistics(sdk, uid):
    queue = await make_queue(sdk, uid)
    low = [(await make_job(sdk, uid("job"), queue.id, priority=1)).id for _ in range(3)]
    high = (await make_job(sdk, uid("job"), queue.id, priority=10)).id

    position = await sdk.router.get_queue_position(high)
    assert (position.job_id, position.queue_id, position.position, position.queue_length) == (
        high, queue.id, 1, 4)
    # Left out while there is no estimate (no workers, no history), as the live service does.
    assert position.estimated_wait_time_minutes is None or position.estimated_wait_time_minutes >= 0
    positions = [(await sdk.router.get_queue_position(j)).position for j in low]
    assert positions == [2, 3, 4]

    stats = await sdk.router.get_queue_statistics(queue.id)
    assert stats.queue_id == queue.id and stats.length == 4
    assert stats.longest_job_wait_time_minutes is not None
    assert stats.longest_job_wait_time_minutes >= 0

    await sdk.router.cancel_job(high)
    assert (await sdk.router.get_queue_statistics(queue.id)).length == 3
    with pytest.raises(HttpResponseError) as err:  # not queued any more
        await sdk.router.get_queue_position(high)
    assert err.value.status_code == 409, sdk.dump(1)
    with pytest.raises(ResourceNotFoundError):
        await sdk.router.get_queue_statistics(uid("missing"))


async def test_unassign(sdk, uid):
    queue = await make_queue(sdk, uid)
    worker = await make_worker(sdk, uid("worker"), [queue.id])
    job = await make_job(sdk, uid("job"), queue.id)
    accept = await assign(sdk, worker.id, job.id)

    result = await sdk.router.unassign_job(job.id, accept.assignment_id)
    assert result.job_id == job.id and result.unassignment_count == 1
    job_now = await sdk.router.get_job(job.id)
    assert job_now.status in (RouterJobStatus.QUEUED, RouterJobStatus.ASSIGNED)
    assert job_now.enqueued_at == job.enqueued_at  # keeps its place in line

    # It is offered again (to the same worker, the only one); take it and unassign with
    # suspend_matching: the job waits for activation.
    accept = await assign(sdk, worker.id, job.id)
    result = await sdk.router.unassign_job(job.id, accept.assignment_id,
                                           UnassignJobOptions(suspend_matching=True))
    assert result.unassignment_count == 2
    job_now = await sdk.router.get_job(job.id)
    assert job_now.status == RouterJobStatus.WAITING_FOR_ACTIVATION
    assert (await sdk.router.get_worker(worker.id)).assigned_jobs == []

    with pytest.raises(HttpResponseError) as err:  # no longer assigned
        await sdk.router.unassign_job(job.id, accept.assignment_id)
    assert err.value.status_code in (404, 409), sdk.dump(1)


async def test_decline_offer(sdk, uid):
    queue = await make_queue(sdk, uid)
    worker = await make_worker(sdk, uid("worker"), [queue.id])
    job = await make_job(sdk, uid("job"), queue.id)
    offered = await sdk.wait_for(lambda: sdk.router.get_worker(worker.id),
                                 lambda w: len(w.offers) == 1, "an offer")
    await sdk.router.decline_job_offer(worker.id, offered.offers[0].offer_id)
    assert (await sdk.router.get_worker(worker.id)).offers == []
    assert (await sdk.router.get_job(job.id)).status == RouterJobStatus.QUEUED

    # With retry_offer_at, the job comes back to this worker at that time.
    worker2 = await make_worker(sdk, uid("worker"), [queue.id])
    job2 = await make_job(sdk, uid("job"), queue.id)
    offered = await sdk.wait_for(lambda: sdk.router.get_worker(worker2.id),
                                 lambda w: len(w.offers) == 1, "an offer")
    retry_at = utcnow() + dt.timedelta(milliseconds=300)
    await sdk.router.decline_job_offer(worker2.id, offered.offers[0].offer_id,
                                       DeclineJobOfferOptions(retry_offer_at=retry_at))
    again = await sdk.wait_for(lambda: sdk.router.get_worker(worker2.id),
                               lambda w: len(w.offers) == 1, "the offer again")
    assert again.offers[0].offer_id != offered.offers[0].offer_id
    assert again.offers[0].job_id in (job.id, job2.id)

    with pytest.raises(ResourceNotFoundError):
        await sdk.router.decline_job_offer(worker.id, "no-such-offer")


async def test_accept_errors(sdk, uid):
    queue = await make_queue(sdk, uid)
    worker = await make_worker(sdk, uid("worker"), [queue.id])
    job = await make_job(sdk, uid("job"), queue.id)
    with pytest.raises(ResourceNotFoundError):
        await sdk.router.accept_job_offer(worker.id, "no-such-offer")
    offered = await sdk.wait_for(lambda: sdk.router.get_worker(worker.id),
                                 lambda w: len(w.offers) == 1, "the offer")
    offer_id = offered.offers[0].offer_id
    accept = await sdk.router.accept_job_offer(worker.id, offer_id)
    # Accepting or declining the accepted offer again, closing before completing, and
    # completing twice all fail.
    with pytest.raises(HttpResponseError) as err:
        await sdk.router.accept_job_offer(worker.id, offer_id)
    assert err.value.status_code in (404, 409), sdk.dump(1)
    with pytest.raises(HttpResponseError) as err:
        await sdk.router.decline_job_offer(worker.id, offer_id)
    assert err.value.status_code in (404, 409), sdk.dump(1)
    with pytest.raises(ResourceExistsError) as err:
        await sdk.router.close_job(job.id, accept.assignment_id)
    assert err.value.status_code == 409
    await sdk.router.complete_job(job.id, accept.assignment_id)
    with pytest.raises(ResourceExistsError):
        await sdk.router.complete_job(job.id, accept.assignment_id)
    await sdk.router.close_job(job.id, accept.assignment_id)
    assert (await sdk.router.get_job(job.id)).disposition_code in (None, "Closed")
    await sdk.router.delete_job(job.id)


async def test_reclassify(sdk, uid):
    queue = await make_queue(sdk, uid, labels={"Team": "billing"})
    fallback = await make_queue(sdk, uid)
    cp = await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        fallback_queue_id=fallback.id, prioritization_rule=StaticRouterRule(value=7),
        queue_selector_attachments=[StaticQueueSelectorAttachment(
            queue_selector=RouterQueueSelector(key="Id", label_operator=LabelOperator.EQUAL,
                                               value=queue.id))]))
    job = await sdk.router.upsert_job(uid("job"), RouterJob(channel_id="voice",
                                                            classification_policy_id=cp.id))
    assert job.status in (RouterJobStatus.PENDING_CLASSIFICATION, RouterJobStatus.QUEUED)
    job = await sdk.wait_for(lambda: sdk.router.get_job(job.id),
                             lambda j: j.status == RouterJobStatus.QUEUED, "classified")
    assert job.queue_id == queue.id and job.priority == 7

    # Point the policy elsewhere and reclassify.
    await sdk.admin.upsert_classification_policy(cp.id, ClassificationPolicy(
        prioritization_rule=StaticRouterRule(value=2), queue_selector_attachments=[]))
    assert await sdk.router.reclassify_job(job.id) is None
    job = await sdk.wait_for(lambda: sdk.router.get_job(job.id),
                             lambda j: j.status == RouterJobStatus.QUEUED and j.priority == 2,
                             "reclassified")
    assert job.queue_id == fallback.id

    plain = await make_job(sdk, uid("job"), queue.id)
    with pytest.raises(HttpResponseError) as err:  # nothing to reclassify with
        await sdk.router.reclassify_job(plain.id)
    assert err.value.status_code == 400, sdk.dump(1)


async def test_notes_without_time_get_one(sdk, uid):
    queue = await make_queue(sdk, uid)
    before = utcnow() - dt.timedelta(seconds=5)
    job = await make_job(sdk, uid("job"), queue.id, notes=[RouterJobNote(message="first")])
    assert [n.message for n in job.notes] == ["first"]
    assert job.notes[0].added_at is not None and job.notes[0].added_at >= before, sdk.dump(1)
    # Notes sent again replace the list (merge patch of an array), they are not appended.
    job = await sdk.router.upsert_job(job.id, notes=[RouterJobNote(message="first"),
                                                     RouterJobNote(message="second")])
    assert [n.message for n in job.notes] == ["first", "second"]


async def test_second_accept_conflicts(sdk, uid):
    dp = await sdk.admin.upsert_distribution_policy(uid("dp"), DistributionPolicy(
        offer_expires_after_seconds=60,
        mode=LongestIdleMode(min_concurrent_offers=2, max_concurrent_offers=2)))
    queue = await sdk.admin.upsert_queue(uid("queue"), RouterQueue(distribution_policy_id=dp.id))
    first = await make_worker(sdk, uid("worker"), [queue.id])
    second = await make_worker(sdk, uid("worker"), [queue.id])
    job = await make_job(sdk, uid("job"), queue.id)
    offers = {}
    for w in (first, second):
        got = await sdk.wait_for(lambda: sdk.router.get_worker(w.id), lambda x: len(x.offers) == 1,
                                 f"an offer to {w.id}")
        offers[w.id] = got.offers[0].offer_id
    accept = await sdk.router.accept_job_offer(first.id, offers[first.id])
    assert (accept.worker_id, accept.job_id) == (first.id, job.id)
    # The other offer is gone: another worker has the job - 409, ResourceExistsError.
    with pytest.raises(ResourceExistsError) as err:
        await sdk.router.accept_job_offer(second.id, offers[second.id])
    assert err.value.status_code == 409, sdk.dump(1)
    assert (await sdk.router.get_worker(second.id)).offers == []


async def test_statistics_after_history(sdk, uid):
    queue = await make_queue(sdk, uid)
    worker = await make_worker(sdk, uid("worker"), [queue.id])
    for _ in range(2):
        job = await make_job(sdk, uid("job"), queue.id, priority=4)
        accept = await assign(sdk, worker.id, job.id)
        await sdk.router.complete_job(job.id, accept.assignment_id)
        await sdk.router.close_job(job.id, accept.assignment_id)
    await sdk.router.upsert_worker(worker.id, available_for_offers=False)
    waiting = await make_job(sdk, uid("job"), queue.id, priority=4)
    assert waiting.status == RouterJobStatus.QUEUED
    stats = await sdk.router.get_queue_statistics(queue.id)
    assert stats.length == 1
    # An estimate needs history; it is keyed by priority.
    if stats.estimated_wait_time_minutes is not None:
        assert set(stats.estimated_wait_time_minutes) <= {"4"}, sdk.dump(1)
        assert all(isinstance(v, (int, float)) for v in stats.estimated_wait_time_minutes.values())
    position = await sdk.router.get_queue_position(waiting.id)
    assert position.position == 1 and position.queue_length == 1
