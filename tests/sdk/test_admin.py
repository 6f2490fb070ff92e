"""JobRouterAdministrationClient: distribution, classification and exception policies and
queues - upsert (model, JSON and keyword forms), get, list, delete - and the polymorphic models
round-tripping through the server into the SDK's own subclasses."""
import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azure.communication.jobrouter.models import (
    BestWorkerMode, CancelExceptionAction, ClassificationPolicy, ConditionalQueueSelectorAttachment,
    ConditionalWorkerSelectorAttachment, DirectMapRouterRule, DistributionPolicy, ExceptionPolicy,
    ExceptionRule, ExpressionRouterRule, FunctionRouterRule, FunctionRouterRuleCredential,
    LabelOperator, LongestIdleMode, ManualReclassifyExceptionAction, OAuth2WebhookClientCredential,
    PassThroughQueueSelectorAttachment, PassThroughWorkerSelectorAttachment,
    QueueLengthExceptionTrigger, QueueWeightedAllocation, ReclassifyExceptionAction, RoundRobinMode,
    RouterQueue, RouterQueueSelector, RouterWorkerSelector, RuleEngineQueueSelectorAttachment,
    RuleEngineWorkerSelectorAttachment, ScoringRuleOptions, ScoringRuleParameterSelector,
    StaticQueueSelectorAttachment, StaticRouterRule, StaticWorkerSelectorAttachment,
    WaitTimeExceptionTrigger, WebhookRouterRule, WeightedAllocationQueueSelectorAttachment,
    WeightedAllocationWorkerSelectorAttachment, WorkerWeightedAllocation)

from helpers import direct_map, distribution_policy


async def test_distribution_policy_lifecycle(sdk, uid):
    policy_id = uid("dp")
    created = await sdk.admin.upsert_distribution_policy(
        policy_id, DistributionPolicy(name="Main", offer_expires_after_seconds=30,
                                      mode=LongestIdleMode(min_concurrent_offers=1,
                                                           max_concurrent_offers=2)))
    assert created.id == policy_id and created.name == "Main"
    assert created.offer_expires_after_seconds == 30
    assert isinstance(created.mode, LongestIdleMode)
    assert (created.mode.min_concurrent_offers, created.mode.max_concurrent_offers) == (1, 2)
    assert created.mode.bypass_selectors is False
    assert created.etag

    fetched = await sdk.admin.get_distribution_policy(policy_id)
    assert fetched == created

    # Keyword form: the SDK sends only what is given (merge patch); the rest stays.
    renamed = await sdk.admin.upsert_distribution_policy(policy_id, name="Renamed")
    assert renamed.name == "Renamed" and renamed.offer_expires_after_seconds == 30
    assert renamed.mode.max_concurrent_offers == 2
    assert renamed.etag != created.etag

    # Model form with a keyword override, as the SDK's update sample does.
    renamed.offer_expires_after_seconds = 45
    updated = await sdk.admin.upsert_distribution_policy(
        policy_id, renamed, mode=RoundRobinMode(min_concurrent_offers=1, max_concurrent_offers=1))
    assert updated.offer_expires_after_seconds == 45
    assert isinstance(updated.mode, RoundRobinMode) and updated.mode.kind == "roundRobin"

    # JSON form.
    best = await sdk.admin.upsert_distribution_policy(policy_id, {
        "mode": {"kind": "bestWorker", "bypassSelectors": True,
                 "scoringRule": {"kind": "expression", "expression": "If(worker.Skill > 5, 1, 0)"},
                 "scoringRuleOptions": {"batchSize": 10, "isBatchScoringEnabled": True,
                                        "descendingOrder": False,
                                        "scoringParameters": ["jobLabels", "workerSelectors"]}}})
    assert isinstance(best.mode, BestWorkerMode) and best.mode.bypass_selectors is True
    assert isinstance(best.mode.scoring_rule, ExpressionRouterRule)
    assert best.mode.scoring_rule.expression == "If(worker.Skill > 5, 1, 0)"
    assert best.mode.scoring_rule.language == "powerFx"
    options = best.mode.scoring_rule_options
    assert isinstance(options, ScoringRuleOptions)
    assert (options.batch_size, options.is_batch_scoring_enabled, options.descending_order) == (
        10, True, False)
    assert options.scoring_parameters == [ScoringRuleParameterSelector.JOB_LABELS,
                                          ScoringRuleParameterSelector.WORKER_SELECTORS]

    listed = [p for p in await sdk.items(sdk.admin.list_distribution_policies())
              if p.id == policy_id]
    assert listed == [best]

    await sdk.admin.delete_distribution_policy(policy_id)
    with pytest.raises(ResourceNotFoundError) as err:
        await sdk.admin.get_distribution_policy(policy_id)
    assert err.value.status_code == 404
    assert err.value.error is not None and err.value.error.code == "NotFound", sdk.dump(1)
    # Deleting what is gone is not an error.
    await sdk.admin.delete_distribution_policy(policy_id)


