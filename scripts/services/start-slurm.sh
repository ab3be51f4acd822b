#!/usr/bin/env bash
# Start a one-node Slurm cluster for tests/CI: this machine is both the
# controller (slurmctld) and the compute node (slurmd), authenticated by
# munged. Installs nothing (apt-get install slurm-wlm munge first).
# Idempotent: when the controller answers, the node is idle and the
# configuration is unchanged, it exits 0 at once; a changed configuration,
# a dead daemon or stale pid files from a previous run are dealt with.
#
#   config:   /etc/slurm/slurm.conf (one node: `hostname -s`, CPUs=`nproc`)
#   state:    /var/spool/slurmctld, /var/spool/slurmd
#   logs:     /var/log/slurm/{slurmctld,slurmd}.log, munged in /var/log/munge
#   jobcomp:  $SHARK_SLURM_JOBCOMP (default /var/log/slurm/jobcomp.log), one line per finished job
#
# Needs root (SlurmUser=root). No systemd: the daemons are started directly.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"

CONF_DIR=/etc/slurm
CONF="$CONF_DIR/slurm.conf"
LOG_DIR=/var/log/slurm
CTLD_STATE=/var/spool/slurmctld
SLURMD_SPOOL=/var/spool/slurmd
JOBCOMP="${SHARK_SLURM_JOBCOMP:-$LOG_DIR/jobcomp.log}"
TIMEOUT="${SHARK_SLURM_TIMEOUT:-60}"
CLUSTER=shark
PARTITION=shark
MUNGE_KEY=/etc/munge/munge.key

log() { echo "start-slurm: $*" >&2; }
die() {
  log "$*"
  for f in "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log" /var/log/munge/munged.log; do
    [[ -s "$f" ]] && { echo "--- tail $f" >&2; tail -n 15 "$f" >&2; }
  done
  exit 1
}

[[ "$(id -u)" == 0 ]] || die "must run as root (SlurmUser=root, munged as munge)"
for b in slurmctld slurmd munged munge unmunge sinfo scontrol sbatch; do
  command -v "$b" >/dev/null || die "$b not found (apt-get install slurm-wlm munge)"
done

deadline=$(( $(date +%s) + TIMEOUT ))
in_time() { (( $(date +%s) < deadline )); }

# ---------------------------------------------------------------- config
NODE="$(hostname -s)"
CPUS="$(nproc)"
mem_mb=$(( $(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 ))
# slurmd drains a node that has less memory than configured: leave a margin
# (5%, at least 256 MB) for the difference between MemTotal and what it sees.
margin=$(( mem_mb / 20 > 256 ? mem_mb / 20 : 256 ))
REAL_MEM=$(( mem_mb - margin ))
(( REAL_MEM > 0 )) || die "cannot size RealMemory from /proc/meminfo ($mem_mb MB)"

# Addresses are spelled out, so that no DNS (or SRV lookup) is needed.
new_conf="$(cat <<EOF
# Written by scripts/services/start-slurm.sh: one node, controller and compute.
ClusterName=$CLUSTER
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$CTLD_STATE
SlurmdSpoolDir=$SLURMD_SPOOL
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups: processes are tracked by parentage, tasks are not confined.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$JOBCOMP
MpiDefault=none
SchedulerType=sched/backfill
# Start the next tasks as soon as others end (by default scheduling after completions waits up to 3 s).
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
# Without a default, a job that asks no memory gets the whole node's.
DefMemPerCPU=128
ReturnToService=2
MaxArraySize=100001
MaxJobCount=200000
MinJobAge=300
# A job cancelled as slurmd launches it is sometimes signalled before its processes exist: they are
# killed only after KillWait (30 s by default), longer than Shark waits for Slurm to let go of what
# a Ctrl-C cancelled (20 s). Measured here: 3 launches of 60 cancelled 0.1-0.4 s after sbatch.
KillWait=5
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$REAL_MEM State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
)"

changed=0
mkdir -p "$CONF_DIR"
if [[ ! -f "$CONF" ]] || [[ "$(cat "$CONF")" != "$new_conf" ]]; then
  printf '%s\n' "$new_conf" >"$CONF.tmp.$$"
  mv -f "$CONF.tmp.$$" "$CONF"
  changed=1
  log "wrote $CONF (node $NODE, $CPUS CPUs, ${REAL_MEM} MB)"
fi
# Some Debian builds read cgroup.conf whatever the plugins; an empty one is harmless.
[[ -f "$CONF_DIR/cgroup.conf" ]] || echo "CgroupPlugin=autodetect" >"$CONF_DIR/cgroup.conf"

mkdir -p "$LOG_DIR" "$SLURMD_SPOOL" "$CTLD_STATE" "$(dirname "$JOBCOMP")"
# State saved under another cluster name makes slurmctld refuse to start.
if [[ -f "$CTLD_STATE/clustername" && "$(cat "$CTLD_STATE/clustername")" != "$CLUSTER" ]]; then
  log "moving aside state of cluster $(cat "$CTLD_STATE/clustername") in $CTLD_STATE"
  mv "$CTLD_STATE" "$CTLD_STATE.old.$(date +%s)"
  mkdir -p "$CTLD_STATE"
