#!/usr/bin/env bash
# The one test command (README "Test it"; CI runs exactly this, `.ci/run`).
#
# On a machine with only Rust (Debian or Ubuntu, as root or with sudo), it
# installs what the suite needs (Debian packages, cargo-nextest, the s3s-fs
# S3 server), then checks formatting, lints and the feature
# unification, runs every test on SQLite and PostgreSQL with the browser
# tests, and fuzzes the API. A missing tool or server is installed or fails the
# run; nothing is skipped.
#
#   ./test.sh                 everything
#   ./test.sh -E 'test(foo)'  the same, with extra arguments for nextest
#
# PostgreSQL: the server in MOTCUA_TEST_DATABASE_URL when it is set, else the
# test kit starts a throwaway cluster for the run from the installed server
# binaries (crates/testkit/src/cluster.rs) and removes it afterwards.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'test.sh: %s\n' "$*" >&2; exit 1; }

if [ -n "${MOTCUA_SKIP_BROWSER:-}" ]; then
  die "MOTCUA_SKIP_BROWSER is set: the test command runs everything; unset it (it is for running single tests by hand)"
fi

# Debian packages, installed only when missing.
apt_updated=
apt_install() {
  local sudo=
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "need root or sudo to install: $*"
    sudo=sudo
  fi
  if [ -z "$apt_updated" ]; then
    $sudo apt-get update -qq
    apt_updated=1
  fi
  log "installing $* from Debian's packages"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The PDF tests read forms back with poppler's pdftotext and pdfinfo.
command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null || apt_install poppler-utils
# The browser tests (crates/app/tests/it/browser.rs) drive Debian's chromium
# with playwright-core from tests/e2e/package-lock.json; no browser download.
[ -x "${MOTCUA_E2E_CHROMIUM:-/usr/bin/chromium}" ] || apt_install chromium
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
# The API fuzzer (tests/fuzz) runs in a virtual environment.
python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3 python3-venv
# A PostgreSQL server's binaries for the test kit's throwaway cluster.
if [ -z "${MOTCUA_TEST_DATABASE_URL:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt_install postgresql
fi
command -v cargo-nextest >/dev/null || {
  log "installing cargo-nextest"
  cargo install cargo-nextest --locked
}
# The S3 file store's tests run against s3s-fs, an S3-compatible server over a
# folder (crates/testkit/src/s3.rs finds it in MOTCUA_TEST_S3_BIN, PATH or
# cargo's bin). 0.14.1 is its newest release for the workspace's Rust 1.95.
if [ -z "${MOTCUA_TEST_S3_BIN:-}" ] && ! command -v s3s-fs >/dev/null \
  && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/s3s-fs" ]; then
  log "installing s3s-fs"
  cargo install s3s-fs --version 0.14.1 --features binary --locked
fi

log "installing the browser tests' packages"
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)

log "formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
log "one feature set for the binary, the bench and the tests"
scripts/check-features

if [ -n "${MOTCUA_TEST_DATABASE_URL:-}" ]; then
  log "tests; PostgreSQL on the server in MOTCUA_TEST_DATABASE_URL"
else
  log "tests; PostgreSQL on a throwaway cluster the test kit starts"
fi
status=0
cargo nextest run --workspace --locked --no-fail-fast "$@" || status=$?

log "API fuzzing (schemathesis against motcua demo)"
tests/fuzz/run.sh || status=$?

exit "$status"
