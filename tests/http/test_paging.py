"""Paging: maxpagesize, nextLink (relative, with api-version and continuationToken), creation
order, entities created while paging, filters carried through nextLink, bad page parameters.

These tests list whole collections, so each takes a server of its own (`fresh_client`)."""
import datetime as dt
import urllib.parse

import pytest

from sbclient import PREVIEW, iso, parse_time, utcnow


def assert_error(r, status=400, target=None):
    body = r.expect(status)
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), r
    assert r.header("x-ms-error-code") == body["error"]["code"], r
    if target:
        assert body["error"].get("target") == target or target in body["error"]["message"], r
    return body


def make_n(c, collection, n, prefix="e"):
    """n entities of `collection`, in creation order; returns their ids."""
    ids = [f"{prefix}-{i:02d}" for i in range(n)]
    if collection in ("queues", "jobs", "workers", "classificationPolicies"):
        if c.get("/routing/distributionPolicies/dp").status == 404:
            c.distribution_policy("dp")
            c.queue("q", "dp")
    # Creation order is not id order: create in a shuffled but fixed order.
    order = ids[::2] + ids[1::2]
    for id_ in order:
        if collection == "queues":
            c.queue(id_, "dp")
        elif collection == "jobs":
            c.new_job(id_, "q")
        elif collection == "workers":
            c.new_worker(id_, ["q"], available=False)
        elif collection == "distributionPolicies":
            c.distribution_policy(id_)
        elif collection == "classificationPolicies":
            c.upsert("classificationPolicies", id_, {"fallbackQueueId": "q"}, expect=(201,))
        elif collection == "exceptionPolicies":
            c.upsert("exceptionPolicies", id_, {"exceptionRules": []}, expect=(201,))
    return order


def ids_of(items):
    return [i["id"] for i in items]


COLLECTIONS = ["queues", "jobs", "workers", "distributionPolicies", "classificationPolicies",
               "exceptionPolicies"]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_pages_in_creation_order(fresh_client, collection):
    c = fresh_client
    created = make_n(c, collection, 25)
    expected = [i for i in ids_of(c.list_all(collection)[0]) if i not in created] + created
    items, pages = c.list_all(collection, page_size=7)
    assert ids_of(items) == expected
    sizes = [len(p["value"]) for p in pages]
    assert sum(sizes) == len(expected) and all(s == 7 for s in sizes[:-1]), sizes
    assert "nextLink" not in pages[-1], pages[-1]
    for page in pages[:-1]:
        link = page["nextLink"]
        parts = urllib.parse.urlsplit(link)
        assert not parts.scheme and not parts.netloc, f"nextLink is not relative: {link}"
        assert parts.path == f"/routing/{collection}", link
        query = urllib.parse.parse_qs(parts.query)
        assert query.get("api-version") == ["2023-11-01"], link
        assert query.get("continuationToken"), link


def test_default_page_and_exact_fit(fresh_client):
    c = fresh_client
    created = make_n(c, "exceptionPolicies", 14)
    page = c.get("/routing/exceptionPolicies").expect(200)  # default page size is 100
    assert ids_of(page["value"]) == created and "nextLink" not in page, page
    pages = c.list_all("exceptionPolicies", page_size=7)[1]
    assert [len(p["value"]) for p in pages] == [7, 7] and "nextLink" not in pages[-1]
    page = c.get("/routing/exceptionPolicies", query={"maxpagesize": 1000}).expect(200)
    assert len(page["value"]) == 14


def test_nextlink_keeps_the_api_version(fresh_client):
    c = fresh_client
    make_n(c, "workers", 5)
    page = c.get("/routing/workers", query={"maxpagesize": 2}, api_version=PREVIEW).expect(200)
    assert f"api-version={PREVIEW}" in page["nextLink"], page


