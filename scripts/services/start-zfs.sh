#!/usr/bin/env bash
# Start zfs-fuse (Debian package zfs-fuse, ZFS pool v23) and make sure the
# file-backed test pool exists and works. Idempotent.
#
#   pool:     $SHARK_ZFS_POOL (default sharkpool), 2 GiB sparse file
#             /var/lib/shark-zfs/$POOL.img, mounted at /$POOL
#   dataset:  $POOL/test  -> /$POOL/test  (children inherit: $POOL/test/foo -> /$POOL/test/foo)
#
# Prints "<pool> <mountpoint-of-pool/test>" on the last line of stdout.
set -euo pipefail

POOL="${SHARK_ZFS_POOL:-sharkpool}"
DIR="${SHARK_ZFS_DIR:-/var/lib/shark-zfs}"
SIZE="${SHARK_ZFS_SIZE:-2G}"
IMG="$DIR/$POOL.img"
PIDFILE=/var/run/zfs-fuse.pid
LOG="${SHARK_ZFS_LOG:-/var/log/shark-zfs-fuse.log}"

log() { echo "start-zfs: $*" >&2; }
die() { log "$*"; exit 1; }

for b in zfs-fuse zpool zfs; do
  command -v "$b" >/dev/null || [[ -x "/sbin/$b" ]] || die "$b not found (apt-get install zfs-fuse)"
done
export PATH="$PATH:/sbin:/usr/sbin"

# zfs/zpool need the daemon; the cheapest liveness check is `zpool list`.
daemon_ok() { ( zpool list >/dev/null 2>&1; exit $? ) 2>/dev/null; }  # subshell hides "Aborted" noise while the daemon stops

# Run a zfs command, retrying while zfs-fuse says "dataset is busy". (zfs-fuse
# quirk: destroy/unmount right after a mount, write or a previous destroy
# often fails with EBUSY for ~50-500 ms.)
zfs_retry() {
  local i out
  for i in $(seq 1 60); do
    if out="$("$@" 2>&1)"; then return 0; fi
    [[ "$out" == *busy* ]] || { echo "$out" >&2; return 1; }
    sleep 0.1
  done
  echo "$out" >&2; return 1
}

# ---------------------------------------------------------------- daemon
daemon_alive() { pgrep -x zfs-fuse >/dev/null 2>&1; }
start_daemon() {
  [[ -e /dev/fuse ]] || modprobe fuse 2>/dev/null || mknod -m 666 /dev/fuse c 10 229 || die "/dev/fuse missing"
  rm -f "$PIDFILE"
  # Clean up stale FUSE mounts left by a dead daemon ("Transport endpoint is not connected").
  awk '$3 == "fuse.zfs" || ($3 == "fuse" && $2 == "/zfs-kstat") {print $2}' /proc/mounts | sort -r \
    | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  log "starting zfs-fuse"
  mkdir -p "$(dirname "$LOG")"
  # zfs-fuse daemonizes itself; tuning options come from /etc/zfs/zfsrc.
  zfs-fuse --pidfile "$PIDFILE" </dev/null >>"$LOG" 2>&1 || die "zfs-fuse failed to start (see $LOG)"
}
if ! daemon_ok; then
  starts=0
  # A daemon that is alive but not answering is usually still starting or
  # shutting down (it unmounts everything on SIGTERM): wait for either.
  for _ in $(seq 1 150); do
    daemon_ok && break
    if ! daemon_alive; then
      (( starts < 3 )) || die "zfs-fuse keeps exiting (see $LOG)"
      starts=$((starts + 1))
      start_daemon
    fi
    sleep 0.2
  done
  daemon_ok || die "zfs-fuse did not become ready within 30s (see $LOG)"
fi

# ---------------------------------------------------------------- pool
if ! zpool list -H -o name "$POOL" >/dev/null 2>&1; then
  mkdir -p "$DIR"
  if [[ -f "$IMG" ]]; then
    log "importing pool $POOL from $IMG"
    zpool import -d "$DIR" -f "$POOL" >&2 || die "could not import $POOL from $IMG (delete it to recreate)"
  else
    log "creating pool $POOL on sparse $SIZE file $IMG"
    truncate -s "$SIZE" "$IMG"
    zpool create -m "/$POOL" "$POOL" "$IMG" >&2
  fi
fi
health="$(zpool list -H -o health "$POOL")"
[[ "$health" == ONLINE ]] || die "pool $POOL is $health"

# Ensure everything is mounted (after a daemon restart nothing may be).
zfs mount -a >/dev/null 2>&1 || true

if ! zfs list -H -o name "$POOL/test" >/dev/null 2>&1; then
  zfs create "$POOL/test"
fi
[[ "$(zfs get -H -o value mounted "$POOL/test")" == yes ]] || zfs mount "$POOL/test"
MNT="$(zfs get -H -o value mountpoint "$POOL/test")"

# ---------------------------------------------------------------- self-test
t="$POOL/test/selftest-$$"
tm="$MNT/selftest-$$"
cleanup() { zfs_retry zfs destroy -R "$t" 2>/dev/null || true; }
trap cleanup EXIT
zfs create "$t"
[[ "$(zfs get -H -o value mountpoint "$t")" == "$tm" ]] || die "unexpected mountpoint for $t"
echo "hello $$" > "$tm/file"
grep -q "hello $$" "$tm/file" || die "file written to $tm not readable"
zfs snapshot "$t@s1"
echo changed > "$tm/file"
zfs clone "$t@s1" "$t-clone"
grep -q "hello $$" "$MNT/selftest-$$-clone/file" || die "clone contents wrong"
guid="$(zfs get -Hp -o value guid "$t@s1")"
[[ "$guid" =~ ^[0-9]+$ ]] || die "zfs get -Hp guid returned '$guid'"
zfs_retry zfs destroy "$t-clone" || die "zfs destroy clone failed"
zfs_retry zfs destroy "$t@s1" || die "zfs destroy snapshot failed"
zfs_retry zfs destroy "$t" || die "zfs destroy dataset failed"
[[ ! -e "$tm/file" ]] || die "$tm still populated after destroy"
trap - EXIT
rmdir "$tm" "$MNT/selftest-$$-clone" 2>/dev/null || true

log "ok: pool $POOL ($(zpool list -H -o size,free "$POOL" | tr '\t' ' ')), $POOL/test mounted at $MNT"
echo "$POOL $MNT"
