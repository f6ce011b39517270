#!/usr/bin/env bash
# test/load/originate/run.sh: third-party call control load (calls.originate
# over NATS) through Tandem, on loopback.
#
#   test/load/originate/run.sh                        300 calls/s for 30 s, flow IV, 1 s hold
#   test/load/originate/run.sh -rate 500 -duration 10s
#   test/load/originate/run.sh -flow 1                RFC 3725 flow I
#   test/load/originate/run.sh -controller crm        calls claimed by a controller
#   test/load/originate/run.sh -via rest              POST /v1/calls to the REST gateway (apps/rcc)
#   test/load/originate/run.sh -phones sipp           A and B played by two SIPp processes (needs sipp,
#                                                     Debian sip-tester): the latency target's measurement
#   TANDEM_BIN=/path/tandem test/load/originate/run.sh   measure that binary instead of building
#
# Builds ./cmd/tandem and the generator (test/load/originate, see its doc
# comment for every flag) into OUT (default: a new /tmp/tandem-origload.*
# dir), then runs the generator, which starts that tandem on free loopback
# ports with its own config (no routes, embedded NATS on a fixed loopback
# port without authentication, JetStream under OUT/nats, removed at the
# end), sends calls.originate to it, plays A and B, stops it with SIGTERM,
# prints the summary (also kept in OUT/summary.txt) and exits non-zero if a
# call failed or got stuck, a call was left in tandem, or tandem did not
# exit 0.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$(cd "$here" && go env GOMOD)")
OUT=${OUT:-$(mktemp -d /tmp/tandem-origload.XXXXXX)}
mkdir -p "$OUT"

if [[ -n ${TANDEM_BIN:-} ]]; then
	cp "$TANDEM_BIN" "$OUT/tandem"
else
	(cd "$root" && go build -o "$OUT/tandem" ./cmd/tandem)
fi
(cd "$root" && go build -o "$OUT/origload" ./test/load/originate)
echo "tandem $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown), out: $OUT" >&2
rc=0
"$OUT/origload" -tandem "$OUT/tandem" -out "$OUT" "$@" | tee "$OUT/summary.txt" || rc=$?
exit "$rc"
