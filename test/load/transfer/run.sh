#!/usr/bin/env bash
# test/load/transfer/run.sh: blind transfer load through Tandem, on loopback.
#
#   test/load/transfer/run.sh                      100 transfers/s for 60 s, Refer-Sub: false
#   test/load/transfer/run.sh -subscription        the same with NOTIFYs to the transferor
#   test/load/transfer/run.sh -answer-delay 200ms  the target answers 200 ms after ringing
#   TANDEM_BIN=/path/tandem test/load/transfer/run.sh   measure that binary instead of building
#
# Builds ./cmd/tandem and the generator (test/load/transfer, see its doc
# comment for every flag) into OUT (default: a new /tmp/tandem-xferload.*
# dir), then runs the generator, which starts that tandem on free loopback
# ports with its own config (routes b and c to the generator's phones,
# embedded NATS with JetStream under OUT/nats, removed at the end), stops it
# with SIGTERM, prints the summary (also kept in OUT/summary.txt) and exits
# non-zero if a transfer failed or got stuck, a call was left in tandem, or
# tandem did not exit 0.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$(cd "$here" && go env GOMOD)")
OUT=${OUT:-$(mktemp -d /tmp/tandem-xferload.XXXXXX)}
mkdir -p "$OUT"

if [[ -n ${TANDEM_BIN:-} ]]; then
	cp "$TANDEM_BIN" "$OUT/tandem"
else
	(cd "$root" && go build -o "$OUT/tandem" ./cmd/tandem)
fi
(cd "$root" && go build -o "$OUT/xferload" ./test/load/transfer)
echo "tandem $(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown), out: $OUT" >&2
rc=0
"$OUT/xferload" -tandem "$OUT/tandem" -out "$OUT" "$@" | tee "$OUT/summary.txt" || rc=$?
exit "$rc"
