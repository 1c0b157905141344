#!/usr/bin/env bash
# The test command of the README: installs what the tests need, then runs every test project.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
scripts/install-test-deps.sh
dotnet build Microservices.sln -c Release -warnaserror -nologo -v quiet
dotnet test Microservices.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@"
