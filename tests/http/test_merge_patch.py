"""JSON merge patch (RFC 7396) upserts: absent keeps, null clears, case-insensitive property
names, read-only properties (docs/COMPATIBILITY.md, Wire format)."""
import pytest

from sbclient import q


@pytest.fixture
def queue(client, uid):
    dp = uid("dp")
    client.distribution_policy(dp)
    qid = uid("queue")
    client.queue(qid, dp)
    return qid


def error_of(response, status, target=None):
    body = response.expect(status)
    assert response.header("x-ms-error-code") == body["error"]["code"], response
    if target:
        named = body["error"].get("target") == target or target in body["error"]["message"]
        assert named, f"the error does not name {target}: {response!r}"
    return body


def test_create_201_then_update_200(client, uid, queue):
    job_id = uid("job")
    r1 = client.patch(f"/routing/jobs/{job_id}", {"channelId": "voice", "queueId": queue})
    assert r1.status == 201, r1
    r2 = client.patch(f"/routing/jobs/{job_id}", {"priority": 3})
    assert r2.status == 200, r2
    assert r2.json["priority"] == 3 and r2.json["channelId"] == "voice", r2


def test_absent_fields_keep_their_values(client, uid, queue):
    wid = uid("worker")
    created = client.new_worker(wid, [queue], channels=[("voice", 2), ("chat", 1)], capacity=4,
                                labels={"skill": 5, "lang": "en"}, available=False,
                                tags={"team": "a"})
    updated = client.upsert("workers", wid, {"capacity": 6}, expect=(200,))
    assert updated["capacity"] == 6
    for key in ("queues", "labels", "tags", "channels", "availableForOffers"):
        assert updated[key] == created[key], (key, updated, created)

    job_id = uid("job")
    job = client.new_job(job_id, queue, priority=7, channelReference="call-1",
                         labels={"a": 1}, tags={"t": "x"})
    updated = client.upsert("jobs", job_id, {"dispositionCode": "kept"}, expect=(200,))
    for key in ("priority", "channelReference", "labels", "tags", "channelId", "queueId"):
        assert updated[key] == job[key], (key, updated, job)


def test_null_clears_a_field(client, uid, queue):
    job_id = uid("job")
    client.new_job(job_id, queue, channelReference="call-1", dispositionCode="x")
    job = client.upsert("jobs", job_id, {"channelReference": None, "dispositionCode": None})
    assert "channelReference" not in job and "dispositionCode" not in job, job
    assert "channelReference" not in client.job(job_id)

    dp = uid("dp")
    client.distribution_policy(dp)
    ep = uid("ep")
    client.upsert("exceptionPolicies", ep, {"name": "e", "exceptionRules": []})
    qid = uid("queue")
    client.queue(qid, dp, exceptionPolicyId=ep)
    updated = client.upsert("queues", qid, {"name": None, "exceptionPolicyId": None})
    assert "name" not in updated and "exceptionPolicyId" not in updated, updated
    assert updated["distributionPolicyId"] == dp, updated


def test_null_removes_a_single_label_and_labels_merge(client, uid, queue):
    job_id = uid("job")
    client.new_job(job_id, queue, labels={"a": 1, "b": "two", "c": True})
    job = client.upsert("jobs", job_id, {"labels": {"b": None, "d": 4.5}})
    assert job["labels"] == {"a": 1, "c": True, "d": 4.5}, job
    # Label keys are case-sensitive: "A" is another label.
    job = client.upsert("jobs", job_id, {"labels": {"A": 0}})
    assert job["labels"] == {"a": 1, "A": 0, "c": True, "d": 4.5}, job

    wid = uid("worker")
    client.new_worker(wid, [queue], labels={"x": 1, "y": 2}, available=False)
    worker = client.upsert("workers", wid, {"labels": {"x": None}})
    assert worker["labels"] == {"Id": wid, "y": 2}, worker


def test_arrays_are_replaced_whole(client, uid, queue):
    dp = uid("dp")
    client.distribution_policy(dp)
    other = uid("queue")
    client.queue(other, dp)
    wid = uid("worker")
    client.new_worker(wid, [queue, other], channels=[("voice", 1), ("chat", 1)], available=False)
    worker = client.upsert("workers", wid, {"queues": [other],
                                            "channels": [{"channelId": "sms",
                                                          "capacityCostPerJob": 1}]})
    assert worker["queues"] == [other], worker
    assert worker["channels"] == [{"channelId": "sms", "capacityCostPerJob": 1}], worker


def test_property_names_are_case_insensitive(client, uid, queue):
    job_id = uid("job")
    client.new_job(job_id, queue, channelReference="call-9", priority=2)
    r = client.patch(f"/routing/jobs/{job_id}", {"ChannelReference": None, "PRIORITY": 9,
                                                 "Labels": {"Key": "v"}})
    job = r.expect(200)
    assert "channelReference" not in job, job
    assert job["priority"] == 9 and job["labels"] == {"Key": "v"}, job
    assert client.job(job_id) == job

    # Nested names too, and on create.
    dp = uid("dp")
    policy = client.upsert("distributionPolicies", dp, {
        "Name": "n", "OfferExpiresAfterSeconds": 30,
        "Mode": {"Kind": "roundRobin", "MaxConcurrentOffers": 2}}, expect=(201,))
    assert policy["name"] == "n" and policy["offerExpiresAfterSeconds"] == 30, policy
    assert policy["mode"]["kind"] == "roundRobin" and policy["mode"]["maxConcurrentOffers"] == 2


