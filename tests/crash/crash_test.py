#!/usr/bin/python3
"""Crash test: SIGKILL the durable server under load, restart it on the same data, and check
that nothing acknowledged was lost and that the router's invariants hold.

Each client thread owns a "world" (ids prefixed c<N>-): two distribution policies, two queues,
up to five workers and a stream of jobs, plus a spare policy and queue it creates and deletes.
It drives a realistic mix of mutating requests (policy and queue updates, worker registration,
deregistration, capacity, channel, queue and label changes, deletes and re-creates; job creates,
label, priority and queue updates, cancels, deletes; offer accepts and declines; assignment
completes, closes (some with a closeAt a few seconds ahead), unassigns) and keeps a model of its
world: the state every acknowledged (2xx) answer implies. Every PATCH sets a fresh value of a
per-world counter (labels.seq, or the policy's name "seq=N"), so a stored value tells which
update it came from. Because one thread alone mutates a world, the model is exact: after a
restart the stored state must equal it, except for the one request per thread that was in
flight at the kill (no answer), which may or may not have happened - the world must then equal
either the model before it or the model after it, as a whole (so a half-applied accept is
caught). Server-driven changes are allowed for: offers come and go, a closeAt closes its job
at its time, and in worlds with short offer expiry (odd-numbered) an expired offer deregisters
its worker.

After each restart it checks:
  1. acknowledged state: every acknowledged create, update, delete and action is there (the
     world equals the model, as above); acknowledged deletes stay deleted; a declined job is
     not offered again to the worker that declined it (declines survive restarts);
  2. no job assigned twice: each job is held by at most one worker, and a job's active
     assignment is exactly the one its worker lists in assignedJobs;
  3. no worker holding offers is over its capacity or over a channel's maxNumberOfJobs; offers
     only for queued jobs, to available workers serving the job's queue;
  4. the server answers /healthz and a signed GET promptly after restart (the time is
     reported; over --ready-timeout fails).
A failure prints the seed, the round and the check, keeps the data directory as the last kill
left it and as it is at the failure, with the logs and journals, under
/tmp/switchboard-crash-<seed>-round<N>/, and exits 1.

Usage (Debian's /usr/bin/python3, standard library only):
    tests/crash/crash_test.py [--switchboard build/switchboard] [--rounds N] [--seed S]
Rounds default to $SWITCHBOARD_CRASH_ROUNDS, else 20; the seed to $SWITCHBOARD_CRASH_SEED, else
a random one (printed). The seed fixes the workload's choices and the kill delays; thread
interleaving and the server's timing still vary, so a rerun with a seed is close, not exact.
"""
import argparse
import collections
import copy
import datetime as dt
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import traceback

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "http"))
import sbclient  # noqa: E402  (tests/http/sbclient.py: runs the binary, signs requests)

ANY = "<any>"          # an assignment id the model cannot know (the accept got no answer)
CLOSE_SLACK = 5.0      # a closeAt must have closed its job this long after its time
LONG_EXPIRY = 3600     # offers in even worlds never expire during a run
MAX_LIVE_JOBS = 24     # per world: queued, assigned or completed
MAX_WORKERS = 5        # per world
MAX_FINISHED_JOBS = 150  # per world: closed or cancelled jobs beyond this are deleted first
CHANNELS = ("voice", "chat", "email")


class Stop(Exception):
    """The server went away: the thread stops (its last request, if any, is recorded)."""


class CheckFailed(Exception):
    def __init__(self, check, message, world=None, details=None):
        super().__init__(message)
        self.check, self.message, self.world, self.details = check, message, world, details


def parse_ts(text):
    return sbclient.parse_time(text).timestamp()


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat().replace("+00:00", "Z")


# --- one client thread's world --------------------------------------------------------------

