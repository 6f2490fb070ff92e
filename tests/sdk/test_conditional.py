"""etag / match_condition / if_unmodified_since on every upsert, the way the SDK sends them
(If-Match, If-None-Match, If-Unmodified-Since) and maps the answers (412 -> ResourceModifiedError
and friends)."""
import datetime as dt

import pytest
from azure.core import MatchConditions
from azure.core.exceptions import HttpResponseError, ResourceModifiedError, ResourceNotFoundError

from azure.communication.jobrouter.models import (ClassificationPolicy, DistributionPolicy,
                                                  ExceptionPolicy, LongestIdleMode, RouterJob,
                                                  RouterQueue, RouterWorker)

from helpers import queue as make_queue


async def _entities(sdk, uid):
    """(kind, id, get, upsert, a model of a small change) for each upsertable entity."""
    dp = await sdk.admin.upsert_distribution_policy(uid("dp"), DistributionPolicy(
        name="a", offer_expires_after_seconds=10, mode=LongestIdleMode()))
    queue = await sdk.admin.upsert_queue(uid("queue"), RouterQueue(name="a",
                                                                   distribution_policy_id=dp.id))
    cp = await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        name="a", fallback_queue_id=queue.id))
    ep = await sdk.admin.upsert_exception_policy(uid("ep"), ExceptionPolicy(name="a",
                                                                            exception_rules=[]))
    job = await sdk.router.upsert_job(uid("job"), RouterJob(channel_id="voice", queue_id=queue.id))
    worker = await sdk.router.upsert_worker(uid("worker"), RouterWorker(capacity=1))
    return [
        ("distribution policy", dp.id, sdk.admin.get_distribution_policy,
         sdk.admin.upsert_distribution_policy, DistributionPolicy(name="b")),
        ("queue", queue.id, sdk.admin.get_queue, sdk.admin.upsert_queue, RouterQueue(name="b")),
        ("classification policy", cp.id, sdk.admin.get_classification_policy,
         sdk.admin.upsert_classification_policy, ClassificationPolicy(name="b")),
        ("exception policy", ep.id, sdk.admin.get_exception_policy,
         sdk.admin.upsert_exception_policy, ExceptionPolicy(name="b")),
        ("job", job.id, sdk.router.get_job, sdk.router.upsert_job, RouterJob(tags={"t": "b"})),
        ("worker", worker.id, sdk.router.get_worker, sdk.router.upsert_worker,
         RouterWorker(tags={"t": "b"})),
    ]


async def test_if_match_etag(sdk, uid):
    for kind, entity_id, get, upsert, change in await _entities(sdk, uid):
        current = await get(entity_id)
        assert current.etag, kind
        updated = await upsert(entity_id, change, etag=current.etag,
                               match_condition=MatchConditions.IfNotModified)
        assert updated.etag != current.etag, (kind, sdk.dump(1))
        assert sdk.last.headers.get("If-Match") == current.etag, kind
        # The old etag no longer matches: 412, which the SDK raises as ResourceModifiedError.
        with pytest.raises(ResourceModifiedError) as err:
            await upsert(entity_id, change, etag=current.etag,
                         match_condition=MatchConditions.IfNotModified)
        assert err.value.status_code == 412, (kind, sdk.dump(1))
        assert (await get(entity_id)).etag == updated.etag, kind
        # The etag from a list works as well as the one from a get.
        again = await upsert(entity_id, change, etag=updated.etag,
                             match_condition=MatchConditions.IfNotModified)
        assert again.etag == updated.etag, (kind, "an update that changes nothing keeps the etag")


async def test_if_match_any(sdk, uid):
    for kind, entity_id, get, upsert, change in await _entities(sdk, uid):
        # IfPresent sends If-Match: * - it updates what exists...
        await upsert(entity_id, change, match_condition=MatchConditions.IfPresent)
        assert sdk.last.headers.get("If-Match") == "*", kind
        assert sdk.last.status == 200, (kind, sdk.dump(1))
    # ...and refuses to create (412 -> ResourceNotFoundError for IfPresent).
    with pytest.raises(ResourceNotFoundError) as err:
        await sdk.admin.upsert_distribution_policy(
            uid("dp"), DistributionPolicy(offer_expires_after_seconds=5, mode=LongestIdleMode()),
            match_condition=MatchConditions.IfPresent)
    assert err.value.status_code == 412, sdk.dump(1)


async def test_if_unmodified_since(sdk, uid):
    for kind, entity_id, get, upsert, change in await _entities(sdk, uid):
        past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
        with pytest.raises(HttpResponseError) as err:
            await upsert(entity_id, change, if_unmodified_since=past)
        assert err.value.status_code == 412, (kind, sdk.dump(1))
        assert "If-Unmodified-Since" in sdk.last.headers
        future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
        await upsert(entity_id, change, if_unmodified_since=future)
        assert sdk.last.status == 200, (kind, sdk.dump(1))


async def test_stale_etag_from_fetched_model(sdk, uid):
    """The SDK samples' read-modify-write: fetch, change the model, send it back with its etag."""
    queue = await make_queue(sdk, uid)
    mine = await sdk.admin.get_queue(queue.id)
    theirs = await sdk.admin.get_queue(queue.id)
    theirs.name = "theirs"
    await sdk.admin.upsert_queue(queue.id, theirs, etag=theirs.etag,
                                 match_condition=MatchConditions.IfNotModified)
    mine.name = "mine"
    with pytest.raises(ResourceModifiedError):
        await sdk.admin.upsert_queue(queue.id, mine, etag=mine.etag,
                                     match_condition=MatchConditions.IfNotModified)
    assert (await sdk.admin.get_queue(queue.id)).name == "theirs"


async def test_if_none_match(sdk, uid):
    from azure.core.exceptions import ResourceExistsError
    for kind, entity_id, get, upsert, change in await _entities(sdk, uid):
        current = await get(entity_id)
        # IfMissing sends If-None-Match: * - create-only; on an existing entity: 412, which the
        # SDK raises as ResourceExistsError.
        with pytest.raises(ResourceExistsError) as err:
            await upsert(entity_id, change, match_condition=MatchConditions.IfMissing)
        assert err.value.status_code == 412, (kind, sdk.dump(1))
        assert sdk.last.headers.get("If-None-Match") == "*"
        # IfModified with the current etag: nothing to do, 412.
        with pytest.raises(HttpResponseError) as err:
            await upsert(entity_id, change, etag=current.etag,
                         match_condition=MatchConditions.IfModified)
        assert err.value.status_code == 412, (kind, sdk.dump(1))
        assert (await get(entity_id)).etag == current.etag, kind
        # IfModified with another etag: the update goes through.
        await upsert(entity_id, change, etag='"0"', match_condition=MatchConditions.IfModified)
        assert sdk.last.status == 200, (kind, sdk.dump(1))
    created = await sdk.admin.upsert_distribution_policy(
        uid("dp"), DistributionPolicy(offer_expires_after_seconds=5, mode=LongestIdleMode()),
        match_condition=MatchConditions.IfMissing)
    assert sdk.last.status == 201 and created.offer_expires_after_seconds == 5
