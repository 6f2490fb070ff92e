"""Router events end to end: webhook subscriptions (Event Grid and CloudEvents schemas, the
validation handshakes, at-least-once delivery through failures, timeouts and duplicates, dead
letters, a SIGKILL and restart in the middle), the subscriptions admin API, and the live stream
(GET /events: filters, Last-Event-ID resume), and the seed quickstart driven by events alone.
Each test runs a server of its own with the flags it needs and a webhook receiver on loopback
(allowed with --outbound-allow 127.0.0.1/32)."""
import json
import os
import shutil
import signal
import tempfile
import time

import pytest

from eventkit import EventStream, Receiver, wait_until
from sbclient import Server, new_access_key

FAST = ["--outbound-allow", "127.0.0.1/32", "--event-retry-schedule", "100ms,200ms,300ms",
        "--event-delivery-timeout", "1s"]
TOPIC = ("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/switchboard/"
         "providers/Microsoft.Communication/communicationServices/switchboard")
PREFIX = "Microsoft.Communication."


@pytest.fixture
def receiver():
    rx = Receiver()
    yield rx
    rx.stop()


@pytest.fixture
def make_server(switchboard_binary):
    servers = []

    def make(*extra, **kw):
        srv = Server(switchboard_binary, extra_args=[*FAST, *extra], **kw)
        servers.append(srv)
        return srv

    yield make
    for srv in servers:
        srv.stop()


def subscribe(c, sub_id, url, **body):
    body["endpointUrl"] = url
    r = c.send("PUT", f"/switchboard/subscriptions/{sub_id}", json.dumps(body),
               {"Content-Type": "application/json"})
    assert r.status in (200, 201), r
    wait_until(lambda: subscription(c, sub_id)["validation"]["state"] == "Validated",
               what=f"{sub_id} to pass its handshake")
    return subscription(c, sub_id)


def subscription(c, sub_id):
    return c.send("GET", f"/switchboard/subscriptions/{sub_id}").expect(200)


def settled(c, sub_id):
    d = subscription(c, sub_id)["delivery"]
    return d["pendingRetries"] == 0 and d["inFlight"] == 0, d


def types(events):
    return [e["eventType"][len(PREFIX):] for e in events]


def quickstart(c, tag):
    """Policy, queue, worker, job; accept, complete, close. Returns the ids."""
    dp, queue, worker, job = f"dp-{tag}", f"queue-{tag}", f"worker-{tag}", f"job-{tag}"
    c.distribution_policy(dp, offer_seconds=60)
    c.queue(queue, dp)
    c.new_worker(worker, [queue], labels={"Some-Skill": 11})
    c.new_job(job, queue, requestedWorkerSelectors=[
        {"key": "Some-Skill", "labelOperator": "greaterThan", "value": 10}])
    return dp, queue, worker, job


