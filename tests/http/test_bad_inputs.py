"""A catalog of bad requests. Each must be answered in the Azure error shape
{"error": {"code", "message"}} with an x-ms-error-code header equal to error.code, and must
change nothing: every case is followed by GETs comparing the entities with their state before
(body and ETag), or proving that what the request would have created does not exist."""
import json

import pytest

from sbclient import GA, PREVIEW, parse_raw_response, q, raw_exchange
from shapes import Spec

SPEC = Spec()

CODES = {400: "BadRequest", 404: "NotFound", 405: "MethodNotAllowed", 409: "Conflict",
         412: "PreconditionFailed", 413: "PayloadTooLarge", 415: "UnsupportedMediaType"}


def assert_error(r, status, target=None):
    assert r.status == status, f"expected {status}, got {r!r}"
    assert (r.header("Content-Type") or "").startswith("application/json"), r
    body = r.json
    SPEC.assert_valid(body, "Azure.Core.Foundations.ErrorResponse", context=repr(r))
    error = body["error"]
    assert error["code"] == CODES[status], f"error.code should be {CODES[status]}: {r!r}"
    assert r.header("x-ms-error-code") == error["code"], f"x-ms-error-code differs: {r!r}"
    assert error["message"].strip(), r
    if target:
        assert error.get("target") == target or target in error["message"], \
            f"the error should name {target}: {r!r}"
    return error


class World:
    """A distribution policy, a queue, an inactive worker and a queued job, all unique."""

    def __init__(self, c, uid):
        self.c = c
        self.dp, self.queue, self.worker, self.job = uid("dp"), uid("q"), uid("w"), uid("job")
        self.new = uid("new")  # an id nothing has
        c.distribution_policy(self.dp)
        c.queue(self.queue, self.dp)
        c.new_worker(self.worker, [self.queue], available=False, labels={"k": 1})
        c.new_job(self.job, self.queue, labels={"k": 1})

    def paths(self):
        return [f"/routing/distributionPolicies/{self.dp}", f"/routing/queues/{self.queue}",
                f"/routing/workers/{self.worker}", f"/routing/jobs/{self.job}"]

    def snapshot(self, *extra):
        out = {}
        for path in self.paths() + list(extra):
            r = self.c.get(path)
            out[path] = (r.status, r.json, r.header("ETag"))
        return out

    def assert_unchanged(self, before, context):
        after = self.snapshot(*[p for p in before if p not in self.paths()])
        for path in before:
            assert after[path] == before[path], \
                f"{context} changed {path}:\n before {before[path]}\n after  {after[path]}"


@pytest.fixture
def world(client, uid):
    return World(client, uid)


# -- transport-level and body-level errors on an upsert ----------------------------------------

def test_missing_api_version(world):
    before = world.snapshot()
    r = world.c.patch(f"/routing/queues/{world.queue}", {"name": "x"}, api_version=None)
    assert_error(r, 400, "api-version")
    r = world.c.get(f"/routing/queues/{world.queue}", api_version=None)
    assert_error(r, 400, "api-version")
    world.assert_unchanged(before, "missing api-version")


@pytest.mark.parametrize("version", ["2021-10-20-preview", "2022-07-18-preview", "2023-11-02",
                                     "latest", ""])
def test_unsupported_api_version(world, version):
    before = world.snapshot()
    r = world.c.patch(f"/routing/queues/{world.queue}", {"name": "x"}, api_version=version)
    assert_error(r, 400, "api-version")
    world.assert_unchanged(before, f"api-version {version}")


@pytest.mark.parametrize("raw,why", [
    ('{"name": "x"', "truncated"), ("{name: 'x'}", "not JSON"), ('{"name": "x"}}', "trailing"),
    ("", "empty"), ('[{"name": "x"}]', "an array"), ('"name"', "a string"), ("42", "a number"),
    ("null", "null"), ('{"name": "x", "name"', "truncated key"), ("\xff\xfe{}", "not UTF-8")])
