-- Shared by the wrk scripts here: done() prints one line, "SB_WRK key=value ...", that
-- scripts/bench.sh turns into its summary table. Latencies are in microseconds; non2xx counts
-- responses outside 2xx/3xx (wrk's "status" errors), socket_errors the connect, read, write
-- and timeout errors.
local report = {}

function report.done(summary, latency, requests)
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "SB_WRK requests=%d seconds=%.3f rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "non2xx=%d socket_errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end

return report
