"""Small builders shared by the SDK tests. Each takes the `sdk` face, so it runs sync or async."""
import datetime as dt

from azure.communication.jobrouter.models import (DistributionPolicy, LabelOperator,
                                                  LongestIdleMode, RouterChannel, RouterJob,
                                                  RouterQueue, RouterWorker, RouterWorkerSelector)


def utcnow():
    return dt.datetime.now(dt.timezone.utc)


async def distribution_policy(sdk, policy_id, offer_seconds=60, mode=None, name=None):
    return await sdk.admin.upsert_distribution_policy(
        policy_id, DistributionPolicy(name=name or policy_id,
                                      offer_expires_after_seconds=offer_seconds,
                                      mode=mode or LongestIdleMode()))


async def queue(sdk, uid, labels=None, exception_policy_id=None, offer_seconds=60):
    """A queue with a longest-idle distribution policy of its own; returns the RouterQueue."""
    dp = await distribution_policy(sdk, uid("dp"), offer_seconds=offer_seconds)
    return await sdk.admin.upsert_queue(
        uid("queue"), RouterQueue(name="queue", distribution_policy_id=dp.id, labels=labels,
                                  exception_policy_id=exception_policy_id))


def skill_selector(value=10, op=LabelOperator.GREATER_THAN, key="Some-Skill"):
    return RouterWorkerSelector(key=key, label_operator=op, value=value)


async def job(sdk, job_id, queue_id, channel="voice", **fields):
    return await sdk.router.upsert_job(job_id, RouterJob(channel_id=channel, queue_id=queue_id,
                                                         **fields))


async def worker(sdk, worker_id, queue_ids, capacity=1, labels=None, channel="voice", cost=1,
                 available=True, **fields):
    return await sdk.router.upsert_worker(worker_id, RouterWorker(
        capacity=capacity, queues=list(queue_ids), labels=labels,
        channels=[RouterChannel(channel_id=channel, capacity_cost_per_job=cost)],
        available_for_offers=available, **fields))


async def offers_for(sdk, worker_id, count=1, timeout=5.0):
    """Polls the worker until it holds `count` offers; returns the worker."""
    return await sdk.wait_for(lambda: sdk.router.get_worker(worker_id),
                              lambda w: len(w.offers) == count, f"{count} offer(s) for {worker_id}",
                              timeout=timeout)


async def assign(sdk, worker_id, job_id):
    """Waits for the worker's offer of job_id, accepts it; returns the AcceptJobOfferResult."""
    w = await sdk.wait_for(lambda: sdk.router.get_worker(worker_id),
                           lambda w: any(o.job_id == job_id for o in w.offers),
                           f"an offer of {job_id} to {worker_id}")
    offer = next(o for o in w.offers if o.job_id == job_id)
    return await sdk.router.accept_job_offer(worker_id, offer.offer_id)


# azure-communication-jobrouter 1.1.0b2 gives QueueAndMatchMode, SuspendMode and
# DirectMapRouterRule no constructor that sets their discriminator, so `QueueAndMatchMode()`
# serializes as `{}`. Passing the kind explicitly is the SDK-side workaround; the bare forms are
# tested on their own in test_sdk_quirks.py.
def queue_and_match():
    from azure.communication.jobrouter.models import QueueAndMatchMode
    return QueueAndMatchMode(kind="queueAndMatch")


def suspend():
    from azure.communication.jobrouter.models import SuspendMode
    return SuspendMode(kind="suspend")


def direct_map():
    from azure.communication.jobrouter.models import DirectMapRouterRule
    return DirectMapRouterRule(kind="directMap")