def test_malformed_bodies(world, raw, why):
    before = world.snapshot(f"/routing/queues/{world.new}")
    for id_ in (world.queue, world.new):
        body = raw.encode("latin-1") if "\xff" in raw else raw
        r = world.c.patch(f"/routing/queues/{id_}", body)
        assert_error(r, 400)
    world.assert_unchanged(before, f"a body that is {why}")


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml",
                                          "application/x-www-form-urlencoded", None])
def test_wrong_content_type(world, content_type):
    before = world.snapshot(f"/routing/queues/{world.new}")
    body = json.dumps({"name": "changed", "distributionPolicyId": world.dp})
    headers = {"Content-Type": content_type} if content_type else {}
    for id_ in (world.queue, world.new):
        r = world.c.send("PATCH", world.c.target(f"/routing/queues/{id_}"), body, headers)
        assert_error(r, 415)
    world.assert_unchanged(before, f"Content-Type {content_type}")


def test_both_json_content_types_are_accepted(world):
    for ct in ("application/merge-patch+json", "application/json",
               "application/merge-patch+json; charset=utf-8"):
        r = world.c.patch(f"/routing/queues/{world.queue}", {"name": ct}, content_type=ct)
        assert r.status == 200 and r.json["name"] == ct, r


def test_oversized_body_is_413(world, server):
    before = world.snapshot()
    # The server refuses from Content-Length alone, before reading the body.
    head = (f"PATCH /routing/queues/{world.queue}?api-version={GA} HTTP/1.1\r\n"
            f"Host: {server.host}:{server.port}\r\n"
            "Content-Type: application/merge-patch+json\r\n"
            f"Content-Length: {1024 * 1024 + 1}\r\n\r\n").encode()
    status, headers, body = parse_raw_response(raw_exchange(server.host, server.port, head))
    assert status == 413, (status, headers, body)
    error = json.loads(body)["error"]
    assert error["code"] == "PayloadTooLarge" == headers.get("x-ms-error-code"), (headers, body)
    world.assert_unchanged(before, "an oversized body")


def test_body_of_exactly_one_mebibyte_is_accepted(world):
    text = json.dumps({"name": "padded"})
    body = text[:-1] + " " * (1024 * 1024 - len(text)) + "}"
    assert len(body.encode()) == 1024 * 1024
    r = world.c.patch(f"/routing/queues/{world.queue}", body)
    assert r.status == 200 and r.json["name"] == "padded", r


