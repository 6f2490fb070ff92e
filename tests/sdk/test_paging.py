"""Paging through every list operation the SDK has: results_per_page (maxpagesize), by_page(),
continuation tokens (the server's nextLink, which the SDK re-quotes and re-versions), and
resuming a listing from a token in a new pager. Each test has a server of its own so the
listings hold exactly what it made."""
from azure.communication.jobrouter.models import (ClassificationPolicy, DistributionPolicy,
                                                  ExceptionPolicy, LongestIdleMode, RouterJob,
                                                  RouterQueue, RouterWorker)


async def _check_paging(sdk, make_pager, expected_ids, page_size):
    # All at once, default page size.
    assert [x.id for x in await sdk.items(make_pager(None))] == expected_ids, sdk.dump(2)
    # Page by page.
    pages = await sdk.pages(make_pager(page_size))
    sizes = [len(items) for items, _ in pages]
    n = len(expected_ids)
    assert sizes == [page_size] * (n // page_size) + ([n % page_size] if n % page_size else []), (
        sizes, sdk.dump(3))
    assert [x.id for items, _ in pages for x in items] == expected_ids
    assert all(token for _, token in pages[:-1]) and pages[-1][1] is None, pages
    if len(pages) == 1:
        return
    # Every request after the first followed a nextLink and kept the client's api-version.
    assert f"api-version={sdk.effective_api_version}" in sdk.last.url, sdk.last.url
    # Resume in a fresh pager from the token after the first page.
    resumed = await sdk.pages(make_pager(page_size), continuation_token=pages[0][1])
    assert [x.id for items, _ in resumed for x in items] == expected_ids[page_size:], sdk.dump(2)

async def test_page_admin_lists(fresh_sdk, uid):
    sdk = fresh_sdk
    dps = [(await sdk.admin.upsert_distribution_policy(uid("dp"), DistributionPolicy(
        offer_expires_after_seconds=10, mode=LongestIdleMode()))).id for _ in range(5)]
    queues = [(await sdk.admin.upsert_queue(uid("queue"), RouterQueue(
        distribution_policy_id=dps[0]))).id for _ in range(5)]
    cps = [(await sdk.admin.upsert_classification_policy(uid("cp"), ClassificationPolicy(
        fallback_queue_id=queues[0]))).id for _ in range(5)]
    eps = [(await sdk.admin.upsert_exception_policy(uid("ep"), ExceptionPolicy(
        exception_rules=[]))).id for _ in range(5)]
    admin = sdk.admin
    await _check_paging(sdk, lambda n: admin.list_distribution_policies(results_per_page=n), dps, 2)
    await _check_paging(sdk, lambda n: admin.list_queues(results_per_page=n), queues, 2)
    await _check_paging(sdk, lambda n: admin.list_classification_policies(results_per_page=n),
                        cps, 3)
    await _check_paging(sdk, lambda n: admin.list_exception_policies(results_per_page=n), eps, 5)


async def test_page_jobs_and_workers(fresh_sdk, uid):
    sdk = fresh_sdk
    dp = await sdk.admin.upsert_distribution_policy(uid("dp"), DistributionPolicy(
        offer_expires_after_seconds=10, mode=LongestIdleMode()))
    queue = await sdk.admin.upsert_queue(uid("queue"), RouterQueue(distribution_policy_id=dp.id))
    jobs = [(await sdk.router.upsert_job(uid("job"), RouterJob(
        channel_id="voice", queue_id=queue.id))).id for _ in range(7)]
    workers = [(await sdk.router.upsert_worker(uid("worker"), RouterWorker(capacity=1))).id
               for _ in range(4)]
    await _check_paging(sdk, lambda n: sdk.router.list_jobs(results_per_page=n), jobs, 3)
    # Filters travel in the continuation token.
    await _check_paging(sdk, lambda n: sdk.router.list_jobs(status="queued", queue_id=queue.id,
                                                           channel_id="voice", results_per_page=n),
                        jobs, 2)
    await _check_paging(sdk, lambda n: sdk.router.list_workers(results_per_page=n), workers, 3)
    await _check_paging(sdk, lambda n: sdk.router.list_workers(state="inactive",
                                                              results_per_page=n), workers, 1)


async def test_empty_lists(fresh_sdk):
    sdk = fresh_sdk
    for pager in (sdk.admin.list_distribution_policies(), sdk.admin.list_queues(),
                  sdk.admin.list_classification_policies(), sdk.admin.list_exception_policies(),
                  sdk.router.list_jobs(), sdk.router.list_workers()):
        assert await sdk.items(pager) == [], sdk.dump(1)