@pytest.mark.parametrize("collection", ["queues", "jobs", "workers"])
def test_items_created_while_paging_appear_once(fresh_client, collection):
    c = fresh_client
    created = make_n(c, collection, 25)
    base = [i for i in ids_of(c.list_all(collection)[0]) if i not in created]
    first = c.get(f"/routing/{collection}", query={"maxpagesize": 7}).expect(200)
    seen = ids_of(first["value"])
    more = make_n(c, collection, 3, prefix="late")
    page = first
    while "nextLink" in page:
        page = c.send("GET", page["nextLink"]).expect(200)
        seen += ids_of(page["value"])
        if len(seen) < 14:  # and a few more in the middle of the walk
            more += make_n(c, collection, 2, prefix="later")
    assert seen == base + created + more
    assert len(set(seen)) == len(seen)


def test_deleted_while_paging_is_skipped(fresh_client):
    c = fresh_client
    created = make_n(c, "exceptionPolicies", 10)
    first = c.get("/routing/exceptionPolicies", query={"maxpagesize": 4}).expect(200)
    c.delete(f"/routing/exceptionPolicies/{created[6]}").expect(204)
    rest = []
    page = first
    while "nextLink" in page:
        page = c.send("GET", page["nextLink"]).expect(200)
        rest += ids_of(page["value"])
    assert ids_of(first["value"]) + rest == created[:6] + created[7:]


# -- filters ------------------------------------------------------------------------------------

def accept(c, worker_id, job_id):
    offers = [o for o in c.worker(worker_id)["offers"] if o["jobId"] == job_id]
    assert offers, c.worker(worker_id)
    return c.post(f"/routing/workers/{worker_id}/offers/{offers[0]['offerId']}:accept"
                  ).expect(200)["assignmentId"]


@pytest.fixture
def job_zoo(fresh_client):
    """Jobs in many statuses, queues, channels, classification policies and schedules."""
    c = fresh_client
    c.distribution_policy("dp")
    c.queue("qa", "dp")
    c.queue("qb", "dp")
    c.upsert("classificationPolicies", "cp", {"fallbackQueueId": "qb"}, expect=(201,))
    c.upsert("classificationPolicies", "cp-none", {}, expect=(201,))
    base = utcnow().replace(microsecond=0) + dt.timedelta(hours=1)
    t = [base + dt.timedelta(minutes=10 * i) for i in range(4)]
    jobs = {}

    def add(id_, queue="qa", channel="voice", **extra):
        body = {"channelId": channel, **extra}
        if queue:
            body["queueId"] = queue
        jobs[id_] = c.upsert("jobs", id_, body, expect=(201,))

    add("queued-a-voice")
    add("queued-b-chat", "qb", "chat")
    add("classified", None, "voice", classificationPolicyId="cp")
    add("class-failed", None, "chat", classificationPolicyId="cp-none")
    add("suspended", "qb", "voice", matchingMode={"kind": "suspend"})
    for i in range(4):
        add(f"sched-{i}", "qa" if i % 2 else "qb", "chat",
            matchingMode={"kind": "scheduleAndSuspend", "scheduleAt": iso(t[i])})
    add("cancelled", "qa", "voice")
    c.post("/routing/jobs/cancelled:cancel").expect(200)
    # assigned, completed and closed: one worker on qa/voice with room for three.
    add("to-assign", "qa", "sms")
    add("to-complete", "qa", "sms")
    add("to-close", "qa", "sms")
    c.new_worker("w", ["qa"], channels=[("sms", 1)], capacity=3)
    a = {j: accept(c, "w", j) for j in ("to-assign", "to-complete", "to-close")}
    c.post(f"/routing/jobs/to-complete/assignments/{a['to-complete']}:complete").expect(200)
    c.post(f"/routing/jobs/to-close/assignments/{a['to-close']}:complete").expect(200)
    c.post(f"/routing/jobs/to-close/assignments/{a['to-close']}:close").expect(200)
    add("queued-a-chat", "qa", "chat", priority=3)
    jobs = {j["id"]: j for j in c.list_all("jobs")[0]}
    return c, jobs, t