# Invalid resources: (collection, which id, body, target). "existing" patches the world's entity
# of that collection, "new" tries to create one; both must be refused and change nothing.
def invalid_cases(w):
    sel = {"key": "k", "labelOperator": "equal", "value": 1}
    job = {"channelId": "voice", "queueId": w.queue}
    worker = {"capacity": 1, "queues": [w.queue],
              "channels": [{"channelId": "voice", "capacityCostPerJob": 1}]}
    mode = {"kind": "longestIdle", "minConcurrentOffers": 1, "maxConcurrentOffers": 1}
    dp = {"offerExpiresAfterSeconds": 30, "mode": mode}
    return [
        # a string where a number belongs
        ("jobs", {**job, "priority": "5"}, "priority"),
        ("workers", {**worker, "capacity": "1"}, "capacity"),
        ("distributionPolicies", {**dp, "offerExpiresAfterSeconds": "30"},
         "offerExpiresAfterSeconds"),
        ("workers", {**worker, "channels": [{"channelId": "voice", "capacityCostPerJob": "1"}]},
         "capacityCostPerJob"),
        # other wrong types
        ("jobs", {**job, "priority": 2.5}, "priority"),
        ("workers", {**worker, "availableForOffers": "true"}, "availableForOffers"),
        ("workers", {**worker, "queues": w.queue}, "queues"),
        ("jobs", {**job, "labels": ["k", 1]}, "labels"),
        ("jobs", {**job, "channelId": 7}, "channelId"),
        # out of range
        ("jobs", {**job, "priority": 1000}, "priority"),
        ("jobs", {**job, "priority": -101}, "priority"),
        ("jobs", {**job, "priority": 2 ** 31}, "priority"),
        ("workers", {**worker, "capacity": -1}, "capacity"),
        ("workers", {**worker, "channels": [{"channelId": "voice", "capacityCostPerJob": 1,
                                             "maxNumberOfJobs": 0}]}, "maxNumberOfJobs"),
        ("workers", {**worker, "channels": [{"channelId": "voice", "capacityCostPerJob": -1}]},
         "capacityCostPerJob"),
        ("distributionPolicies", {**dp, "mode": {**mode, "minConcurrentOffers": 3,
                                                 "maxConcurrentOffers": 2}},
         "minConcurrentOffers"),
        ("distributionPolicies", {**dp, "mode": {**mode, "maxConcurrentOffers": 0}},
         "maxConcurrentOffers"),
        ("distributionPolicies", {**dp, "offerExpiresAfterSeconds": -5},
         "offerExpiresAfterSeconds"),
        # unknown enum values and kinds
        ("jobs", {**job, "requestedWorkerSelectors": [{**sel, "labelOperator": "between"}]},
         "labelOperator"),
        ("jobs", {**job, "matchingMode": {"kind": "teleport"}}, "kind"),
        ("distributionPolicies", {**dp, "mode": {**mode, "kind": "fastest"}}, "kind"),
        # (create only: on an update the merge patch keeps the current kind)
        ("distributionPolicies", {**dp, "mode": {"minConcurrentOffers": 1}}, "kind", "create"),
        ("jobs", {**job, "matchingMode": {"kind": "scheduleAndSuspend"}}, "scheduleAt"),
        ("jobs", {**job, "requestedWorkerSelectors": [{"labelOperator": "equal", "value": 1}]},
         "key"),
        # references to what does not exist
        ("queues", {"distributionPolicyId": w.new}, "distributionPolicyId"),
        ("jobs", {**job, "queueId": w.new}, "queueId"),
        ("jobs", {**job, "classificationPolicyId": w.new}, "classificationPolicyId"),
        ("workers", {**worker, "queues": [w.queue, w.new]}, "queues"),
        # label values must be primitives
        ("jobs", {**job, "labels": {"k": {"nested": 1}}}, "labels"),
        ("jobs", {**job, "labels": {"k": [1, 2]}}, "labels"),
        ("jobs", {**job, "tags": {"k": {"nested": 1}}}, "tags"),
        ("workers", {**worker, "labels": {"k": [1]}}, "labels"),
        ("queues", {"distributionPolicyId": w.dp, "labels": {"k": {"a": "b"}}}, "labels"),
        ("jobs", {**job, "requestedWorkerSelectors": [{**sel, "value": {"a": 1}}]}, "value"),
        # required on a job (create only: an update keeps them)
        ("jobs", {"queueId": w.queue}, "channelId", "create"),
        ("jobs", {"channelId": "voice"}, "queueId", "create"),
    ]


CASE_IDS = [f"{i:02d}-{c[0]}-{c[2]}" for i, c in enumerate(invalid_cases(
    type("W", (), {"queue": "q", "new": "n", "dp": "d"})()))]


@pytest.mark.parametrize("index", range(len(CASE_IDS)), ids=CASE_IDS)
def test_invalid_resource(world, index):
    collection, body, target, *create_only = invalid_cases(world)[index]
    existing = {"jobs": world.job, "workers": world.worker, "queues": world.queue,
                "distributionPolicies": world.dp}[collection]
    new_path = f"/routing/{collection}/{world.new}"
    before = world.snapshot(new_path)
    assert before[new_path][0] == 404
    assert_error(world.c.patch(new_path, body), 400, target)
    # The same body as an update of an existing entity.
    if not create_only:
        assert_error(world.c.patch(f"/routing/{collection}/{existing}", body), 400, target)
    world.assert_unchanged(before, f"{body}")


