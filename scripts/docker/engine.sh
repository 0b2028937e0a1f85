#!/usr/bin/env bash
# Makes a Docker engine available: installs Debian's docker.io (and debootstrap, which base-image.sh needs)
# when missing, and starts dockerd in the background when no engine answers.
#
#   scripts/docker/engine.sh start   prints "started" when it started dockerd, "running" when one already ran
#   scripts/docker/engine.sh stop    stops the dockerd that `start` started (and nothing else)
#
# The pid of a dockerd we started is kept in $PORTICO_DOCKERD_PID_FILE, so `stop` leaves an engine that was
# already running (the machine's own, or another user's) alone.
set -euo pipefail
pid_file=${PORTICO_DOCKERD_PID_FILE:-/tmp/portico-dockerd.pid}
log_file=${PORTICO_DOCKERD_LOG:-/tmp/portico-dockerd.log}

install_missing() {
  local need=()
  command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
  # `docker-compose config` validates deploy/compose.yaml (Debian ships Compose v1 as its own command).
  command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
  if [ ${#need[@]} -gt 0 ]; then
    echo "engine: installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq </dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null >&2
  fi
}

case "${1:-start}" in
  start)
    install_missing
    if docker info >/dev/null 2>&1; then echo running; exit 0; fi
    # Detached from this shell's process group so that a CI step's end does not take the engine with it.
    setsid dockerd >"$log_file" 2>&1 </dev/null &
    echo $! >"$pid_file"
    for _ in $(seq 1 120); do
      if docker info >/dev/null 2>&1; then echo started; exit 0; fi
      kill -0 "$(cat "$pid_file")" 2>/dev/null || { echo "engine: dockerd exited; see $log_file" >&2; tail -20 "$log_file" >&2; exit 1; }
      sleep 0.5
    done
    echo "engine: dockerd did not answer within 60 s; see $log_file" >&2
    exit 1
    ;;
  stop)
    [ -f "$pid_file" ] || exit 0
    pid=$(cat "$pid_file")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      # dockerd stops its containers and containerd before it exits.
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    fi
    rm -f "$pid_file"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
