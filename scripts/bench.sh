#!/usr/bin/env bash
# Runs Switchboard's benchmarks and prints their figures; it judges none of them.
#   1. the engine (BUILD_DIR/bench/engine_bench, Google Benchmark);
#   2. the HTTP API under wrk on loopback with keep-alive connections: a fresh server on port 0,
#      a distribution policy, a queue, a job and 100 workers, then GET a job and PATCH-create
#      jobs (bench/wrk/*.lua), ending with a table: benchmark, requests/s, p50, p99;
#   3. events delivered per second from the outbox to a local webhook (bench/events_bench).
# Builds nothing (`make bench` builds first). The server is stopped on exit, whatever happens.
#
# Usage: scripts/bench.sh BUILD_DIR
# Environment (all optional):
#   SB_BENCH_MIN_TIME    engine: minimum timed seconds per run of a benchmark (default 0.2)
#   SB_BENCH_REPETITIONS engine: runs per benchmark; the median is shown (default 3). With the
#                        defaults the engine half takes about 1.5 minutes on 2 idle cores
#   SB_BENCH_FILTER      engine: --benchmark_filter regex (default: all)
#   SB_WRK_DURATION      wrk: seconds per run with 32 connections (default 10)
#   SB_WRK_CONNECTIONS   wrk: connections of the main runs (default 32)
#   SB_BENCH_SKIP        "engine" or "http" to skip that half
#   SB_RESTORE_JOBS      jobs stored for the restart benchmark (default 1,000,000)
#   SB_BENCH_NO_RESTORE  set to skip the restart benchmark
#   SB_EVENTS_BENCH_EVENTS events per run of the events delivery benchmark (default 20,000)
set -euo pipefail

die() {
  echo "bench.sh: $*" >&2
  exit 1
}