def test_invalid_classification_and_exception_policies(world):
    c = world.c
    path_cp, path_ep = f"/routing/classificationPolicies/{world.new}", \
        f"/routing/exceptionPolicies/{world.new}"
    before = world.snapshot(path_cp, path_ep)
    cases = [
        (path_cp, {"queueSelectorAttachments": [{"kind": "magic"}]}, "kind"),
        (path_cp, {"queueSelectorAttachments": [{"kind": "static", "queueSelector": {
            "key": "k", "labelOperator": "near", "value": 1}}]}, "labelOperator"),
        (path_cp, {"prioritizationRule": {"kind": "guess"}}, "kind"),
        (path_cp, {"workerSelectorAttachments": [{"kind": "static", "workerSelector": {
            "key": "k", "labelOperator": "equal", "value": [1]}}]}, "value"),
        (path_ep, {"exceptionRules": [{"id": "r", "trigger": {"kind": "sometime"},
                                       "actions": [{"kind": "cancel"}]}]}, "kind"),
        (path_ep, {"exceptionRules": [{"id": "r", "trigger": {"kind": "waitTime",
                                                              "thresholdSeconds": 5},
                                       "actions": [{"kind": "explode"}]}]}, "kind"),
        (path_ep, {"exceptionRules": [{"id": "r", "trigger": {"kind": "queueLength",
                                                              "threshold": "ten"},
                                       "actions": [{"kind": "cancel"}]}]}, "threshold"),
    ]
    for path, body, target in cases:
        assert_error(c.patch(path, body), 400, target)
    world.assert_unchanged(before, "invalid policies")


# -- routing ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/routing", "/routing/nothing", "/routing/nothing/x",
                                  "/routing/jobs/a/b", "/routing/jobs/a/assignments/b",
                                  "/routing/queues/a/b",
                                  "/routing/workers/w/offers/o", "/routing/workers/w/offers/o:eat",
                                  "/jobs/a", "/routing/queues/a/statistics/x"])
def test_unknown_path_is_404(client, path):
    assert_error(client.get(path), 404)
    assert_error(client.post(path, {}), 404)


@pytest.mark.parametrize("method,path,allow", [
    ("PUT", "/routing/queues/never-created", {"GET", "PATCH", "DELETE"}),
    ("POST", "/routing/queues/never-created", {"GET", "PATCH", "DELETE"}),
    ("POST", "/routing/jobs", {"GET"}),
    ("DELETE", "/routing/workers", {"GET"}),
    ("PATCH", "/routing/queues/x/statistics", {"GET"}),
    ("GET", "/routing/jobs/x:cancel", {"POST"}),
    ("GET", "/routing/jobs/x/assignments/y:complete", {"POST"}),
    ("DELETE", "/routing/workers/w/offers/o:accept", {"POST"}),
    ("PATCH", "/routing/jobs/x/position", {"GET"}),
])
def test_wrong_method_is_405_with_allow(client, method, path, allow):
    r = client.request(method, path, {} if method in ("PUT", "POST", "PATCH") else None)
    assert_error(r, 405)
    assert r.header("Allow"), f"405 without an Allow header: {r!r}"
    assert {m.strip() for m in r.header("Allow").split(",")} == allow, r
    client.get("/routing/queues/never-created").expect(404)  # PUT/POST created nothing


# -- actions on things that do not exist --------------------------------------------------------

def test_actions_on_unknown_ids_are_404(world):
    c, n = world.c, world.new
    before = world.snapshot()
    cases = [
        ("POST", f"/routing/jobs/{n}:cancel", "jobId"),
        ("POST", f"/routing/jobs/{n}:reclassify", "jobId"),
        ("POST", f"/routing/jobs/{n}/assignments/a:complete", "jobId"),
        ("POST", f"/routing/jobs/{n}/assignments/a:close", "jobId"),
        ("POST", f"/routing/jobs/{n}/assignments/a:unassign", "jobId"),
        ("POST", f"/routing/jobs/{world.job}/assignments/{n}:complete", "assignmentId"),
        ("POST", f"/routing/jobs/{world.job}/assignments/{n}:close", "assignmentId"),
        ("POST", f"/routing/jobs/{world.job}/assignments/{n}:unassign", "assignmentId"),
        ("POST", f"/routing/workers/{n}/offers/o:accept", "workerId"),
        ("POST", f"/routing/workers/{n}/offers/o:decline", "workerId"),
        ("POST", f"/routing/workers/{world.worker}/offers/{n}:accept", "offerId"),
        ("POST", f"/routing/workers/{world.worker}/offers/{n}:decline", "offerId"),
        ("GET", f"/routing/jobs/{n}/position", "jobId"),
        ("GET", f"/routing/queues/{n}/statistics", "queueId"),
        ("GET", f"/routing/jobs/{n}", "jobId"),
        ("GET", f"/routing/workers/{n}", "workerId"),
        ("GET", f"/routing/queues/{n}", None),
        ("GET", f"/routing/distributionPolicies/{n}", None),
        ("GET", f"/routing/classificationPolicies/{n}", None),
        ("GET", f"/routing/exceptionPolicies/{n}", None),
    ]
    for method, path, target in cases:
        body = {} if method == "POST" else None
        assert_error(c.request(method, path, body), 404, target)
    world.assert_unchanged(before, "actions on unknown ids")
    c.get(f"/routing/jobs/{n}").expect(404)


