#!/usr/bin/env bash
# Start a Docker daemon for tests/CI if one is not already reachable.
# Idempotent: exits 0 immediately when `docker info` works.
#
# Tries, in order (first that comes up wins):
#   1. overlay2 + default bridge/iptables   (works on this sandbox)
#   2. vfs      + default bridge/iptables   (e.g. /var/lib/docker on overlayfs)
#   3. vfs      + --iptables=false --bridge=none  (no netfilter; only
#      `--network none`/host containers will work)
# Override with SHARK_DOCKERD_FLAGS="..." to use exactly those flags.
# Log: /var/log/shark-dockerd.log
set -euo pipefail

LOG="${SHARK_DOCKERD_LOG:-/var/log/shark-dockerd.log}"
TIMEOUT="${SHARK_DOCKERD_TIMEOUT:-60}"

if docker info >/dev/null 2>&1; then
  echo "start-docker: daemon already running ($(docker info -f '{{.ServerVersion}} {{.Driver}}' 2>/dev/null))"
  exit 0
fi

command -v dockerd >/dev/null || { echo "start-docker: dockerd not installed (apt-get install docker.io)" >&2; exit 1; }

if [[ -n "${SHARK_DOCKERD_FLAGS:-}" ]]; then
  candidates=("$SHARK_DOCKERD_FLAGS")
else
  candidates=(
    "--storage-driver=overlay2"
    "--storage-driver=vfs"
    "--storage-driver=vfs --iptables=false --ip6tables=false --bridge=none"
  )
fi

mkdir -p "$(dirname "$LOG")"
deadline=$(( $(date +%s) + TIMEOUT ))
pid=""

for flags in "${candidates[@]}"; do
  # A previous attempt of ours may still be shutting down.
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  echo "start-docker: trying dockerd $flags" | tee -a "$LOG"
  # shellcheck disable=SC2086
  setsid nohup dockerd $flags </dev/null >>"$LOG" 2>&1 &
  pid=$!
  while (( $(date +%s) < deadline )); do
    if docker info >/dev/null 2>&1; then
      echo "start-docker: dockerd up (pid $pid, flags: $flags, $(docker info -f '{{.ServerVersion}} driver={{.Driver}}'))"
      exit 0
    fi
    kill -0 "$pid" 2>/dev/null || break   # died: try the next flag set
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    break   # still starting but out of time
  fi
  echo "start-docker: dockerd exited with flags: $flags" | tee -a "$LOG"
  (( $(date +%s) < deadline )) || break
done

echo "start-docker: docker daemon did not come up within ${TIMEOUT}s; log tail:" >&2
tail -n 40 "$LOG" >&2 || true
exit 1
