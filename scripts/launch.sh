# launch.sh — how volrender's scripts and jobs start MPI programs.
# Sourced (not run) by scripts/strong_scaling.sh, scripts/weak_scaling.sh
# and jobs/*.sbatch:
#
#   source scripts/launch.sh
#   vr_launch_init build/volrender_mpi   # pick a launcher, once
#   vr_launch 4 build/volrender_mpi -N 128 ...
#
# The choice (printed on stderr) follows VR_LAUNCHER:
#   auto (default)  inside a SLURM allocation: srun, if a 2-rank probe of the
#                   tool starts as one MPI job (tried with the cluster's
#                   MpiDefault, then --mpi=pmix, then --mpi=pmi2); otherwise
#                   mpirun.  Outside SLURM: mpirun.
#   srun            srun, with --mpi=$VR_SRUN_MPI when that is set; no probe.
#   mpirun          $VR_MPIRUN (default mpirun, or mpiexec when there is no
#                   mpirun), with $VR_MPIRUN_FLAGS appended.
# With Open MPI's mpirun, --oversubscribe is added outside SLURM (a
# workstation with fewer cores than ranks) or when asked for more ranks than
# SLURM_NTASKS, and --bind-to none when OMP_NUM_THREADS > 1 (threads of a
# rank bound to one core would share it).  srun gets --cpus-per-task from
# SLURM_CPUS_PER_TASK (srun 22.05+ no longer inherits it from sbatch).
# Nothing here sets OMPI_MCA_* or the run-as-root variables.

VR_LAUNCH_KIND=""       # srun | mpirun
VR_LAUNCH_SRUN_MPI=()   # e.g. (--mpi=pmix)
VR_LAUNCH_MPIRUN=""
VR_LAUNCH_OPENMPI=0

vr_launch_log() { echo "launch: $*" >&2; }

# vr_srun_probe TOOL [MPI-TYPE]: true when `srun [--mpi=TYPE] TOOL --version`
# on min(2, SLURM_NTASKS) ranks prints exactly one version line, i.e. the
# ranks formed one MPI job (separate singletons would print one line each).
vr_srun_probe() {
  local tool=$1 mpi=${2:-} n=2 out
  [[ ${SLURM_NTASKS:-2} -lt 2 ]] && n=1
  local args=(-n "$n" --quiet)
  [[ -n $mpi ]] && args+=(--mpi="$mpi")
  out=$(timeout 120 srun "${args[@]}" "$tool" --version 2>/dev/null) || return 1
  [[ $(grep -c '^volrender_mpi' <<<"$out") -eq 1 ]]
}

vr_launch_init_mpirun() {
  VR_LAUNCH_KIND=mpirun
  VR_LAUNCH_MPIRUN=${VR_MPIRUN:-}
  if [[ -z $VR_LAUNCH_MPIRUN ]]; then
    if command -v mpirun >/dev/null 2>&1; then VR_LAUNCH_MPIRUN=mpirun
    else VR_LAUNCH_MPIRUN=mpiexec; fi
  fi
  if ! command -v "$VR_LAUNCH_MPIRUN" >/dev/null 2>&1; then
    vr_launch_log "error: no $VR_LAUNCH_MPIRUN on PATH (load the cluster's MPI module)"
    return 1
  fi
  VR_LAUNCH_OPENMPI=0
  if "$VR_LAUNCH_MPIRUN" --version 2>/dev/null | grep -qE 'Open MPI|OpenRTE'; then
    VR_LAUNCH_OPENMPI=1
  fi
  vr_launch_log "using $VR_LAUNCH_MPIRUN${VR_MPIRUN_FLAGS:+ $VR_MPIRUN_FLAGS}"
}

# vr_launch_init TOOL: chooses the launcher; TOOL is the MPI program used
# for the srun probe (it must accept --version).
vr_launch_init() {
  local tool=$1 want=${VR_LAUNCHER:-auto}
  VR_LAUNCH_SRUN_MPI=()
  case $want in
    auto)
      if [[ -n ${SLURM_JOB_ID:-} ]] && command -v srun >/dev/null 2>&1; then
        local cands=("" pmix pmi2) c
        [[ -n ${VR_SRUN_MPI:-} ]] && cands=("$VR_SRUN_MPI")
        for c in "${cands[@]}"; do
          if vr_srun_probe "$tool" "$c"; then
            VR_LAUNCH_KIND=srun
            [[ -n $c ]] && VR_LAUNCH_SRUN_MPI=(--mpi="$c")
            vr_launch_log "using srun ${VR_LAUNCH_SRUN_MPI[*]:-(cluster MpiDefault)}"
            return 0
          fi
        done
        vr_launch_log "srun cannot start $tool as one MPI job" \
                      "(tried MpiDefault, pmix, pmi2): falling back to mpirun"
      fi
      vr_launch_init_mpirun ;;
    srun)
      VR_LAUNCH_KIND=srun
      [[ -n ${VR_SRUN_MPI:-} ]] && VR_LAUNCH_SRUN_MPI=(--mpi="$VR_SRUN_MPI")
      vr_launch_log "using srun ${VR_LAUNCH_SRUN_MPI[*]:-}" ;;
    mpirun|mpiexec)
      vr_launch_init_mpirun ;;
    *)
      vr_launch_log "error: VR_LAUNCHER must be auto, srun or mpirun, not '$want'"
      return 1 ;;
  esac
}

