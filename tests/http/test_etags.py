"""ETag, Last-Modified and the conditional upsert headers If-Match / If-Unmodified-Since."""
import datetime as dt
import email.utils
import re

import pytest

from sbclient import http_date, q, utcnow

ETAG = re.compile(r'^"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"$')


def make_entities(c, uid):
    """One entity of each kind; returns [(collection, id)]."""
    dp, qid, cp, ep, job, worker = (uid(k) for k in ("dp", "q", "cp", "ep", "job", "w"))
    c.distribution_policy(dp)
    c.upsert("exceptionPolicies", ep, {"name": "e", "exceptionRules": []}, expect=(201,))
    c.queue(qid, dp, exceptionPolicyId=ep)
    c.upsert("classificationPolicies", cp, {"name": "c", "fallbackQueueId": qid}, expect=(201,))
    c.new_job(job, qid)
    c.new_worker(worker, [qid], available=False)
    return [("distributionPolicies", dp), ("exceptionPolicies", ep), ("queues", qid),
            ("classificationPolicies", cp), ("jobs", job), ("workers", worker)]


CHANGES = {"distributionPolicies": {"name": "changed"}, "exceptionPolicies": {"name": "changed"},
           "queues": {"name": "changed"}, "classificationPolicies": {"name": "changed"},
           "jobs": {"priority": 42}, "workers": {"capacity": 42}}


def assert_headers(r):
    etag = r.header("ETag")
    assert etag and ETAG.match(etag), f"ETag is not a quoted GUID: {r!r}"
    assert r.json["etag"] == etag, f"body etag differs from the ETag header: {r!r}"
    lm = r.header("Last-Modified")
    assert lm, f"no Last-Modified: {r!r}"
    parsed = email.utils.parsedate_to_datetime(lm)
    assert lm.endswith(" GMT") and parsed.tzinfo is not None, lm
    assert abs((utcnow() - parsed).total_seconds()) < 600, lm
    return etag


def test_etag_and_last_modified_on_get_patch_and_lists(client, uid):
    for collection, id_ in make_entities(client, uid):
        path = f"/routing/{collection}/{q(id_)}"
        got = client.get(path)
        assert got.status == 200, got
        etag = assert_headers(got)
        patched = client.patch(path, CHANGES[collection])
        assert patched.status == 200, patched
        new_etag = assert_headers(patched)
        assert new_etag != etag, f"a change kept the ETag: {patched!r}"
        again = client.get(path)
        assert assert_headers(again) == new_etag
        assert again.header("Last-Modified") == patched.header("Last-Modified")
        items, _ = client.list_all(collection)
        listed = [i for i in items if i["id"] == id_]
        assert len(listed) == 1 and listed[0]["etag"] == new_etag, (collection, listed)


def test_etag_changes_when_the_engine_changes_the_entity(client, uid):
    dp, qid, job, worker = uid("dp"), uid("q"), uid("job"), uid("w")
    client.distribution_policy(dp)
    client.queue(qid, dp)
    client.new_job(job, qid)
    before = client.get(f"/routing/jobs/{job}").header("ETag")
    client.new_worker(worker, [qid])
    offer = client.worker(worker)["offers"][0]["offerId"]
    client.post(f"/routing/workers/{worker}/offers/{offer}:accept").expect(200)
    after = client.get(f"/routing/jobs/{job}")
    assert after.json["status"] == "assigned"
    assert after.header("ETag") != before and after.json["etag"] == after.header("ETag")


@pytest.mark.parametrize("collection", list(CHANGES))
def test_if_match(client, uid, collection):
    entities = dict((c, i) for c, i in make_entities(client, uid))
    path = f"/routing/{collection}/{q(entities[collection])}"
    current = client.get(path)
    etag = current.header("ETag")

    stale = client.patch(path, CHANGES[collection],
                         headers={"If-Match": '"00000000-0000-0000-0000-000000000000"'})
    body = stale.expect(412)
    assert body["error"]["code"] == "PreconditionFailed" == stale.header("x-ms-error-code")
    unchanged = client.get(path)
    assert unchanged.json == current.json and unchanged.header("ETag") == etag

    ok = client.patch(path, CHANGES[collection], headers={"If-Match": etag})
    assert ok.status == 200, ok
    assert ok.header("ETag") != etag

    # The etag just replaced is now stale.
    again = client.patch(path, {"name": "x"} if "name" in CHANGES[collection] else
                         {k: 7 for k in CHANGES[collection]}, headers={"If-Match": etag})
    again.expect(412)
    assert client.get(path).json == ok.json


def test_if_match_on_a_missing_entity_is_412_and_creates_nothing(client, uid):
    dp = uid("dp")
    client.distribution_policy(dp)
    qid = uid("q")
    r = client.patch(f"/routing/queues/{qid}", {"distributionPolicyId": dp},
                     headers={"If-Match": '"00000000-0000-0000-0000-000000000000"'})
    body = r.expect(412)
    assert body["error"]["code"] == "PreconditionFailed" == r.header("x-ms-error-code")
    client.get(f"/routing/queues/{qid}").expect(404)
    job = uid("job")
    client.patch(f"/routing/jobs/{job}", {"channelId": "voice", "queueId": "x"},
                 headers={"If-Match": "*"}).expect(412)
    client.get(f"/routing/jobs/{job}").expect(404)


def test_if_unmodified_since(client, uid):
    dp = uid("dp")
    created = client.patch(f"/routing/distributionPolicies/{dp}", {
        "name": "a", "offerExpiresAfterSeconds": 30, "mode": {"kind": "longestIdle"}})
    assert created.status == 201
    path = f"/routing/distributionPolicies/{dp}"

    past = http_date(utcnow() - dt.timedelta(hours=1))
    r = client.patch(path, {"name": "b"}, headers={"If-Unmodified-Since": past})
    body = r.expect(412)
    assert body["error"]["code"] == "PreconditionFailed" == r.header("x-ms-error-code")
    assert client.get(path).json == created.json

    future = http_date(utcnow() + dt.timedelta(hours=1))
    r = client.patch(path, {"name": "c"}, headers={"If-Unmodified-Since": future})
    assert r.status == 200 and r.json["name"] == "c", r

    # Exactly the Last-Modified time: not modified since, so it proceeds.
    r = client.patch(path, {"name": "d"},
                     headers={"If-Unmodified-Since": r.header("Last-Modified")})
    assert r.status == 200 and r.json["name"] == "d", r