def test_webhook_receives_the_quickstart_in_the_event_grid_schema(make_server, receiver):
    c = make_server().client()
    sub = subscribe(c, "all", receiver.url())
    assert sub["eventDeliverySchema"] == "EventGridSchema" and sub["includedEventTypes"] == []
    _, queue, worker, job = quickstart(c, "eg")
    wait_until(lambda: "RouterWorkerOfferIssued" in types(receiver.events()), what="the offer")
    offer = next(e for e in receiver.events() if e["eventType"].endswith("OfferIssued"))
    accepted = c.post(f"/routing/workers/{worker}/offers/{offer['data']['offerId']}:accept").expect(200)
    assignment = accepted["assignmentId"]
    c.post(f"/routing/jobs/{job}/assignments/{assignment}:complete").expect(200)
    c.post(f"/routing/jobs/{job}/assignments/{assignment}:close", {"dispositionCode": "Done"}).expect(200)
    wanted = ["RouterWorkerRegistered", "RouterJobReceived", "RouterJobQueued",
              "RouterWorkerOfferIssued", "RouterWorkerOfferAccepted", "RouterJobCompleted",
              "RouterJobClosed"]
    wait_until(lambda: set(wanted) <= set(types(receiver.events())), what="the quickstart's events")
    events = {t: e for t, e in zip(types(receiver.events()), receiver.events())}
    for delivery in receiver.received():
        assert delivery.headers["aeg-event-type"] == "Notification"
        assert delivery.headers["Content-Type"] == "application/json"
        assert len(delivery.events) == 1, delivery
    for e in events.values():
        assert set(e) == {"id", "topic", "subject", "data", "eventType", "dataVersion",
                          "metadataVersion", "eventTime"}, e
        assert e["topic"] == TOPIC and e["dataVersion"] == "1.0" and e["metadataVersion"] == "1"
        assert e["eventTime"].endswith("Z"), e
    assert events["RouterJobReceived"]["subject"] == f"job/{job}/channel/voice"
    assert events["RouterJobQueued"]["subject"] == f"job/{job}/channel/voice/queue/{queue}"
    assert events["RouterWorkerOfferIssued"]["subject"] == f"worker/{worker}/job/{job}"
    assert events["RouterWorkerRegistered"]["subject"] == f"worker/{worker}"
    assert events["RouterJobClosed"]["subject"] == f"job/{job}/channel/voice/assignment/{assignment}"
    received = events["RouterJobReceived"]["data"]
    assert received["unavailableForMatching"] is False
    assert received["requestedWorkerSelectors"][0]["labelOperator"] == "Greater"
    issued = events["RouterWorkerOfferIssued"]["data"]
    assert issued["workerLabels"]["Some-Skill"] == "11"  # string->string maps
    assert issued["jobId"] == job and issued["queueId"] == queue and issued["jobPriority"] == 1
    assert events["RouterJobClosed"]["data"]["dispositionCode"] == "Done"
    assert len(set(receiver.ids())) == len(receiver.ids())  # all answered at once: no repeats


def test_job_received_reports_the_status_after_routing(make_server, receiver):
    c = make_server().client()
    subscribe(c, "status", receiver.url(), includedEventTypes=["RouterJobReceived"])
    c.distribution_policy("dp-st", offer_seconds=60)
    c.queue("q-st", "dp-st")
    c.new_job("job-st", "q-st")
    wait_until(lambda: len(receiver.events()) == 1)
    assert receiver.events()[0]["data"]["jobStatus"] == "Queued"


def test_cloudevents_subscription(make_server, receiver):
    c = make_server().client()
    subscribe(c, "ce", receiver.url("/ce"), eventDeliverySchema="CloudEventSchemaV1_0",
              includedEventTypes=["RouterJobReceived"])
    assert receiver.handshakes[0][0] == "OPTIONS"
    assert receiver.handshakes[0][1]["WebHook-Request-Origin"] == "eventgrid.azure.net"
    c.distribution_policy("dp-ce", offer_seconds=60)
    c.queue("q-ce", "dp-ce")
    c.new_job("job-ce", "q-ce")
    wait_until(lambda: len(receiver.received()) == 1, what="one delivery")
    time.sleep(0.3)
    [delivery] = receiver.received()  # RouterJobQueued was filtered out
    assert delivery.headers["Content-Type"].startswith("application/cloudevents+json")
    assert delivery.headers["Origin"] == "eventgrid.azure.net"
    event = json.loads(delivery.body)
    assert isinstance(event, dict)
    assert set(event) == {"id", "source", "subject", "data", "type", "time", "specversion",
                          "datacontenttype"}
    assert event["specversion"] == "1.0" and event["source"] == TOPIC
    assert event["type"] == PREFIX + "RouterJobReceived" and event["subject"] == "job/job-ce/channel/voice"


