#!/usr/bin/env bash
# run_slurm_jobs.sh — runs jobs/*.sbatch for real on a private, single-node
# SLURM cluster started on this machine, and checks what they produce.
#
#   run_slurm_jobs.sh --source-dir REPO --tool volrender_mpi --mkcube volrender_mkcube
#                     --python PYTHON --work DIR [--keep]
#
# 1. Starts its own munged (as user munge, key and socket in a temporary
#    directory: the system's /etc/munge and /run/munge are not touched), then
#    slurmctld and slurmd on 127.0.0.1 with free ports in 16800-17800, state,
#    spool, logs and pid files in the same temporary directory.
# 2. Makes a 48^3 cube, then submits with sbatch (2 tasks each):
#      jobs/render.sbatch          N=32, 4 angles (launcher chosen by the job:
#                                  srun if it can start MPI, else mpirun)
#      jobs/strong_scaling.sbatch  P = 1, 2, 1 warm-up + 2 repeats, with
#                                  VR_LAUNCHER=mpirun (the fallback path)
#      jobs/weak_scaling.sbatch    P = 1, 2 from 32^3, N = 24 (cubes made by
#                                  the parallel generator inside the job)
#      jobs/render.sbatch          on a missing cube: must FAIL
# 3. Waits for them, checks job states and exit codes, the frames (size,
#    not black), the timing records (one per run, SLURM_JOB_ID, ranks,
#    samples) and the scaling report (table rows, PNG).
# 4. jobs/snapshots.sbatch as a job array (--array=0-1) over a list of three
#    32^3 snapshots: each task renders its slice into series/<stem>/
#    (tests/slurm/check_series.py checks frames, records and sub-lists);
#    resubmitted with VR_RESUME=1 it renders nothing and rewrites no file;
#    an array whose VR_PER_TASK leaves snapshots out must FAIL in every task.
# 5. On every exit path: cancels its jobs, stops exactly the daemons it
#    started (by pid, checked against their command line), copies the
#    daemon logs to DIR/logs and removes the temporary directory.
# Exit status: 0 pass, 1 fail, 77 skipped (no SLURM or munge, not root).
set -uo pipefail

SRC="" TOOL="" MKCUBE="" PYTHON=/usr/bin/python3 WORK="" KEEP=0
while (($#)); do
  case $1 in
    --source-dir) SRC=$2; shift 2 ;;
    --tool) TOOL=$2; shift 2 ;;
    --mkcube) MKCUBE=$2; shift 2 ;;
    --python) PYTHON=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) echo "run_slurm_jobs: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[[ -n $SRC && -n $TOOL && -n $MKCUBE && -n $WORK ]] || {
  echo "usage: run_slurm_jobs.sh --source-dir REPO --tool EXE --mkcube EXE" \
       "[--python PY] --work DIR [--keep]" >&2; exit 2; }
SKIP=77
T0=$SECONDS
log() { printf '[slurm-test %3ds] %s\n' $((SECONDS - T0)) "$*"; }
skip() { log "SKIP: $*"; exit $SKIP; }

# ---- prerequisites ------------------------------------------------------------
for exe in slurmctld slurmd sbatch squeue scontrol sinfo scancel munged setpriv; do
  command -v "$exe" >/dev/null 2>&1 || skip "$exe not installed (scripts/install_deps.sh --all)"
done
[[ $(id -u) -eq 0 ]] || skip "needs root (slurmd runs jobs as SlurmUser=root here)"
id munge >/dev/null 2>&1 || skip "no user 'munge' (apt-get install munge)"
for exe in "$TOOL" "$MKCUBE"; do
  [[ -x $exe ]] || { log "FAIL: no executable $exe"; exit 1; }