class World:
    def __init__(self, index, rng):
        self.index, self.rng = index, rng
        self.p = f"c{index}-"
        self.short_expiry = index % 2 == 1
        # The model: what every acknowledged answer implies.
        self.m = {"policies": {}, "queues": {}, "workers": {}, "jobs": {}, "declines": {}}
        self.deleted_jobs = set()     # job ids are never reused: these must stay absent
        self.seq = 0
        self.job_counter = 0
        self.pending = None           # (description, model after it, sent at) of the request
                                      # that got no answer, if any
        self.journal = collections.deque(maxlen=400)  # (round, time, description, status)
        self.round = 0
        self.acked = collections.Counter()
        self.unexpected = []          # non-2xx answers the model did not foresee
        self.error = None             # a traceback from the thread, or a CheckFailed

    # -- ids and counters --
    def next_seq(self):
        self.seq += 1
        return self.seq

    def pid(self, name):
        return self.p + name

    # -- requests --
    def read(self, c, path):
        try:
            r = c.get(path)
        except (OSError, http.client.HTTPException):
            raise Stop()
        if r.status >= 500:
            raise CheckFailed("server error", f"GET {path} -> {r.status} {r.body[:300]!r}", self)
        return r

    def mutate(self, c, desc, method, path, body, ok, apply, expect_ok=True):
        """Sends one mutating request. On an answer in `ok`, apply(model, answer) updates the
        model. With no answer, the model after it is kept as the alternative, and the thread
        stops. `expect_ok`: the model says it must succeed (else the answer is noted)."""
        sent = time.time()
        try:
            r = c.request(method, path, body)
        except ConnectionRefusedError:
            raise Stop()          # never reached a server: it did not happen
        except (OSError, http.client.HTTPException):
            after = copy.deepcopy(self.m)
            apply(after, None)
            self.pending = (desc, after, sent)
            self.journal.append((self.round, sent, desc, "no answer"))
            raise Stop()
        self.journal.append((self.round, sent, desc, r.status))
        if r.status >= 500:
            raise CheckFailed("server error", f"{desc}: {r!r}", self)
        if r.status in ok:
            apply(self.m, r.json)
            self.acked[desc.split(" ", 1)[0]] += 1
            return r
        if expect_ok:
            self.unexpected.append((self.round, desc, r.status, r.body[:300]))
        return None

    # -- model helpers --
    def present(self, kind, id_):
        e = self.m[kind].get(id_)
        return e is not None and e["present"]

    def live(self, kind):
        return [k for k, e in self.m[kind].items() if e["present"]]

    def jobs_in(self, *statuses):
        return [k for k, e in self.m["jobs"].items() if e["present"] and e["status"] in statuses]

    def worker_busy(self, wid):
        """Does the model say the worker holds an assignment (assigned, completed, closing)?"""
        for j in self.m["jobs"].values():
            if j["present"] and j["status"] in ("assigned", "completed", "closing") and \
                    j["assignments"] and j["assignments"][-1][1] == wid:
                return True
        return False

    # -- bodies --
    def policy_body(self, name, seq):
        rng = self.rng
        if self.short_expiry and name == "dpa":
            expiry = rng.choice((1, 2, 3))
        else:
            expiry = LONG_EXPIRY
        kind = rng.choice(("longestIdle", "roundRobin", "bestWorker"))
        most = rng.randint(1, 3)
        return {"name": f"seq={seq}", "offerExpiresAfterSeconds": expiry,
                "mode": {"kind": kind, "minConcurrentOffers": 1, "maxConcurrentOffers": most}}

    def channels_body(self):
        rng = self.rng
        channels = [{"channelId": "voice", "capacityCostPerJob": rng.randint(1, 2)}]
        if rng.random() < 0.7:
            channels.append({"channelId": "chat", "capacityCostPerJob": 1,
                             "maxNumberOfJobs": rng.randint(1, 3)})
        if rng.random() < 0.5:
            channels.append({"channelId": "email", "capacityCostPerJob": rng.randint(1, 3)})
        return channels

    def queues_choice(self):
        qs = [self.pid("q0"), self.pid("q1")]
        return self.rng.choice([qs, [qs[0]], [qs[1]], [qs[1], qs[0]]])

    # -- the workload --
    def step(self, c):
        for name in ("dpa", "dpb"):
            if not self.present("policies", self.pid(name)):
                return self.put_policy(c, name)
        for name in ("q0", "q1"):
            if not self.present("queues", self.pid(name)):
                return self.put_queue(c, name)
        if len(self.live("workers")) < 2:
            return self.create_worker(c)
        if len(self.jobs_in("closed", "cancelled")) > MAX_FINISHED_JOBS:
            return self.delete_job(c)
        ops = [(self.create_job, 14), (self.update_job, 8), (self.cancel_job, 4),
               (self.accept_offer, 20), (self.decline_offer, 4), (self.complete, 12),
               (self.close, 12), (self.unassign, 3), (self.delete_job, 6),
               (self.worker_availability, 5), (self.worker_capacity, 4),
               (self.worker_queues, 3), (self.worker_labels, 3), (self.delete_worker, 2),
               (self.create_worker, 3), (self.update_queue, 3), (self.update_policy, 3),
               (self.spare, 2)]
        funcs, weights = zip(*ops)
        for _ in range(10):  # an op that does not apply now returns False: pick another
            if self.rng.choices(funcs, weights)[0](c) is not False:
                return

    # policies and queues
    def put_policy(self, c, name):
        pid = self.pid(name)
        seq = self.next_seq()
        body = self.policy_body(name, seq)

        def apply(m, _):
            m["policies"][pid] = {"present": True, "name": body["name"],
                                  "expiry": body["offerExpiresAfterSeconds"],
                                  "kind": body["mode"]["kind"],
                                  "max": body["mode"]["maxConcurrentOffers"]}
        self.mutate(c, f"policy-put {pid} seq={seq}", "PATCH",
                    f"/routing/distributionPolicies/{pid}", body, (200, 201), apply)

    def update_policy(self, c):
        return self.put_policy(c, self.rng.choice(("dpa", "dpb")))

    def put_queue(self, c, name, dp=None):
        qid = self.pid(name)
        seq = self.next_seq()
        dp = dp or self.pid(self.rng.choice(("dpa", "dpb")))
        body = {"name": name, "distributionPolicyId": dp, "labels": {"seq": seq}}

        def apply(m, _):
            m["queues"][qid] = {"present": True, "seq": seq, "dp": dp}
        self.mutate(c, f"queue-put {qid} seq={seq} dp={dp}", "PATCH", f"/routing/queues/{qid}",
                    body, (200, 201), apply)

    def update_queue(self, c):
        return self.put_queue(c, self.rng.choice(("q0", "q1")))

    def spare(self, c):
        """Creates and deletes a spare policy and a queue using it, in turn."""
        qx, dpx = self.pid("qx"), self.pid("dpx")
        if self.present("queues", qx):
            return self.delete(c, "queues", qx)
        if self.present("policies", dpx):
            if self.rng.random() < 0.5:
                return self.delete(c, "policies", dpx)
            return self.put_queue(c, "qx", dpx)
        return self.put_policy(c, "dpx")

    def delete(self, c, kind, id_):
        collection = {"queues": "queues", "policies": "distributionPolicies",
                      "workers": "workers", "jobs": "jobs"}[kind]

        def apply(m, _):
            m[kind][id_]["present"] = False
            if kind == "workers":
                for key in [k for k in m["declines"] if k.endswith("|" + id_)]:
                    del m["declines"][key]
        self.mutate(c, f"delete {kind} {id_}", "DELETE", f"/routing/{collection}/{id_}", None,
                    (204,), apply)

    # workers
    def create_worker(self, c):
        absent = [f"w{i}" for i in range(MAX_WORKERS)
                  if not self.present("workers", self.pid(f"w{i}"))]
        if not absent:
            return False
        wid = self.pid(self.rng.choice(absent))
        seq = self.next_seq()
        body = {"capacity": self.rng.randint(1, 6), "queues": self.queues_choice(),
                "labels": {"seq": seq, "skill": self.rng.randint(0, 10)},
                "channels": self.channels_body(), "availableForOffers": self.rng.random() < 0.8}

        def apply(m, _):
            m["workers"][wid] = {"present": True, "seq": seq, "capacity": body["capacity"],
                                 "queues": body["queues"], "channels": norm_channels(body["channels"]),
                                 "available": body["availableForOffers"],
                                 "skill": body["labels"]["skill"]}
        self.mutate(c, f"worker-create {wid} seq={seq}", "PATCH", f"/routing/workers/{wid}",
                    body, (201,), apply)

    def patch_worker(self, c, what, changes, model_changes):
        live = self.live("workers")
        if not live:
            return False
        wid = self.rng.choice(live)
        seq = self.next_seq()
        body = dict(changes)
        body["labels"] = dict(body.get("labels", {}), seq=seq)
        was_available = self.m["workers"][wid]["available"]

        def apply(m, _):
            w = m["workers"][wid]
            w.update(model_changes)
            w["seq"] = seq
            registers = model_changes.get("available") is True and \
                (not was_available or self.short_expiry)
            if registers:  # (re-)registering ends the worker's declines
                for key in [k for k in m["declines"] if k.endswith("|" + wid)]:
                    del m["declines"][key]
        self.mutate(c, f"worker-{what} {wid} seq={seq} {json.dumps(changes)}", "PATCH",
                    f"/routing/workers/{wid}", body, (200,), apply)

    def worker_availability(self, c):
        available = self.rng.random() < 0.7
        return self.patch_worker(c, "available", {"availableForOffers": available},
                                 {"available": available})

    def worker_capacity(self, c):
        capacity = self.rng.randint(1, 6)
        channels = self.channels_body()
        return self.patch_worker(c, "capacity", {"capacity": capacity, "channels": channels},
                                 {"capacity": capacity, "channels": norm_channels(channels)})

    def worker_queues(self, c):
        queues = self.queues_choice()
        return self.patch_worker(c, "queues", {"queues": queues}, {"queues": queues})

    def worker_labels(self, c):
        skill = self.rng.randint(0, 10)
        return self.patch_worker(c, "labels", {"labels": {"skill": skill}}, {"skill": skill})

    def delete_worker(self, c):
        idle = [w for w in self.live("workers") if not self.worker_busy(w)]
        if len(self.live("workers")) <= 2 or not idle:
            return False
        return self.delete(c, "workers", self.rng.choice(idle))

    # jobs
    def create_job(self, c):
        if len(self.jobs_in("queued", "assigned", "completed", "closing")) >= MAX_LIVE_JOBS:
            return False
        self.job_counter += 1
        jid = self.pid(f"j{self.job_counter}")
        seq = self.next_seq()
        rng = self.rng
        body = {"channelId": rng.choices(CHANNELS, (5, 3, 2))[0],
                "queueId": self.pid(rng.choice(("q0", "q1"))),
                "priority": rng.randint(1, 5), "labels": {"seq": seq}}
        if rng.random() < 0.3:
            body["requestedWorkerSelectors"] = [
                {"key": "skill", "labelOperator": "greaterThanOrEqual", "value": rng.randint(0, 8)}]

        def apply(m, _):
            m["jobs"][jid] = {"present": True, "seq": seq, "status": "queued", "close_at": None,
                              "queue": body["queueId"], "channel": body["channelId"],
                              "priority": body["priority"], "assignments": [], "notes": []}
        self.mutate(c, f"job-create {jid} seq={seq} {body['channelId']} {body['queueId']}",
                    "PATCH", f"/routing/jobs/{jid}", body, (201,), apply)

    def update_job(self, c):
        jobs = self.jobs_in("queued", "assigned")
        if not jobs:
            return False
        jid = self.rng.choice(jobs)
        seq = self.next_seq()
        body = {"labels": {"seq": seq}, "priority": self.rng.randint(1, 5)}
        if self.m["jobs"][jid]["status"] == "queued" and self.rng.random() < 0.3:
            body["queueId"] = self.pid(self.rng.choice(("q0", "q1")))

        def apply(m, _):
            j = m["jobs"][jid]
            j["seq"], j["priority"] = seq, body["priority"]
            j["queue"] = body.get("queueId", j["queue"])
        self.mutate(c, f"job-update {jid} seq={seq} {json.dumps(body)}", "PATCH",
                    f"/routing/jobs/{jid}", body, (200,), apply)

    def end_declines(self, m, jid):
        for key in [k for k in m["declines"] if k.startswith(jid + "|")]:
            del m["declines"][key]

    def cancel_job(self, c):
        jobs = self.jobs_in("queued", "assigned")
        if not jobs:
            return False
        jid = self.rng.choice(jobs)
        note = f"cancel seq={self.next_seq()}"

        def apply(m, _):
            m["jobs"][jid]["status"] = "cancelled"
            m["jobs"][jid]["notes"].append(note)
            self.end_declines(m, jid)
        self.mutate(c, f"job-cancel {jid} {note}", "POST", f"/routing/jobs/{jid}:cancel",
                    {"note": note, "dispositionCode": "Cancelled"}, (200,), apply)

    def delete_job(self, c):
        jobs = self.jobs_in("closed", "cancelled")
        if not jobs:
            return False
        jid = self.rng.choice(jobs)

        def apply(m, _):
            m["jobs"][jid]["present"] = False
        self.mutate(c, f"job-delete {jid}", "DELETE", f"/routing/jobs/{jid}", None, (204,), apply)
        if not self.present("jobs", jid):
            self.deleted_jobs.add(jid)

    def assigned_job(self, status):
        jobs = self.jobs_in(status)
        if not jobs:
            return None, None
        jid = self.rng.choice(jobs)
        return jid, self.m["jobs"][jid]["assignments"][-1][0]

    def complete(self, c):
        jid, aid = self.assigned_job("assigned")
        if not jid:
            return False

        note = f"complete seq={self.next_seq()}"

        def apply(m, _):
            j = m["jobs"][jid]
            j["status"] = "completed"
            j["assignments"][-1][2] = True
            j["notes"].append(note)
        self.mutate(c, f"job-complete {jid} {aid} {note}", "POST",
                    f"/routing/jobs/{jid}/assignments/{aid}:complete", {"note": note},
                    (200,), apply)

    def close(self, c):
        jid, aid = self.assigned_job("completed")
        if not jid:
            return False
        # The note is added at once, even when closeAt defers the close: it shows whether a
        # deferred close in flight at a kill was committed.
        body = {"dispositionCode": "Resolved", "note": f"close seq={self.next_seq()}"}
        close_at = None
        if self.rng.random() < 0.25:
            close_at = time.time() + self.rng.uniform(0.3, 3.0)
            body["closeAt"] = iso(close_at)

        def apply(m, _):
            j = m["jobs"][jid]
            j["notes"].append(body["note"])
            if close_at is None:
                j["status"] = "closed"
                j["assignments"][-1][3] = True
            else:
                j["status"], j["close_at"] = "closing", close_at
            self.end_declines(m, jid)
        self.mutate(c, f"job-close {jid} {aid} {json.dumps(body)}", "POST",
                    f"/routing/jobs/{jid}/assignments/{aid}:close", body, (200,), apply)

    def unassign(self, c):
        jid, aid = self.assigned_job("assigned")
        if not jid:
            return False

        def apply(m, _):
            m["jobs"][jid]["status"] = "queued"
        self.mutate(c, f"job-unassign {jid} {aid}", "POST",
                    f"/routing/jobs/{jid}/assignments/{aid}:unassign", {}, (200,), apply)

    def offer(self, c):
        """A worker of this world and one of its open offers, read from the server."""
        workers = [w for w in self.live("workers") if self.m["workers"][w]["available"]]
        if not workers:
            return None, None
        wid = self.rng.choice(workers)
        r = self.read(c, f"/routing/workers/{wid}")
        if r.status != 200:
            self.unexpected.append((self.round, f"GET worker {wid}", r.status, r.body[:300]))
            return None, None
        offers = r.json["offers"]
        if not r.json["availableForOffers"]:
            if self.short_expiry:  # an offer expired, which deregisters its worker
                self.m["workers"][wid]["available"] = False
            else:
                self.unexpected.append((self.round, f"GET worker {wid}: not available",
                                        r.status, r.body[:300]))
            return None, None
        if not offers:
            return None, None
        return wid, self.rng.choice(offers)

    def accept_offer(self, c):
        wid, offer = self.offer(c)
        if not offer:
            return False
        jid = offer["jobId"]
        if not self.present("jobs", jid) or self.m["jobs"][jid]["status"] != "queued":
            self.unexpected.append((self.round, f"offer {offer} of {wid} for a job the model "
                                    f"has as {self.m['jobs'].get(jid)}", 0, b""))
            return

        def apply(m, answer):
            j = m["jobs"][jid]
            j["status"] = "assigned"
            j["assignments"].append([answer["assignmentId"] if answer else ANY, wid, False, False])
        self.mutate(c, f"offer-accept {jid} by {wid} offer={offer['offerId']}", "POST",
                    f"/routing/workers/{wid}/offers/{offer['offerId']}:accept", None, (200,),
                    apply, expect_ok=not self.short_expiry)

    def decline_offer(self, c):
        wid, offer = self.offer(c)
        if not offer:
            return False
        jid = offer["jobId"]
        body = {}
        until = None
        if self.rng.random() < 0.5:
            until = time.time() + self.rng.uniform(0.5, 3.0)
            body["retryOfferAt"] = iso(until)
        sent = time.time()

        def apply(m, answer):
            if answer is not None:   # a decline with no answer is not tracked either way
                m["declines"][f"{jid}|{wid}"] = [sent, until]
        self.mutate(c, f"offer-decline {jid} by {wid} offer={offer['offerId']} {json.dumps(body)}",
                    "POST", f"/routing/workers/{wid}/offers/{offer['offerId']}:decline", body,
                    (200,), apply, expect_ok=not self.short_expiry)


