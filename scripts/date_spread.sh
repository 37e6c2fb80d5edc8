#!/usr/bin/env bash
# The date-sensitive tests (demo, lights, periods, reminders, reporting, closing, digests) at a spread of
# fixed "nows" (Asia/Shanghai). The whole suite runs at one fixed moment (taizhang/conftest.py); these
# moments are where calendars break: week, month, quarter and year ends, the weekly deadline (Friday
# 17:00) from both sides, a leap day, and the week in which the demo once broke.
# Usage: scripts/date_spread.sh [pytest args]   (PYTHON=… to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
MOMENTS=(
  2021-03-01T09:00:00+08:00 # the first day of the seed's campaign (a Monday)
  2026-11-28T10:00:00+08:00 # the week the demo broke: Saturday ...
  2026-12-01T10:00:00+08:00 # ... and Tuesday
  2026-11-30T00:30:00+08:00 # a Monday just after midnight (still Sunday in UTC)
  2026-11-30T23:30:00+08:00 # the last day of a month, late (already the next day nowhere but here)
  2026-12-04T16:59:00+08:00 # Friday, a minute before the weekly deadline
  2026-12-04T17:01:00+08:00 # Friday, a minute after it
  2026-09-30T18:00:00+08:00 # the last day of a quarter
  2026-12-31T23:30:00+08:00 # 31 December, late evening
  2028-02-29T12:00:00+08:00 # a leap day
)
# CI runs a bounded sample (DATE_SPREAD_SAMPLE=ci): the moments where a clock rule flips — UTC's day behind
# ours, the weekly deadline from both sides, the year's end, a leap day. `make test-dates` runs all ten.
CI_MOMENTS=(
  2026-11-30T00:30:00+08:00
  2026-12-04T16:59:00+08:00
  2026-12-04T17:01:00+08:00
  2026-12-31T23:30:00+08:00
  2028-02-29T12:00:00+08:00
)
if [ "${DATE_SPREAD_SAMPLE:-all}" = ci ]; then
  MOMENTS=("${CI_MOMENTS[@]}")
fi
TESTS=(
  taizhang/demo/tests
  taizhang/ledger/tests/test_lights.py
  taizhang/reporting/tests
  taizhang/notices/tests
  taizhang/acceptance/tests/test_closing.py
  taizhang/sheets/tests/test_statistics_sheet.py
  taizhang/sheets/tests/test_sheet_report.py
)
# The moments are independent processes: run JOBS of them at once (two cores on CI), each into its own log,
# and print every log in order once it is done, so the output reads as if they had run one after another.
JOBS=${DATE_SPREAD_JOBS:-$(nproc 2>/dev/null || echo 2)}
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
run_moment() {
  local index=$1 moment=$2
  if TAIZHANG_TEST_NOW="$moment" "$PYTHON" -m pytest -q -p no:cacheprovider -m "not browser" "${TESTS[@]}" "${ARGS[@]}" \
    >"$logs/$index.log" 2>&1; then
    echo ok >"$logs/$index.rc"
  else
    echo failed >"$logs/$index.rc"
  fi
}
ARGS=("$@")
running=0
for index in "${!MOMENTS[@]}"; do
  run_moment "$index" "${MOMENTS[$index]}" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait
failed=()
for index in "${!MOMENTS[@]}"; do
  echo "==== tests at ${MOMENTS[$index]}"
  cat "$logs/$index.log"
  if [ "$(cat "$logs/$index.rc")" != ok ]; then
    failed+=("${MOMENTS[$index]}")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "date-sensitive tests failed at: ${failed[*]}" >&2
  exit 1
fi
echo "date-sensitive tests passed at all ${#MOMENTS[@]} moments"
