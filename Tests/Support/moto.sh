#!/usr/bin/env bash
# Start or stop a moto_server (the AWS emulator) for LatticeKit's integration tests.
#
#   moto.sh [start] PIDFILE [PORT]   start on 127.0.0.1 (PORT, or one the OS picks), wait
#                                    until it answers (at most ~10 s), print its URL on
#                                    stdout, write its PID to PIDFILE, exit leaving it running.
#                                    Its output goes to PIDFILE.log.
#   moto.sh stop PIDFILE             stop the moto_server whose PID is in PIDFILE.
#
# Exit status: 0 on success; 1 on failure, with the reason on stderr; 2 on bad usage.
set -u

prog=moto.sh
die() { echo "$prog: $*" >&2; exit 1; }
usage() { echo "usage: $prog [start] PIDFILE [PORT] | $prog stop PIDFILE" >&2; exit 2; }

# True when PID is alive and is a moto_server (not a recycled PID of something else).
is_moto() {
    local args
    args=$(ps -o args= -p "$1" 2>/dev/null) || return 1
    [[ $args == *moto_server* ]]
}

answers() {  # answers URL: true once moto's own API answers over HTTP.
    if command -v curl >/dev/null 2>&1; then
        curl -fsS -o /dev/null --max-time 1 "$1/moto-api/" 2>/dev/null
    else
        python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)' "$1" 2>/dev/null
    fi
}

start() {
    local pidfile=$1 port=${2:-0}
    [[ $port =~ ^[0-9]+$ ]] && (( port <= 65535 )) || die "port must be a number from 0 to 65535, got '$port'"
    command -v moto_server >/dev/null 2>&1 ||
        die "moto_server not found on PATH. Run \`make test\`, which installs the pinned test tools (Tests/requirements.txt: moto[server])."
    if [[ -s $pidfile ]] && is_moto "$(cat "$pidfile")"; then
        die "a moto_server is already running with PID $(cat "$pidfile") (from $pidfile); stop it first: $prog stop $pidfile"
    fi
    : > "$pidfile" 2>/dev/null || die "cannot write the PID file $pidfile"
    local log=$pidfile.log
    # Its own output goes to the log, so a caller's $(moto.sh ...) does not wait for it.
    nohup moto_server -H 127.0.0.1 -p "$port" </dev/null >"$log" 2>&1 &
    local pid=$! url="" i
    for (( i = 0; i < 100; i++ )); do     # 100 x 0.1 s: about 10 s in all
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$pidfile"
            die "moto_server exited during start-up (port $port in use?). Its output ($log):
$(tail -n 20 "$log")"
        fi
        if [[ -z $url ]]; then            # werkzeug prints the bound port, also for -p 0
            url=$(sed -n 's|.*Running on \(http://127\.0\.0\.1:[0-9][0-9]*\).*|\1|p' "$log" | head -n 1)
        fi
        if [[ -n $url ]] && answers "$url"; then
            echo "$pid" > "$pidfile"
            echo "$url"
            return 0
        fi
        sleep 0.1
    done
    kill "$pid" 2>/dev/null
    rm -f "$pidfile"
    die "moto_server did not answer within 10 s. Its output ($log):
$(tail -n 20 "$log")"
}

stop() {
    local pidfile=$1 pid i
    if [[ ! -f $pidfile ]]; then
        echo "$prog: no PID file $pidfile; nothing to stop" >&2
        return 0
    fi
    pid=$(cat "$pidfile")
    [[ $pid =~ ^[0-9]+$ ]] || die "$pidfile does not hold a PID"
    if ! is_moto "$pid"; then
        rm -f "$pidfile"
        echo "$prog: no moto_server with PID $pid is running; removed $pidfile" >&2
        return 0
    fi
    kill "$pid"
    for (( i = 0; i < 50; i++ )); do      # up to 5 s to exit on SIGTERM
        kill -0 "$pid" 2>/dev/null || { rm -f "$pidfile"; return 0; }
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null
    rm -f "$pidfile"
}

case ${1:-} in
    stop)  [[ $# -eq 2 ]] || usage; stop "$2" ;;
    start) [[ $# -ge 2 && $# -le 3 ]] || usage; shift; start "$@" ;;
    ""|-h|--help) usage ;;
    *)     [[ $# -le 2 ]] || usage; start "$@" ;;
esac