done
SRC=$(cd "$SRC" && pwd)
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
rm -rf "${WORK:?}"/{render,strong,weak,failing,logs,cube48.h5,series,short,snaps} \
       "$WORK"/*.out "$WORK"/series*.{txt,tasks,state}

DAEMON_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vr-slurm.XXXXXX")
chmod 755 "$DAEMON_DIR"   # munged (user munge) must reach its socket directory
PIDS=()            # "name:pid" of the daemons this script started
FAILURES=0

# Stops one daemon we started, if it is still the process we started.
stop_daemon() {
  local name=$1 pid=$2 i
  [[ -r /proc/$pid/cmdline ]] || return 0
  if ! tr '\0' ' ' </proc/"$pid"/cmdline | grep -qF "$DAEMON_DIR"; then
    log "not stopping pid $pid: no longer our $name"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || { log "stopped $name (pid $pid)"; return 0; }
    sleep 0.1
  done
  log "$name (pid $pid) ignored SIGTERM: SIGKILL"
  kill -KILL "$pid" 2>/dev/null
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n ${CTLD_PID:-} ]] && kill -0 "$CTLD_PID" 2>/dev/null; then
    local jobs
    jobs=$(squeue -h -o %i 2>/dev/null | tr '\n' ' ')
    if [[ -n ${jobs// /} ]]; then
      log "cancelling jobs still queued or running: $jobs"
      scancel $jobs 2>/dev/null
      for ((i = 0; i < 50; i++)); do
        [[ -z $(squeue -h -o %i 2>/dev/null) ]] && break
        sleep 0.2
      done
    fi
  fi
  # Reverse start order: slurmd, slurmctld, munged.
  local k
  for ((k = ${#PIDS[@]} - 1; k >= 0; k--)); do
    stop_daemon "${PIDS[k]%%:*}" "${PIDS[k]##*:}"
  done
  mkdir -p "$WORK/logs"
  cp -r "$DAEMON_DIR"/log/. "$WORK/logs/" 2>/dev/null
  cp "$DAEMON_DIR"/slurm.conf "$WORK/logs/" 2>/dev/null
  if ((KEEP)); then log "kept $DAEMON_DIR"; else rm -rf "$DAEMON_DIR"; fi
  log "daemon logs in $WORK/logs; finished in $((SECONDS - T0)) s"
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 1' INT TERM

fail() { log "FAIL: $*"; FAILURES=$((FAILURES + 1)); }
die() { log "FAIL: $*"; exit 1; }

# ---- munged ----------------------------------------------------------------------
mkdir -p "$DAEMON_DIR/munge" "$DAEMON_DIR/log" "$DAEMON_DIR/state" "$DAEMON_DIR/spool"
chown munge:munge "$DAEMON_DIR/munge"
chmod 755 "$DAEMON_DIR/munge"
dd if=/dev/urandom of="$DAEMON_DIR/munge/munge.key" bs=1024 count=1 status=none
chown munge:munge "$DAEMON_DIR/munge/munge.key"
chmod 400 "$DAEMON_DIR/munge/munge.key"
MUNGE_SOCKET=$DAEMON_DIR/munge/munge.socket
setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged --foreground \
  --socket="$MUNGE_SOCKET" --key-file="$DAEMON_DIR/munge/munge.key" \
  --pid-file="$DAEMON_DIR/munge/munged.pid" --seed-file="$DAEMON_DIR/munge/munged.seed" \
  --log-file="$DAEMON_DIR/log/munged.log" >"$DAEMON_DIR/log/munged.out" 2>&1 &
PIDS+=("munged:$!")
for ((i = 0; i < 50; i++)); do [[ -S $MUNGE_SOCKET ]] && break; sleep 0.1; done
[[ -S $MUNGE_SOCKET ]] || { cat "$DAEMON_DIR/log/munged.out" >&2; die "munged did not start"; }
log "munged up (pid ${PIDS[0]##*:}, socket $MUNGE_SOCKET)"

# ---- slurm.conf ------------------------------------------------------------------
read -r CTLD_PORT SLURMD_PORT < <("$PYTHON" - <<'EOF'
import random, socket
ports = []
for p in random.sample(range(16800, 17800), 1000):
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.1", p))
        ports.append(p)
    except OSError:
        continue
    if len(ports) == 2:
        break
print(*ports)
EOF
)
[[ -n ${SLURMD_PORT:-} ]] || die "no free ports in 16800-17800"
NODE=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(awk '/MemAvailable/ { printf "%d", $2 / 1024 / 2 }' /proc/meminfo)
export SLURM_CONF=$DAEMON_DIR/slurm.conf
cat >"$SLURM_CONF" <<EOF
# Private single-node cluster of tests/slurm/run_slurm_jobs.sh
ClusterName=vrtest
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$DAEMON_DIR/state
SlurmdSpoolDir=$DAEMON_DIR/spool
SlurmctldPidFile=$DAEMON_DIR/slurmctld.pid
SlurmdPidFile=$DAEMON_DIR/slurmd.pid
SlurmctldLogFile=$DAEMON_DIR/log/slurmctld.log
SlurmdLogFile=$DAEMON_DIR/log/slurmd.log
PlugStackConfig=$DAEMON_DIR/plugstack.conf
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MailProg=/bin/true
MinJobAge=600
KillWait=5
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=30 State=UP
EOF
: >"$DAEMON_DIR/plugstack.conf"
log "slurm.conf: node $NODE, $CPUS CPU(s), ${MEM_MB} MB, ports $CTLD_PORT/$SLURMD_PORT"

# ---- slurmctld, slurmd ---------------------------------------------------------
slurmctld -D -c -f "$SLURM_CONF" >"$DAEMON_DIR/log/slurmctld.out" 2>&1 &
CTLD_PID=$!
PIDS+=("slurmctld:$CTLD_PID")
slurmd -D -f "$SLURM_CONF" -N "$NODE" >"$DAEMON_DIR/log/slurmd.out" 2>&1 &
PIDS+=("slurmd:$!")
state=""
for ((i = 0; i < 300; i++)); do
  state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null)
  [[ $state == idle ]] && break
  sleep 0.1
done
if [[ $state != idle ]]; then
  tail -n 20 "$DAEMON_DIR"/log/*.out "$DAEMON_DIR"/log/*.log >&2
  die "node not idle after 30 s (state '$state')"
fi
log "slurmctld (pid $CTLD_PID) and slurmd (pid ${PIDS[2]##*:}) up; node $NODE idle"

# ---- the jobs --------------------------------------------------------------------
"$MKCUBE" -o "$WORK/cube48.h5" -s 48 -q || die "volrender_mkcube failed"
# Open MPI refuses root without these; they are the test's business, not the
# job scripts'.
COMMON="ALL,VR_ROOT=$SRC,VR_TOOL=$TOOL,VR_MKCUBE=$MKCUBE,VR_PYTHON=$PYTHON"
COMMON+=",OMPI_ALLOW_RUN_AS_ROOT=1,OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"
submit() {   # submit NAME sbatch-args... -> prints the job id
  local name=$1 id
  shift
  id=$(sbatch --parsable --chdir="$WORK" -J "vr-test-$name" -o "$WORK/$name-%j.out" \
         --ntasks=2 --time=5 "$@") || return 1
  echo "${id%%;*}"
}
RENDER_ID=$(submit render --export="$COMMON,VR_INPUT=cube48.h5,VR_SIZE=32,VR_ANGLES=4,VR_OUT=render" \
              "$SRC/jobs/render.sbatch")
STRONG_ID=$(submit strong \
              --export="$COMMON,VR_INPUT=cube48.h5,VR_SIZE=32,VR_ANGLES=4,VR_REPEATS=2,VR_WARMUP=1,VR_STUDY_DIR=strong,VR_LAUNCHER=mpirun" \
              "$SRC/jobs/strong_scaling.sbatch")
WEAK_ID=$(submit weak \
              --export="$COMMON,VR_BASE_CUBE=32,VR_BASE_SIZE=24,VR_ANGLES=4,VR_REPEATS=1,VR_WARMUP=0,VR_STUDY_DIR=weak" \
              "$SRC/jobs/weak_scaling.sbatch")
FAIL_ID=$(submit failing --export="$COMMON,VR_INPUT=missing.h5,VR_SIZE=32,VR_ANGLES=2,VR_OUT=failing" \
            "$SRC/jobs/render.sbatch")
for id in "$RENDER_ID" "$STRONG_ID" "$WEAK_ID" "$FAIL_ID"; do
  [[ $id =~ ^[0-9]+$ ]] || die "sbatch did not return a job id ('$id')"
done
log "submitted render=$RENDER_ID strong=$STRONG_ID weak=$WEAK_ID failing=$FAIL_ID"

# wait_job ID: waits (150 s at most) for a final state; prints "STATE EXITCODE".
wait_job() {
  local id=$1 line st ec i
  for ((i = 0; i < 1500; i++)); do
    line=$(scontrol show job -o "$id" 2>/dev/null)
    st=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$line")
    ec=$(sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' <<<"$line")
    case $st in
      COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED)
        echo "$st $ec"; return 0 ;;
    esac
    ((SECONDS - T0 > 200)) && break
    sleep 0.1
  done
  echo "UNFINISHED ${st:-?}"
}
for job in render:$RENDER_ID strong:$STRONG_ID weak:$WEAK_ID failing:$FAIL_ID; do
  name=${job%%:*} id=${job##*:}
  read -r st ec < <(wait_job "$id")
  log "job $name ($id): $st, exit code $ec"
  out=$WORK/$name-$id.out
  if [[ $name == failing ]]; then
    [[ $st == FAILED && $ec != 0:0 ]] || fail "the job on a missing cube should fail, got $st $ec"
    grep -q "volrender_mpi: error" "$out" 2>/dev/null ||
      fail "the failing job's output does not carry the tool's error message"
  elif [[ $st != COMPLETED || $ec != 0:0 ]]; then
    fail "job $name ended $st (exit $ec); its output:"
    sed "s/^/    | /" "$out"
  fi
  grep -h "^launch:" "$out" 2>/dev/null | sort -u | sed "s/^/    $name: /"
done

# ---- what the jobs produced ------------------------------------------------------
"$PYTHON" - "$WORK" "$RENDER_ID" "$STRONG_ID" "$WEAK_ID" <<'EOF' || fail "checks of the outputs"
import json, os, sys
from PIL import Image

work, render_id, strong_id, weak_id = sys.argv[1:5]
errors = []
def check(cond, msg):
    if not cond:
        errors.append(msg)
        print("    FAIL:", msg)

# Frames of the render job: 4 angles of 32 x 32 RGB, not black; projection.
for n in range(4):
    path = os.path.join(work, "render", f"volumerender{n}.png")
    if not os.path.exists(path):
        check(False, f"missing frame {path}")
        continue
    im = Image.open(path)
    check(im.size == (32, 32) and im.mode == "RGB", f"{path}: {im.size} {im.mode}")
    check(max(im.getextrema(), key=lambda e: e[1])[1] > 0, f"{path} is black")
proj = os.path.join(work, "render", "projection.png")
check(os.path.exists(proj) and Image.open(proj).size == (48, 48), f"bad or missing {proj}")

def records(path):
    try:
        with open(path) as f:
            return [json.loads(l) for l in f if l.strip()]
    except (OSError, ValueError) as e:
        check(False, f"{path}: {e}")
        return []

def check_record(r, job, ranks, dims=48, N=32):
    check(r.get("SLURM_JOB_ID") == job, f"record SLURM_JOB_ID {r.get('SLURM_JOB_ID')} != {job}")
    # The job's 2 tasks; inside an srun step SLURM sets the step's count.
    check(r.get("SLURM_NTASKS") in ("2", str(ranks)),
          f"record SLURM_NTASKS {r.get('SLURM_NTASKS')} at {ranks} rank(s)")
    check(r.get("SLURM_JOB_NUM_NODES") == "1", "record SLURM_JOB_NUM_NODES")
    check(r["ranks"] == ranks and r["hosts"] == 1, f"record ranks {r['ranks']} hosts {r['hosts']}")
    for ph in ("open", "read", "render", "composite", "write", "total"):
        p = r["phases"][ph]
        check(0 <= p["min"] <= p["mean"] <= p["max"] and 0 <= p["max_rank"] < ranks,
              f"phase {ph}: {p}")
    check(len(r["samples_per_rank"]) == ranks and sum(r["samples_per_rank"]) ==
          r["samples_total"] > 0, "samples per rank")
    check(r["frames"] == 4 and r["params"]["N"] == N and r["params"]["dims"] == [dims] * 3,
          f"frames / params: {r['frames']} {r['params']}")
    check(r["peak_rss_bytes"]["max"] >= r["peak_rss_bytes"]["mean"] > 0, "peak RSS")
    check(r["io"]["mode"] != "", "io mode")
    check((r["composite_bytes_sent"]["total"] > 0) == (ranks > 1), "composite bytes")

rec = records(os.path.join(work, "render", "timing.jsonl"))
check(len(rec) == 1, f"render job: {len(rec)} timing records, expected 1")
for r in rec:
    check_record(r, render_id, 2)

rec = records(os.path.join(work, "strong", "strong.jsonl"))
by_p = {}
for r in rec:
    by_p.setdefault(r["ranks"], []).append(r)
    check_record(r, strong_id, r["ranks"])
check(sorted((p, len(v)) for p, v in by_p.items()) == [(1, 2), (2, 2)],
      f"strong records per P: { {p: len(v) for p, v in by_p.items()} }, expected 2 at P=1, 2")
md = os.path.join(work, "strong", "strong.md")
text = open(md).read() if os.path.exists(md) else ""
rows = [l for l in text.splitlines() if l.startswith("| 1 |") or l.startswith("| 2 |")]
check(len(rows) == 2 and "speedup" in text and "efficiency" in text,
      f"{md}: expected a table with rows for P = 1 and 2")
if rows:
    print("    report rows:\n      " + "\n      ".join(rows))
png = os.path.join(work, "strong", "strong.png")
check(os.path.exists(png) and Image.open(png).size[0] > 600, f"bad or missing {png}")

# Weak scaling: 32^3, N = 24 at P = 1; round(32 * 2^(1/3)) = 40, N = 30 at P = 2.
rec = records(os.path.join(work, "weak", "weak.jsonl"))
check(sorted(r["ranks"] for r in rec) == [1, 2], f"weak records: {[r['ranks'] for r in rec]}")
for r in rec:
    check_record(r, weak_id, r["ranks"], *({1: (32, 24), 2: (40, 30)}[r["ranks"]]))
md = os.path.join(work, "weak", "weak.md")
text = open(md).read() if os.path.exists(md) else ""
check("| 2 | 40x40x40 | 30 |" in text, f"{md}: no row for P = 2 (40^3, N = 30)")
png = os.path.join(work, "weak", "weak.png")
check(os.path.exists(png) and Image.open(png).size[0] > 600, f"bad or missing {png}")
sys.exit(1 if errors else 0)
EOF

# ---- the snapshot job array ------------------------------------------------------
# Three snapshots (a list with a comment and a blank line; snap_10 last) as
# an array of 2 tasks: task 0 renders snap_1 and snap_2, task 1 snap_10.
mkdir -p "$WORK/snaps"
for k in 1 2 10; do
  "$MKCUBE" -o "$WORK/snaps/snap_$k.h5" -s 32 --seed "$k" -q ||
    die "volrender_mkcube --seed $k failed"
done
printf '# three snapshots\nsnaps/snap_1.h5\n\nsnaps/snap_2.h5\nsnaps/snap_10.h5\n' \
  >"$WORK/series.txt"
SERIES_ENV="$COMMON,VR_LIST=series.txt,VR_OUT=series,VR_SIZE=24,VR_ANGLES=3"
submit_array() {   # submit_array NAME ARRAY EXPORT -> prints the array job id
  local id
  id=$(sbatch --parsable --chdir="$WORK" -J "vr-test-$1" -o "$WORK/$1-%A_%a.out" \
         --ntasks=2 --time=5 --array="$2" --export="$3" "$SRC/jobs/snapshots.sbatch") ||
    return 1
  echo "${id%%;*}"
}
# wait_array ID COUNT: waits until COUNT tasks have ended; prints
# "TASK STATE EXITCODE JOBID" per task, or UNFINISHED.
wait_array() {
  local id=$1 count=$2 lines i
  for ((i = 0; i < 1500; i++)); do
    lines=$(scontrol show job -o "$id" 2>/dev/null | sed -n \
      's/^JobId=\([0-9]*\) .* ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\) .* ExitCode=\([0-9:]*\) .*/\2 \3 \4 \1/p')
    if [[ $(grep -cE '^[0-9]+ (COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED) ' \
              <<<"$lines") -eq $count ]]; then
      sort -n <<<"$lines"
      return 0
    fi
    ((SECONDS - T0 > 330)) && break
    sleep 0.1
  done
  echo UNFINISHED
}
# check_array NAME ID COUNT WANT: every task ended WANT (COMPLETED or FAILED);
# writes "TASK JOBID" lines to WORK/NAME.tasks.
check_array() {
  local name=$1 id=$2 count=$3 want=$4 task st ec jid n=0
  : >"$WORK/$name.tasks"
  [[ $id =~ ^[0-9]+$ ]] || { fail "sbatch --array did not return a job id ('$id')"; return; }
  while read -r task st ec jid; do
    [[ $task == UNFINISHED ]] && { fail "array $name ($id) did not finish"; return; }
    n=$((n + 1))
    log "array $name ($id) task $task (job $jid): $st, exit code $ec"
    if [[ $want == COMPLETED && ($st != COMPLETED || $ec != 0:0) ]] ||
       [[ $want == FAILED && ($st != FAILED || $ec == 0:0) ]]; then
      fail "array $name task $task ended $st (exit $ec), expected $want; its output:"
      sed "s/^/    | /" "$WORK/$name-${id}_$task.out"
    fi
    echo "$task $jid" >>"$WORK/$name.tasks"
  done < <(wait_array "$id" "$count")
  ((n == count)) || fail "array $name: $n task(s) ended, expected $count"
}
ARRAY_ID=$(submit_array series 0-1 "$SERIES_ENV")
# A VR_PER_TASK that leaves snapshots out is refused by every task.
SHORT_ID=$(submit_array series-short 4-5 "$SERIES_ENV,VR_OUT=short,VR_PER_TASK=1")
log "submitted the snapshot array $ARRAY_ID (2 tasks) and the short array $SHORT_ID"
check_array series "$ARRAY_ID" 2 COMPLETED
check_array series-short "$SHORT_ID" 2 FAILED
for t in 4 5; do
  grep -qF "snapshots.sbatch: 2 array task(s) x VR_PER_TASK=1 cover 2 of the 3 snapshots in 'series.txt': submit --array=0-2" \
    "$WORK/series-short-${SHORT_ID}_$t.out" 2>/dev/null ||
    fail "the short array's task $t does not say which --array covers the list"
done
[[ ! -e $WORK/short ]] || fail "the refused short array wrote $WORK/short"
"$PYTHON" "$SRC/tests/slurm/check_series.py" "$WORK" first "$WORK/series.tasks" \
  "$WORK/series.state" || fail "checks of the snapshot array's outputs"
# Resubmitted with VR_RESUME=1: every snapshot is finished, nothing is rendered.
RESUME_ID=$(submit_array series 0-1 "$SERIES_ENV,VR_RESUME=1")
log "resubmitted the snapshot array with VR_RESUME=1: $RESUME_ID"
check_array series "$RESUME_ID" 2 COMPLETED
if grep -l "Rendering Scene" "$WORK"/series-"$RESUME_ID"_*.out 2>/dev/null; then
  fail "the resumed array rendered frames again"
fi
"$PYTHON" "$SRC/tests/slurm/check_series.py" "$WORK" resumed "$WORK/series.tasks" \
  "$WORK/series.state" || fail "checks of the resumed snapshot array's outputs"

if ((FAILURES)); then
  log "FAILED: $FAILURES problem(s); job outputs in $WORK"
  exit 1
fi
log "PASS: render, strong- and weak-scaling, failing and snapshot-array jobs behaved;" \
    "outputs in $WORK"
exit 0
