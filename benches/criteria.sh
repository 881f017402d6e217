#!/usr/bin/env bash
# Where a definition's evaluation goes, criterion by criterion: instructions per patient
# (valgrind's callgrind, one thread: the same within about 0.1K a patient on a loaded
# machine as on an idle one) for the whole definition and for each criterion alone,
# reading taken off.
#
#   benches/criteria.sh DEFINITION.crit [PATIENTS]      (default 500 synthetic patients)
#
# Each criterion alone is the definition cut down to its header, its parts and that one
# criterion, with `met when` naming it: the same parts, windows and reasons, so that a
# criterion's figure is what it costs inside the whole (less what it shares with others).
# Each figure is (run - the same run on no patients - reading the patients) / patients;
# reading is `--parse-only` on the same cohort.
set -euo pipefail
shopt -s inherit_errexit
usage="usage: benches/criteria.sh DEFINITION.crit [PATIENTS]"
definition=$(realpath -- "${1:?$usage}")
patients=${2:-500}
[[ "$patients" =~ ^[1-9][0-9]*$ ]] || { echo "$usage (PATIENTS: a whole number above 0)" >&2; exit 2; }
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
cargo build --release --locked --quiet
bin=$PWD/target/release/refract
"$bin" check "$definition" >/dev/null
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin" synth --patients "$patients" --seed 2026 > "$dir/cohort.jsonl"
: > "$dir/none.jsonl"

# instructions ARGS...: the instructions `refract eval ARGS` runs in one thread.
instructions() {
  RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$bin" eval "$@" 2>&1 >/dev/null |
    awk '/refs:/ { gsub(",", "", $NF); print $NF; found = 1 } END { exit !found }'
}
# per_patient FILE: evaluation and writing per patient for one definition file.
per_patient() {
  local run start
  run=$(instructions -d "$1" "$dir/cohort.jsonl")
  start=$(instructions -d "$1" "$dir/none.jsonl")
  echo $(( (run - start - reading) / patients ))
}

read_run=$(instructions --parse-only -d "$definition" "$dir/cohort.jsonl")
read_start=$(instructions --parse-only -d "$definition" "$dir/none.jsonl")
reading=$(( read_run - read_start ))

# The file in canonical layout (`refract fmt`), where each item starts in the first
# column: a criterion runs from its `criterion` line to the next item; `met when` is
# left out; everything else (the header, parts, wherever they stand) is kept in every
# file.
"$bin" fmt - < "$definition" > "$dir/formatted.crit"
awk -v dir="$dir" '
  /^[^ \t\/]/ {
    mode = "keep"
    if ($1 == "criterion") { mode = "criterion"; name = $2; names[++n] = name }
    if ($1 == "met" && $2 == "when") mode = "skip"
  }
  mode == "criterion" { body[name] = body[name] $0 "\n"; next }
  mode == "skip"      { next }
                      { kept = kept $0 "\n" }
  END {
    for (i = 1; i <= n; i++) {
      printf "%s\n%s\nmet when %s\n", kept, body[names[i]], names[i] > (dir "/" names[i] ".crit")
      print names[i] > (dir "/order")
    }
  }' "$dir/formatted.crit"

printf '%-32s %12s\n' "$(basename "$definition" .crit)" "instr/patient"
printf '%-32s %12s\n' "reading (--parse-only)" $(( reading / patients ))
whole=$(per_patient "$definition")
printf '%-32s %12s\n' "the whole definition" "$whole"
while read -r name; do
  # A criterion that names another criterion does not stand alone: check says so.
  if problem=$("$bin" check "$dir/$name.crit" 2>&1 >/dev/null); then
    alone=$(per_patient "$dir/$name.crit")
    printf '%-32s %12s\n' "  $name alone" "$alone"
  else
    # check's message is its line marked `×`; anything else, its first line.
    reason=$(sed -n 's/^ *× *//p' <<< "$problem" | head -n 1)
    printf '%-32s %s\n' "  $name alone" "not run: ${reason:-$(head -n 1 <<< "$problem")}"
  fi
done < "$dir/order"
