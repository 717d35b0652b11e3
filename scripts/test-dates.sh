#!/usr/bin/env bash
# The date guard: the e2e project and the demo under faketime at calendar days far from today, so a
# test, a default or a fixture that quietly depends on "now is near the day it was written" fails
# here instead of months later. `npm run test:dates` runs the dates below; `npm run test:dates --
# 2029-01-02 ...` runs the ones you name. Each date starts at 12:00 UTC and the clock runs from there.
set -euo pipefail
cd "$(dirname "$0")/.."

dates=("$@")
if [ ${#dates[@]} -eq 0 ]; then
  # Today; US DST starts; DST ends; a leap day; an early-close Christmas Eve; a Saturday.
  dates=(2026-12-04 2027-03-14 2027-11-07 2028-02-29 2030-12-24 2031-06-07)
fi
if ! command -v faketime > /dev/null; then
  echo "test:dates needs faketime (Debian package): apt-get install -y faketime" >&2
  exit 2
fi

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
failed=0
total_passed=0
total_failed=0
printf '%-12s %-28s %-10s %s\n' date e2e demo 'wall time'
for day in "${dates[@]}"; do
  started=$(date +%s)
  e2e_log="$logs/e2e-$day.log"
  demo_log="$logs/demo-$day.log"
  e2e_status=ok
  faketime -m "$day 12:00:00" npx vitest run --project e2e > "$e2e_log" 2>&1 || e2e_status=FAILED
  demo_status=ok
  faketime -m "$day 12:00:00" node bin/ops.mjs demo > "$demo_log" 2>&1 || demo_status=FAILED
  # vitest's summary line, e.g. "Tests  104 passed (104)", without its colours.
  counts=$(sed 's/\x1b\[[0-9;]*m//g' "$e2e_log" | grep -E '^ +Tests ' | tail -1 | sed -E 's/^ +Tests +//')
  passed=$(echo "$counts" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
  failing=$(echo "$counts" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || echo 0)
  # A run that failed without a summary (it crashed) and a failed demo each count as one failed test.
  if [ "$e2e_status" != ok ] && [ "$failing" -eq 0 ]; then failing=1; fi
  if [ "$demo_status" != ok ]; then failing=$((failing + 1)); fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failing))
  replayed=$(grep -oE '^Replaying [A-Za-z]+ [0-9-]+' "$demo_log" | head -1 | sed 's/^Replaying //' || true)
  printf '%-12s %-28s %-10s %ss  (demo replayed %s)\n' "$day" "${e2e_status}: ${counts:-no summary}" "$demo_status" "$(( $(date +%s) - started ))" "${replayed:-?}"
  if [ "$e2e_status" != ok ] || [ "$demo_status" != ok ]; then
    failed=$((failed + 1))
    echo "---- $day: last lines of the failing run(s) ----"
    [ "$e2e_status" = ok ] || sed 's/\x1b\[[0-9;]*m//g' "$e2e_log" | grep -E 'FAIL|AssertionError|Error:' | head -30
    [ "$demo_status" = ok ] || tail -30 "$demo_log"
  fi
done
echo "test:dates: ${#dates[@]} date(s), $failed with a failure"
echo "test:dates: $total_passed passed, $total_failed failed"
[ "$failed" -eq 0 ]