def test_whole_get_body_can_be_sent_back(client, uid, queue):
    job_id = uid("job")
    client.new_job(job_id, queue, labels={"a": 1}, priority=4,
                   requestedWorkerSelectors=[{"key": "s", "labelOperator": "equal", "value": 1}],
                   notes=[{"message": "hello"}])
    r = client.get(f"/routing/jobs/{job_id}")
    body = r.expect(200)
    again = client.patch(f"/routing/jobs/{job_id}", body)
    assert again.status == 200, again
    assert again.json == body, again
    assert again.header("ETag") == r.header("ETag"), "sending the body back changed the ETag"

    wid = uid("worker")
    client.new_worker(wid, [queue], labels={"k": "v"}, available=False)
    body = client.worker(wid)
    again = client.patch(f"/routing/workers/{wid}", body).expect(200)
    assert again == body


def test_read_only_status_changed_is_400(client, uid, queue):
    job_id = uid("job")
    client.new_job(job_id, queue)
    before = client.get(f"/routing/jobs/{job_id}")
    r = client.patch(f"/routing/jobs/{job_id}", {"status": "closed", "priority": 5})
    error_of(r, 400, target="status")
    after = client.get(f"/routing/jobs/{job_id}")
    assert after.json == before.json and after.header("ETag") == before.header("ETag")


def test_read_only_id_different_is_400(client, uid, queue):
    job_id = uid("job")
    client.new_job(job_id, queue)
    before = client.job(job_id)
    r = client.patch(f"/routing/jobs/{job_id}", {"id": "another-id", "priority": 5})
    error_of(r, 400, target="id")
    assert client.job(job_id) == before
    client.get("/routing/jobs/another-id").expect(404)

    # Also on create: the id comes from the path.
    new_id = uid("job")
    r = client.patch(f"/routing/jobs/{new_id}", {"id": "x", "channelId": "voice",
                                                 "queueId": queue})
    error_of(r, 400, target="id")
    client.get(f"/routing/jobs/{q(new_id)}").expect(404)


def test_read_only_worker_fields_changed_are_400(client, uid, queue):
    wid = uid("worker")
    client.new_worker(wid, [queue], available=False)
    before = client.worker(wid)
    for field, value in (("state", "active"), ("loadRatio", 0.5)):
        r = client.patch(f"/routing/workers/{wid}", {field: value, "capacity": 9})
        error_of(r, 400, target=field)
    assert client.worker(wid) == before


def test_etag_in_body_is_ignored(client, uid, queue):
    job_id = uid("job")
    # The .NET SDK sends "etag": "" on create.
    r = client.patch(f"/routing/jobs/{job_id}", {"etag": "", "channelId": "voice",
                                                 "queueId": queue})
    assert r.status == 201, r
    r = client.patch(f"/routing/jobs/{job_id}", {"etag": "\"not-the-etag\"", "priority": 3})
    assert r.status == 200 and r.json["priority"] == 3, r
    assert r.json["etag"] != "\"not-the-etag\"", r


def test_noop_patch_keeps_etag_and_last_modified(client, uid, queue):
    job_id = uid("job")
    created = client.patch(f"/routing/jobs/{job_id}", {"channelId": "voice", "queueId": queue,
                                                       "priority": 3})
    assert created.status == 201
    for body in ({}, {"priority": 3}, {"channelId": "voice", "queueId": queue}):
        again = client.patch(f"/routing/jobs/{job_id}", body)
        assert again.status == 200, again
        assert again.header("ETag") == created.header("ETag"), (body, again)
        assert again.header("Last-Modified") == created.header("Last-Modified"), (body, again)
    changed = client.patch(f"/routing/jobs/{job_id}", {"priority": 4})
    assert changed.header("ETag") != created.header("ETag"), changed

    wid = uid("worker")
    w1 = client.patch(f"/routing/workers/{wid}", {"capacity": 1, "queues": [queue]})
    w2 = client.patch(f"/routing/workers/{wid}", {"capacity": 1})
    assert (w1.status, w2.status) == (201, 200)
    assert w2.header("ETag") == w1.header("ETag"), w2


def test_unknown_properties_are_ignored(client, uid, queue):
    job_id = uid("job")
    job = client.upsert("jobs", job_id, {"channelId": "voice", "queueId": queue,
                                         "favouriteColour": "blue", "nested": {"x": 1}},
                        expect=(201,))
    assert "favouriteColour" not in job and "nested" not in job, job
    job = client.upsert("jobs", job_id, {"priority": 2, "unknown": None}, expect=(200,))
    assert job["priority"] == 2 and "unknown" not in job, job


def test_enum_values_are_lenient_and_written_camel_case(client, uid, queue):
    dp = uid("dp")
    policy = client.upsert("distributionPolicies", dp, {
        "offerExpiresAfterSeconds": 30, "mode": {"kind": "round-robin"}}, expect=(201,))
    assert policy["mode"]["kind"] == "roundRobin", policy
    policy = client.upsert("distributionPolicies", dp, {"mode": {"kind": "BESTWORKER"}})
    assert policy["mode"]["kind"] == "bestWorker", policy
    job = client.new_job(uid("job"), queue, matchingMode={"kind": "Queue-And-Match"},
                         requestedWorkerSelectors=[
                             {"key": "a", "labelOperator": "GreaterThanOrEqual", "value": 1},
                             {"key": "b", "labelOperator": "not-equal", "value": 1}])
    assert job["matchingMode"]["kind"] == "queueAndMatch", job
    assert [s["labelOperator"] for s in job["requestedWorkerSelectors"]] == \
        ["greaterThanOrEqual", "notEqual"], job
