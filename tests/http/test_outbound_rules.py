"""Function and webhook rules: the server calls out, off the engine's thread, and routes by the
answer - classification (queue selection, prioritization, worker selectors), best-worker
scoring, single and batch - with Azure Functions keys, OAuth2 client credentials (token cached),
time limits, the internal-address guard, and failures that leave the job classificationFailed
with the reason. A local HTTP server in the test plays the function, the webhook and the
authorization server; the router may reach it through --outbound-allow 127.0.0.1/32.
"""
import json
import os
import sys
import threading
import time

import pytest

from eventkit import wait_until
from sbclient import Server

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from ruleserver import RuleServer  # noqa: E402

ALLOW = ("--outbound-allow", "127.0.0.1/32")


@pytest.fixture
def rules():
    r = RuleServer()
    yield r
    r.stop()


@pytest.fixture
def make_server(switchboard_binary):
    servers = []

    def make(*extra, **kw):
        srv = Server(switchboard_binary, extra_args=list(extra), **kw)
        servers.append(srv)
        return srv

    yield make
    for srv in servers:
        srv.stop()


def setup_queues(c, *queues, mode="longestIdle"):
    c.distribution_policy("dp", mode=mode, offer_seconds=60)
    for q in queues:
        c.queue(q, "dp", labels={"team": q})


def settled(c, job_id):
    """The job once classification is over."""
    wait_until(lambda: c.job(job_id)["status"] != "pendingClassification",
               what=f"{job_id} to be classified")
    return c.job(job_id)


def function_rule(url, **credential):
    rule = {"kind": "function", "functionUri": url}
    if credential:
        rule["credential"] = credential
    return rule


def test_function_rules_classify_with_the_function_key(make_server, rules):
    c = make_server(*ALLOW).client()
    setup_queues(c, "fallback", "vip")
    seen = []

    def priority(headers, raw):
        seen.append((headers.get("x-functions-key"), json.loads(raw)))
        return 200, 10 if json.loads(raw)["job"].get("tier") == "gold" else 1

    rules.routes["/priority"] = priority
    rules.routes["/queues"] = lambda h, raw: (200, [
        {"key": "team", "labelOperator": "equal", "value": "vip"}])
    rules.routes["/skills"] = lambda h, raw: (200, [
        {"key": "skill", "labelOperator": "greaterThanOrEqual", "value": 5}])
    c.upsert("classificationPolicies", "cp", {
        "fallbackQueueId": "fallback",
        "prioritizationRule": function_rule(rules.url("/priority"), functionKey="fn-key"),
        "queueSelectorAttachments": [{"kind": "ruleEngine",
                                      "rule": function_rule(rules.url("/queues"))}],
        "workerSelectorAttachments": [{"kind": "ruleEngine", "rule": function_rule(
            rules.url("/skills"), appKey="app-key", clientId="router")}]})
    created = c.upsert("jobs", "j1", {"channelId": "voice", "classificationPolicyId": "cp",
                                      "labels": {"tier": "gold", "n": 3}}, expect=(201,))
    assert created["status"] in ("pendingClassification", "queued"), created
    job = settled(c, "j1")
    assert (job["status"], job["queueId"], job["priority"]) == ("queued", "vip", 10), job
    assert [(s["key"], s["labelOperator"], s["value"]) for s in job["attachedWorkerSelectors"]] \
        == [("skill", "greaterThanOrEqual", 5)], job
    assert seen == [("fn-key", {"job": {"tier": "gold", "n": 3}})]
    headers = rules.calls_to("/skills")[0][1]
    assert (headers.get("x-functions-key"), headers.get("x-functions-clientid")) == \
        ("app-key", "router")
    assert headers.get("Content-Type") == "application/json"