def test_job_zoo_statuses(job_zoo):
    _, jobs, _ = job_zoo
    status = {k: v["status"] for k, v in jobs.items()}
    assert status == {
        "queued-a-voice": "queued", "queued-b-chat": "queued", "classified": "queued",
        "class-failed": "classificationFailed", "suspended": "waitingForActivation",
        "sched-0": "scheduled", "sched-1": "scheduled", "sched-2": "scheduled",
        "sched-3": "scheduled", "cancelled": "cancelled", "to-assign": "assigned",
        "to-complete": "completed", "to-close": "closed", "queued-a-chat": "queued"}, status


ACTIVE = {"pendingClassification", "queued", "assigned", "classificationFailed", "completed",
          "pendingSchedule", "scheduled", "scheduleFailed", "waitingForActivation"}


def job_filters(t):
    def sched(j):
        return j.get("scheduledAt")

    return [
        ({"status": "all"}, lambda j: True),
        ({"status": "active"}, lambda j: j["status"] in ACTIVE),
        ({"status": "queued"}, lambda j: j["status"] == "queued"),
        ({"status": "scheduled"}, lambda j: j["status"] == "scheduled"),
        ({"status": "cancelled"}, lambda j: j["status"] == "cancelled"),
        ({"status": "closed"}, lambda j: j["status"] == "closed"),
        ({"queueId": "qa"}, lambda j: j.get("queueId") == "qa"),
        ({"queueId": "qb", "status": "active"},
         lambda j: j.get("queueId") == "qb" and j["status"] in ACTIVE),
        ({"channelId": "chat"}, lambda j: j["channelId"] == "chat"),
        ({"channelId": "voice", "queueId": "qa"},
         lambda j: j["channelId"] == "voice" and j.get("queueId") == "qa"),
        ({"classificationPolicyId": "cp"}, lambda j: j.get("classificationPolicyId") == "cp"),
        ({"scheduledBefore": iso(t[1])}, lambda j: sched(j) is not None and
         sched(j) <= t[1]),
        ({"scheduledAfter": iso(t[1])}, lambda j: sched(j) is not None and sched(j) >= t[1]),
        ({"scheduledAfter": iso(t[1]), "scheduledBefore": iso(t[2]), "queueId": "qb"},
         lambda j: sched(j) is not None and t[1] <= sched(j) <= t[2] and j["queueId"] == "qb"),
    ]


def test_job_filters_through_next_link(job_zoo):
    c, jobs, t = job_zoo
    order = ids_of(c.list_all("jobs")[0])
    with_times = {k: dict(v, scheduledAt=parse_time(v["scheduledAt"])) if "scheduledAt" in v
                  else v for k, v in jobs.items()}
    assert sum("scheduledAt" in v for v in jobs.values()) == 4
    failures = []
    for query, keep in job_filters(t):
        expected = [i for i in order if keep(with_times[i])]
        items, pages = c.list_all("jobs", query=query, page_size=2)
        if ids_of(items) != expected:
            failures.append(f"{query}: expected {expected}, got {ids_of(items)}")
        if len(expected) > 2 and len(pages) < 2:
            failures.append(f"{query}: expected several pages, got {len(pages)}")
    assert not failures, "\n".join(failures)
    assert len(c.list_all("jobs", query={"status": "active"})[0]) == 12  # all but 2


