"""Seed scenario (b): classification and exception (escalation) policies. Static and Power Fx
rules, directMap, passThrough, static and conditional attachments, weighted allocations,
fallback queues and exception policies (queueLength, waitTime; cancel, manualReclassify,
reclassify) all run."""
import pytest
from azure.core.exceptions import HttpResponseError

from azure.communication.jobrouter.models import (
    CancelExceptionAction, ClassificationPolicy, ConditionalQueueSelectorAttachment,
    ConditionalWorkerSelectorAttachment, ExceptionPolicy, ExceptionRule, ExpressionRouterRule,
    LabelOperator, ManualReclassifyExceptionAction, PassThroughQueueSelectorAttachment,
    PassThroughWorkerSelectorAttachment, QueueLengthExceptionTrigger, QueueWeightedAllocation,
    RouterJob, RouterJobStatus, RouterQueueSelector, RouterWorkerSelector,
    RuleEngineQueueSelectorAttachment, RuleEngineWorkerSelectorAttachment,
    StaticQueueSelectorAttachment, StaticRouterRule, StaticWorkerSelectorAttachment,
    WaitTimeExceptionTrigger, WeightedAllocationQueueSelectorAttachment,
    WeightedAllocationWorkerSelectorAttachment, WorkerWeightedAllocation)

from helpers import direct_map, queue as make_queue, worker as make_worker


async def _classify(sdk, uid, policy_id, **job_fields):
    job = await sdk.router.upsert_job(uid("job"), RouterJob(
        channel_id="voice", classification_policy_id=policy_id, **job_fields))
    return await sdk.wait_for(lambda: sdk.router.get_job(job.id),
                              lambda j: j.status not in (RouterJobStatus.CREATED,
                                                         RouterJobStatus.PENDING_CLASSIFICATION),
                              "classification")


async def test_static_rules_and_attachments(sdk, uid):
    region = uid("region")
    target = await make_queue(sdk, uid, labels={"Region": region, "Tier": 2})
    fallback = await make_queue(sdk, uid)
    cp = await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        name="static", fallback_queue_id=fallback.id,
        prioritization_rule=StaticRouterRule(value=7),
        queue_selector_attachments=[
            StaticQueueSelectorAttachment(queue_selector=RouterQueueSelector(
                key="Region", label_operator=LabelOperator.EQUAL, value=region)),
            ConditionalQueueSelectorAttachment(
                condition=StaticRouterRule(value=True),
                queue_selectors=[RouterQueueSelector(key="Tier", value=1,
                                                     label_operator=LabelOperator.GREATER_THAN)]),
        ],
        worker_selector_attachments=[
            StaticWorkerSelectorAttachment(worker_selector=RouterWorkerSelector(
                key="Skill", label_operator=LabelOperator.GREATER_THAN_OR_EQUAL, value=5)),
            ConditionalWorkerSelectorAttachment(
                condition=StaticRouterRule(value=False),
                worker_selectors=[RouterWorkerSelector(key="Never", value=True,
                                                       label_operator=LabelOperator.EQUAL)]),
        ]))
    job = await _classify(sdk, uid, cp.id)
    assert job.status == RouterJobStatus.QUEUED, sdk.dump(2)
    assert job.queue_id == target.id and job.priority == 7
    assert [(s.key, s.label_operator, s.value) for s in job.attached_worker_selectors] == [
        ("Skill", LabelOperator.GREATER_THAN_OR_EQUAL, 5)]

    # The attached selector takes part in matching: a worker with Skill 5 gets the offer.
    worker = await make_worker(sdk, uid("worker"), [target.id], labels={"Skill": 5})
    offered = await sdk.wait_for(lambda: sdk.router.get_worker(worker.id),
                                 lambda w: len(w.offers) == 1, "the offer")
    assert offered.offers[0].job_id == job.id


