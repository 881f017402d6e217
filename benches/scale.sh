#!/usr/bin/env bash
# What a registry run costs: `refract eval` on synthetic cohorts of growing size, JSON Lines
# in and out, every figure of issue 16's targets measured in one run on this machine.
#
#   benches/scale.sh [--before REV] [PATIENTS...]     (default sizes: 10000 100000 1000000)
#
# For each size: reading alone (`--parse-only`) with the byte scanner and with the reader
# before it (`--reader serde`); all six shipped definitions on 2 threads and on 1;
# cci-2022 with jsh-lcsgj-2014; and, with --before, the six under the `refract` built from
# git revision REV (in a worktree of its own, target dir target/before), so that today's
# figures and the old ones come from the same machine in the same minutes. Peak memory is
# GNU time's maximum resident set. Sizes of 100,000 patients or fewer are timed best of 3
# (on a shared machine one run can land in a slow minute: the ratios below divide two
# timings, and the 10x figure divides the million by the hundred thousand).
# The interpreter against hand-written Rust is `cargo bench --bench throughput`.
set -euo pipefail
cd "$(dirname "$0")/.."
before=""
if [[ "${1:-}" == "--before" ]]; then
  before="$2"
  shift 2
fi
sizes=("${@:-10000 100000 1000000}")
# shellcheck disable=SC2206
sizes=(${sizes[*]})
cargo build --release --locked --quiet
bin=./target/release/refract
old=""
if [[ -n "$before" ]]; then
  rev=$(git rev-parse "$before")
  old=./target/before/release/refract
  # Built once per revision (a stamp names the one built).
  if [[ ! -x "$old" || "$(cat target/before/rev 2>/dev/null)" != "$rev" ]]; then
    tree=target/before-tree
    rm -rf "$tree"
    git worktree prune
    git worktree add --detach --quiet "$tree" "$rev"
    (cd "$tree" && cargo build --release --locked --quiet --target-dir ../before)
    git worktree remove --force "$tree"
    echo "$rev" > target/before/rev
  fi
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# measure RUNS CMD...: prints "seconds peak_MB" (fastest run, its peak memory).
measure() {
  local runs=$1 best="" mem=0
  shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$dir/time" -f '%e %M' "$@" >/dev/null 2>"$dir/stderr"
    read -r s kb < "$dir/time"
    if [[ -z "$best" ]] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$s
      mem=$((kb / 1024))
    fi
  done
  echo "$best $mem"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / (b > 0 ? b : 1e-9) }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / (s > 0 ? s : 1e-9) }'; }

# Both binaries read this tree's definitions (a binary's default folder is where it was
# built).
six="-d definitions"
two="-d definitions/cci-2022.crit -d definitions/jsh-lcsgj-2014.crit"
printf '%-9s %-34s %9s %9s %11s\n' patients run seconds "peak MB" patients/s
declare -A total
for n in "${sizes[@]}"; do
  runs=1
  [[ "$n" -le 100000 ]] && runs=3
  cohort="$dir/cohort.jsonl"
  "$bin" synth --patients "$n" --seed 2026 > "$cohort"
  row() {
    printf '%-9s %-34s %9s %9s %11s\n' "$n" "$1" "$2" "$3" "$(rate "$n" "$2")"
  }
  read -r scan scan_mb < <(measure "$runs" "$bin" eval --parse-only "$cohort")
  row "read (byte scanner)" "$scan" "$scan_mb"
  read -r serde serde_mb < <(measure "$runs" "$bin" eval --parse-only --reader serde "$cohort")
  row "read (reader before, --reader serde)" "$serde" "$serde_mb"
  # shellcheck disable=SC2086
  read -r all all_mb < <(measure "$runs" "$bin" eval $six "$cohort")
  row "all six, 2 threads" "$all" "$all_mb"
  total[$n]=$all
  # shellcheck disable=SC2086
  read -r one one_mb < <(measure "$runs" env RAYON_NUM_THREADS=1 "$bin" eval $six "$cohort")
  row "all six, 1 thread" "$one" "$one_mb"
  # shellcheck disable=SC2086
  read -r pair pair_mb < <(measure "$runs" "$bin" eval $two "$cohort")
  row "cci-2022 + jsh-lcsgj-2014" "$pair" "$pair_mb"
  if [[ -n "$old" ]]; then
    # shellcheck disable=SC2086
    read -r was was_mb < <(measure "$runs" "$old" eval $six "$cohort")
    row "all six, 2 threads, $before" "$was" "$was_mb"
  fi
  echo "  scanner speed-up over the reader before:  $(ratio "$serde" "$scan")  (target >= 3)"
  echo "  all six / read:                           $(ratio "$all" "$scan")  (target <= 2)"
  echo "  cci-2022 + jsh-lcsgj-2014 / read:         $(ratio "$pair" "$scan")  (target <= 1.5)"
  echo "  2 threads over 1:                         $(ratio "$one" "$all")  (target >= 1.8)"
  if [[ -n "$old" ]]; then
    echo "  all six, now / $before:  $(ratio "$all" "$was")  (target at 1,000,000: <= 0.5)"
  fi
  rm -f "$cohort"
done
if [[ -n "${total[100000]:-}" && -n "${total[1000000]:-}" ]]; then
  echo "10x the patients (100,000 -> 1,000,000), all six: $(ratio "${total[1000000]}" "${total[100000]}")x the time (target <= 10.5)"
fi
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $("$bin" --version)"