async def test_queue_lifecycle(sdk, uid):
    dp = await distribution_policy(sdk, uid("dp"))
    ep = await sdk.admin.upsert_exception_policy(uid("ep"), ExceptionPolicy(name="none",
                                                                            exception_rules=[]))
    queue_id = uid("queue")
    queue = await sdk.admin.upsert_queue(queue_id, RouterQueue(
        name="Sales", distribution_policy_id=dp.id, exception_policy_id=ep.id,
        labels={"Region": "NA", "Tier": 2, "Vip": True, "Weight": 1.5}))
    assert queue.id == queue_id and queue.name == "Sales"
    assert queue.distribution_policy_id == dp.id and queue.exception_policy_id == ep.id
    assert queue.labels == {"Id": queue_id, "Region": "NA", "Tier": 2, "Vip": True, "Weight": 1.5}
    assert queue == await sdk.admin.get_queue(queue_id)

    # A label set to None is removed (merge patch); others are kept.
    queue = await sdk.admin.upsert_queue(queue_id, labels={"Region": None, "Language": "fr"})
    assert queue.labels == {"Id": queue_id, "Tier": 2, "Vip": True, "Weight": 1.5, "Language": "fr"}
    assert queue.name == "Sales"

    listed = [q.id for q in await sdk.items(sdk.admin.list_queues())]
    assert listed.count(queue_id) == 1

    # A distribution policy in use cannot go.
    with pytest.raises(HttpResponseError) as err:
        await sdk.admin.delete_distribution_policy(dp.id)
    assert err.value.status_code == 409, sdk.dump(1)

    await sdk.admin.delete_queue(queue_id)
    with pytest.raises(ResourceNotFoundError):
        await sdk.admin.get_queue(queue_id)
    await sdk.admin.delete_distribution_policy(dp.id)
    await sdk.admin.delete_exception_policy(ep.id)


async def test_queue_needs_existing_distribution_policy(sdk, uid):
    with pytest.raises(HttpResponseError) as err:
        await sdk.admin.upsert_queue(uid("queue"),
                                     RouterQueue(distribution_policy_id=uid("missing")))
    assert err.value.status_code in (400, 404), sdk.dump(1)


