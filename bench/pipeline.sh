#!/usr/bin/env bash
# bench/pipeline.sh — recordings per second through the whole recording pipeline, with the
# embedded engines: the REST download, PocketSphinx, the rules analysis and, for voicemail, the
# sealed memo and the owner's link (a Release build, like bench/webhook.sh).
#
# The emulator runs alone (`hotline sim serve`). First hotline runs with WORKERS=0 while N
# scripted callers (FLOW, default voicemail) leave a message each: N jobs queued, none run.
# Then hotline starts again with WORKERS workers (default 2) and the clock runs from its start
# until the last job is done. Prints recordings per second, the mean time of each stage (the
# gap between a stage's finish and the previous one's, per job; the first stage is timed from
# the job's claim, not recorded, so it is left out) and the audio's duration.
#
#   make bench-pipeline             # builds build-release/ first
#   N=50 WORKERS=2 FLOW=voicemail HOTLINE_BIN=path bash bench/pipeline.sh
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/bench/lib.sh"
bin=${HOTLINE_BIN:-$here/build-release/hotline}
n=${N:-50}
workers=${WORKERS:-2}
flow=${FLOW:-voicemail}
say=${SAY:-"Hi, this is Sam from the bakery. Please call me back tomorrow morning about the order."}
[ -x "$bin" ] || { echo "bench: no binary at $bin (run make bench-pipeline)" >&2; exit 1; }

work=$(mktemp -d)
port=$(free_port)
sim_port=$(free_port)
base="http://127.0.0.1:$port"
sid="AC$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
token=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
printf 'TWILIO_ACCOUNT_SID=%s\nTWILIO_AUTH_TOKEN=%s\n' "$sid" "$token" >"$work/account"
chmod 600 "$work/account"

export HOST=127.0.0.1 PORT=$port PUBLIC_BASE_URL=$base SIM_ACCOUNT_FILE=$work/account \
  TWILIO_API_BASE=http://127.0.0.1:$sim_port DATABASE_URL=sqlite:$work/bench.db \
  MEDIA_DIR=$work/media OWNER_PHONE=+14155550199 TWILIO_PHONE_NUMBER=+14155559876 \
  LOG_LEVEL=${LOG_LEVEL:-info} BUSINESS_NAME="Bench Bakery"

sim_pid=
pid=
cleanup() {
  stop_pid "$pid"
  stop_pid "$sim_pid"
  if [ -n "${KEEP:-}" ]; then echo "bench: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

"$bin" sim serve --port "$sim_port" 2>"$work/sim.log" &
sim_pid=$!

serve() { # serve WORKERS: start hotline, wait for /health
  WORKERS=$1 "$bin" serve >>"$work/server.log" 2>&1 &
  pid=$!
  wait_healthy "$base" "$work/server.log"
}
stop() { kill -TERM "$pid"; wait "$pid" || true; pid=; }
count() { sqlite3 "$work/bench.db" "SELECT count(*) FROM jobs WHERE state = '$1'"; }

serve 0
echo "bench: $n $flow calls through the emulator (workers off)..." >&2
for i in $(seq "$n"); do
  "$bin" sim call --flow "$flow" --from "+1415555$(printf '%04d' "$i")" --say "$say" >/dev/null
done
queued=$(count queued)
[ "$queued" -eq "$n" ] || { echo "bench: $queued jobs queued, expected $n" >&2; exit 1; }
stop

echo "bench: $n jobs, $workers workers..." >&2
start=$(date +%s.%N)
serve "$workers"
while [ "$(count done)" -lt "$n" ]; do
  [ "$(count failed)" -eq 0 ] || { echo "bench: a job failed:" >&2; sqlite3 "$work/bench.db" \
    "SELECT last_error FROM jobs WHERE state = 'failed' LIMIT 1" >&2; exit 1; }
  sleep 0.05
done
end=$(date +%s.%N)
stop

python3 - "$work/bench.db" "$n" "$start" "$end" "$workers" "$flow" <<'PY'
import datetime, sqlite3, sys
db, n, start, end, workers, flow = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
conn = sqlite3.connect(db)
def t(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
per_stage = {}  # insertion-ordered: the pipeline's order
for (job,) in conn.execute("SELECT id FROM jobs"):
    # rowid: the order the stages were recorded in (stamps are per millisecond, often equal)
    rows = conn.execute("SELECT stage, finished_at FROM job_stages WHERE job_id = ? "
                        "ORDER BY rowid", (job,)).fetchall()
    for (prev, a), (stage, b) in zip(rows, rows[1:]):
        per_stage.setdefault(stage, []).append(t(b) - t(a))
audio = conn.execute("SELECT avg(size_bytes) FROM recordings").fetchone()[0] or 0
elapsed = end - start
print("pipeline: %d %s recordings, %s workers, %.1f s: %.2f recordings/s" % (
    n, flow, workers, elapsed, n / elapsed))
print("  machine: %d cores, load average %s (other work included)" % (
    __import__("os").cpu_count(), open("/proc/loadavg").read().split()[0]))
print("  audio: %.1f s each (8 kHz 16-bit WAV, %.0f bytes)" % ((audio - 44) / 16000.0, audio))
for stage, times in per_stage.items():
    print("  %-14s %7.1f ms mean" % (stage, 1000 * sum(times) / len(times)))
PY