def test_plain_text_answers_and_conditions(make_server, rules):
    c = make_server(*ALLOW).client()
    setup_queues(c, "fallback", "sales")
    rules.routes["/queue"] = lambda h, raw: (200, "sales")  # a bare string, as Functions send it
    rules.routes["/yes"] = lambda h, raw: (200, True)
    c.upsert("classificationPolicies", "cp", {
        "fallbackQueueId": "fallback",
        "queueSelectorAttachments": [{"kind": "conditional",
                                      "condition": function_rule(rules.url("/yes")),
                                      "queueSelectors": [{"key": "Id", "labelOperator": "equal",
                                                          "value": "sales"}]}],
        "prioritizationRule": function_rule(rules.url("/queue"))})
    c.upsert("jobs", "j", {"channelId": "voice", "classificationPolicyId": "cp"})
    job = settled(c, "j")
    # The condition held, so the job is in "sales"; the text answer is no priority.
    assert job["status"] == "classificationFailed", job
    rules.routes["/queue"] = lambda h, raw: (200, 4)
    c.post("/routing/jobs/j:reclassify", {}).expect(200)
    job = settled(c, "j")
    assert (job["status"], job["queueId"], job["priority"]) == ("queued", "sales", 4), job


@pytest.mark.parametrize("answer,reason", [
    ((500, "boom"), "HTTP 500"),
    ((200, {"not": "a value"}), "single value"),
])
def test_a_failing_function_fails_the_classification_with_the_reason(make_server, rules,
                                                                     answer, reason):
    c = make_server(*ALLOW).client()
    setup_queues(c, "fallback")
    rules.routes["/p"] = lambda h, raw: answer
    c.upsert("classificationPolicies", "cp", {
        "fallbackQueueId": "fallback",
        "prioritizationRule": function_rule(rules.url("/p"), functionKey="secret-key")})
    c.upsert("jobs", "j", {"channelId": "voice", "classificationPolicyId": "cp"})
    job = settled(c, "j")
    assert job["status"] == "classificationFailed", job
    notes = " ".join(n["message"] for n in job.get("notes", []))
    assert "prioritizationRule" in notes and reason in notes, job
    assert "secret-key" not in notes


def test_time_limit_and_internal_addresses(make_server, rules):
    # No --outbound-allow: loopback is refused before any connection is made.
    c = make_server().client()
    setup_queues(c, "fallback")
    rules.routes["/p"] = lambda h, raw: (200, 1)
    c.upsert("classificationPolicies", "cp", {
        "fallbackQueueId": "fallback", "prioritizationRule": function_rule(rules.url("/p"))})
    c.upsert("jobs", "j", {"channelId": "voice", "classificationPolicyId": "cp"})
    job = settled(c, "j")
    assert job["status"] == "classificationFailed", job
    assert "loopback" in " ".join(n["message"] for n in job["notes"]), job
    assert rules.calls_to("/p") == []

    # A function slower than --rule-call-timeout.
    c = make_server(*ALLOW, "--rule-call-timeout", "300ms").client()
    setup_queues(c, "fallback")
    rules.routes["/slow"] = lambda h, raw: (time.sleep(1.5), (200, 1))[1]
    c.upsert("classificationPolicies", "cp", {
        "fallbackQueueId": "fallback", "prioritizationRule": function_rule(rules.url("/slow"))})
    started = time.monotonic()
    c.upsert("jobs", "j", {"channelId": "voice", "classificationPolicyId": "cp"})
    job = settled(c, "j")
    assert job["status"] == "classificationFailed" and time.monotonic() - started < 1.4, job
    assert "timeout" in " ".join(n["message"] for n in job["notes"]), job


def test_webhook_rule_uses_a_cached_client_credentials_token(make_server, rules):
    c = make_server(*ALLOW).client()
    setup_queues(c, "fallback", "billing")
    tokens = []

    def token(headers, raw):
        form = dict(p.split("=", 1) for p in raw.split("&"))
        assert form == {"grant_type": "client_credentials", "client_id": "router",
                        "client_secret": "s%26cret"}, form
        tokens.append(f"token-{len(tokens)}")
        return 200, {"access_token": tokens[-1], "token_type": "Bearer", "expires_in": 3600}

    def hook(headers, raw):
        if headers.get("Authorization") != f"Bearer {tokens[-1]}":
            return 401, "who are you"
        return 200, [{"key": "Id", "labelOperator": "equal", "value": "billing"}]

    rules.routes["/token"] = token
    rules.routes["/hook"] = hook
    c.upsert("classificationPolicies", "cp", {
        "fallbackQueueId": "fallback",
        "queueSelectorAttachments": [{"kind": "ruleEngine", "rule": {
            "kind": "webhook", "authorizationServerUri": rules.url("/token"),
            "clientCredential": {"clientId": "router", "clientSecret": "s&cret"},
            "webhookUri": rules.url("/hook")}}]})
    for n in range(3):
        c.upsert("jobs", f"j{n}", {"channelId": "voice", "classificationPolicyId": "cp"})
        assert settled(c, f"j{n}")["queueId"] == "billing"
    assert len(tokens) == 1  # one token served all three calls

    # The webhook stops accepting the cached token (it now expects tokens[-1]): the router gets
    # a new one and repeats the call once.
    tokens.append("revoked")
    hook_calls = len(rules.calls_to("/hook"))
    c.upsert("jobs", "j9", {"channelId": "voice", "classificationPolicyId": "cp"})
    assert settled(c, "j9")["queueId"] == "billing"
    assert tokens == ["token-0", "revoked", "token-2"]
    assert len(rules.calls_to("/hook")) == hook_calls + 2