async def test_classification_policy_lifecycle(sdk, uid):
    dp = await distribution_policy(sdk, uid("dp"))
    fallback = await sdk.admin.upsert_queue(uid("queue"), RouterQueue(distribution_policy_id=dp.id))
    policy_id = uid("cp")
    selector = RouterQueueSelector(key="Region", label_operator=LabelOperator.EQUAL, value="NA")
    wsel = RouterWorkerSelector(key="Skill", label_operator=LabelOperator.GREATER_THAN_OR_EQUAL,
                                value=5, expires_after_seconds=60, expedite=True)
    created = await sdk.admin.upsert_classification_policy(policy_id, ClassificationPolicy(
        name="Everything", fallback_queue_id=fallback.id,
        prioritization_rule=StaticRouterRule(value=5),
        queue_selector_attachments=[
            StaticQueueSelectorAttachment(queue_selector=selector),
            PassThroughQueueSelectorAttachment(key="Product", label_operator=LabelOperator.EQUAL),
            ConditionalQueueSelectorAttachment(condition=StaticRouterRule(value=True),
                                               queue_selectors=[selector]),
            RuleEngineQueueSelectorAttachment(rule=direct_map()),
            WeightedAllocationQueueSelectorAttachment(allocations=[
                QueueWeightedAllocation(weight=0.5, queue_selectors=[selector]),
                QueueWeightedAllocation(weight=0.5, queue_selectors=[
                    RouterQueueSelector(key="Region", label_operator=LabelOperator.NOT_EQUAL,
                                        value="NA")])]),
        ],
        worker_selector_attachments=[
            StaticWorkerSelectorAttachment(worker_selector=wsel),
            PassThroughWorkerSelectorAttachment(key="Language", label_operator=LabelOperator.EQUAL,
                                                expires_after_seconds=30),
            ConditionalWorkerSelectorAttachment(condition=StaticRouterRule(value=False),
                                                worker_selectors=[wsel]),
            RuleEngineWorkerSelectorAttachment(rule=FunctionRouterRule(
                function_uri="https://example.org/api/selectors")),
            WeightedAllocationWorkerSelectorAttachment(allocations=[
                WorkerWeightedAllocation(weight=1.0, worker_selectors=[wsel])]),
        ]))
    assert created.id == policy_id and created.name == "Everything"
    assert created.fallback_queue_id == fallback.id
    assert isinstance(created.prioritization_rule, StaticRouterRule)
    assert created.prioritization_rule.value == 5
    kinds = [type(a) for a in created.queue_selector_attachments]
    assert kinds == [StaticQueueSelectorAttachment, PassThroughQueueSelectorAttachment,
                     ConditionalQueueSelectorAttachment, RuleEngineQueueSelectorAttachment,
                     WeightedAllocationQueueSelectorAttachment]
    assert created.queue_selector_attachments[0].queue_selector == selector
    assert isinstance(created.queue_selector_attachments[2].condition, StaticRouterRule)
    assert created.queue_selector_attachments[2].condition.value is True
    assert isinstance(created.queue_selector_attachments[3].rule, DirectMapRouterRule)
    assert [a.weight for a in created.queue_selector_attachments[4].allocations] == [0.5, 0.5]
    kinds = [type(a) for a in created.worker_selector_attachments]
    assert kinds == [StaticWorkerSelectorAttachment, PassThroughWorkerSelectorAttachment,
                     ConditionalWorkerSelectorAttachment, RuleEngineWorkerSelectorAttachment,
                     WeightedAllocationWorkerSelectorAttachment]
    got = created.worker_selector_attachments[0].worker_selector
    assert (got.key, got.label_operator, got.value, got.expires_after_seconds, got.expedite) == (
        "Skill", LabelOperator.GREATER_THAN_OR_EQUAL, 5, 60, True)
    assert created.worker_selector_attachments[1].expires_after_seconds == 30
    assert isinstance(created.worker_selector_attachments[3].rule, FunctionRouterRule)

    assert created == await sdk.admin.get_classification_policy(policy_id)

    # Other rule kinds are stored and served as given.
    function = await sdk.admin.upsert_classification_policy(
        policy_id, prioritization_rule=FunctionRouterRule(
            function_uri="https://example.org/api/score",
            credential=FunctionRouterRuleCredential(function_key="k")))
    assert isinstance(function.prioritization_rule, FunctionRouterRule)
    assert function.prioritization_rule.function_uri == "https://example.org/api/score"
    assert function.prioritization_rule.credential.function_key == "k"
    assert len(function.queue_selector_attachments) == 5  # untouched by the keyword update
    webhook = await sdk.admin.upsert_classification_policy(
        policy_id, prioritization_rule=WebhookRouterRule(
            authorization_server_uri="https://example.org/token",
            client_credential=OAuth2WebhookClientCredential(client_id="id", client_secret="secret"),
            webhook_uri="https://example.org/hook"))
    rule = webhook.prioritization_rule
    assert isinstance(rule, WebhookRouterRule) and rule.webhook_uri == "https://example.org/hook"
    assert rule.client_credential.client_id == "id"

    ids = [p.id for p in await sdk.items(sdk.admin.list_classification_policies())]
    assert policy_id in ids
    await sdk.admin.delete_classification_policy(policy_id)
    with pytest.raises(ResourceNotFoundError):
        await sdk.admin.get_classification_policy(policy_id)