# vr_launch NP COMMAND...: runs COMMAND on NP ranks; returns its status.
vr_launch() {
  local np=$1
  shift
  if [[ $VR_LAUNCH_KIND == srun ]]; then
    local args=(-n "$np" "${VR_LAUNCH_SRUN_MPI[@]}")
    [[ -n ${SLURM_CPUS_PER_TASK:-} ]] && args+=(--cpus-per-task="$SLURM_CPUS_PER_TASK")
    # shellcheck disable=SC2086
    srun "${args[@]}" ${VR_SRUN_FLAGS:-} "$@"
    return
  fi
  local args=(-np "$np")
  if ((VR_LAUNCH_OPENMPI)); then
    if [[ -z ${SLURM_JOB_ID:-} ]] || ((np > ${SLURM_NTASKS:-0})); then
      args+=(--oversubscribe)
    fi
    ((${OMP_NUM_THREADS:-1} > 1)) && args+=(--bind-to none)
  fi
  # shellcheck disable=SC2086
  "$VR_LAUNCH_MPIRUN" "${args[@]}" ${VR_MPIRUN_FLAGS:-} "$@"
}

# ---- shared by strong_scaling.sh and weak_scaling.sh ------------------------
# They set STUDY (the name in messages), RECORDS, WARMUP, REPEATS and source
# this file; vr_study_begin, then vr_study_runs per rank count, then
# vr_study_end MODE DIR (which exits with the study's status).

vr_study_count_records() {
  if [[ -s $RECORDS ]]; then grep -c . "$RECORDS" || true; else echo 0; fi
}

vr_study_begin() {
  VR_STUDY_BEFORE=$(vr_study_count_records)
  VR_STUDY_FAILED=0
  VR_STUDY_NFAILED=0
  VR_STUDY_SERIES=0
}

# vr_study_runs P LABEL TOOL ARGS...: WARMUP + REPEATS runs on P ranks; the
# timed ones append their record to RECORDS.
vr_study_runs() {
  local p=$1 label=$2
  shift 2
  VR_STUDY_SERIES=$((VR_STUDY_SERIES + 1))
  local i timing start kind
  for ((i = 0; i < WARMUP + REPEATS; i++)); do
    timing=()
    ((i >= WARMUP)) && timing=(--timing "$RECORDS")
    start=$EPOCHREALTIME
    if vr_launch "$p" "$@" -q "${timing[@]}"; then
      kind=$([[ $i -lt $WARMUP ]] && echo warm-up || echo "run $((i - WARMUP + 1))")
      awk -v s="$STUDY" -v p="$p" -v l="$label" -v k="$kind" -v t0="$start" \
          -v t1="$EPOCHREALTIME" \
          'BEGIN { printf "%s: P=%-4s %s%-8s %7.2f s wall\n", s, p, l, k, t1 - t0 }'
    else
      echo "$STUDY: P=$p run $i FAILED" >&2
      VR_STUDY_FAILED=1
      VR_STUDY_NFAILED=$((VR_STUDY_NFAILED + 1))
    fi
  done
}

# vr_study_end MODE DIR: checks that every timed run left its record (else
# the report lies), writes the report with REPORT=1, exits with the status.
vr_study_end() {
  local mode=$1 dir=$2 added
  added=$(($(vr_study_count_records) - VR_STUDY_BEFORE))
  if ((VR_STUDY_FAILED == 0 && added != REPEATS * VR_STUDY_SERIES)); then
    echo "$STUDY: $added record(s) added to $RECORDS, expected" \
         "$((REPEATS * VR_STUDY_SERIES))" >&2
    VR_STUDY_FAILED=1
  fi
  ((VR_STUDY_NFAILED == 0)) || echo "$STUDY: $VR_STUDY_NFAILED run(s) FAILED" >&2
  if ((REPORT)); then
    "$PYTHON" "$HERE/scaling_report.py" "$RECORDS" --mode "$mode" \
      --markdown "$dir/$mode.md" --plot "$dir/$mode.png" || VR_STUDY_FAILED=1
  fi
  exit "$VR_STUDY_FAILED"
}