def test_every_event_arrives_at_least_once_with_a_stable_id(make_server):
    attempts, lock = {}, __import__("threading").Lock()

    def policy(delivery):
        [event_id] = delivery.ids
        with lock:
            attempts[event_id] = n = attempts.get(event_id, 0) + 1
        kind = int(event_id.replace("-", "")[:8], 16) % 4
        if n == 1 and kind == 0:
            return 503                   # fails
        if n == 1 and kind == 1:
            return None                  # never answers: the server times out
        if n == 1 and kind == 2:
            return 500                   # taken, but answered as a failure: sent again
        return 200

    rx = Receiver(policy)
    try:
        c = make_server().client()
        subscribe(c, "flaky", rx.url())
        c.distribution_policy("dp-f", offer_seconds=60)
        c.queue("q-f", "dp-f")
        for i in range(12):
            c.new_job(f"job-f{i}", "q-f")  # RouterJobReceived + RouterJobQueued each
        wait_until(lambda: len(set(rx.ids())) == 24 and settled(c, "flaky")[0], timeout=30,
                   what="every event delivered")
        by_id = {}
        for delivery in rx.received():
            by_id.setdefault(delivery.ids[0], []).append(delivery)
        assert len(by_id) == 24
        for event_id, copies in by_id.items():
            kind = int(event_id.replace("-", "")[:8], 16) % 4
            # Exactly 1 or 2 on a quiet machine; a slow answer may cost one more attempt.
            assert len(copies) >= (1 if kind == 3 else 2), (event_id, copies)
            assert all(d.body == copies[0].body for d in copies), "a redelivery differs"
            counts = sorted(int(d.headers["aeg-delivery-count"]) for d in copies)
            assert len(set(counts)) == len(counts), counts  # each copy is another attempt
        stats = subscription(c, "flaky")["delivery"]
        assert stats["deadLetters"] == 0 and stats["delivered"] >= 24, stats
    finally:
        rx.stop()


def test_no_event_is_lost_across_a_sigkill(switchboard_binary):
    data = tempfile.mkdtemp(prefix="sb-events-")
    key = new_access_key()
    healthy = {"yes": False}
    rx = Receiver(lambda d: 200 if healthy["yes"] else 503)
    args = [*FAST, "--data", data]
    srv = Server(switchboard_binary, extra_args=args, access_key=key, store="sqlite")
    try:
        c = srv.client()
        subscribe(c, "durable", rx.url())
        c.distribution_policy("dp-k", offer_seconds=60)
        c.queue("q-k", "dp-k")
        for i in range(5):
            c.new_job(f"job-k{i}", "q-k")
        wait_until(lambda: len(set(rx.ids())) == 10, what="every event attempted")
        before = set(rx.ids())
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait(5)

        srv = Server(switchboard_binary, extra_args=args, access_key=key, store="sqlite")
        c = srv.client()
        assert subscription(c, "durable")["validation"]["state"] == "Validated"
        healthy["yes"] = True
        for i in range(5, 7):
            c.new_job(f"job-k{i}", "q-k")
        wait_until(lambda: len(set(rx.ids())) == 14 and settled(c, "durable")[0], timeout=30,
                   what="every event delivered after the restart")
        assert before <= set(rx.ids())
        assert len(rx.handshakes) == 1  # the validated subscription was kept
        # The same ids as before the kill: a redelivery is recognisable.
        received = [e for e in rx.events() if e["id"] in before]
        assert {e["data"]["jobId"] for e in received} == {f"job-k{i}" for i in range(5)}
    finally:
        rx.stop()
        srv.stop()
        shutil.rmtree(data, ignore_errors=True)


