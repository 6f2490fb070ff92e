"""JobRouterClient and workers: upsert (model, keyword, read-modify-write), register and
deregister, list with every filter, max_concurrent_offers (2024-01-18-preview only), delete."""
import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from azure.communication.jobrouter.models import (RouterChannel, RouterJobStatus, RouterWorker,
                                                  RouterWorkerState)

from helpers import assign, job as make_job, queue as make_queue, worker as make_worker


async def test_worker_lifecycle(sdk, uid):
    queue = await make_queue(sdk, uid)
    worker_id = uid("worker")
    created = await sdk.router.upsert_worker(worker_id, RouterWorker(
        capacity=100, queues=[queue.id], labels={"Language": "en", "Level": 3, "Remote": False},
        tags={"tag": "info"}, available_for_offers=False,
        channels=[RouterChannel(channel_id="voice", capacity_cost_per_job=10),
                  RouterChannel(channel_id="chat", capacity_cost_per_job=1, max_number_of_jobs=5)]))
    assert sdk.last.status == 201
    assert created.id == worker_id and created.etag
    assert created.capacity == 100 and created.queues == [queue.id]
    assert created.labels == {"Id": worker_id, "Language": "en", "Level": 3, "Remote": False}
    assert created.tags == {"tag": "info"}
    channels = [(c.channel_id, c.capacity_cost_per_job, c.max_number_of_jobs)
                for c in created.channels]
    assert channels == [("voice", 10, None), ("chat", 1, 5)]
    assert created.state == RouterWorkerState.INACTIVE and created.available_for_offers is False
    assert created.offers == [] and created.assigned_jobs == [] and created.load_ratio == 0
    assert created == await sdk.router.get_worker(worker_id)

    # Register with the keyword form, as the SDK's register sample does.
    registered = await sdk.router.upsert_worker(worker_id, available_for_offers=True)
    assert registered.state == RouterWorkerState.ACTIVE and registered.capacity == 100

    # Read-modify-write of the fetched model.
    registered.capacity = 50
    registered.labels = {**registered.labels, "Level": 4}
    updated = await sdk.router.upsert_worker(worker_id, registered)
    assert updated.capacity == 50 and updated.labels["Level"] == 4
    assert updated.state == RouterWorkerState.ACTIVE and len(updated.channels) == 2

    deregistered = await sdk.router.upsert_worker(worker_id, available_for_offers=False)
    assert deregistered.state == RouterWorkerState.INACTIVE

    await sdk.router.delete_worker(worker_id)
    with pytest.raises(ResourceNotFoundError):
        await sdk.router.get_worker(worker_id)
    await sdk.router.delete_worker(worker_id)  # idempotent


async def test_worker_with_job_cannot_be_deleted(sdk, uid):
    queue = await make_queue(sdk, uid)
    worker = await make_worker(sdk, uid("worker"), [queue.id])
    job = await make_job(sdk, uid("job"), queue.id)
    accept = await assign(sdk, worker.id, job.id)
    with pytest.raises(HttpResponseError) as err:
        await sdk.router.delete_worker(worker.id)
    assert err.value.status_code == 409, sdk.dump(1)
    # Deregistering while a job is assigned: draining, until the job is closed.
    draining = await sdk.router.upsert_worker(worker.id, available_for_offers=False)
    assert draining.state == RouterWorkerState.DRAINING
    await sdk.router.complete_job(job.id, accept.assignment_id)
    await sdk.router.close_job(job.id, accept.assignment_id)
    await sdk.wait_for(lambda: sdk.router.get_worker(worker.id),
                       lambda w: w.state == RouterWorkerState.INACTIVE, "inactive")
    await sdk.router.delete_worker(worker.id)


async def test_list_workers_filters(sdk, uid):
    queue = await make_queue(sdk, uid)
    other = await make_queue(sdk, uid)
    busy = await make_worker(sdk, uid("worker"), [queue.id], capacity=1)
    free = await make_worker(sdk, uid("worker"), [queue.id], capacity=1, channel="chat")
    idle = await make_worker(sdk, uid("worker"), [queue.id, other.id], available=False)
    job = await make_job(sdk, uid("job"), queue.id)
    await assign(sdk, busy.id, job.id)

    async def ids(**filters):
        return [w.id for w in await sdk.items(sdk.router.list_workers(**filters))]

    assert await ids(queue_id=queue.id) == [busy.id, free.id, idle.id]
    assert await ids(queue_id=other.id) == [idle.id]
    assert await ids(queue_id=queue.id, state=RouterWorkerState.ACTIVE) == [busy.id, free.id]
    assert await ids(queue_id=queue.id, state="inactive") == [idle.id]
    assert await ids(queue_id=queue.id, state="all") == [busy.id, free.id, idle.id]
    assert await ids(queue_id=queue.id, channel_id="chat") == [free.id]
    assert await ids(queue_id=queue.id, channel_id="voice") == [busy.id, idle.id]
    assert await ids(queue_id=queue.id, has_capacity=True, state="active") == [free.id]
    assert "hasCapacity=true" in sdk.last.url
    assert await ids(queue_id=queue.id, channel_id="voice", has_capacity=True) == [idle.id]
    assert await ids(queue_id=queue.id, has_capacity=False) == [busy.id, free.id, idle.id]
    # The SDK's list_workers default sends state=all.
    assert "state=all" in sdk.last.url
    assert (await sdk.router.get_job(job.id)).status == RouterJobStatus.ASSIGNED


async def test_max_concurrent_offers(sdk, uid):
    """RouterWorker.max_concurrent_offers exists from 2024-01-18-preview on (the SDK default)."""
    queue = await make_queue(sdk, uid)
    worker = await make_worker(sdk, uid("worker"), [queue.id], capacity=10, max_concurrent_offers=2)
    if sdk.preview:
        assert worker.max_concurrent_offers == 2, sdk.dump(1)
    else:
        # Not part of 2023-11-01: ignored and not written.
        assert worker.max_concurrent_offers is None, sdk.dump(1)
    jobs = [(await make_job(sdk, uid("job"), queue.id)).id for _ in range(3)]
    if sdk.preview:
        offered = await sdk.wait_for(lambda: sdk.router.get_worker(worker.id),
                                     lambda w: len(w.offers) == 2, "two offers")
        assert sorted(o.job_id for o in offered.offers) == sorted(jobs[:2])
        assert (await sdk.router.get_worker(worker.id)).max_concurrent_offers == 2
    else:
        offered = await sdk.wait_for(lambda: sdk.router.get_worker(worker.id),
                                     lambda w: len(w.offers) == 3, "three offers")
