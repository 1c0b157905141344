#!/usr/bin/env bash
# The test command of the README: installs what the tests need (Debian packages, npm packages
# of the interop peers), builds the solution with warnings as errors, then runs every test
# project against real PostgreSQL, RabbitMQ, gRPC peers and browser started by the fixtures.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Consultations").
#
# A test that fails is run once more, alone, and named in the output ("retried: ..."): one that
# passes only on its second run is reported as flaky, never hidden; one that fails twice fails
# the run. A test assembly that crashes fails the run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
scripts/install-test-deps.sh
dotnet build Microservices.sln -c Release -warnaserror -nologo -v quiet
log="$(mktemp)"
retry_log="$(mktemp)"
trap 'rm -f "$log" "$retry_log"' EXIT
set +e
dotnet test Microservices.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Per-assembly lines: "Passed!  - Failed:     0, Passed:    12, Skipped:     0, Total:    12, ..."
read -r assemblies passed failed skipped < <(awk '
  /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
    line = $0; sub(/.*Failed: +/, "", line); f += int(line)
    line = $0; sub(/.*Passed: +/, "", line); p += int(line)
    line = $0; sub(/.*Skipped: +/, "", line); s += int(line)
    n++
  }
  END { print n + 0, p + 0, f + 0, s + 0 }' "$log")
if [ "$assemblies" -eq 0 ] || [ $((passed + failed)) -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
crashed=$(grep -cE "Test Run Aborted|The active test run was aborted|Test host process crashed" "$log" || true)

if [ "$status" -ne 0 ] && [ "$failed" -gt 0 ] && [ "$crashed" -eq 0 ]; then
  # "  Failed Namespace.Class.Method(arg: 1) [12 ms]" -> Namespace.Class.Method
  mapfile -t tests < <(sed -nE 's/^ +Failed ([A-Za-z_][A-Za-z0-9_.]*)[( ].*/\1/p' "$log" | sort -u)
  still_failing=0
  for test in "${tests[@]}"; do
    set +e
    dotnet test Microservices.sln -c Release --no-build -nologo --filter "FullyQualifiedName~$test" >"$retry_log" 2>&1
    rc=$?
    set -e
    if [ "$rc" -eq 0 ] && grep -qE "Passed! +- " "$retry_log"; then
      echo "retried: $test passed on its second run (flaky)"
    else
      still_failing=$((still_failing + 1))
      echo "retried: $test FAILED again:"; grep -vE "^(Test run for|A total of|No test is available|Additionally, path)" "$retry_log" | tail -60
    fi
  done
  echo "tests: $passed passed, $still_failing failed, $skipped skipped (${#tests[@]} failed on the first run and were retried)"
  [ "$still_failing" -eq 0 ] && [ "${#tests[@]}" -gt 0 ] && exit 0
  exit 1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