def test_delete_of_a_missing_id_is_204(client, uid):
    for collection in ("jobs", "workers", "queues", "distributionPolicies",
                       "classificationPolicies", "exceptionPolicies"):
        r = client.delete(f"/routing/{collection}/{uid('missing')}")
        assert r.status == 204 and r.body == b"", r


# -- state conflicts ----------------------------------------------------------------------------

def offers_of(c, worker_id, job_id):
    return [o["offerId"] for o in c.worker(worker_id)["offers"] if o["jobId"] == job_id]


def assigned_job(c, uid, **dp_options):
    dp, queue, worker, job = uid("dp"), uid("q"), uid("w"), uid("job")
    c.distribution_policy(dp, **dp_options)
    c.queue(queue, dp)
    c.new_worker(worker, [queue])
    c.new_job(job, queue)
    offer = offers_of(c, worker, job)[0]
    assignment = c.post(f"/routing/workers/{worker}/offers/{offer}:accept").expect(200)
    return dp, queue, worker, job, assignment["assignmentId"]


def job_and_worker_paths(job, worker):
    return [f"/routing/jobs/{job}", f"/routing/workers/{worker}"]


def snapshot(c, paths):
    return {p: (lambda r: (r.status, r.json, r.header("ETag")))(c.get(p)) for p in paths}


def test_complete_and_close_conflicts(client, uid):
    c = client
    _, _, worker, job, a = assigned_job(c, uid)
    paths = job_and_worker_paths(job, worker)

    before = snapshot(c, paths)
    assert_error(c.post(f"/routing/jobs/{job}/assignments/{a}:close"), 409)  # still assigned
    assert snapshot(c, paths) == before

    c.post(f"/routing/jobs/{job}/assignments/{a}:complete").expect(200)
    before = snapshot(c, paths)
    assert_error(c.post(f"/routing/jobs/{job}/assignments/{a}:complete"), 409)  # completed
    assert_error(c.post(f"/routing/jobs/{job}/assignments/{a}:unassign"), 409)
    assert snapshot(c, paths) == before

    c.post(f"/routing/jobs/{job}/assignments/{a}:close").expect(200)
    before = snapshot(c, paths)
    for action in ("complete", "close", "unassign"):
        assert_error(c.post(f"/routing/jobs/{job}/assignments/{a}:{action}"), 409)
    assert_error(c.post(f"/routing/jobs/{job}:cancel"), 409)
    assert snapshot(c, paths) == before


def test_complete_of_a_job_that_is_not_assigned(client, uid):
    c = client
    _, _, worker, job, a = assigned_job(c, uid)
    c.upsert("workers", worker, {"availableForOffers": False})  # no re-offer after unassign
    c.post(f"/routing/jobs/{job}/assignments/{a}:unassign").expect(200)
    assert c.job(job)["status"] == "queued"
    paths = job_and_worker_paths(job, worker)
    before = snapshot(c, paths)
    assert_error(c.post(f"/routing/jobs/{job}/assignments/{a}:complete", {"note": "n"}), 409)
    assert_error(c.post(f"/routing/jobs/{job}/assignments/{a}:close"), 409)
    assert snapshot(c, paths) == before