def norm_channels(channels):
    return [[ch["channelId"], ch["capacityCostPerJob"], ch.get("maxNumberOfJobs")]
            for ch in channels]


# --- what the server holds ------------------------------------------------------------------

def snapshot(c, limit=30.0):
    """A consistent view of the server: lists read twice until nothing changed between
    (timers - offer expiry, closeAt, decline retries - may fire meanwhile; with the clients
    stopped they die down within seconds)."""
    def lists():
        out = {}
        for name, collection in (("policies", "distributionPolicies"), ("queues", "queues"),
                                 ("workers", "workers"), ("jobs", "jobs")):
            items, _ = c.list_all(collection, page_size=1000)
            out[name] = {item["id"]: item for item in items}
        return out
    previous = None
    deadline = time.monotonic() + limit
    reads = 0
    while time.monotonic() < deadline:
        reads += 1
        started = time.time()
        current = lists()
        ended = time.time()
        if previous is not None and strip_volatile(current) == strip_volatile(previous[0]):
            return previous[0], previous[1], ended
        previous = (current, started)
        time.sleep(0.05)
    raise CheckFailed("snapshot", f"the server's state kept changing for {limit}s ({reads} "
                      f"reads) with no client running")


def strip_volatile(view):
    return json.dumps(view, sort_keys=True)


