#!/usr/bin/env bash
# API fuzzing, run by ./test.sh: schemathesis (pinned in requirements.txt)
# generates requests from /api/openapi.json against a `motcua demo` on a free
# loopback port with a data directory of its own, signed in as the demo's
# system administrator with an API token. It fails on any 5xx answer and on
# any answer that breaks the schema the document declares; the run is bounded
# in time (MOTCUA_FUZZ_SECONDS, default 180).
#
#   tests/fuzz/run.sh                    the binary cargo builds (debug)
#   MOTCUA_FUZZ_BIN=target/release/motcua tests/fuzz/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
seconds=${MOTCUA_FUZZ_SECONDS:-180}

log() { printf '== fuzz: %s\n' "$*" >&2; }

# The fuzzer in a virtual environment under the target directory, rebuilt
# when requirements.txt changes.
venv=$target/fuzz-venv
if ! cmp -s "$here/requirements.txt" "$venv/requirements.txt" 2>/dev/null; then
  log "installing schemathesis"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$venv/requirements.txt"
fi

bin=${MOTCUA_FUZZ_BIN:-}
if [ -z "$bin" ]; then
  (cd "$root" && cargo build --locked -q -p motcua)
  bin=$target/debug/motcua
fi

work=$(mktemp -d -t motcua-fuzz-XXXXXX)
server=
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The demo on a port the system picks; its first line names the address.
MOTCUA_LOG=warn "$bin" demo --bind 127.0.0.1 --port 0 --data-dir "$work/data" \
  >"$work/server.out" 2>"$work/server.err" &
server=$!
base=
for _ in $(seq 1 600); do
  base=$(sed -n 's/^motcua listening on \(http:[^ ]*\).*/\1/p' "$work/server.out" | head -n 1)
  [ -n "$base" ] && curl -sf "$base/readyz" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.err" >&2; log "the demo did not start"; exit 1; }
  base=
  sleep 0.5
done
[ -n "$base" ] || { cat "$work/server.err" >&2; log "the demo was not ready in 5 minutes"; exit 1; }
log "demo at $base"

# An API token of the system administrator.
json() { python3 -c "import json, sys; print(json.load(sys.stdin)[\"$1\"])"; }
csrf=$(curl -sf -c "$work/jar" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"motcua-demo"}' "$base/api/auth/login" | json csrf_token)
token=$(curl -sf -b "$work/jar" -H 'content-type: application/json' -H "x-csrf-token: $csrf" \
  -d '{"name":"fuzz"}' "$base/api/auth/tokens" | json secret)

# Calls that would end the fuzzer's own access are left out (signing out,
# changing or resetting a password, which revokes the person's tokens,
# revoking tokens or grants), and the upload, whose PDF body schemathesis
# cannot generate.
# Whether a run's output shows only a fault of the fuzzer itself, with
# every generated case passed and no check failed: Hypothesis calling its
# own test case flaky, or a runtime error raised inside Hypothesis's lambda
# source cache (both seen while schemathesis built coverage cases, both a
# KeyError in that cache; the second names no request at all). Such a run
# is made once more; a failed check, a 5xx or any other error always fails.
fuzzer_fault_only() {
  ! grep -q '^Failures:' "$1" &&
    grep -Eq '^ *([0-9]+) generated, \1 passed$' "$1" &&
    { grep -q 'hypothesis.errors.FlakyFailure' "$1" || only_source_cache_errors "$1"; }
}

# Whether the summary's errors are runtime errors alone and each traceback
# goes through Hypothesis's lambda source cache.
only_source_cache_errors() {
  local errors kinds
  errors=$(sed -n '/^Errors:$/,/^$/p' "$1" | grep -c '🚫' || true)
  kinds=$(sed -n '/^Errors:$/,/^$/p' "$1" | grep -c '🚫 Runtime Error:' || true)
  [ "$errors" -ge 1 ] && [ "$errors" = "$kinds" ] &&
    [ "$(grep -c '^Runtime Error$' "$1")" -le "$(grep -c 'hypothesis/internal/lambda_sources.py", line 353' "$1")" ]
}

# sitecustomize.py here makes Hypothesis's parses of lambda sources take turns
# between the two workers (a CPython 3.11 fault otherwise, see the file).
fuzz() {
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" "$venv/bin/schemathesis" run "$base/api/openapi.json" \
  --url "$base" \
  -H "Authorization: Bearer $token" \
  --checks not_a_server_error,response_schema_conformance \
  --max-time "$seconds" \
  --workers 2 \
  --seed "${MOTCUA_FUZZ_SEED:-1}" \
  --exclude-path /api/auth/logout \
  --exclude-path /api/auth/password \
  --exclude-path-regex '^/api/auth/tokens/|^/api/dossiers/[^/]+/files$|^/api/users/[^/]+/(password|grants/)' \
  --report junit --report-dir "$target/fuzz-report" \
  --request-timeout 30
}

log "fuzzing for ${seconds}s"
status=0
cd "$work" # its state folder (.schemathesis) goes with the rest
fuzz 2>&1 | tee "$work/fuzz.out" || status=$?
if [ "$status" != 0 ] && fuzzer_fault_only "$work/fuzz.out"; then
  log "the fuzzer faulted on its own (in Hypothesis, no failed check): once more"
  status=0
  fuzz || status=$?
fi
if [ "$status" != 0 ]; then
  log "failed; the server's log:"
  tail -n 50 "$work/server.err" >&2
fi
exit "$status"