async def test_pass_through_and_direct_map(sdk, uid):
    product = uid("product")
    target = await make_queue(sdk, uid, labels={"Product": product, "Language": "fr"})
    fallback = await make_queue(sdk, uid)
    cp = await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        fallback_queue_id=fallback.id,
        queue_selector_attachments=[
            PassThroughQueueSelectorAttachment(key="Product", label_operator=LabelOperator.EQUAL)],
        worker_selector_attachments=[
            PassThroughWorkerSelectorAttachment(key="Language", label_operator=LabelOperator.EQUAL,
                                                expires_after_seconds=120)]))
    job = await _classify(sdk, uid, cp.id, labels={"Product": product, "Language": "fr"})
    assert job.status == RouterJobStatus.QUEUED and job.queue_id == target.id, sdk.dump(2)
    selector = job.attached_worker_selectors[0]
    assert (selector.key, selector.label_operator, selector.value) == (
        "Language", LabelOperator.EQUAL, "fr")
    assert selector.expires_after_seconds == 120 and selector.expires_at is not None

    mapped = await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        fallback_queue_id=fallback.id,
        queue_selector_attachments=[RuleEngineQueueSelectorAttachment(rule=direct_map())],
        worker_selector_attachments=[RuleEngineWorkerSelectorAttachment(rule=direct_map())]))
    job = await _classify(sdk, uid, mapped.id, labels={"Product": product, "Language": "fr"})
    assert job.status == RouterJobStatus.QUEUED and job.queue_id == target.id, sdk.dump(2)
    assert sorted((s.key, s.value) for s in job.attached_worker_selectors) == [
        ("Language", "fr"), ("Product", product)]


async def test_fallback_queue_and_weighted_allocation(sdk, uid):
    fallback = await make_queue(sdk, uid)
    cp = await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        fallback_queue_id=fallback.id, prioritization_rule=StaticRouterRule(value=3),
        queue_selector_attachments=[StaticQueueSelectorAttachment(
            queue_selector=RouterQueueSelector(key="Region", label_operator=LabelOperator.EQUAL,
                                               value=uid("nowhere")))]))
    job = await _classify(sdk, uid, cp.id)
    assert job.status == RouterJobStatus.QUEUED and job.queue_id == fallback.id, sdk.dump(2)
    assert job.priority == 3

    pool = uid("pool")
    target = await make_queue(sdk, uid, labels={"Pool": pool})
    weighted = await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        fallback_queue_id=fallback.id,
        queue_selector_attachments=[WeightedAllocationQueueSelectorAttachment(allocations=[
            QueueWeightedAllocation(weight=1.0, queue_selectors=[RouterQueueSelector(
                key="Pool", label_operator=LabelOperator.EQUAL, value=pool)])])],
        worker_selector_attachments=[WeightedAllocationWorkerSelectorAttachment(allocations=[
            WorkerWeightedAllocation(weight=1.0, worker_selectors=[RouterWorkerSelector(
                key="Pool", label_operator=LabelOperator.EQUAL, value=pool)])])]))
    job = await _classify(sdk, uid, weighted.id)
    assert job.status == RouterJobStatus.QUEUED and job.queue_id == target.id, sdk.dump(2)
    assert [(s.key, s.value) for s in job.attached_worker_selectors] == [("Pool", pool)]


async def test_job_labels_update_reclassifies(sdk, uid):
    a, b = uid("a"), uid("b")
    qa = await make_queue(sdk, uid, labels={"Route": a})
    qb = await make_queue(sdk, uid, labels={"Route": b})
    cp = await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        fallback_queue_id=qa.id,
        queue_selector_attachments=[PassThroughQueueSelectorAttachment(
            key="Route", label_operator=LabelOperator.EQUAL)]))
    job = await _classify(sdk, uid, cp.id, labels={"Route": a})
    assert job.queue_id == qa.id
    await sdk.router.upsert_job(job.id, labels={"Route": b})
    await sdk.router.reclassify_job(job.id)
    job = await sdk.wait_for(lambda: sdk.router.get_job(job.id),
                             lambda j: j.status == RouterJobStatus.QUEUED and j.queue_id == qb.id,
                             "reclassified into the other queue")