async def test_exception_policy_lifecycle(sdk, uid):
    dp = await distribution_policy(sdk, uid("dp"))
    target = await sdk.admin.upsert_queue(uid("queue"), RouterQueue(distribution_policy_id=dp.id))
    cp = await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        fallback_queue_id=target.id))
    policy_id = uid("ep")
    created = await sdk.admin.upsert_exception_policy(policy_id, ExceptionPolicy(
        name="Escalation", exception_rules=[
            ExceptionRule(id="too-many", trigger=QueueLengthExceptionTrigger(threshold=10),
                          actions=[CancelExceptionAction(id="cancel", note="Queue full",
                                                         disposition_code="Overflow")]),
            ExceptionRule(id="too-long", trigger=WaitTimeExceptionTrigger(threshold_seconds=30),
                          actions=[
                              ManualReclassifyExceptionAction(
                                  queue_id=target.id, priority=10,
                                  worker_selectors=[RouterWorkerSelector(
                                      key="Escalated", label_operator=LabelOperator.EQUAL,
                                      value=True)]),
                              ReclassifyExceptionAction(classification_policy_id=cp.id,
                                                        labels_to_upsert={"Escalated": True})]),
        ]))
    assert created.id == policy_id and created.name == "Escalation"
    first, second = created.exception_rules
    assert first.id == "too-many" and isinstance(first.trigger, QueueLengthExceptionTrigger)
    assert first.trigger.threshold == 10
    assert isinstance(first.actions[0], CancelExceptionAction)
    assert (first.actions[0].id, first.actions[0].note, first.actions[0].disposition_code) == (
        "cancel", "Queue full", "Overflow")
    assert isinstance(second.trigger, WaitTimeExceptionTrigger)
    assert second.trigger.threshold_seconds == 30
    manual, reclassify = second.actions
    assert isinstance(manual, ManualReclassifyExceptionAction)
    assert (manual.queue_id, manual.priority) == (target.id, 10)
    assert manual.worker_selectors[0].key == "Escalated"
    assert isinstance(reclassify, ReclassifyExceptionAction)
    assert reclassify.labels_to_upsert == {"Escalated": True}
    # Actions given without an id get one from the server.
    assert manual.id and reclassify.id and manual.id != reclassify.id

    assert created == await sdk.admin.get_exception_policy(policy_id)
    renamed = await sdk.admin.upsert_exception_policy(policy_id, name="Renamed")
    assert renamed.name == "Renamed" and len(renamed.exception_rules) == 2

    # The queue can name it.
    queue = await sdk.admin.upsert_queue(target.id, exception_policy_id=policy_id)
    assert queue.exception_policy_id == policy_id

    ids = [p.id for p in await sdk.items(sdk.admin.list_exception_policies())]
    assert policy_id in ids
    with pytest.raises(HttpResponseError) as err:
        await sdk.admin.delete_exception_policy(policy_id)  # in use by the queue
    assert err.value.status_code == 409, sdk.dump(1)
    await sdk.admin.upsert_queue(target.id, {"exceptionPolicyId": None})
    await sdk.admin.delete_exception_policy(policy_id)
    with pytest.raises(ResourceNotFoundError):
        await sdk.admin.get_exception_policy(policy_id)


async def test_bad_request_error_shape(sdk, uid):
    with pytest.raises(HttpResponseError) as err:
        await sdk.admin.upsert_distribution_policy(uid("dp"), DistributionPolicy(
            offer_expires_after_seconds=-5, mode=LongestIdleMode()))
    assert err.value.status_code == 400, sdk.dump(1)
    assert err.value.error is not None and err.value.error.code == "BadRequest"
    assert err.value.error.message


async def test_ids_with_reserved_characters(sdk, uid):
    """Ids travel percent-encoded in the path (and are signed that way); the server decodes
    them once. A '/' is refused with 400."""
    for raw in ("a b", "é-ü", "x:y", "p+q", "a%2Fb", "q=1&r", "t~_.-"):
        policy_id = f"{uid('dp')}-{raw}"
        created = await sdk.admin.upsert_distribution_policy(policy_id, DistributionPolicy(
            offer_expires_after_seconds=5, mode=LongestIdleMode()))
        assert created.id == policy_id, sdk.dump(1)
        assert (await sdk.admin.get_distribution_policy(policy_id)).id == policy_id
        listed = [p.id for p in await sdk.items(sdk.admin.list_distribution_policies())]
        assert policy_id in listed
        await sdk.admin.delete_distribution_policy(policy_id)
        with pytest.raises(ResourceNotFoundError):
            await sdk.admin.get_distribution_policy(policy_id)
    with pytest.raises(HttpResponseError) as err:
        await sdk.admin.upsert_distribution_policy(f"{uid('dp')}/x", DistributionPolicy(
            offer_expires_after_seconds=5, mode=LongestIdleMode()))
    assert err.value.status_code == 400, sdk.dump(1)


async def test_queue_with_jobs_cannot_be_deleted(sdk, uid):
    from helpers import job, queue
    q = await queue(sdk, uid)
    j = await job(sdk, uid("job"), q.id)
    with pytest.raises(HttpResponseError) as err:
        await sdk.admin.delete_queue(q.id)
    assert err.value.status_code == 409, sdk.dump(1)
    await sdk.router.cancel_job(j.id)
    await sdk.admin.delete_queue(q.id)
