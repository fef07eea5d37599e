#!/usr/bin/env bash
# bench/webhook.sh — wrk against the real hotline binary (a Release build).
#
# Measures signed POST /twilio/voice (a new call stored each: distinct
# CallSids, every body signed here beforehand as Twilio would), signed
# POST /twilio/status (a new call event each: the body is signed once and
# each request carries its own I-Twilio-Idempotency-Token, which Twilio does
# not sign) and GET /health, at 32 and 64 connections with one wrk thread
# sharing the machine's cores with the server. Prints req/s, p50/p99
# latency, the server's CPU time per request (from /proc/PID/stat) and its
# peak RSS (VmHWM) after all runs, and the machine's load average before
# and after (the cores are shared: a loaded machine reads dearer).
#
# FLOOR=1 also runs bench/echo.c — one epoll thread answering every request
# with a fixed response, no parsing, logging or storage — with the same wrk
# load, as the floor: the loopback TCP and epoll cost of one request on this
# machine.
#
#   make bench                      # builds build-release/ first
#   HOTLINE_BIN=path DURATION=10 bash bench/webhook.sh
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
bin=${HOTLINE_BIN:-$here/build-release/hotline}
duration=${DURATION:-10}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
[ -x "$bin" ] || { echo "bench: no binary at $bin (run make bench)" >&2; exit 1; }

work=$(mktemp -d)
port=$(free_port)
token=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
base="http://127.0.0.1:$port"

SERVER_PID=
echo_pid=
cleanup() {
  stop_pid "$SERVER_PID"
  stop_pid "$echo_pid"
  rm -rf "$work"
}
trap cleanup EXIT
start_webhook_server "$bin" "$port" "$token" "$work"
pid=$SERVER_PID

# wrk scripts: the bodies are signed here, exactly as Twilio signs them.
python3 "$here/bench/sign.py" "$work" "$base" "$token" "${VOICE_CALLS:-400000}"

measured=$pid # the process whose CPU time run() reads

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
printf '%-15s %5s %10s %10s %10s %14s\n' endpoint conns "req/s" "p50" "p99" "cpu/req (us)"
declare -A rps
run() {
  local name=$1 path=$2 conns=$3 script=${4:-}
  local before after out reqs
  before=$(cpu_ticks "$measured")
  if [ -n "$script" ]; then
    out=$(wrk -t1 -c"$conns" -d"${duration}s" --latency -s "$script" "$base$path")
  else
    out=$(wrk -t1 -c"$conns" -d"${duration}s" --latency "$base$path")
  fi
  after=$(cpu_ticks "$measured")
  reqs=$(wrk_field "$out" requests)
  local non2xx
  non2xx=$(wrk_field "$out" non2xx)
  [ -z "$non2xx" ] || { echo "bench: $name answered $non2xx non-2xx responses" >&2; exit 1; }
  rps[$name-$conns]=$(wrk_field "$out" rps)
  printf '%-15s %5s %10s %10s %10s %14.1f\n' "$name" "$conns" "${rps[$name-$conns]}" \
    "$(wrk_field "$out" p50)" "$(wrk_field "$out" p99)" "$(us_per_request $((after - before)) "$reqs")"
}
for conns in 32 64; do
  run voice /twilio/voice "$conns" "$work/voice.lua"
  run status /twilio/status "$conns" "$work/status.lua"
  run health /health "$conns"
done
stored=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('select count(*) from calls').fetchone()[0], 'calls,', c.execute('select count(*) from call_events').fetchone()[0], 'call events')" "$work/bench.db")
echo "peak RSS: $(peak_rss_kb "$pid") kB; stored: $stored"
awk -v v="${rps[voice-32]}" -v h="${rps[health-32]}" \
  'BEGIN {printf "ratio signed voice / health at 32 connections: %.2f\n", v / h}'
echo "load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${FLOOR:-0}" = 1 ]; then
  cc -O2 -o "$work/echo" "$here/bench/echo.c"
  echo_port=$(free_port)
  "$work/echo" "$echo_port" &
  echo_pid=$!
  sleep 0.3
  measured=$echo_pid
  base="http://127.0.0.1:$echo_port"
  run floor-voice /twilio/voice 32 "$work/voice.lua"
  run floor-get /health 32
fi