def test_function_scoring_rule_single_and_batch(make_server, rules):
    c = make_server(*ALLOW).client()
    skill = lambda labels: labels.get("skill", 0)  # noqa: E731

    def single(headers, raw):
        body = json.loads(raw)
        assert set(body) == {"job", "selectors", "worker"}, body
        return 200, skill(body["worker"])

    def batch(headers, raw):
        body = json.loads(raw)
        assert set(body) == {"job", "workers"}, body
        return 200, [{"workerId": w["Id"], "score": skill(w)} for w in reversed(body["workers"])]

    rules.routes["/single"] = single
    rules.routes["/batch"] = batch
    for name, options in [
        ("single", {"isBatchScoringEnabled": False}),
        ("batch", {"isBatchScoringEnabled": True, "batchSize": 2,
                   "scoringParameters": ["jobLabels"]}),
    ]:
        c.upsert("distributionPolicies", f"dp-{name}", {"offerExpiresAfterSeconds": 60, "mode": {
            "kind": "bestWorker", "scoringRule": function_rule(rules.url(f"/{name}")),
            "scoringRuleOptions": options}})
        c.queue(f"q-{name}", f"dp-{name}")
        for n, s in enumerate([3, 9, 5]):
            c.new_worker(f"w-{name}-{n}", [f"q-{name}"], labels={"skill": s})
        c.new_job(f"j-{name}", f"q-{name}", labels={"kind": "vip"})
        wait_until(lambda: c.job(f"j-{name}").get("status") == "queued" and
                   c.worker(f"w-{name}-1").get("offers"), what=f"an offer for j-{name}")
        offered = [w for w in (f"w-{name}-{n}" for n in range(3)) if c.worker(w).get("offers")]
        assert offered == [f"w-{name}-1"], (name, offered)
    assert len(rules.calls_to("/single")) == 3
    assert len(rules.calls_to("/batch")) == 2  # three workers in batches of two


def test_a_pending_classification_is_asked_again_after_a_restart(switchboard_binary, rules,
                                                                 tmp_path):
    data = str(tmp_path / "data")
    gate = threading.Event()
    rules.routes["/p"] = lambda h, raw: (gate.wait(20), (200, 6))[1]
    srv = Server(switchboard_binary, extra_args=["--data", data, *ALLOW], store="sqlite")
    try:
        c = srv.client()
        setup_queues(c, "fallback")
        c.upsert("classificationPolicies", "cp", {
            "fallbackQueueId": "fallback", "prioritizationRule": function_rule(rules.url("/p"))})
        c.upsert("jobs", "j", {"channelId": "voice", "classificationPolicyId": "cp"})
        wait_until(lambda: len(rules.calls_to("/p")) == 1, what="the first call")
        assert c.job("j")["status"] == "pendingClassification"
    finally:
        srv.stop()
    srv = Server(switchboard_binary, extra_args=["--data", data, *ALLOW], store="sqlite",
                 access_key=srv.access_key)
    try:
        c = srv.client()
        wait_until(lambda: len(rules.calls_to("/p")) == 2, what="the call asked again")
        gate.set()
        job = settled(c, "j")
        assert (job["status"], job["priority"]) == ("queued", 6), job
    finally:
        gate.set()
        srv.stop()
