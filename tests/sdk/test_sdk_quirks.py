"""What azure-communication-jobrouter 1.1.0b2 sends that the other SDKs do not.

QueueAndMatchMode, SuspendMode and DirectMapRouterRule have no constructor that sets their
discriminator (the .NET SDK needed a hand-written one for the same reason), so
`QueueAndMatchMode()` goes on the wire as `{}`: `"matchingMode": {}` or `"rule": {}`. A kind-less
object is ambiguous (`SuspendMode()` and `QueueAndMatchMode()` look the same on the wire), so the
server refuses it with a 400 that names the missing kind rather than guess and queue a job the
client meant to suspend (docs/COMPATIBILITY.md). Passing the kind explicitly works; the rest of
this suite does (helpers.queue_and_match() and friends).
"""
import pytest
from azure.core.exceptions import HttpResponseError

from azure.communication.jobrouter.models import (ClassificationPolicy, DirectMapRouterRule,
                                                  QueueAndMatchMode, RouterJob,
                                                  RuleEngineQueueSelectorAttachment, SuspendMode)

from helpers import queue as make_queue


async def _expect_missing_kind(sdk, call, field):
    with pytest.raises(HttpResponseError) as caught:
        await call()
    assert caught.value.status_code == 400, sdk.dump(1)
    assert f"{field} is required" in str(caught.value), str(caught.value)


@pytest.mark.variants(modes=("sync",), versions=("ga",))
async def test_bare_queue_and_match_mode_is_refused(sdk, uid):
    queue = await make_queue(sdk, uid)
    await _expect_missing_kind(sdk, lambda: sdk.router.upsert_job(uid("job"), RouterJob(
        channel_id="voice", queue_id=queue.id, matching_mode=QueueAndMatchMode())),
        "matchingMode.kind")


@pytest.mark.variants(modes=("sync",), versions=("ga",))
async def test_bare_suspend_mode_is_refused(sdk, uid):
    queue = await make_queue(sdk, uid)
    await _expect_missing_kind(sdk, lambda: sdk.router.upsert_job(uid("job"), RouterJob(
        channel_id="voice", queue_id=queue.id, matching_mode=SuspendMode())),
        "matchingMode.kind")


@pytest.mark.variants(modes=("sync",), versions=("ga",))
async def test_bare_direct_map_rule_is_refused(sdk, uid):
    queue = await make_queue(sdk, uid)
    await _expect_missing_kind(sdk, lambda: sdk.admin.upsert_classification_policy(
        uid("cp"), ClassificationPolicy(fallback_queue_id=queue.id, queue_selector_attachments=[
            RuleEngineQueueSelectorAttachment(rule=DirectMapRouterRule())])),
        "queueSelectorAttachments[0].rule.kind")