# --- checks ---------------------------------------------------------------------------------

def closing_state(close_at, t_start, t_end):
    if t_end < close_at:
        return "completed"
    if t_start > close_at + CLOSE_SLACK:
        return "closed"
    return None  # either


def diff_world(world, model, obs, t_start, t_end):
    """Problems with `obs` (the server's entities of this world) against `model`."""
    p = []

    def absent_or_present(kind, label, id_, e, o):
        if not e["present"]:
            if o is not None:
                p.append(f"{label} {id_}: deleted (acknowledged), but present: {json.dumps(o)}")
            return False
        if o is None:
            p.append(f"{label} {id_}: acknowledged, but missing")
            return False
        return True

    for kind, label in (("policies", "distribution policy"), ("queues", "queue"),
                        ("workers", "worker"), ("jobs", "job")):
        for id_ in obs[kind]:
            if id_ not in model[kind]:
                p.append(f"{label} {id_}: present, but never created: {json.dumps(obs[kind][id_])}")

    for id_, e in model["policies"].items():
        o = obs["policies"].get(id_)
        if not absent_or_present("policies", "distribution policy", id_, e, o):
            continue
        got = (o.get("name"), o.get("offerExpiresAfterSeconds"), o["mode"]["kind"],
               o["mode"].get("maxConcurrentOffers"))
        want = (e["name"], e["expiry"], e["kind"], e["max"])
        if got != want:
            p.append(f"distribution policy {id_}: stored (name, expiry, kind, maxConcurrentOffers) "
                     f"{got}, acknowledged {want}")

    for id_, e in model["queues"].items():
        o = obs["queues"].get(id_)
        if not absent_or_present("queues", "queue", id_, e, o):
            continue
        got = (o["labels"].get("seq"), o.get("distributionPolicyId"))
        if got != (e["seq"], e["dp"]):
            p.append(f"queue {id_}: stored (seq, policy) {got}, acknowledged {(e['seq'], e['dp'])}")

    # Jobs; and, from them, what each worker must hold.
    holds = collections.defaultdict(dict)     # worker -> job -> assignment id
    for id_, e in model["jobs"].items():
        o = obs["jobs"].get(id_)
        if not absent_or_present("jobs", "job", id_, e, o):
            continue
        status = e["status"]
        closed_flag = None
        if status == "closing":
            status = closing_state(e["close_at"], t_start, t_end)
            if status is None:  # either: the worker must agree with what the job shows
                status = o["status"] if o["status"] in ("completed", "closed") else "completed|closed"
            closed_flag = status == "closed"
        if o["status"] != status:
            extra = f" (closeAt {iso(e['close_at'])}, read {iso(t_start)}..{iso(t_end)})" \
                if e["status"] == "closing" else ""
            p.append(f"job {id_}: status {o['status']}, acknowledged {status}{extra}")
        if o["labels"].get("seq") != e["seq"]:
            p.append(f"job {id_}: stored labels.seq {o['labels'].get('seq')}, last acknowledged "
                     f"{e['seq']}")
        got = (o.get("queueId"), o.get("channelId"), o.get("priority"))
        if got != (e["queue"], e["channel"], e["priority"]):
            p.append(f"job {id_}: stored (queue, channel, priority) {got}, acknowledged "
                     f"{(e['queue'], e['channel'], e['priority'])}")
        notes = [n["message"] for n in o["notes"]]
        if notes != e["notes"][-100:]:
            p.append(f"job {id_}: stored notes {notes}, acknowledged {e['notes'][-100:]}")
        stored = [[a["assignmentId"], a["workerId"], "completedAt" in a, "closedAt" in a]
                  for a in o["assignments"].values()]
        want = [list(a) for a in e["assignments"]]
        if want and closed_flag is not None:
            want[-1][3] = closed_flag
        ok = len(stored) == len(want) and all(
            (w[0] == ANY or w[0] == s[0]) and w[1:] == s[1:] for s, w in zip(stored, want))
        if not ok:
            p.append(f"job {id_}: stored assignments [id, worker, completed, closed] {stored}, "
                     f"acknowledged {want}")
        if status in ("assigned", "completed") and want:
            holds[want[-1][1]][id_] = stored[-1][0] if ok else want[-1][0]

    for id_, e in model["workers"].items():
        o = obs["workers"].get(id_)
        if not absent_or_present("workers", "worker", id_, e, o):
            continue
        got = {"seq": o["labels"].get("seq"), "skill": o["labels"].get("skill"),
               "capacity": o["capacity"], "queues": o["queues"],
               "channels": norm_channels(o["channels"])}
        want = {k: e[k] for k in got}
        if got != want:
            p.append(f"worker {id_}: stored {got}, acknowledged {want}")
        if o["availableForOffers"] != e["available"] and not (world.short_expiry and e["available"]):
            p.append(f"worker {id_}: availableForOffers {o['availableForOffers']}, acknowledged "
                     f"{e['available']}")
        stored = {a["jobId"]: a["assignmentId"] for a in o["assignedJobs"]}
        want = holds.get(id_, {})
        if set(stored) != set(want) or any(want[j] not in (ANY, stored[j]) for j in want):
            p.append(f"worker {id_}: assignedJobs {stored}, acknowledged {want}")

    for jid in world.deleted_jobs:
        if jid in obs["jobs"]:
            p.append(f"job {jid}: deleted (acknowledged), but present again")

    for key, (since, until) in model["declines"].items():
        jid, wid = key.split("|")
        for offer in (obs["workers"].get(wid) or {}).get("offers", []):
            if offer["jobId"] != jid:
                continue
            at = parse_ts(offer["offeredAt"])
            if at > since and (until is None or at < until - 0.05):
                p.append(f"job {jid}: offered to {wid} at {offer['offeredAt']} although that worker "
                         f"declined it at {iso(since)} (retryOfferAt {until and iso(until)})")
    return p


