#!/usr/bin/env bash
# Time to verdict against moto (docs/benchmarks.md, "Time to verdict"): how long the
# whole suite takes against moto 5.2.5, two ways, each against a fresh moto server:
#   1. with its target file, as .ci/run runs it (`run --target moto`): must be AS
#      EXPECTED (exit 0);
#   2. with pure defaults, as for an emulator the suite knows nothing about: only
#      `--endpoint` and the two network variables, no target file (its verdict is
#      whatever moto earns without one: failures, and target errors where moto breaks
#      under concurrent calls).
# It measures and asserts nothing but the exit code of the first run.
#
# Usage: docs/time-to-verdict.sh [ROUNDS]          (default 1 round of both runs)
# Settings (environment):
#   MOTO_VENV       a venv with moto[server]==5.2.5 and boto3 (default .ci/.venv-moto,
#                   which .ci/run creates)
#   ECS_CONFORM_BIN the binary to time (default: `cargo build --release`, then
#                   $CARGO_TARGET_DIR/release/ecs-conform)
#   EXTRA_ARGS      more arguments for both runs (e.g. `--jobs 4`)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-1}
venv=${MOTO_VENV:-.ci/.venv-moto}
if [ ! -x "$venv/bin/moto_server" ]; then
  echo "no moto_server in $venv: run .ci/run once, or set MOTO_VENV" >&2
  exit 2
fi
bin=${ECS_CONFORM_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet -p ecs-conform-cli
  bin="${CARGO_TARGET_DIR:-target}/release/ecs-conform"
fi
logs=$(mktemp -d)
moto_pid=
stop_moto() {
  if [ -n "$moto_pid" ]; then
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
    moto_pid=
  fi
}
trap stop_moto EXIT

# Starts a fresh moto server on a free loopback port; sets port, subnet_var, group_var.
start_moto() {
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  "$venv/bin/moto_server" -H 127.0.0.1 -p "$port" > "$logs/moto-$port.log" 2>&1 &
  moto_pid=$!
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:${port}/"; then break; fi
    sleep 0.2
  done
  read -r subnet_var group_var <<< "$("$venv/bin/python" .ci/moto-network.py "http://127.0.0.1:${port}" us-east-1)"
}

# time_run NAME ARGS…: one run against a fresh moto; prints the wall time, the exit
# code and the verdict line.
time_run() {
  local name=$1
  shift
  start_moto
  local out="$logs/$name.txt" start end code=0
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$bin" run --endpoint "http://127.0.0.1:${port}" --var "$subnet_var" --var "$group_var" \
    "$@" ${EXTRA_ARGS:-} > "$out" 2>&1 || code=$?
  end=$(date +%s.%N)
  stop_moto
  printf '%-28s %7.1f s  exit %s  %s\n' "$name" "$(awk "BEGIN { print $end - $start }")" "$code" \
    "$(grep -m1 '^ecs-conform:' "$out" || tail -n1 "$out")"
  last_code=$code
}

echo "binary: $bin; moto: $("$venv/bin/python" -c 'import moto; print(moto.__version__)'); logs: $logs"
status=0
for round in $(seq 1 "$rounds"); do
  echo "== round $round"
  time_run "moto, target file" --target moto
  if [ "$last_code" != 0 ]; then
    echo "the run with the target file is not AS EXPECTED (exit $last_code): see $logs" >&2
    status=1
  fi
  time_run "moto, pure defaults"
done
exit $status