async def test_failing_expression_fails_classification_visibly(sdk, uid):
    """A rule that fails at run time (here a division by zero) ends the job in
    classificationFailed, not in a hang or a 500; fixing the labels and reclassifying queues it."""
    fallback = await make_queue(sdk, uid)
    cp = await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        fallback_queue_id=fallback.id,
        prioritization_rule=ExpressionRouterRule(expression="10 / job.Divisor")))
    job = await _classify(sdk, uid, cp.id, labels={"Divisor": 0})
    assert job.status == RouterJobStatus.CLASSIFICATION_FAILED, sdk.dump(2)
    await sdk.router.upsert_job(job.id, labels={"Divisor": 5})
    await sdk.router.reclassify_job(job.id)
    job = await sdk.router.get_job(job.id)
    assert job.status == RouterJobStatus.QUEUED and job.priority == 2, sdk.dump(2)


async def test_invalid_expression_is_refused_when_saved(sdk, uid):
    fallback = await make_queue(sdk, uid)
    with pytest.raises(HttpResponseError) as caught:
        await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
            fallback_queue_id=fallback.id,
            prioritization_rule=ExpressionRouterRule(expression="If(job.Urgent, 5")))
    assert caught.value.status_code == 400
    assert "position" in str(caught.value)


@pytest.mark.variants(modes=("sync",))
async def test_expression_prioritization_rule(sdk, uid):
    fallback = await make_queue(sdk, uid)
    cp = await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        fallback_queue_id=fallback.id,
        prioritization_rule=ExpressionRouterRule(expression='If(job.Urgent = true, 5, 1)')))
    job = await _classify(sdk, uid, cp.id, labels={"Urgent": True})
    assert job.status == RouterJobStatus.QUEUED and job.priority == 5, sdk.dump(2)


@pytest.mark.variants(modes=("sync",), versions=("ga",))
async def test_queue_length_exception_cancels(sdk, uid):
    ep = await sdk.admin.upsert_exception_policy(uid("ep"), ExceptionPolicy(exception_rules=[
        ExceptionRule(id="overflow", trigger=QueueLengthExceptionTrigger(threshold=1),
                      actions=[CancelExceptionAction(disposition_code="Overflow")])]))
    queue = await make_queue(sdk, uid, exception_policy_id=ep.id)
    await sdk.router.upsert_job(uid("job"), RouterJob(channel_id="voice", queue_id=queue.id))
    second = await sdk.router.upsert_job(uid("job"), RouterJob(channel_id="voice",
                                                               queue_id=queue.id))
    job = await sdk.wait_for(lambda: sdk.router.get_job(second.id),
                             lambda j: j.status == RouterJobStatus.CANCELLED,
                             "the exception rule to cancel the job", timeout=1.5)
    assert job.disposition_code == "Overflow"


@pytest.mark.variants(modes=("sync",), versions=("ga",))
async def test_wait_time_exception_escalates(sdk, uid):
    escalation = await make_queue(sdk, uid)
    ep = await sdk.admin.upsert_exception_policy(uid("ep"), ExceptionPolicy(exception_rules=[
        ExceptionRule(id="escalate", trigger=WaitTimeExceptionTrigger(threshold_seconds=0.2),
                      actions=[ManualReclassifyExceptionAction(queue_id=escalation.id,
                                                               priority=10)])]))
    queue = await make_queue(sdk, uid, exception_policy_id=ep.id)
    job = await sdk.router.upsert_job(uid("job"), RouterJob(channel_id="voice", queue_id=queue.id))
    await sdk.wait_for(lambda: sdk.router.get_job(job.id),
                       lambda j: j.queue_id == escalation.id and j.priority == 10,
                       "the escalation", timeout=1.5)