def test_quickstart_driven_by_events(make_server, receiver):
    """The worker learns of its offer from the events only - the webhook and the live stream
    - never by polling the worker."""
    c = make_server().client()
    subscribe(c, "agent", receiver.url(), includedEventTypes=[
        "RouterWorkerOfferIssued", "RouterJobCompleted", "RouterJobClosed"])
    worker, job = "worker-ev", "job-ev"
    stream = EventStream(c, f"workerId={worker}&eventType=RouterWorkerOfferIssued,"
                            "RouterWorkerOfferAccepted")
    try:
        assert stream.status == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        c.distribution_policy("dp-ev", offer_seconds=60)
        c.queue("queue-ev", "dp-ev")
        c.new_worker(worker, ["queue-ev"], labels={"Some-Skill": 11})
        c.new_job(job, "queue-ev", requestedWorkerSelectors=[
            {"key": "Some-Skill", "labelOperator": "greaterThan", "value": 10}])

        offered = stream.next()
        assert offered["event"] == PREFIX + "RouterWorkerOfferIssued"
        offer_id = offered["data"]["data"]["offerId"]
        assert offered["data"]["data"]["jobId"] == job
        wait_until(lambda: any(e["data"].get("offerId") == offer_id for e in receiver.events()),
                   what="the offer at the webhook")
        webhook_offer = next(e for e in receiver.events() if e["data"].get("offerId") == offer_id)
        assert webhook_offer["id"] == offered["data"]["id"]  # one event, one id, two channels

        accepted = c.post(f"/routing/workers/{worker}/offers/{offer_id}:accept").expect(200)
        assert stream.next()["event"] == PREFIX + "RouterWorkerOfferAccepted"
        assignment = accepted["assignmentId"]
        c.post(f"/routing/jobs/{job}/assignments/{assignment}:complete").expect(200)
        c.post(f"/routing/jobs/{job}/assignments/{assignment}:close").expect(200)
        wait_until(lambda: set(types(receiver.events())) >= {"RouterJobCompleted", "RouterJobClosed"},
                   what="the job closed")
    finally:
        stream.close()


def test_live_stream_filters_and_resumes(make_server):
    srv = make_server()
    c = srv.client()
    c.distribution_policy("dp-s", offer_seconds=60)
    c.queue("q-s", "dp-s")
    c.queue("q-other", "dp-s")
    only_j1 = EventStream(c, "eventType=RouterJobReceived&jobId=j1")
    by_queue = EventStream(c, "queueId=q-other&eventType=Microsoft.Communication.RouterJobQueued")
    everything = EventStream(c)
    try:
        c.new_job("j1", "q-s")
        c.new_job("j2", "q-s")
        c.new_job("j3", "q-other")
        first = only_j1.next()
        assert first["event"] == PREFIX + "RouterJobReceived" and first["data"]["data"]["jobId"] == "j1"
        assert only_j1.drain() == []
        assert [e["data"]["data"]["jobId"] for e in by_queue.drain()] == ["j3"]
        seen = everything.drain()
        assert [e["event"][len(PREFIX):] for e in seen] == ["RouterJobReceived", "RouterJobQueued"] * 3
        ids = [e["id"] for e in seen]
        assert ids == sorted(ids) and len(set(ids)) == 6
    finally:
        for s in (only_j1, by_queue, everything):
            s.close()

    # Resume: everything after the third event, then live.
    c.new_job("j4", "q-s")  # while nobody listens
    resumed = EventStream(c, last_event_id=ids[2])
    by_param = EventStream(c, f"lastEventId={ids[4]}&jobId=j4")
    try:
        replayed = [(e["id"], e["data"]["data"]["jobId"]) for e in resumed.drain()]
        assert replayed == [(ids[3], "j2"), (ids[4], "j3"), (ids[5], "j3"),
                            (ids[5] + 1, "j4"), (ids[5] + 2, "j4")]
        assert [e["data"]["data"]["jobId"] for e in by_param.drain()] == ["j4", "j4"]
        c.new_job("j5", "q-s")
        live = resumed.next()
        assert live["id"] == ids[5] + 3 and live["data"]["data"]["jobId"] == "j5"
    finally:
        resumed.close()
        by_param.close()

    bad = EventStream(c, "eventType=CallStarted")
    assert bad.status == 400
    assert json.loads(bad.body)["error"]["target"] == "eventType"
    unsigned = c.send("GET", "/events", sign_with=None)
    assert unsigned.status == 401


def test_live_stream_limit(make_server):
    c = make_server("--event-max-streams", "1").client()
    first = EventStream(c)
    try:
        assert first.status == 200
        second = EventStream(c)
        assert second.status == 503 and second.headers["Retry-After"] == "5"
        assert json.loads(second.body)["error"]["code"] == "ServiceUnavailable"
    finally:
        first.close()
    opened = []

    def reopen():
        stream = EventStream(c)
        if stream.status == 200:
            opened.append(stream)
        return stream.status == 200

    wait_until(reopen, what="the slot to come free")  # once the server sees the client go
    opened[0].close()


