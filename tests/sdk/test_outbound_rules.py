"""Function and webhook rules through the SDK's own models (FunctionRouterRule with its
credential, WebhookRouterRule with OAuth2 client credentials, BestWorkerMode with a function
scoring rule and ScoringRuleOptions): the router calls a local server that plays the function,
the webhook and the authorization server."""
import json
import os
import sys

import pytest
from azure.communication.jobrouter.models import (
    BestWorkerMode, ClassificationPolicy, DistributionPolicy, FunctionRouterRule,
    FunctionRouterRuleCredential, OAuth2WebhookClientCredential, RouterJob, RouterJobStatus,
    RouterQueue, RuleEngineQueueSelectorAttachment, ScoringRuleOptions,
    ScoringRuleParameterSelector, WebhookRouterRule)

from helpers import queue as make_queue, worker as make_worker
from sdkfacade import Server

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from ruleserver import RuleServer  # noqa: E402


@pytest.fixture(scope="module")
def server(switchboard_binary, access_key):
    """This module's server may call the local rule server (loopback is refused otherwise)."""
    srv = Server(switchboard_binary, access_key, extra_args=["--outbound-allow", "127.0.0.1/32"])
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def rules():
    r = RuleServer()
    yield r
    r.stop()


async def _classified(sdk, uid, policy_id, **fields):
    job = await sdk.router.upsert_job(uid("job"), RouterJob(
        channel_id="voice", classification_policy_id=policy_id, **fields))
    return await sdk.wait_for(lambda: sdk.router.get_job(job.id),
                              lambda j: j.status != RouterJobStatus.PENDING_CLASSIFICATION,
                              "classification")


async def test_function_and_webhook_rules_classify(sdk, uid, rules):
    target = await make_queue(sdk, uid)
    fallback = await make_queue(sdk, uid)
    prio, token, hook = uid("/prio"), uid("/token"), uid("/hook")
    rules.routes[prio] = lambda h, raw: (
        200, 9 if h.get("x-functions-key") == "k" and json.loads(raw)["job"]["vip"] else 1)
    rules.routes[token] = lambda h, raw: (200, {"access_token": "t", "expires_in": 600})
    rules.routes[hook] = lambda h, raw: (200, [{"key": "Id", "labelOperator": "equal",
                                                "value": target.id}]
                                         if h.get("Authorization") == "Bearer t" else [])
    cp = await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        fallback_queue_id=fallback.id,
        prioritization_rule=FunctionRouterRule(
            function_uri=rules.url(prio), credential=FunctionRouterRuleCredential(function_key="k")),
        queue_selector_attachments=[RuleEngineQueueSelectorAttachment(rule=WebhookRouterRule(
            authorization_server_uri=rules.url(token),
            client_credential=OAuth2WebhookClientCredential(client_id="c", client_secret="s"),
            webhook_uri=rules.url(hook)))]))
    assert isinstance(cp.prioritization_rule, FunctionRouterRule)
    job = await _classified(sdk, uid, cp.id, labels={"vip": True})
    assert (job.status, job.queue_id, job.priority) == (RouterJobStatus.QUEUED, target.id, 9), \
        sdk.dump(2)

    # The function fails: the job's classification fails, and says why.
    rules.routes[prio] = lambda h, raw: (503, "busy")
    job = await _classified(sdk, uid, cp.id, labels={"vip": True})
    assert job.status == RouterJobStatus.CLASSIFICATION_FAILED, sdk.dump(2)
    assert any("HTTP 503" in note.message for note in job.notes), job.notes


async def test_best_worker_with_a_function_scoring_rule(sdk, uid, rules):
    path = uid("/score")
    rules.routes[path] = lambda h, raw: (
        200, [w.get("Level", 0) for w in json.loads(raw)["workers"]])
    dp = await sdk.admin.upsert_distribution_policy(uid("dp"), DistributionPolicy(
        offer_expires_after_seconds=60, mode=BestWorkerMode(
            scoring_rule=FunctionRouterRule(function_uri=rules.url(path)),
            scoring_rule_options=ScoringRuleOptions(
                batch_size=10, is_batch_scoring_enabled=True, descending_order=False,
                scoring_parameters=[ScoringRuleParameterSelector.JOB_LABELS]))))
    q = await sdk.admin.upsert_queue(uid("queue"), RouterQueue(distribution_policy_id=dp.id))
    workers = [uid("w") for _ in range(3)]
    for w, level in zip(workers, [5, 1, 8]):
        await make_worker(sdk, w, [q.id], labels={"Level": level})
    job = await sdk.router.upsert_job(uid("job"), RouterJob(channel_id="voice", queue_id=q.id))
    # Ascending order: the lowest score is offered first.
    offered = await sdk.wait_for(lambda: sdk.router.get_worker(workers[1]),
                                 lambda w: any(o.job_id == job.id for o in w.offers),
                                 "the offer to the lowest-scored worker")
    assert offered.offers[0].job_id == job.id
    for other in (workers[0], workers[2]):
        assert not (await sdk.router.get_worker(other)).offers