def test_worker_filters_through_next_link(fresh_client):
    c = fresh_client
    c.distribution_policy("dp")
    c.queue("qa", "dp")
    c.queue("qb", "dp")
    spec = {  # id: (queues, channels, capacity, available)
        "w-idle-voice": (["qa"], [("voice", 1)], 1, True),
        "w-off-chat": (["qb"], [("chat", 1)], 1, False),
        "w-full-sms": (["qa"], [("sms", 2), ("chat", 1)], 2, True),
        "w-both": (["qa", "qb"], [("voice", 1), ("chat", 1)], 5, True),
        "w-draining": (["qa"], [("email", 1)], 1, True),
        "w-off-voice": (["qa", "qb"], [("voice", 1)], 1, False),
        "w-idle-chat": (["qb"], [("chat", 1)], 1, True),
    }
    for wid, (queues, channels, capacity, available) in spec.items():
        c.new_worker(wid, queues, channels=channels, capacity=capacity, available=available)
    # Fill w-full-sms (sms costs its whole capacity), and give w-draining a job then deregister.
    c.new_job("sms-job", "qa", channel="sms")
    accept(c, "w-full-sms", "sms-job")
    c.new_job("email-job", "qa", channel="email")
    accept(c, "w-draining", "email-job")
    c.upsert("workers", "w-draining", {"availableForOffers": False})
    workers = {w["id"]: w for w in c.list_all("workers")[0]}
    assert workers["w-draining"]["state"] == "draining"
    assert workers["w-full-sms"]["loadRatio"] == 1

    order = list(spec)
    cases = [
        ({"state": "all"}, order),
        ({"state": "active"}, ["w-idle-voice", "w-full-sms", "w-both", "w-idle-chat"]),
        ({"state": "inactive"}, ["w-off-chat", "w-off-voice"]),
        ({"state": "draining"}, ["w-draining"]),
        ({"channelId": "voice"}, ["w-idle-voice", "w-both", "w-off-voice"]),
        ({"queueId": "qb"}, ["w-off-chat", "w-both", "w-off-voice", "w-idle-chat"]),
        ({"queueId": "qa", "state": "active"}, ["w-idle-voice", "w-full-sms", "w-both"]),
        # hasCapacity: free capacity on the given channel, else on any channel.
        ({"hasCapacity": "true"}, ["w-idle-voice", "w-off-chat", "w-both", "w-off-voice",
                                   "w-idle-chat"]),
        ({"hasCapacity": "true", "channelId": "chat"}, ["w-off-chat", "w-both", "w-idle-chat"]),
        ({"hasCapacity": "false", "channelId": "chat"},
         ["w-off-chat", "w-full-sms", "w-both", "w-idle-chat"]),
        ({"state": "active", "channelId": "chat", "hasCapacity": "true"},
         ["w-both", "w-idle-chat"]),
    ]
    failures = []
    for query, expected in cases:
        items, pages = c.list_all("workers", query=query, page_size=2)
        if ids_of(items) != expected:
            failures.append(f"{query}: expected {expected}, got {ids_of(items)}")
    assert not failures, "\n".join(failures)


# -- bad page parameters ------------------------------------------------------------------------

@pytest.mark.parametrize("size", ["0", "5000", "1001", "-1", "abc", "2.5", ""])
def test_bad_maxpagesize(fresh_client, size):
    for collection in ("queues", "jobs", "workers"):
        assert_error(fresh_client.get(f"/routing/{collection}", query={"maxpagesize": size}),
                     target="maxpagesize")


@pytest.mark.parametrize("token", ["garbage!", "AAAA", "eyJhIjoxfQ", "x" * 5000,
                                   # base64url of {"a":0,"n":0,"f":{}}: a page size of 0
                                   "eyJhIjowLCJuIjowLCJmIjp7fX0"])
def test_bad_continuation_token(fresh_client, token):
    for collection in ("queues", "jobs", "workers"):
        assert_error(fresh_client.get(f"/routing/{collection}",
                                      query={"continuationToken": token}),
                     target="continuationToken")


@pytest.mark.parametrize("query,target", [
    ({"status": "sleeping"}, "status"), ({"scheduledBefore": "yesterday"}, "scheduledBefore"),
    ({"scheduledAfter": "2024-13-45T00:00:00Z"}, "scheduledAfter")])
def test_bad_job_filters(fresh_client, query, target):
    assert_error(fresh_client.get("/routing/jobs", query=query), target=target)


@pytest.mark.parametrize("query,target", [({"state": "busy"}, "state"),
                                          ({"hasCapacity": "maybe"}, "hasCapacity")])
def test_bad_worker_filters(fresh_client, query, target):
    assert_error(fresh_client.get("/routing/workers", query=query), target=target)