fi

# Live processes named exactly $1 (a daemon killed a moment ago may linger as a zombie).
alive() {
  local p
  for p in $(pgrep -x "$1"); do
    [[ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" =~ ^[RSD]$ ]] && echo "$p"
  done
  return 0
}
running() { [[ -n "$(alive "$1")" ]]; }

# ---------------------------------------------------------------- munge
munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
if [[ ! -s "$MUNGE_KEY" ]]; then
  log "creating $MUNGE_KEY"
  mkdir -p "$(dirname "$MUNGE_KEY")"
  dd if=/dev/urandom of="$MUNGE_KEY" bs=1024 count=1 status=none
fi
chown munge:munge "$(dirname "$MUNGE_KEY")" "$MUNGE_KEY"
chmod 700 "$(dirname "$MUNGE_KEY")"
chmod 400 "$MUNGE_KEY"
if ! munge_ok; then
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
  if pid="$(alive munged)" && [[ -n "$pid" ]]; then
    log "munged ($pid) is not answering: restarting it"
    kill $pid 2>/dev/null || true
    for _ in $(seq 1 20); do running munged || break; sleep 0.1; done
  fi
  # A dead munged leaves its socket, lock and pid files behind.
  rm -f /run/munge/munged.pid /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock
  log "starting munged"
  runuser -u munge -- munged --force || die "munged failed to start"
  until munge_ok; do in_time || die "munged does not answer"; sleep 0.1; done
fi

# ---------------------------------------------------------------- daemons
ctld_up() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
node_state() { sinfo -h -n "$NODE" -o %T 2>/dev/null | head -n 1; }
ready() { [[ "$(node_state)" =~ ^(idle|mixed|allocated|completing)$ ]]; }

stop() {  # name pidfile
  local pids
  pids="$(alive "$1")"
  [[ -z "$pids" ]] && { rm -f "$2"; return 0; }
  log "stopping $1 ($pids)"
  kill $pids 2>/dev/null || true
  for _ in $(seq 1 50); do running "$1" || break; sleep 0.1; done
  if running "$1"; then kill -9 $pids 2>/dev/null || true; sleep 0.2; fi
  rm -f "$2"
}

if (( changed == 0 )) && ctld_up && ready && running slurmd; then
  log "already running: node $NODE $(node_state) ($(sinfo -h -o '%c CPUs %m MB' | head -n 1))"
  exit 0
fi

if (( changed )); then
  stop slurmd /run/slurmd.pid
  stop slurmctld /run/slurmctld.pid
fi

if ! running slurmctld || ! ctld_up; then
  # Alive but not answering within a few seconds: a wedged controller.
  if running slurmctld; then
    for _ in $(seq 1 30); do ctld_up && break; sleep 0.1; done
    ctld_up || stop slurmctld /run/slurmctld.pid
  fi
  if ! ctld_up; then
    rm -f /run/slurmctld.pid
    log "starting slurmctld"
    slurmctld </dev/null >>"$LOG_DIR/slurmctld.out" 2>&1 || die "slurmctld failed to start"
    until ctld_up; do
      in_time || die "slurmctld did not answer within ${TIMEOUT}s"
      running slurmctld || die "slurmctld exited"
      sleep 0.2
    done
  fi
fi

slurmd_started=0
if ! running slurmd; then
  rm -f /run/slurmd.pid
  log "starting slurmd"
  slurmd_started=$(date +%s)
  slurmd </dev/null >>"$LOG_DIR/slurmd.out" 2>&1 || die "slurmd failed to start"
fi
# The controller may still show the node idle from before a slurmd died: a
# new slurmd counts once it has registered (SlurmdStartTime is its start).
registered() {
  (( slurmd_started == 0 )) && return 0
  local t
  t="$(scontrol show node "$NODE" 2>/dev/null | grep -o 'SlurmdStartTime=[^ ]*' | cut -d= -f2)"
  [[ -n "$t" && "$t" != None ]] && (( $(date -d "$t" +%s 2>/dev/null || echo 0) >= slurmd_started - 2 ))
}

# ---------------------------------------------------------------- node
last_resume=0
until registered && ready; do
  in_time || die "node $NODE is '$(node_state)' after ${TIMEOUT}s ($(sinfo -h -R -o '%E' | head -n 1))"
  running slurmd || die "slurmd exited"
  state="$(node_state)"
  # down/drain from a previous run (or ReturnToService not applying): resume, at most every 3 s.
  if [[ "$state" =~ ^(down|drain|drained|draining|fail|failing)$ ]] && (( $(date +%s) - last_resume >= 3 )); then
    log "node $NODE is $state ($(sinfo -h -R -o '%E' | head -n 1)): resuming"
    scontrol update nodename="$NODE" state=resume 2>/dev/null || true
    last_resume=$(date +%s)
  fi
  sleep 0.2
done

log "ok: node $NODE $(node_state), partition $PARTITION ($(sinfo -h -o '%c CPUs %m MB' | head -n 1)), jobcomp $JOBCOMP"
