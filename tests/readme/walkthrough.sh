#!/usr/bin/env bash
# Runs the README's curl walk-through, verbatim but for the endpoint, against a fresh server on
# an ephemeral port, and checks that it ends with the job closed. Usage: walkthrough.sh BINARY README
#
# As after `make run`: the server keeps its generated access keys in its data directory, and the
# walk-through runs from the repository's root, where scripts/signed-curl finds the key in
# $SWITCHBOARD_DATA/access-keys (make run: ./data/access-keys).
set -euo pipefail
binary=$1
readme=$2
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

"$binary" serve --listen 127.0.0.1:0 --data "$work/data" >"$work/out" 2>"$work/err" &
server=$!
for _ in $(seq 100); do
  grep -q '^listening on ' "$work/out" 2>/dev/null && break
  sleep 0.05
done
endpoint=$(sed -n 's/^listening on //p' "$work/out")
[ -n "$endpoint" ] || { echo "server did not start"; cat "$work/err"; exit 1; }

# The second ```sh block of the README is the walk-through.
awk '/^```sh$/ { n++; if (n == 2) { inside = 1; next } } /^```$/ { inside = 0 } inside' "$readme" \
  | sed "s|^EP=.*|EP=$endpoint|" >"$work/walkthrough.sh"
grep -q 'routing/jobs/job-1' "$work/walkthrough.sh" || { echo "walk-through not found in README"; exit 1; }

(cd "$(dirname "$readme")" && SWITCHBOARD_DATA="$work/data" bash -euo pipefail "$work/walkthrough.sh") \
  >"$work/result"
cat "$work/result"
tail -n 1 "$work/result" | grep -q '"id":"job-1","status":"closed"' || { echo "job-1 did not end closed"; exit 1; }
grep -q '^assignment [0-9a-f-]\{36\}$' "$work/result" || { echo "no assignment id"; exit 1; }
echo "README walk-through OK"
