#!/usr/bin/env bash
# The test command of the README: installs what the tests need (Debian packages, npm packages
# of the interop peers), builds the solution with warnings as errors, then runs every test
# project against real PostgreSQL, RabbitMQ, gRPC peers and browser started by the fixtures.
# Extra arguments go to `dotnet test` (e.g. --filter "FullyQualifiedName~Consultations").
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
scripts/install-test-deps.sh
dotnet build Microservices.sln -c Release -warnaserror -nologo -v quiet
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
dotnet test Microservices.sln -c Release --no-build -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line over all test assemblies ("Failed: 0, Passed: 12, Skipped: 0, Total: 12").
awk '
  /(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+/ {
    line = $0; sub(/.*Failed: +/, "", line); f += int(line)
    line = $0; sub(/.*Passed: +/, "", line); p += int(line)
    line = $0; sub(/.*Skipped: +/, "", line); s += int(line)
    n++
  }
  END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s; if (n == 0) print "no test assembly reported a result" }
' "$log"
if [ "$status" -eq 0 ] && ! grep -qE '(Passed|Failed)! +- ' "$log"; then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
