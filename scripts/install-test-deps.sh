#!/usr/bin/env bash
# Installs what the test suite needs on a Debian machine, when missing:
#  - rabbitmq-server, postgresql: started by the test fixtures as private instances
#  - python3-grpcio, python3-protobuf: a real gRPC peer (Python grpcio) for interop tests
#  - python3-cryptography: the independent (Python) verifier of consultation logs
#  - python3-h2: a raw HTTP/2 client for the gateway's hostile-client probes
#  - python3-feedparser: an independent parser of the gateway's Atom feeds
#  - nodejs/npm packages under tests/Interop/node: a real gRPC peer (@grpc/grpc-js)
#  - nghttp2-client (h2load): benchmarks
#  - chromium: browser tests of the gateway's web pages
#  - docker-compose: validates docker-compose.yml (no Docker engine runs on CI)
#  - libfaketime: the end-to-end test moves the Consultations processes' clock past a deadline
#  - swaks: a real SMTP client (besides Python's smtplib) for the SMTP door's tests
#  - dnsmasq-base: a real DNS server serving DKIM test keys (Consultations' sender verification)
# Idempotent: does nothing for what is already there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need=()
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || [ -x /usr/sbin/rabbitmq-server ] || need+=(rabbitmq-server)
[ -x /usr/lib/postgresql/15/bin/initdb ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
/usr/bin/python3 -c 'import grpc, google.protobuf' >/dev/null 2>&1 || need+=(python3-grpcio python3-protobuf)
/usr/bin/python3 -c 'import cryptography' >/dev/null 2>&1 || need+=(python3-cryptography)
/usr/bin/python3 -c 'import h2, hpack' >/dev/null 2>&1 || need+=(python3-h2)
/usr/bin/python3 -c 'import feedparser' >/dev/null 2>&1 || need+=(python3-feedparser)
command -v h2load >/dev/null 2>&1 || need+=(nghttp2-client)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
ls /usr/lib/*/faketime/libfaketime.so.1 >/dev/null 2>&1 || need+=(libfaketime)
command -v swaks >/dev/null 2>&1 || need+=(swaks)
[ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)

if [ ${#need[@]} -gt 0 ]; then
  echo "install-test-deps: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  # Debian's packages may start their default instances; the tests start their own.
  $SUDO service rabbitmq-server stop >/dev/null 2>&1 || true
  $SUDO service postgresql stop >/dev/null 2>&1 || true
fi

for dir in "$here"/tests/*/node; do
  if [ -f "$dir/package.json" ] && [ ! -d "$dir/node_modules" ]; then
    echo "install-test-deps: npm ci in ${dir#$here/}"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