def test_cancel_twice_and_delete_conflicts(client, uid):
    c = client
    dp, queue = uid("dp"), uid("q")
    c.distribution_policy(dp)
    ep = uid("ep")
    c.upsert("exceptionPolicies", ep, {"exceptionRules": []}, expect=(201,))
    c.queue(queue, dp, exceptionPolicyId=ep)
    cp = uid("cp")
    c.upsert("classificationPolicies", cp, {"fallbackQueueId": queue}, expect=(201,))
    job = uid("job")
    c.upsert("jobs", job, {"channelId": "voice", "classificationPolicyId": cp}, expect=(201,))
    paths = [f"/routing/jobs/{job}", f"/routing/queues/{queue}",
             f"/routing/distributionPolicies/{dp}", f"/routing/exceptionPolicies/{ep}",
             f"/routing/classificationPolicies/{cp}"]
    before = snapshot(c, paths)
    assert_error(c.delete(f"/routing/jobs/{job}"), 409)            # a queued job
    assert_error(c.delete(f"/routing/queues/{queue}"), 409)        # has an active job
    assert_error(c.delete(f"/routing/distributionPolicies/{dp}"), 409)  # used by the queue
    assert_error(c.delete(f"/routing/exceptionPolicies/{ep}"), 409)     # used by the queue
    assert_error(c.delete(f"/routing/classificationPolicies/{cp}"), 409)  # an active job's
    assert snapshot(c, paths) == before

    c.post(f"/routing/jobs/{job}:cancel").expect(200)
    before = snapshot(c, paths)
    assert_error(c.post(f"/routing/jobs/{job}:cancel"), 409)
    assert_error(c.post(f"/routing/jobs/{job}:reclassify"), 409)
    assert_error(c.get(f"/routing/jobs/{job}/position"), 409)
    assert snapshot(c, paths) == before
    # Once the job is cancelled it can go, and then so can the classification policy; the
    # queue still falls back ... no: the policy falls back to the queue, so the queue waits.
    c.delete(f"/routing/jobs/{job}").expect(204)
    before = snapshot(c, paths[1:])
    assert_error(c.delete(f"/routing/queues/{queue}"), 409)  # a classification policy's fallback
    assert snapshot(c, paths[1:]) == before
    c.delete(f"/routing/classificationPolicies/{cp}").expect(204)
    c.delete(f"/routing/queues/{queue}").expect(204)
    c.delete(f"/routing/exceptionPolicies/{ep}").expect(204)
    c.delete(f"/routing/distributionPolicies/{dp}").expect(204)


def test_delete_queue_with_a_worker_and_worker_with_a_job(client, uid):
    c = client
    _, queue, worker, job, a = assigned_job(c, uid)
    paths = [f"/routing/queues/{queue}"] + job_and_worker_paths(job, worker)
    before = snapshot(c, paths)
    assert_error(c.delete(f"/routing/workers/{worker}"), 409)  # has an assigned job
    assert_error(c.delete(f"/routing/queues/{queue}"), 409)    # has a worker and a job
    assert snapshot(c, paths) == before


def test_reclassify_conflicts(client, uid):
    c = client
    _, queue, worker, job, _ = assigned_job(c, uid)
    paths = job_and_worker_paths(job, worker)
    before = snapshot(c, paths)
    # No classificationPolicyId: 400, whatever the status.
    assert_error(c.post(f"/routing/jobs/{job}:reclassify"), 400, "classificationPolicyId")
    assert snapshot(c, paths) == before

    cp, classified = uid("cp"), uid("job")
    c.upsert("classificationPolicies", cp, {"fallbackQueueId": queue}, expect=(201,))
    c.upsert("jobs", classified, {"channelId": "voice", "classificationPolicyId": cp},
             expect=(201,))
    c.upsert("workers", worker, {"capacity": 2})
    offer = offers_of(c, worker, classified)[0]
    a = c.post(f"/routing/workers/{worker}/offers/{offer}:accept").expect(200)["assignmentId"]
    paths.append(f"/routing/jobs/{classified}")
    before = snapshot(c, paths)
    assert_error(c.post(f"/routing/jobs/{classified}:reclassify"), 409)  # assigned
    assert snapshot(c, paths) == before
    c.post(f"/routing/jobs/{classified}/assignments/{a}:complete").expect(200)
    before = snapshot(c, paths)
    assert_error(c.post(f"/routing/jobs/{classified}:reclassify"), 409)  # completed
    assert snapshot(c, paths) == before