(($# == 1)) || die "usage: scripts/bench.sh BUILD_DIR"
build_dir=$1
repo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
wrk_dir="$repo_dir/bench/wrk"
engine_bench="$build_dir/bench/engine_bench"
server_bin="$build_dir/switchboard"

min_time=${SB_BENCH_MIN_TIME:-0.2}
repetitions=${SB_BENCH_REPETITIONS:-3}
filter=${SB_BENCH_FILTER:-}
duration=${SB_WRK_DURATION:-10}
connections=${SB_WRK_CONNECTIONS:-32}
skip=${SB_BENCH_SKIP:-}
api_version="2023-11-01"
worker_count=100

workdir=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-bench.XXXXXX")
server_pid=""
child_pid=""
tail_pid=""
base_url=""
http_rows=()

# OUTPUT COMMAND...: runs COMMAND with its output in OUTPUT, streamed to ours as it comes. In the
# background with `wait`, so a signal reaches the traps at once rather than when it ends.
run_child() {
  local output=$1 status=0
  shift
  "$@" >"$output" 2>&1 &
  child_pid=$!
  tail -n +1 -s 0.2 --pid="$child_pid" -f "$output" &
  tail_pid=$!
  wait "$child_pid" || status=$?
  wait "$tail_pid" || true
  child_pid=""
  tail_pid=""
  return "$status"
}

stop_children() {
  local pid
  for pid in "$child_pid" "$tail_pid"; do
    if [[ -n $pid ]]; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
}

# SIGTERM, then SIGKILL if the server has not gone within 5 s.
stop_server() {
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    local _
    for _ in $(seq 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
cleanup() {
  stop_children
  stop_server
  rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Engine ---------------------------------------------------------------------------------

run_engine_bench() {
  [[ -x $engine_bench ]] || die "$engine_bench is missing: build first (make bench does)"
  echo "== Engine: $engine_bench (min time ${min_time}s, median of $repetitions runs)"
  local args=(--benchmark_min_time="$min_time" --benchmark_color=false)
  if ((repetitions > 1)); then
    args+=(--benchmark_repetitions="$repetitions" --benchmark_display_aggregates_only=true)
  fi
  if [[ -n $filter ]]; then args+=(--benchmark_filter="$filter"); fi
  run_child "$workdir/engine.out" "$engine_bench" "${args[@]}" ||
    die "engine_bench failed (status $?)"
  echo
}

# --- HTTP -----------------------------------------------------------------------------------

# Unsigned requests (--insecure-no-auth, loopback only): wrk's Lua cannot sign them, so these
# figures leave out HMAC verification (about two SHA-256 and two HMAC computations a request).
# STORE: memory, or sqlite (durable: WAL, synchronous=FULL, group commit) in a fresh directory.
start_server() {
  local store=$1
  rm -rf "$workdir/data"
  "$server_bin" serve --listen 127.0.0.1:0 --log-level warn --insecure-no-auth \
    --store "$store" --data "$workdir/data" >"$workdir/server.out" 2>"$workdir/server.err" &
  server_pid=$!
  local _
  for _ in $(seq 200); do
    base_url=$(sed -n 's/^listening on //p' "$workdir/server.out" | head -n 1)
    [[ -n $base_url ]] && break
    kill -0 "$server_pid" 2>/dev/null || die "the server exited: $(cat "$workdir/server.err")"
    sleep 0.05
  done
  [[ -n $base_url ]] || die "the server did not say where it listens within 10 s"
  echo "server: $base_url (pid $server_pid)"
}

# PATCH PATH BODY: an upsert that must succeed.
upsert() {
  curl --silent --show-error --fail --max-time 10 -o /dev/null -X PATCH \
    -H 'Content-Type: application/merge-patch+json' --data "$2" \
    "$base_url$1?api-version=$api_version" || die "setup request PATCH $1 failed"
}

seed_server() {
  upsert /routing/distributionPolicies/bench-policy \
    '{"name":"bench","offerExpiresAfterSeconds":300,"mode":{"kind":"longestIdle"}}'
  upsert /routing/queues/bench-queue '{"name":"bench","distributionPolicyId":"bench-policy"}'
  upsert /routing/jobs/bench-job \
    '{"channelId":"voice","queueId":"bench-queue","priority":1,"labels":{"product":"broadband"},
      "requestedWorkerSelectors":[{"key":"language","labelOperator":"equal","value":"fr"}]}'
  # Workers for the created jobs: the first ones created get offers, the rest wait in the queue.
  local i
  for i in $(seq -w 1 "$worker_count"); do
    upsert "/routing/workers/bench-worker-$i" \
      '{"queues":["bench-queue"],"capacity":1,"availableForOffers":true,
        "channels":[{"channelId":"voice","capacityCostPerJob":1}],
        "labels":{"language":"en","skill":5}}'
  done
  echo "seeded: policy, queue, job bench-job, $worker_count workers"
}

server_rss_mb() {
  awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$server_pid/status" 2>/dev/null || echo "?"
}

# NAME CONNECTIONS SECONDS SCRIPT PATH [SCRIPT_ARGS...]
run_wrk() {
  local name=$1 conns=$2 seconds=$3 script=$4 path=$5
  shift 5
  echo "== $name: wrk -t1 -c$conns -d${seconds}s --latency $path"
  local args=(-t1 -c"$conns" -d"${seconds}s" --latency -s "$wrk_dir/$script" "$base_url$path")
  if (($# > 0)); then args+=(-- "$@"); fi
  run_child "$workdir/wrk.out" wrk "${args[@]}" || die "wrk failed for $name (status $?)"
  local line
  line=$(grep '^SB_WRK ' "$workdir/wrk.out") || die "wrk printed no summary for $name"
  kill -0 "$server_pid" 2>/dev/null || die "the server died during $name"
  http_rows+=("$name|$line")
  echo
}

# "123" microseconds -> "123 us" / "1.23 ms"
format_us() {
  awk -v us="$1" 'BEGIN { if (us < 1000) printf "%d us", us; else printf "%.2f ms", us / 1000 }'
}

field() {  # KEY LINE
  sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"
}

print_http_table() {
  echo "== HTTP summary (wrk, one thread, loopback, keep-alive; server single-threaded)"
  printf '%-44s %12s %10s %10s %8s\n' benchmark requests/s p50 p99 non-2xx
  local row name line
  for row in "${http_rows[@]}"; do
    name=${row%%|*}
    line=${row#*|}
    printf '%-44s %12.0f %10s %10s %8s\n' "$name" "$(field rps "$line")" \
      "$(format_us "$(field p50_us "$line")")" "$(format_us "$(field p99_us "$line")")" \
      "$(($(field non2xx "$line") + $(field socket_errors "$line")))"
  done
}

# STORE: the figures for one store. Reads on the memory store; writes on both, so the cost of
# durability (an fsync per group of commits) shows.
run_http_store() {
  local store=$1
  start_server "$store"
  seed_server
  local job="/routing/jobs/bench-job?api-version=$api_version"
  local half=$(((duration + 1) / 2))
  if [[ $store == memory ]]; then
    run_wrk "GET /healthz (transport baseline), c$connections" "$connections" "$half" get.lua /healthz
    run_wrk "GET job, c$connections" "$connections" "$duration" get.lua "$job"
    run_wrk "GET job, c1" 1 "$half" get.lua "$job"
  fi
  local rss_before
  rss_before=$(server_rss_mb)
  run_wrk "PATCH create job ($store), c$connections" "$connections" "$duration" create_job.lua / \
    bench-queue many
  run_wrk "PATCH create job ($store), c1" 1 "$half" create_job.lua / bench-queue one
  echo "server RSS ${rss_before} MB before the PATCH runs, $(server_rss_mb) MB after"
  stop_server
  echo
}

run_http_bench() {
  [[ -x $server_bin ]] || die "$server_bin is missing: build first (make bench does)"
  command -v wrk >/dev/null || die "wrk is not installed (make deps installs it)"
  command -v curl >/dev/null || die "curl is not installed (make deps installs it)"
  run_http_store memory
  run_http_store sqlite
  print_http_table
}

# --- Rules engine and restart ---------------------------------------------------------------

run_rules_bench() {
  echo "== Rules engine: $build_dir/bench/rules_bench"
  "$build_dir/bench/rules_bench" --benchmark_min_time="$min_time" --benchmark_color=false |
    grep -E '^(BM_|---|Benchmark)' || die "rules_bench failed"
  echo
}

run_events_bench() {
  echo "== Events delivered to a local webhook: $build_dir/bench/events_bench"
  "$build_dir/bench/events_bench" || die "events_bench failed"
  echo
}

run_restore_bench() {
  echo "== Restart with ${SB_RESTORE_JOBS:-1000000} stored jobs: $build_dir/bench/restore_bench"
  "$build_dir/bench/restore_bench" || die "restore_bench failed"
  echo
}

[[ $skip == engine ]] || run_engine_bench
[[ $skip == engine ]] || run_rules_bench
[[ $skip == http ]] || run_http_bench
[[ $skip == http ]] || run_events_bench
[[ $skip == engine || -n ${SB_BENCH_NO_RESTORE:-} ]] || run_restore_bench
if [[ $skip != engine && -s $workdir/engine.out ]]; then
  echo
  echo "== Engine summary"
  grep -E '^(JobCreateToOffer|WorkerAvailableToOffer)' "$workdir/engine.out" || true
  grep '^match cost ratio' "$workdir/engine.out" || true
fi
