#!/usr/bin/env bash
# bench/ab.sh — two hotline binaries, interleaved, on signed voice webhooks.
#
# This VM's run-to-run noise (±15 %) is larger than most single changes, so a
# change is judged in rounds: binary A, then B, ROUNDS times. Each run is a
# fresh server on a fresh database, driven by wrk (one thread, CONNS
# connections, DURATION seconds) with webhook.sh's signed POST /twilio/voice
# bodies, a new call each. One line per run: req/s, p50, p99, the server's
# CPU time per request (from /proc/PID/stat) and its peak RSS. The server's
# environment is yours: HTTP_THREADS=2 bash bench/ab.sh … compares two loops.
#
#   bash bench/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]      # ROUNDS defaults to 3
#   CONNS=64 DURATION=8 bash bench/ab.sh …
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
[ $# -ge 2 ] || { echo "usage: bench/ab.sh OLD_BINARY NEW_BINARY [ROUNDS]" >&2; exit 2; }
binaries=("$1" "$2")
rounds=${3:-3}
conns=${CONNS:-32}
duration=${DURATION:-5}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
for bin in "${binaries[@]}"; do
  [ -x "$bin" ] || { echo "bench: no binary at $bin" >&2; exit 1; }
done

work=$(mktemp -d)
SERVER_PID=
trap 'stop_pid "$SERVER_PID"; rm -rf "$work"' EXIT

# One port for every run: the bodies are signed for its URL once.
port=$(free_port)
token=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
base="http://127.0.0.1:$port"
python3 "$here/bench/sign.py" "$work" "$base" "$token" "${VOICE_CALLS:-200000}"

# run BINARY: one fresh server, one wrk run, one line.
run() {
  local bin=$1 db before after out
  db=$(mktemp -d -p "$work")
  start_webhook_server "$bin" "$port" "$token" "$db"
  before=$(cpu_ticks "$SERVER_PID")
  out=$(wrk -t1 -c"$conns" -d"${duration}s" --latency -s "$work/voice.lua" "$base/twilio/voice")
  after=$(cpu_ticks "$SERVER_PID")
  [ -z "$(wrk_field "$out" non2xx)" ] || { echo "bench: $bin answered non-2xx responses" >&2; exit 1; }
  printf '%-24s %10s %10s %10s %10.1f %8s kB\n' "$(basename "$bin")" "$(wrk_field "$out" rps)" \
    "$(wrk_field "$out" p50)" "$(wrk_field "$out" p99)" \
    "$(us_per_request $((after - before)) "$(wrk_field "$out" requests)")" \
    "$(peak_rss_kb "$SERVER_PID")"
  stop_pid "$SERVER_PID"
  SERVER_PID=
  rm -rf "$db"
}

echo "voice at $conns connections, $duration s a run; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-24s %10s %10s %10s %10s %11s\n' binary "req/s" p50 p99 "cpu/req us" "peak RSS"
for _ in $(seq "$rounds"); do
  for bin in "${binaries[@]}"; do
    run "$bin"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
