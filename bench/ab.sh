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
pid=
stop_server() {
  [ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  pid=
}
trap 'stop_server; rm -rf "$work"' EXIT

# One port for every run: the bodies are signed for its URL once.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
token=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
base="http://127.0.0.1:$port"
python3 "$here/bench/sign.py" "$work" "$base" "$token" "${VOICE_CALLS:-200000}"

# run BINARY: one fresh server, one wrk run, one line.
run() {
  local bin=$1 db before after out reqs
  db=$(mktemp -d -p "$work")
  PORT=$port HOST=127.0.0.1 PUBLIC_BASE_URL=$base TWILIO_ACCOUNT_SID=AC$(printf '%032d' 1) \
  TWILIO_AUTH_TOKEN=$token DATABASE_URL=sqlite:$db/bench.db MEDIA_DIR=$db/media \
  LOG_LEVEL=${LOG_LEVEL:-info} \
    "$bin" serve 2>"$db/server.log" &
  pid=$!
  for _ in $(seq 100); do
    curl -fs "$base/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  out=$(wrk -t1 -c"$conns" -d"${duration}s" --latency -s "$work/voice.lua" "$base/twilio/voice")
  after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  ! grep -q Non-2xx <<<"$out" || { echo "bench: $bin answered non-2xx responses" >&2; exit 1; }
  printf '%-24s %10s %10s %10s %10.1f %8s kB\n' "$(basename "$bin")" \
    "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1=="50%" {print $2}' <<<"$out")" \
    "$(awk '$1=="99%" {print $2}' <<<"$out")" \
    "$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$reqs" \
      'BEGIN {print t / hz * 1e6 / n}')" "$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")"
  stop_server
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
