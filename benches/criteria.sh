#!/usr/bin/env bash
# Where a definition's evaluation goes, criterion by criterion: instructions per patient
# (valgrind's callgrind, one thread, which counts the same on a loaded machine as on an
# idle one) for the whole definition and for each criterion alone, reading taken off.
#
#   benches/criteria.sh DEFINITION.crit [PATIENTS]      (default 500 synthetic patients)
#
# Each criterion alone is the definition cut down to its header, its parts and that one
# criterion, with `met when` naming it: the same parts, windows and reasons, so that a
# criterion's figure is what it costs inside the whole (less what it shares with others).
# Each figure is (run - the same run on no patients - reading the patients) / patients;
# reading is `--parse-only` on the same cohort.
set -euo pipefail
cd "$(dirname "$0")/.."
definition=${1:?usage: benches/criteria.sh DEFINITION.crit [PATIENTS]}
patients=${2:-500}
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
    "$bin" eval "$@" 2>&1 >/dev/null | awk '/refs:/ { gsub(",", "", $NF); print $NF }'
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

# The header and parts are everything before the first criterion; each criterion runs
# from its `criterion` line to the next one or to `met when`.
awk -v dir="$dir" '
  /^criterion / { name = $2; files[++n] = name; inside = 1 }
  /^met when/   { inside = 0; tail = 1 }
  tail          { next }
  inside        { body[name] = body[name] $0 "\n"; next }
                { head = head $0 "\n" }
  END {
    for (i = 1; i <= n; i++) {
      name = files[i]
      text = head body[name] "\nmet when " name "\n"
      sub(/definition [^ \n]+/, "definition alone-" name, text)
      printf "%s", text > (dir "/" name ".crit")
      print name > (dir "/order")
    }
  }' "$definition"

printf '%-32s %12s\n' "$(basename "$definition" .crit)" "instr/patient"
printf '%-32s %12s\n' "reading (--parse-only)" $(( reading / patients ))
printf '%-32s %12s\n' "the whole definition" "$(per_patient "$definition")"
while read -r name; do
  # A criterion that names another criterion does not stand alone.
  if "$bin" check "$dir/$name.crit" >/dev/null 2>&1; then
    printf '%-32s %12s\n' "  $name alone" "$(per_patient "$dir/$name.crit")"
  else
    printf '%-32s %12s\n' "  $name alone" "(names another criterion)"
  fi
done < "$dir/order"