def test_subscriptions_admin_api(make_server, receiver):
    c = make_server().client()
    url = receiver.url()
    assert c.send("GET", "/switchboard/subscriptions", sign_with=None).status == 401
    created = c.send("PUT", "/switchboard/subscriptions/a", json.dumps({"endpointUrl": url}),
                     {"Content-Type": "application/json"})
    assert created.status == 201, created
    again = c.send("PUT", "/switchboard/subscriptions/a", json.dumps({"endpointUrl": url}),
                   {"Content-Type": "application/json"})
    assert again.status == 200, again
    patched = c.send("PATCH", "/switchboard/subscriptions/a",
                     json.dumps({"includedEventTypes": ["RouterJobQueued"],
                                 "retryPolicy": {"maxDeliveryAttempts": 3}}),
                     {"Content-Type": "application/merge-patch+json"}).expect(200)
    assert patched["includedEventTypes"] == [PREFIX + "RouterJobQueued"]
    assert patched["retryPolicy"] == {"maxDeliveryAttempts": 3}
    assert patched["endpointUrl"] == url
    listed = c.send("GET", "/switchboard/subscriptions").expect(200)
    assert [s["id"] for s in listed["value"]] == ["a"]
    bad = c.send("PUT", "/switchboard/subscriptions/b", json.dumps({"endpointUrl": "ftp://x/"}),
                 {"Content-Type": "application/json"})
    assert bad.status == 400 and bad.json["error"]["target"] == "endpointUrl", bad
    assert bad.headers["x-ms-error-code"] == "BadRequest"
    internal = c.send("PUT", "/switchboard/subscriptions/b",
                      json.dumps({"endpointUrl": "http://169.254.169.254/latest"}),
                      {"Content-Type": "application/json"})
    assert internal.status == 400 and "cloud metadata" in internal.json["error"]["message"]
    assert c.send("DELETE", "/switchboard/subscriptions/a").status == 204
    assert c.send("GET", "/switchboard/subscriptions/a").status == 404
    assert c.send("POST", "/switchboard/subscriptions").status == 405


def test_dead_letters(make_server):
    rx = Receiver(lambda d: 503)
    try:
        c = make_server().client()
        subscribe(c, "dl", rx.url(), retryPolicy={"maxDeliveryAttempts": 2},
                  includedEventTypes=["RouterJobReceived"])
        c.distribution_policy("dp-d", offer_seconds=60)
        c.queue("q-d", "dp-d")
        c.new_job("job-d1", "q-d")
        c.new_job("job-d2", "q-d")
        wait_until(lambda: subscription(c, "dl")["delivery"]["deadLetters"] == 2, what="dead letters")
        page = c.send("GET", "/switchboard/subscriptions/dl/deadLetters?maxpagesize=1").expect(200)
        [letter] = page["value"]
        assert letter["deadLetterReason"] == "MaxDeliveryAttemptsExceeded"
        assert letter["deliveryAttempts"] == 2 and letter["lastDeliveryOutcome"] == "HTTP 503"
        assert letter["eventType"] == PREFIX + "RouterJobReceived" and letter["data"]["jobId"] == "job-d1"
        rest = c.send("GET", page["nextLink"]).expect(200)
        assert [x["data"]["jobId"] for x in rest["value"]] == ["job-d2"] and "nextLink" not in rest
        assert len(rx.received()) == 4
    finally:
        rx.stop()


def test_subscriptions_file(switchboard_binary, receiver):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({"subscriptions": [{"id": "from-file", "endpointUrl": receiver.url(),
                                      "includedEventTypes": ["RouterWorkerRegistered"]}]}, f)
    srv = Server(switchboard_binary, extra_args=[*FAST, "--subscriptions", f.name])
    try:
        c = srv.client()
        wait_until(lambda: subscription(c, "from-file")["validation"]["state"] == "Validated")
        c.distribution_policy("dp-file", offer_seconds=60)
        c.queue("q-file", "dp-file")
        c.new_worker("w-file", ["q-file"])
        wait_until(lambda: types(receiver.events()) == ["RouterWorkerRegistered"])
    finally:
        srv.stop()
        os.unlink(f.name)