def test_accept_after_another_worker_accepted_is_409(client, uid):
    c = client
    dp, queue, job = uid("dp"), uid("q"), uid("job")
    c.distribution_policy(dp, min_offers=2, max_offers=2)
    c.queue(queue, dp)
    w1, w2 = uid("w"), uid("w")
    c.new_worker(w1, [queue])
    c.new_worker(w2, [queue])
    c.new_job(job, queue)
    o1, o2 = offers_of(c, w1, job), offers_of(c, w2, job)
    assert len(o1) == 1 and len(o2) == 1, (c.worker(w1), c.worker(w2))
    accepted = c.post(f"/routing/workers/{w1}/offers/{o1[0]}:accept").expect(200)
    paths = job_and_worker_paths(job, w1) + [f"/routing/workers/{w2}"]
    before = snapshot(c, paths)
    assert_error(c.post(f"/routing/workers/{w2}/offers/{o2[0]}:accept"), 409)
    assert_error(c.post(f"/routing/workers/{w1}/offers/{o1[0]}:accept"), 409)  # twice
    assert snapshot(c, paths) == before
    j = c.job(job)
    assert j["status"] == "assigned" and list(j["assignments"]) == [accepted["assignmentId"]]
    assert j["assignments"][accepted["assignmentId"]]["workerId"] == w1


def test_decline_unknown_or_foreign_offer_is_404(client, uid):
    c = client
    dp, queue, job = uid("dp"), uid("q"), uid("job")
    c.distribution_policy(dp)
    c.queue(queue, dp)
    w1, w2 = uid("w"), uid("w")
    c.new_worker(w1, [queue])
    c.new_worker(w2, [queue], available=False)
    c.new_job(job, queue)
    offer = offers_of(c, w1, job)[0]
    paths = job_and_worker_paths(job, w1) + [f"/routing/workers/{w2}"]
    before = snapshot(c, paths)
    assert_error(c.post(f"/routing/workers/{w1}/offers/{uid('offer')}:decline"), 404, "offerId")
    assert_error(c.post(f"/routing/workers/{w2}/offers/{offer}:decline"), 404)  # not w2's
    assert_error(c.post(f"/routing/workers/{w2}/offers/{offer}:accept"), 404)
    assert snapshot(c, paths) == before


def test_bad_action_bodies(client, uid):
    c = client
    _, _, worker, job, a = assigned_job(c, uid)
    paths = job_and_worker_paths(job, worker)
    before = snapshot(c, paths)
    assert_error(c.post(f"/routing/jobs/{job}/assignments/{a}:complete", "{not json"), 400)
    assert_error(c.post(f"/routing/jobs/{job}/assignments/{a}:complete", [1]), 400)
    assert_error(c.post(f"/routing/jobs/{job}/assignments/{a}:complete", {"note": 5}), 400,
                 "note")
    assert_error(c.post(f"/routing/jobs/{job}/assignments/{a}:unassign",
                        {"suspendMatching": "yes"}), 400, "suspendMatching")
    assert_error(c.post(f"/routing/jobs/{job}:cancel", {"dispositionCode": {"a": 1}}), 400,
                 "dispositionCode")
    assert_error(c.post(f"/routing/jobs/{job}/assignments/{a}:complete", {"note": "x"},
                        content_type="text/plain"), 415)
    assert snapshot(c, paths) == before


# -- 2024-01-18-preview: maxConcurrentOffers on workers ----------------------------------------

