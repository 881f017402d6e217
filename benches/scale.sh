#!/usr/bin/env bash
# Wall time and peak memory of `refract eval` (all six definitions, JSON Lines in and
# out) against reading alone, at growing cohort sizes. Usage: benches/scale.sh [N...]
# (default: 10000 100000 1000000). Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-10000 100000 1000000}")
cargo build --release --quiet
bin=./target/release/refract
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf '%-10s %12s %12s %12s %14s %12s\n' patients "parse (s)" "eval (s)" "eval/parse" "patients/s" "peak MB"
for n in ${sizes[*]}; do
  "$bin" synth --patients "$n" --seed 2026 > "$dir/cohort.jsonl"
  parse=$( { /usr/bin/time -f '%e %M' "$bin" eval --parse-only "$dir/cohort.jsonl" >/dev/null; } 2>&1 | tail -1)
  full=$( { /usr/bin/time -f '%e %M' "$bin" eval "$dir/cohort.jsonl" >/dev/null; } 2>&1 | tail -1)
  read -r parse_s _ <<<"$parse"
  read -r eval_s eval_kb <<<"$full"
  awk -v n="$n" -v p="$parse_s" -v e="$eval_s" -v kb="$eval_kb" \
    'BEGIN { printf "%-10d %12.2f %12.2f %12.2f %14.0f %12.0f\n", n, p, e, e / p, n / e, kb / 1024 }'
  rm -f "$dir/cohort.jsonl"
done
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $("$bin" --version)"