def check_invariants(view):
    """Checks 2 and 3 over every entity the server holds."""
    p = []
    jobs, workers = view["jobs"], view["workers"]
    holders = collections.defaultdict(list)
    offered = collections.defaultdict(list)
    for w in workers.values():
        used, per_channel, offered_channels = 0, collections.Counter(), set()
        for o in w["offers"]:
            j = jobs.get(o["jobId"])
            if j is None:
                p.append(f"worker {w['id']}: offer {o['offerId']} for job {o['jobId']}, which does "
                         f"not exist")
                continue
            if j["status"] != "queued":
                p.append(f"worker {w['id']}: offer {o['offerId']} for job {j['id']}, which is "
                         f"{j['status']}")
            if j.get("queueId") not in w["queues"]:
                p.append(f"worker {w['id']}: offer for job {j['id']} of queue {j.get('queueId')}, "
                         f"a queue it does not serve ({w['queues']})")
            used += o["capacityCost"]
            per_channel[j.get("channelId")] += 1
            offered_channels.add(j.get("channelId"))
            offered[j["id"]].append(w["id"])
        for a in w["assignedJobs"]:
            holders[a["jobId"]].append((w["id"], a["assignmentId"]))
            j = jobs.get(a["jobId"])
            used += a["capacityCost"]
            per_channel[j.get("channelId") if j else None] += 1
        if w["offers"]:
            if not w["availableForOffers"]:
                p.append(f"worker {w['id']}: holds offers while not available for offers")
            if used > w["capacity"]:
                p.append(f"worker {w['id']}: over capacity while holding offers: offers and "
                         f"assignments cost {used}, capacity {w['capacity']}: {json.dumps(w)}")
            for ch in w["channels"]:
                limit = ch.get("maxNumberOfJobs")
                if limit is not None and ch["channelId"] in offered_channels and \
                        per_channel[ch["channelId"]] > limit:
                    p.append(f"worker {w['id']}: {per_channel[ch['channelId']]} offers and jobs on "
                             f"channel {ch['channelId']}, maxNumberOfJobs {limit}: {json.dumps(w)}")
        state = "active" if w["availableForOffers"] else \
            ("draining" if w["assignedJobs"] else "inactive")
        if w["state"] != state:
            p.append(f"worker {w['id']}: state {w['state']}, expected {state}")
        cap = w["capacity"]
        ratio = min(1.0, used / cap) if cap > 0 else (1.0 if used else 0.0)
        if abs(w["loadRatio"] - ratio) > 1e-9:
            p.append(f"worker {w['id']}: loadRatio {w['loadRatio']}, offers and assignments give "
                     f"{ratio}")
    for jid, hs in holders.items():
        if len(hs) > 1:
            p.append(f"job {jid}: assigned twice: held by {hs}")
        if jid not in jobs:
            p.append(f"job {jid}: held by {hs}, but does not exist")
    for jid, ws in offered.items():
        if len(ws) != len(set(ws)):
            p.append(f"job {jid}: offered twice to one worker: {ws}")
    for j in jobs.values():
        last = list(j["assignments"].values())[-1] if j["assignments"] else None
        if j["status"] in ("assigned", "completed"):
            if last is None or "closedAt" in last:
                p.append(f"job {j['id']}: {j['status']} without an open assignment")
            elif holders.get(j["id"]) != [(last["workerId"], last["assignmentId"])]:
                p.append(f"job {j['id']}: active assignment {last['assignmentId']} on "
                         f"{last['workerId']}, but workers hold {holders.get(j['id'], [])}")
            if j["status"] == "completed" and last and "completedAt" not in last:
                p.append(f"job {j['id']}: completed without completedAt")
        elif j["id"] in holders:
            p.append(f"job {j['id']}: {j['status']}, but held by {holders[j['id']]}")
        if j["status"] == "closed" and (last is None or "closedAt" not in last):
            p.append(f"job {j['id']}: closed without closedAt on its last assignment")
    return p