def test_worker_max_concurrent_offers_is_preview_only(client, uid):
    c = client
    dp, queue = uid("dp"), uid("q")
    c.distribution_policy(dp)
    c.queue(queue, dp)
    wid = uid("w")
    body = {"capacity": 2, "queues": [queue], "maxConcurrentOffers": 2,
            "channels": [{"channelId": "voice", "capacityCostPerJob": 1}]}
    r = c.patch(f"/routing/workers/{wid}", body, api_version=PREVIEW)
    assert r.status == 201 and r.json["maxConcurrentOffers"] == 2, r
    assert c.get(f"/routing/workers/{wid}", api_version=PREVIEW).json["maxConcurrentOffers"] == 2
    ga = c.get(f"/routing/workers/{wid}")
    assert "maxConcurrentOffers" not in ga.json, ga
    SPEC.assert_valid(ga.json, "RouterWorker")
    listed = [w for w in c.list_all("workers", query={"queueId": queue})[0]]
    assert all("maxConcurrentOffers" not in w for w in listed), listed
    listed = c.list_all("workers", query={"queueId": queue}, api_version=PREVIEW)[0]
    assert [w.get("maxConcurrentOffers") for w in listed] == [2], listed

    # Under 2023-11-01 the property is unknown: ignored, not echoed, and the value is kept.
    r = c.patch(f"/routing/workers/{wid}", {"maxConcurrentOffers": 7, "capacity": 3})
    assert r.status == 200 and "maxConcurrentOffers" not in r.json and r.json["capacity"] == 3, r
    assert c.get(f"/routing/workers/{wid}", api_version=PREVIEW).json["maxConcurrentOffers"] == 2

    other = uid("w")
    r = c.patch(f"/routing/workers/{other}", body)  # GA create with it
    assert r.status == 201 and "maxConcurrentOffers" not in r.json, r
    assert "maxConcurrentOffers" not in c.get(f"/routing/workers/{other}",
                                              api_version=PREVIEW).json

    # Invalid under the preview: a type error is reported and nothing changes.
    before = c.get(f"/routing/workers/{wid}", api_version=PREVIEW)
    assert_error(c.patch(f"/routing/workers/{wid}", {"maxConcurrentOffers": "two"},
                         api_version=PREVIEW), 400, "maxConcurrentOffers")
    after = c.get(f"/routing/workers/{wid}", api_version=PREVIEW)
    assert (after.json, after.header("ETag")) == (before.json, before.header("ETag"))


def test_preview_version_serves_every_route(client, uid):
    c = client
    dp, queue = uid("dp"), uid("q")
    c.distribution_policy(dp)
    r = c.patch(f"/routing/queues/{queue}", {"distributionPolicyId": dp}, api_version=PREVIEW)
    assert r.status == 201, r
    assert c.get(f"/routing/queues/{q(queue)}/statistics", api_version=PREVIEW).status == 200
    assert r.header("api-supported-versions") and PREVIEW in r.header("api-supported-versions")


# -- limits on action options -------------------------------------------------------------------
# src/core/limits.h: notes at most 4096 characters, codes at most 1024, and "breaking a
# per-entity limit is a 400". PATCH enforces both; the actions must too, or they store a job that
# every later PATCH refuses (the GET -> PATCH round trip breaks).

def test_action_values_at_the_limits_are_accepted(client, uid):
    c = client
    _, _, worker, job, a = assigned_job(c, uid)
    c.post(f"/routing/jobs/{job}/assignments/{a}:complete", {"note": "n" * 4096}).expect(200)
    c.post(f"/routing/jobs/{job}/assignments/{a}:close", {"dispositionCode": "d" * 1024}
           ).expect(200)
    body = c.job(job)
    assert c.patch(f"/routing/jobs/{job}", body).expect(200) == body


def test_action_note_over_the_limit_is_400(client, uid):
    c = client
    _, _, worker, job, a = assigned_job(c, uid)
    paths = job_and_worker_paths(job, worker)
    before = snapshot(c, paths)
    r = c.post(f"/routing/jobs/{job}/assignments/{a}:complete", {"note": "n" * 4097})
    try:
        assert_error(r, 400, "note")
        assert snapshot(c, paths) == before
    finally:
        # Whatever happened, the job must stay updatable.
        c.patch(f"/routing/jobs/{job}", {"priority": 5}).expect(200)


def test_action_disposition_code_over_the_limit_is_400(client, uid):
    c = client
    dp, queue, job = uid("dp"), uid("q"), uid("job")
    c.distribution_policy(dp)
    c.queue(queue, dp)
    c.new_job(job, queue)
    before = snapshot(c, [f"/routing/jobs/{job}"])
    r = c.post(f"/routing/jobs/{job}:cancel", {"dispositionCode": "d" * 1025})
    try:
        assert_error(r, 400, "dispositionCode")
        assert snapshot(c, [f"/routing/jobs/{job}"]) == before
    finally:
        c.patch(f"/routing/jobs/{job}", {"priority": 5}).expect(200)
