# bench/lib.sh — what the benchmark scripts share (sourced by them, not run).

# A free TCP port on loopback.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_healthy BASE_URL LOG: wait for GET /health; if it never answers, show LOG and exit.
wait_healthy() {
  local _
  for _ in $(seq 200); do
    curl -fs "$1/health" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "bench: hotline did not start" >&2
  tail -5 "$2" >&2
  exit 1
}

# start_webhook_server BINARY PORT AUTH_TOKEN DIR: hotline serve as webhook.sh and ab.sh
# measure it (database, media and log in DIR; the caller's environment passed on), /health
# answering; its PID in SERVER_PID.
start_webhook_server() {
  local bin=$1 port=$2 token=$3 dir=$4
  PORT=$port HOST=127.0.0.1 PUBLIC_BASE_URL=http://127.0.0.1:$port \
  TWILIO_ACCOUNT_SID=AC$(printf '%032d' 1) TWILIO_AUTH_TOKEN=$token \
  DATABASE_URL=sqlite:$dir/bench.db MEDIA_DIR=$dir/media LOG_LEVEL=${LOG_LEVEL:-info} \
    "$bin" serve 2>"$dir/server.log" &
  SERVER_PID=$!
  wait_healthy "http://127.0.0.1:$port" "$dir/server.log"
}

# stop_pid PID: SIGTERM and wait (nothing if PID is empty or gone).
stop_pid() {
  [ -z "$1" ] || { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
}

# cpu_ticks PID: user + system CPU time so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# us_per_request TICKS REQUESTS: CPU microseconds a request.
us_per_request() {
  awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN {print t / hz * 1e6 / n}'
}

# wrk_field WRK_OUTPUT requests|rps|p50|p99|non2xx
wrk_field() {
  case $2 in
    requests) awk '/requests in/ {print $1}' <<<"$1" ;;
    rps) awk '/Requests\/sec/ {print $2}' <<<"$1" ;;
    p50) awk '$1=="50%" {print $2}' <<<"$1" ;;
    p99) awk '$1=="99%" {print $2}' <<<"$1" ;;
    non2xx) awk '/Non-2xx/ {print $NF}' <<<"$1" ;;
  esac
}

# peak_rss_kb PID
peak_rss_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
