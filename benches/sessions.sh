#!/usr/bin/env bash
# Time one patient with 1,000 / 4,000 / 16,000 sessions (a session, a CT and an AFP result
# each day) under every shipped definition: evaluation must stay near-linear in the
# patient. Prints a table of seconds. Usage: benches/sessions.sh [SESSIONS...]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
bin=./target/release/refract
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("${@:-1000 4000 16000}")
# shellcheck disable=SC2206
sizes=(${sizes[*]})
for n in "${sizes[@]}"; do
  python3 - "$n" > "$work/s$n.jsonl" <<'PY'
import sys
n = int(sys.argv[1])
ev = []
for i in range(n):
    d = "%04d-%02d-%02d" % (1900 + i // 336, 1 + (i // 28) % 12, 1 + i % 28)
    ev.append('{"date":"%s","kind":"tace","target":"S8"}' % d)
    ev.append('{"date":"%s","kind":"imaging","modality":"CT","mrecist":"SD"}' % d)
    ev.append('{"date":"%s","kind":"lab","test":"AFP","value":%d}' % (d, i))
print('{"id":"q","events":[%s]}' % ",".join(ev))
PY
done
printf '%-22s' "sessions"
for n in "${sizes[@]}"; do printf '%10s' "$n"; done
echo
for def in definitions/*.crit; do
  printf '%-22s' "$(basename "$def" .crit)"
  for n in "${sizes[@]}"; do
    start=$(date +%s.%N)
    "$bin" eval -d "$def" "$work/s$n.jsonl" > /dev/null
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%9.2fs", b - a }'
  done
  echo
done
