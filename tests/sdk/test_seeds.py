"""Seed scenarios 002 and 003 through the official SDK, as its samples write them: escalation by
an exception policy's reclassify action into a Power Fx classification (002); a queue-length
rule cancelling the job that overflows the queue, with its note and disposition code, and two
wait-time rules escalating a job in stages (003). test_classification.py covers the single
rules; these are the whole scenarios, with the states in between."""
import asyncio
import time

import pytest

from azure.communication.jobrouter.models import (
    CancelExceptionAction, ClassificationPolicy, ConditionalQueueSelectorAttachment,
    ExceptionPolicy, ExceptionRule, ExpressionRouterRule, LabelOperator,
    ManualReclassifyExceptionAction, QueueLengthExceptionTrigger, ReclassifyExceptionAction,
    RouterJob, RouterJobStatus, RouterQueueSelector, WaitTimeExceptionTrigger)

from helpers import queue as make_queue, utcnow


def _job(sdk, uid, **fields):
    return sdk.router.upsert_job(uid("job"), RouterJob(channel_id="voice", **fields))


def _waited(job):
    return (utcnow() - job.enqueued_at).total_seconds()


@pytest.mark.variants(modes=("sync",))  # the staged escalation below runs async
async def test_seed_002_escalation_reclassifies_into_the_escalation_queue(sdk, uid):
    team = uid("team")
    regular = await make_queue(sdk, uid)
    escalation = await make_queue(sdk, uid, labels={"Team": team})
    cp = await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        name="Escalation", fallback_queue_id=regular.id,
        prioritization_rule=ExpressionRouterRule(expression="If(job.Escalated = true, 10, 1)"),
        queue_selector_attachments=[ConditionalQueueSelectorAttachment(
            condition=ExpressionRouterRule(expression="job.Escalated = true"),
            queue_selectors=[RouterQueueSelector(key="Team", label_operator=LabelOperator.EQUAL,
                                                 value=team)])]))
    ep = await sdk.admin.upsert_exception_policy(uid("ep"), ExceptionPolicy(
        name="Escalate after a wait", exception_rules=[ExceptionRule(
            id="escalate", trigger=WaitTimeExceptionTrigger(threshold_seconds=1),
            actions=[ReclassifyExceptionAction(classification_policy_id=cp.id,
                                               labels_to_upsert={"Escalated": True})])]))
    await sdk.admin.upsert_queue(regular.id, exception_policy_id=ep.id)

    job = await _job(sdk, uid, classification_policy_id=cp.id, labels={"Escalated": False})
    job = await sdk.wait_for(lambda: sdk.router.get_job(job.id),
                             lambda j: j.status == RouterJobStatus.QUEUED, "classification")
    assert (job.queue_id, job.priority) == (regular.id, 1), sdk.dump(2)

    escalated = await sdk.wait_for(lambda: sdk.router.get_job(job.id),
                                   lambda j: j.queue_id != regular.id, "the escalation")
    assert _waited(escalated) >= 0.995, "escalated before the threshold"
    assert escalated.status == RouterJobStatus.QUEUED, sdk.dump(2)
    assert (escalated.queue_id, escalated.priority) == (escalation.id, 10), sdk.dump(2)
    assert escalated.labels == {"Escalated": True}, sdk.dump(2)
    assert escalated.enqueued_at == job.enqueued_at  # it keeps its place in line
    position = await sdk.router.get_queue_position(job.id)
    assert (position.queue_id, position.position) == (escalation.id, 1), sdk.dump(1)

    # The rule fired once: a second threshold later the job is as the escalation left it.
    deadline = time.monotonic() + 1.2
    while time.monotonic() < deadline:
        now = await sdk.router.get_job(job.id)
        assert now.etag == escalated.etag, sdk.dump(2)
        await asyncio.sleep(0.05)


async def test_seed_003_queue_length_cancels_the_overflowing_job(sdk, uid):
    """Threshold 2: the jobs already queued count, the arriving one does not
    (docs/COMPATIBILITY.md) - the third job is the first cancelled, with the note and code."""
    ep = await sdk.admin.upsert_exception_policy(uid("ep"), ExceptionPolicy(exception_rules=[
        ExceptionRule(id="overflow", trigger=QueueLengthExceptionTrigger(threshold=2),
                      actions=[CancelExceptionAction(note="Queue is full, please call back",
                                                     disposition_code="QueueFull")])]))
    queue = await make_queue(sdk, uid, exception_policy_id=ep.id)
    first = await _job(sdk, uid, queue_id=queue.id)
    second = await _job(sdk, uid, queue_id=queue.id)
    assert (first.status, second.status) == (RouterJobStatus.QUEUED, RouterJobStatus.QUEUED)

    third = await _job(sdk, uid, queue_id=queue.id)
    assert third.status == RouterJobStatus.CANCELLED, sdk.dump(1)
    third = await sdk.router.get_job(third.id)
    assert third.status == RouterJobStatus.CANCELLED and third.disposition_code == "QueueFull"
    assert [n.message for n in third.notes] == ["Queue is full, please call back"], sdk.dump(1)
    assert abs((third.notes[0].added_at - utcnow()).total_seconds()) < 5, sdk.dump(1)

    for earlier in (first, second):
        job = await sdk.router.get_job(earlier.id)
        assert job.status == RouterJobStatus.QUEUED, sdk.dump(1)
        assert job.notes == [] and job.disposition_code is None, sdk.dump(1)
    assert (await sdk.router.get_queue_statistics(queue.id)).length == 2

    # Room again after one leaves: the next job stays, the one after it overflows.
    await sdk.router.cancel_job(first.id)
    assert (await _job(sdk, uid, queue_id=queue.id)).status == RouterJobStatus.QUEUED
    assert (await _job(sdk, uid, queue_id=queue.id)).status == RouterJobStatus.CANCELLED


@pytest.mark.variants(modes=("async",))
async def test_seed_003_staged_wait_time_escalation(sdk, uid):
    """Priority 10 after a first wait, the other queue after a longer one."""
    queue2 = await make_queue(sdk, uid)
    ep = await sdk.admin.upsert_exception_policy(uid("ep"), ExceptionPolicy(exception_rules=[
        ExceptionRule(id="bump", trigger=WaitTimeExceptionTrigger(threshold_seconds=1),
                      actions=[ManualReclassifyExceptionAction(priority=10)]),
        ExceptionRule(id="move", trigger=WaitTimeExceptionTrigger(threshold_seconds=2.5),
                      actions=[ManualReclassifyExceptionAction(queue_id=queue2.id)])]))
    queue1 = await make_queue(sdk, uid, exception_policy_id=ep.id)
    job = await _job(sdk, uid, queue_id=queue1.id)
    assert (job.status, job.priority) == (RouterJobStatus.QUEUED, 1), sdk.dump(1)

    bumped = await sdk.wait_for(lambda: sdk.router.get_job(job.id), lambda j: j.priority != 1,
                                "the first stage")
    assert 0.995 <= _waited(bumped) < 2.5, "the first stage came at the wrong time"
    assert (bumped.queue_id, bumped.priority) == (queue1.id, 10), sdk.dump(2)

    moved = await sdk.wait_for(lambda: sdk.router.get_job(job.id),
                               lambda j: j.queue_id != queue1.id, "the second stage")
    assert _waited(moved) >= 2.495, "the second stage came early"
    assert (moved.status, moved.queue_id, moved.priority) == \
        (RouterJobStatus.QUEUED, queue2.id, 10), sdk.dump(2)
    assert moved.enqueued_at == job.enqueued_at