def world_view(view, world):
    return {kind: {k: v for k, v in view[kind].items() if k.startswith(world.p)}
            for kind in ("policies", "queues", "workers", "jobs")}


def settle(world, model, obs):
    """After a passing check: the model takes what the server resolved (assignment ids of
    unanswered accepts, closeAt that fired, offers that expired)."""
    for id_, e in model["jobs"].items():
        o = obs["jobs"].get(id_)
        if not e["present"] or o is None:
            continue
        stored = list(o["assignments"].values())
        for a, s in zip(e["assignments"], stored):
            if a[0] == ANY:
                a[0] = s["assignmentId"]
        if e["status"] == "closing" and o["status"] == "closed":
            e["status"], e["close_at"] = "closed", None
            e["assignments"][-1][3] = True
            world.end_declines(model, id_)
    for id_, e in model["workers"].items():
        o = obs["workers"].get(id_)
        if e["present"] and o is not None:
            e["available"] = o["availableForOffers"]
    now = time.time()
    for key in [k for k, (_, until) in model["declines"].items() if until and until < now]:
        del model["declines"][key]
    # Deleted jobs are remembered in world.deleted_jobs; drop them from the model.
    for id_ in [k for k, e in model["jobs"].items() if not e["present"]]:
        del model["jobs"][id_]


# --- the run --------------------------------------------------------------------------------

class Run:
    def __init__(self, args):
        self.args = args
        self.seed = args.seed
        self.rng = random.Random(self.seed)
        self.key = sbclient.new_access_key()
        self.data = tempfile.mkdtemp(prefix="switchboard-crash-data-")
        self.image = tempfile.mkdtemp(prefix="switchboard-crash-image-")
        self.server = None
        self.previous_log = ""
        self.worlds = [World(i, random.Random(self.rng.getrandbits(64)))
                       for i in range(args.threads)]
        self.restart_times = []
        self.verify_times = []
        self.load_times = []
        self.round = 0
        self.in_flight = collections.Counter()
        self.entities_checked = 0
        self.checked = collections.Counter()   # model facts checked after restarts

    def log(self, message):
        print(message, flush=True)

    def start_server(self):
        """Starts the server on the data directory; returns seconds until it answered
        /healthz and a signed GET."""
        started = time.monotonic()
        try:
            self.server = sbclient.Server(self.args.switchboard, store="sqlite",
                                          access_key=self.key,
                                          extra_args=["--data", self.data])
        except RuntimeError as e:
            raise CheckFailed("restart", f"the server did not start on the killed data: {e}")
        except OSError as e:  # e.g. the binary is being relinked by a concurrent build
            raise CheckFailed("restart", f"cannot run {self.args.switchboard}: {e}")
        c = self.server.client()
        deadline = started + self.args.ready_timeout
        healthy = signed = False
        last = None
        while time.monotonic() < deadline:
            try:
                if not healthy:
                    last = c.send("GET", "/healthz", sign_with=None)
                    healthy = last.status == 200
                if healthy:
                    last = c.get("/routing/queues", query={"maxpagesize": 1})
                    if last.status == 200:
                        signed = True
                        break
            except (OSError, http.client.HTTPException) as e:
                last = e
            if self.server.proc.poll() is not None:
                break
            time.sleep(0.01)
        elapsed = time.monotonic() - started
        if not signed:
            raise CheckFailed("ready", f"the server did not answer /healthz and a signed GET "
                              f"within {self.args.ready_timeout}s of its start (last: {last!r})"
                              f"\n{self.server.log()}")
        for line in self.server.log().splitlines():
            if "loaded in" in line:
                try:
                    self.load_times.append(int(line.rsplit("loaded in ", 1)[1].split()[0]))
                except (IndexError, ValueError):
                    pass
        return elapsed

    def kill_server(self, graceful=False):
        if self.server.proc.poll() is not None:
            raise CheckFailed("alive", f"the server died on its own under load "
                              f"(exit {self.server.proc.returncode})\n{self.server.log()}")
        if graceful:
            self.server.proc.send_signal(signal.SIGTERM)
        else:
            self.server.proc.send_signal(signal.SIGKILL)
        try:
            code = self.server.proc.wait(30)
        except Exception:
            self.server.proc.kill()
            code = self.server.proc.wait(10)
        self.previous_log = self.server.log()
        if graceful and code != 0:
            raise CheckFailed("shutdown", f"SIGTERM: exit {code}\n{self.previous_log}")

    def load(self, seconds):
        stop = threading.Event()
        client = self.server.client()
        threads = []
        for w in self.worlds:
            w.round, w.pending = self.round, None
            t = threading.Thread(target=self.drive, args=(w, client, stop), daemon=True)
            t.start()
            threads.append(t)
        time.sleep(seconds)
        return stop, threads

    @staticmethod
    def drive(world, client, stop):
        try:
            while not stop.is_set():
                world.step(client)
        except Stop:
            pass
        except CheckFailed as e:
            world.error = e
        except Exception:
            world.error = traceback.format_exc()

    def join(self, stop, threads):
        stop.set()
        for t in threads:
            t.join(60)
            if t.is_alive():
                raise CheckFailed("client", "a client thread did not stop within 60s")
        for w in self.worlds:
            if isinstance(w.error, CheckFailed):
                raise w.error
            if w.error:
                raise CheckFailed("client", f"client thread {w.index} failed:\n{w.error}", w)

    def verify(self):
        c = self.server.client()
        try:
            view, t_start, t_end = snapshot(c)
        except (OSError, http.client.HTTPException) as e:
            raise CheckFailed("alive", f"reading the state after restart failed: {e!r}"
                              f"\n{self.server.log()}")
        problems = check_invariants(view)
        if problems:
            raise CheckFailed("invariants", "\n".join(problems), details={"view": view})
        for w in self.worlds:
            obs = world_view(view, w)
            before = diff_world(w, w.m, obs, t_start, t_end)
            if w.pending is None:
                if before:
                    raise CheckFailed("acknowledged", "\n".join(before), w,
                                      {"observed": obs, "expected": w.m})
                chosen = w.m
            else:
                desc, after_model, _ = w.pending
                after = diff_world(w, after_model, obs, t_start, t_end)
                if before and after:
                    raise CheckFailed(
                        "acknowledged",
                        f"the world matches neither the state before nor after the request in "
                        f"flight at the kill ({desc}).\nAgainst before:\n  " +
                        "\n  ".join(before) + "\nAgainst after:\n  " + "\n  ".join(after), w,
                        {"observed": obs, "expected_before": w.m, "expected_after": after_model})
                if not before and not after:
                    if strip_volatile(w.m) != strip_volatile(after_model):
                        raise CheckFailed(
                            "model", f"the test cannot tell whether the request in flight at the "
                            f"kill ({desc}) happened: the world matches the state before and "
                            f"after it. This is a gap in the test's model, not a server bug.", w,
                            {"observed": obs, "expected_before": w.m,
                             "expected_after": after_model})
                    self.in_flight["no visible effect"] += 1   # declines
                    chosen = w.m
                elif not after:
                    self.in_flight["applied"] += 1
                    chosen = after_model
                else:
                    self.in_flight["not applied"] += 1
                    chosen = w.m
            self.checked["declines"] += len(chosen["declines"])
            self.checked["pending closeAt"] += sum(
                1 for j in chosen["jobs"].values() if j["present"] and j["status"] == "closing")
            self.checked["assignments"] += sum(
                1 for j in chosen["jobs"].values() if j["present"] and
                j["status"] in ("assigned", "completed", "closing"))
            settle(w, chosen, obs)
            w.m, w.pending = chosen, None
            self.entities_checked += sum(len(obs[k]) for k in obs)
        # Ids no world made: none are expected.
        known = tuple(w.p for w in self.worlds)
        for kind in ("policies", "queues", "workers", "jobs"):
            for id_ in view[kind]:
                if not id_.startswith(known):
                    raise CheckFailed("acknowledged", f"{kind} {id_}: present, never created")

    def save_evidence(self, failure):
        where = f"/tmp/switchboard-crash-{self.seed}-round{self.round}"
        shutil.rmtree(where, ignore_errors=True)
        os.makedirs(where)
        # The data directory as the last kill left it (what the last restart read), and as it
        # is now (after that restart, or after the server died on its own).
        shutil.copytree(self.image, os.path.join(where, "data-before-restart"))
        if self.server and self.server.proc.poll() is None:
            self.server.proc.send_signal(signal.SIGKILL)
            self.server.proc.wait(10)
        if os.path.isdir(self.data):
            shutil.copytree(self.data, os.path.join(where, "data-at-failure"))
        with open(os.path.join(where, "server-before-restart.log"), "w") as f:
            f.write(self.previous_log)
        if self.server:
            with open(os.path.join(where, "server-at-failure.log"), "w") as f:
                f.write(self.server.log())
        with open(os.path.join(where, "failure.txt"), "w") as f:
            f.write(f"seed={self.seed} round={self.round} check={failure.check}\n"
                    f"{failure.message}\n")
        if failure.details:
            with open(os.path.join(where, "details.json"), "w") as f:
                json.dump(failure.details, f, indent=1, sort_keys=True, default=str)
        for w in self.worlds:
            with open(os.path.join(where, f"journal-c{w.index}.txt"), "w") as f:
                for rnd, t, desc, status in w.journal:
                    f.write(f"round {rnd} {iso(t)} {status} {desc}\n")
        return where

    def run(self):
        a = self.args
        self.log(f"crash test: seed={self.seed} rounds={a.rounds} threads={a.threads} "
                 f"load={a.load_min}-{a.load_max}s data={self.data}")
        started = time.monotonic()
        self.start_server()
        for self.round in range(1, a.rounds + 2):
            graceful = self.round == a.rounds + 1   # a last round stops with SIGTERM
            seconds = self.rng.uniform(a.load_min, a.load_max)
            stop, threads = self.load(seconds)
            self.kill_server(graceful=graceful)
            self.join(stop, threads)
            shutil.rmtree(self.image)
            shutil.copytree(self.data, self.image)
            ready = self.start_server()
            self.restart_times.append(ready)
            checking = time.monotonic()
            self.verify()
            self.verify_times.append(time.monotonic() - checking)
            acked = sum(sum(w.acked.values()) for w in self.worlds)
            if a.verbose or self.round % 10 == 0 or graceful:
                self.log(f"round {self.round}{' (SIGTERM)' if graceful else ''}: load {seconds:.2f}s, "
                         f"ready in {ready * 1000:.0f} ms, {acked} acknowledged so far, ok")
        self.server.stop()
        total = time.monotonic() - started
        acked = collections.Counter()
        for w in self.worlds:
            acked.update(w.acked)
        unexpected = [u for w in self.worlds for u in w.unexpected]
        times = sorted(self.restart_times)
        self.log(f"crash test passed: seed={self.seed}")
        self.log(f"  rounds: {a.rounds} SIGKILL + 1 SIGTERM; restarts: {len(times)}; "
                 f"{total:.1f}s in all")
        self.log(f"  acknowledged mutations checked: {sum(acked.values())} "
                 f"({', '.join(f'{k} {v}' for k, v in sorted(acked.items()))})")
        self.log(f"  requests in flight at a kill: {sum(self.in_flight.values())} "
                 f"({', '.join(f'{k} {v}' for k, v in sorted(self.in_flight.items()))})")
        self.log(f"  entities checked after restarts: {self.entities_checked} (of which active "
                 f"assignments {self.checked['assignments']}, deferred closes (closeAt) "
                 f"{self.checked['pending closeAt']}, declines in force "
                 f"{self.checked['declines']})")
        self.log(f"  restart to ready (healthz + signed GET): median "
                 f"{statistics.median(times) * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms; "
                 f"store load (server log): max {max(self.load_times, default=0)} ms; "
                 f"checks after a restart: max {max(self.verify_times) * 1000:.0f} ms")
        self.log(f"  answers the model did not foresee (short-expiry worlds excepted): "
                 f"{len(unexpected)}")
        for u in unexpected[:20]:
            self.log(f"    round {u[0]}: {u[1]} -> {u[2]} {u[3]!r}")
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    repo = os.path.abspath(os.path.join(HERE, "..", ".."))
    parser.add_argument("--switchboard", default=os.environ.get("SWITCHBOARD_BIN") or
                        os.path.join(repo, "build", "switchboard"))
    parser.add_argument("--rounds", type=int,
                        default=int(os.environ.get("SWITCHBOARD_CRASH_ROUNDS") or 20))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SWITCHBOARD_CRASH_SEED") or
                                                        random.SystemRandom().getrandbits(32)))
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--load-min", type=float, default=0.1,
                        help="shortest load before a kill, seconds")
    parser.add_argument("--load-max", type=float, default=2.0,
                        help="longest load before a kill, seconds")
    parser.add_argument("--ready-timeout", type=float, default=15.0)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--verbose", action="store_true", help="a line per round")
    args = parser.parse_args()
    run = Run(args)
    code = 1
    try:
        try:
            code = run.run()
        except (CheckFailed, KeyboardInterrupt):
            raise
        except Exception:
            raise CheckFailed("test", "the crash test itself failed (a bug in the test, or an "
                              "answer of a shape it does not expect):\n" + traceback.format_exc())
    except CheckFailed as failure:
        where = run.save_evidence(failure)
        print(f"\nCRASH TEST FAILED: seed={run.seed} round={run.round} check={failure.check}",
              flush=True)
        lines = failure.message.splitlines()
        print("\n".join(lines[:60]))
        if len(lines) > 60:
            print(f"... {len(lines) - 60} more lines in failure.txt")
        if failure.world is not None:
            print(f"(world c{failure.world.index}; its journal is in {where})")
        print(f"evidence (data directory before the last restart and at the failure, server "
              f"logs, expected and observed entities, request journals): {where}")
        print(f"rerun: {sys.executable} {os.path.abspath(__file__)} --seed {run.seed} "
              f"--rounds {args.rounds}")
    finally:
        if run.server and run.server.proc.poll() is None:
            run.server.proc.kill()
            run.server.proc.wait(10)
        if not args.keep:
            shutil.rmtree(run.data, ignore_errors=True)
        shutil.rmtree(run.image, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
