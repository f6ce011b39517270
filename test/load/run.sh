#!/usr/bin/env bash
# test/load/run.sh: load figures for Tandem, measured with SIPp on loopback.
#
#   test/load/run.sh                  full run (DURATION=60 s per rate step)
#   QUICK=1 test/load/run.sh          10 s steps, fewer steps and calls
#   BASELINE_ONLY=1 test/load/run.sh  SIPp-to-SIPp figures only (no tandem)
#   SIPP_TANDEM_BIN=/path/tandem ...  measure that binary instead of building
#
# It measures
#   (a) the SIPp UAC -> SIPp UAS baseline: the highest rate (calls/s) of the
#       RATES steps sustained for DURATION seconds with < 0.1 % failed calls;
#   (b) the same through tandem, and its ratio to the baseline;
#   (c) call setup latency (INVITE sent -> 200 received, from SIPp's
#       microsecond message timestamps) p50/p99 at LAT_RATE calls/s, direct
#       and through tandem, and the latency tandem adds;
#   (d) tandem's CPU time per call (utime+stime from /proc/<pid>/stat around
#       CPU_CALLS calls at CPU_RATE calls/s);
#   (e) tandem's RSS per call with RSS_CALLS concurrent calls (held
#       RSS_HOLD_MS ms, set up at RSS_RATE calls/s), minus its idle RSS;
#       read when the last call is set up and again after the finished
#       transactions have expired (RSS_SETTLE seconds later).
# and prints a summary block (also written to $OUT/summary.txt).
#
# Everything listens on 127.0.0.1: SIPp UAS on UAS_PORT (5090), tandem SIP on
# SIP_PORT (5060, UDP+TCP), tandem HTTP on HTTP_PORT (8080), SIPp UAC on
# UAC_PORT (5070). Every process is started here and killed on exit.
# Work files and logs go to OUT (default: a new /tmp/tandem-load.* dir); the
# JetStream data dirs are removed at exit unless KEEP_NATS=1.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here" && go env GOMOD)
root=$(dirname "$root")
scen=$root/test/sipp

QUICK=${QUICK:-0}
BASELINE_ONLY=${BASELINE_ONLY:-0}
KEEP_NATS=${KEEP_NATS:-0}
if [[ $QUICK == 1 ]]; then
	DURATION=${DURATION:-10}
	RATES=${RATES:-"500 1000 2000 3000 4000 6000"}
	CPU_CALLS=${CPU_CALLS:-5000}
else
	DURATION=${DURATION:-60}
	RATES=${RATES:-"500 1000 1500 2000 3000 4000 5000 6000 8000 10000"}
	CPU_CALLS=${CPU_CALLS:-30000}
fi
LAT_RATE=${LAT_RATE:-200}
CPU_RATE=${CPU_RATE:-500}
RSS_CALLS=${RSS_CALLS:-10000}
RSS_RATE=${RSS_RATE:-500}
RSS_HOLD_MS=${RSS_HOLD_MS:-120000}
RSS_SETTLE=${RSS_SETTLE:-40}
SIP_PORT=${SIP_PORT:-5060}
UAS_PORT=${UAS_PORT:-5090}
UAC_PORT=${UAC_PORT:-5070}
HTTP_PORT=${HTTP_PORT:-8080}
OUT=${OUT:-$(mktemp -d /tmp/tandem-load.XXXXXX)}
mkdir -p "$OUT"

die() { echo "load: $*" >&2; exit 1; }
int() { [[ $2 =~ ^[0-9]+$ ]] && ((10#$2 >= $3 && 10#$2 <= $4)) || die "$1=$2: want an integer in [$3, $4]"; }
int DURATION "$DURATION" 1 600
int LAT_RATE "$LAT_RATE" 1 5000
int CPU_RATE "$CPU_RATE" 1 20000
int CPU_CALLS "$CPU_CALLS" 1 1000000
int RSS_CALLS "$RSS_CALLS" 1 100000
int RSS_RATE "$RSS_RATE" 1 5000
int RSS_HOLD_MS "$RSS_HOLD_MS" 1000 600000
int RSS_SETTLE "$RSS_SETTLE" 0 120
nrates=0
for r in $RATES; do int RATES "$r" 1 100000; nrates=$((nrates + 1)); done
((nrates >= 1 && nrates <= 20)) || die "RATES: want 1 to 20 steps"
ramp=$(((RSS_CALLS + RSS_RATE - 1) / RSS_RATE))
((RSS_HOLD_MS / 1000 > ramp + RSS_SETTLE + 15)) ||
	die "RSS_HOLD_MS=$RSS_HOLD_MS: calls must outlive the ramp (${ramp}s) + RSS_SETTLE (${RSS_SETTLE}s) + 15s"
command -v sipp >/dev/null || die "sipp not found: install sip-tester"
command -v curl >/dev/null || die "curl not found"

# Best effort: more descriptors, bigger socket buffers.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
sysctl -qw net.core.rmem_max=16777216 net.core.wmem_max=16777216 2>/dev/null || true

for p in "$SIP_PORT" "$UAS_PORT" "$UAC_PORT"; do
	[[ -z $(ss -Hlun "sport = :$p") ]] || die "UDP port $p is in use"
done
for p in "$SIP_PORT" "$HTTP_PORT"; do
	[[ -z $(ss -Hltn "sport = :$p") ]] || die "TCP port $p is in use"
done

uas_pid="" uac_pid="" tandem_pid=""
cleanup() {
	local pid
	for pid in $uac_pid $uas_pid; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	if [[ -n $tandem_pid ]] && kill -0 "$tandem_pid" 2>/dev/null; then
		kill -TERM "$tandem_pid" 2>/dev/null || true
		for _ in $(seq 100); do kill -0 "$tandem_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$tandem_pid" 2>/dev/null || true
	fi
	wait 2>/dev/null || true
	# JetStream data: hundreds of MB per run, of no use afterwards.
	[[ $KEEP_NATS == 1 ]] || rm -rf "$OUT"/nats-*
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '%(%H:%M:%S)T %s\n' -1 "$*" >&2; }
now() { date +%s.%N; }

# Common SIPp options: loopback, no keyboard, big socket buffers, and more
# messages and calls handled per event-loop turn than the defaults.
sipp_common=(-i 127.0.0.1 -nostdin -buff_size 8388608 -max_recv_loops 10000 -max_sched_loops 10000)
# Overload makes SIPp's error logs grow by hundreds of MB: rotate them at
# 50 MB, keeping one old file. (Not for the latency runs: the rotation would
# cut their message logs.)
sipp_ring=(-ringbuffer_size 52428800 -ringbuffer_files 1)

# col FILE NAME: the value of column NAME in the last row of a SIPp CSV file.
col() {
	awk -F';' -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		{ last = $c } END { if (!c) exit 1; print last }' "$1"
}

# start_uas NAME: a fresh SIPp UAS (uas_answer), logging to $OUT/NAME.uas.*;
# returns once its socket is bound.
start_uas() {
	local name=$1
	stop_uas
	log "SIPp UAS (uas_answer) on 127.0.0.1:$UAS_PORT for $name"
	(cd "$OUT" && exec sipp -sf "$scen/uas_answer.xml" "${sipp_common[@]}" "${sipp_ring[@]}" -p "$UAS_PORT" \
		-trace_err -error_file "$name.uas.errors.log" >"$name.uas.out" 2>&1) &
	uas_pid=$!
	for _ in $(seq 100); do
		[[ -n $(ss -Hlun "sport = :$UAS_PORT") ]] && return
		kill -0 "$uas_pid" 2>/dev/null || die "SIPp UAS exited: $(tail -5 "$OUT/$name.uas.out")"
		sleep 0.1
	done
	die "SIPp UAS did not bind 127.0.0.1:$UAS_PORT"
}

stop_uas() {
	[[ -n $uas_pid ]] || return 0
	kill -KILL "$uas_pid" 2>/dev/null || true
	wait "$uas_pid" 2>/dev/null || true
	uas_pid=""
}

# start_tandem NAME: starts tandem with config $OUT/NAME.yaml, waits for /readyz.
start_tandem() {
	local name=$1
	cat >"$OUT/$name.yaml" <<-EOF
		node: load-1
		sip: {listen: "127.0.0.1:$SIP_PORT", udp: true, tcp: true}
		routes:
		  - {name: to-uas, user: "^(.*)\$", target: "sip:\$1@127.0.0.1:$UAS_PORT"}
		no_answer_timeout: 180s
		drain_timeout: 5s
		nats: {embedded: {port: -1, data_dir: "$OUT/nats-$name"}}
		http: {listen: "127.0.0.1:$HTTP_PORT"}
		log: {level: warn, format: text}
	EOF
	log "tandem ($name) on 127.0.0.1:$SIP_PORT"
	# Without TANDEM_* variables: tandem would read them as configuration.
	local unset=() v
	for v in $(compgen -e); do [[ $v != TANDEM_* ]] || unset+=(-u "$v"); done
	env "${unset[@]}" "$OUT/tandem" --config "$OUT/$name.yaml" >"$OUT/$name.log" 2>&1 &
	tandem_pid=$!
	for _ in $(seq 600); do
		curl -sf -o /dev/null "http://127.0.0.1:$HTTP_PORT/readyz" && return
		kill -0 "$tandem_pid" 2>/dev/null || die "tandem exited: $(tail -20 "$OUT/$name.log")"
		sleep 0.1
	done
	die "tandem not ready after 60 s"
}

# stop_tandem NAME: SIGTERM, then up to 60 s for it to exit; appends
# "NAME:<exit status>:<seconds>" to stop_rcs.
stop_tandem() {
	local rc=0 t0 t1
	t0=$(now)
	kill -TERM "$tandem_pid"
	for _ in $(seq 600); do kill -0 "$tandem_pid" 2>/dev/null || break; sleep 0.1; done
	if kill -KILL "$tandem_pid" 2>/dev/null; then log "tandem ($1) still running 60 s after SIGTERM: killed"; fi
	wait "$tandem_pid" || rc=$?
	t1=$(now)
	tandem_pid=""
	stop_rcs+=" $1:$rc($(printf '%.1f' "$(echo "$t1 - $t0" | bc -l)")s)"
	log "tandem ($1) exit status $rc after SIGTERM"
}

# uac NAME SCENARIO TARGET RATE CALLS HOLD_MS [sipp options...]: runs a SIPp
# UAC in the foreground (bounded by -timeout) and prints
# "exit successful failed seconds retransmissions mean-setup-time" with the
# wall time it took and SIPp's mean response time 1 (HH:MM:SS:usec).
uac() {
	local name=$1 sf=$2 target=$3 rate=$4 calls=$5 hold=$6
	shift 6
	local limit=$((calls / rate * 2 + 120)) t0 t1 rc=0
	t0=$(now)
	(cd "$OUT" && exec sipp -sf "$scen/$sf" "${sipp_common[@]}" -p "$UAC_PORT" -s load \
		-r "$rate" -m "$calls" -l $((rate * 10)) -d "$hold" -recv_timeout 10000 \
		-timeout "${limit}s" -timeout_error \
		-trace_stat -stf "$name.stat.csv" -fd 10 \
		-trace_err -error_file "$name.errors.log" "$@" "$target" >"$OUT/$name.out" 2>&1) || rc=$?
	t1=$(now)
	echo "$rc $(col "$OUT/$name.stat.csv" 'SuccessfulCall(C)' || echo 0)" \
		"$(col "$OUT/$name.stat.csv" 'FailedCall(C)' || echo 0) $(echo "$t1 - $t0" | bc -l)" \
		"$(col "$OUT/$name.stat.csv" 'Retransmissions(C)' || echo 0)" \
		"$(col "$OUT/$name.stat.csv" 'ResponseTime1(C)' || echo 0:0:0:0)"
}

# step LABEL TARGET RATE: one DURATION-second step at RATE calls/s against a
# fresh UAS (and, for LABEL tandem, a fresh tandem), so that an overloaded
# step leaves nothing behind for the next; logs a line to steps.txt and
# succeeds when it passed: failed calls < 0.1 % of the calls, and all calls
# processed at >= 95 % of RATE (wall time, so a backlog of slow or
# retransmitted calls fails the step too).
step() {
	local label=$1 target=$2 r=$3 calls=$(($3 * DURATION)) rc ok fail secs retrans mean achieved verdict=pass
	start_uas "$label-$r"
	[[ $label != tandem ]] || start_tandem "$label-$r"
	read -r rc ok fail secs retrans mean < <(uac "$label-$r" uac_basic.xml "$target" "$r" "$calls" 0 "${sipp_ring[@]}")
	[[ $label != tandem ]] || stop_tandem "$label-$r"
	achieved=$(echo "$calls / $secs" | bc -l)
	if ((ok + fail < calls)) || ((fail * 1000 >= calls)) || (($(echo "$achieved < 0.95 * $r" | bc -l))); then
		verdict=FAIL
	fi
	# ResponseTime1(C) is HH:MM:SS:usec.
	mean=$(echo "$mean" | awk -F: '{ printf "%.1f", ($1 * 3600 + $2 * 60 + $3) * 1000 + $4 / 1000 }')
	printf '%-7s %6d/s %8d calls %8d ok %6d failed %6.1f s %6.0f/s achieved %7d retrans %8s ms mean setup  exit %d  %s\n' \
		"$label" "$r" "$calls" "$ok" "$fail" "$secs" "$achieved" "$retrans" "$mean" "$rc" "$verdict" | tee -a "$OUT/steps.txt" >&2
	[[ $verdict == pass ]]
}

# max_rate LABEL TARGET: steps through RATES until a step fails, then tries
# once halfway between the last pass and the failure (rounded down to 50);
# sets max_rate to the highest rate that passed (0 if none did), prefixed
# with ">=" when the highest step passed. (Not run in a subshell: the steps
# start processes the cleanup trap must know.)
max_rate() {
	local label=$1 target=$2 best=0 failed="" r mid
	for r in $RATES; do
		if ! step "$label" "$target" "$r"; then
			failed=$r
			break
		fi
		best=$r
	done
	if [[ -z $failed ]]; then
		max_rate=">=$best"
		return
	fi
	mid=$(((best + failed) / 2 / 50 * 50))
	if ((mid > best && mid < failed)) && step "$label" "$target" "$mid"; then
		best=$mid
	fi
	max_rate=$best
}

# latency LABEL TARGET: LAT_RATE calls/s for DURATION s with message
# timestamps; prints "p50_ms p99_ms calls" of INVITE sent -> 200 received.
latency() {
	local label=$1 target=$2 calls=$((LAT_RATE * DURATION)) rc ok fail
	read -r rc ok fail _ < <(uac "$label" uac_basic.xml "$target" "$LAT_RATE" "$calls" 0 \
		-trace_shortmsg -shortmessage_file "$label.short.log")
	((fail * 1000 < calls)) || log "$label: $fail of $calls calls failed (sipp exit $rc)"
	# Columns (tab-separated): date time epoch S|R call-id cseq first-line.
	awk -F'\t' '$6 == "CSeq:1 INVITE" && $4 == "S" && !($5 in sent) { sent[$5] = $3 }
		$6 == "CSeq:1 INVITE" && $4 == "R" && $7 ~ /^SIP\/2.0 200/ && ($5 in sent) && !($5 in done) {
			done[$5] = 1; printf "%.3f\n", ($3 - sent[$5]) * 1000 }' "$OUT/$label.short.log" |
		sort -n >"$OUT/$label.setup_ms.txt"
	awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan nan 0"; exit }
		i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
		printf "%.3f %.3f %d\n", v[i50], v[i99], NR }' "$OUT/$label.setup_ms.txt"
}

alive() { kill -0 "$1" 2>/dev/null || die "tandem (pid $1) has exited: see $OUT/*.log"; }
# metric NAME FILE: a sample's value from a Prometheus text file, as an integer.
metric() { awk -v n="$1" '$1 == n { printf "%.0f", $2; found = 1 } END { if (!found) print "nan" }' "$2"; }
cpu_ticks() { alive "$1" && awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
rss_kib() { alive "$1" && awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

machine="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//') x $(nproc), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r)"
sipp_version=$(sipp -v 2>&1 | grep -o 'SIPp v[^ ]*' | head -1 || true)
tandem_rev=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "out: $OUT"
log "machine: $machine; $(go version); $sipp_version"
log "DURATION=${DURATION}s RATES=\"$RATES\" QUICK=$QUICK"

if [[ $BASELINE_ONLY == 1 ]]; then
	:
elif [[ -n ${SIPP_TANDEM_BIN:-} ]]; then
	log "using SIPP_TANDEM_BIN=$SIPP_TANDEM_BIN"
	cp "$SIPP_TANDEM_BIN" "$OUT/tandem"
	tandem_rev="$tandem_rev (SIPP_TANDEM_BIN)"
else
	log "building tandem ($tandem_rev)"
	(cd "$root" && go build -o "$OUT/tandem" ./cmd/tandem) || die "go build ./cmd/tandem failed (BASELINE_ONLY=1 measures SIPp alone)"
fi

log "(a) baseline: SIPp UAC -> SIPp UAS"
max_rate direct "127.0.0.1:$UAS_PORT"
base_max=$max_rate
log "(c) setup latency at $LAT_RATE calls/s, direct"
start_uas latency+cpu+rss
read -r d50 d99 dn < <(latency lat-direct "127.0.0.1:$UAS_PORT")

t_max="n/a" ratio="n/a" t50="n/a" t99="n/a" tn=0 add50="n/a" add99="n/a"
cpu_ms="n/a" per_core="n/a" cpu_s="n/a" idle="n/a" rss1="n/a" rss2="n/a" kib1="n/a" kib2="n/a"
heap1="n/a" heap2="n/a" g1="n/a"
stop_rcs=""
if [[ $BASELINE_ONLY != 1 ]]; then
	log "(b) SIPp UAC -> tandem -> SIPp UAS"
	max_rate tandem "127.0.0.1:$SIP_PORT"
	t_max=$max_rate
	start_uas latency+cpu+rss
	if ((${base_max#>=} > 0)); then
		ratio=$(echo "${t_max#>=} / ${base_max#>=}" | bc -l | xargs printf '%.2f')
		[[ $base_max != ">="* ]] || ratio="<=$ratio (the baseline passed every step)"
	fi

	start_tandem lat
	log "(c) setup latency at $LAT_RATE calls/s, through tandem"
	read -r t50 t99 tn < <(latency lat-tandem "127.0.0.1:$SIP_PORT")
	if ((tn > 0 && dn > 0)); then
		add50=$(echo "$t50 - $d50" | bc -l | xargs printf '%.3f')
		add99=$(echo "$t99 - $d99" | bc -l | xargs printf '%.3f')
	fi

	log "(d) CPU: $CPU_CALLS calls at $CPU_RATE calls/s through tandem"
	hz=$(getconf CLK_TCK)
	c0=$(cpu_ticks "$tandem_pid")
	read -r rc ok fail _ < <(uac cpu uac_basic.xml "127.0.0.1:$SIP_PORT" "$CPU_RATE" "$CPU_CALLS" 0 "${sipp_ring[@]}")
	c1=$(cpu_ticks "$tandem_pid")
	((fail == 0)) || log "cpu: $fail of $CPU_CALLS calls failed (sipp exit $rc)"
	cpu_s=$(echo "($c1 - $c0) / $hz" | bc -l | xargs printf '%.2f')
	cpu_ms=$(echo "($c1 - $c0) / $hz * 1000 / $CPU_CALLS" | bc -l | xargs printf '%.4f')
	per_core=$(echo "$CPU_CALLS * $hz / ($c1 - $c0)" | bc -l | xargs printf '%.0f')
	stop_tandem lat+cpu

	start_tandem rss
	idle=$(rss_kib "$tandem_pid")
	curl -s "http://127.0.0.1:$HTTP_PORT/metrics" >"$OUT/rss.metrics.idle.txt" || true
	log "(e) RSS: idle ${idle} KiB; $RSS_CALLS calls held ${RSS_HOLD_MS} ms, set up at $RSS_RATE calls/s"
	(cd "$OUT" && exec sipp -sf "$scen/uac_long.xml" "${sipp_common[@]}" "${sipp_ring[@]}" -p "$UAC_PORT" -s load \
		-r "$RSS_RATE" -m "$RSS_CALLS" -l "$RSS_CALLS" -d "$RSS_HOLD_MS" -recv_timeout 10000 \
		-timeout "$((RSS_HOLD_MS / 1000 + ramp + 60))s" \
		-trace_stat -stf rss.stat.csv -fd 1 -trace_counts \
		-trace_err -error_file rss.errors.log "127.0.0.1:$SIP_PORT" >rss.out 2>&1) &
	uac_pid=$!
	# Wait until every call is answered: the UAC's count of 200 OKs to its
	# INVITEs (message 4 of uac_long, dumped once a second) reaches RSS_CALLS.
	up=0 answered=0
	for _ in $(seq $(((ramp + 60) * 10))); do
		sleep 0.1
		counts=$(compgen -G "$OUT/uac_long_*_counts.csv" | head -1) || continue
		answered=$(col "$counts" 4_200_Recv || echo 0)
		if ((answered >= RSS_CALLS)); then
			up=1
			break
		fi
		kill -0 "$uac_pid" 2>/dev/null || break
	done
	((up)) || die "RSS: $answered of $RSS_CALLS calls answered (see $OUT/rss.out)"
	rss1=$(rss_kib "$tandem_pid")
	curl -s "http://127.0.0.1:$HTTP_PORT/metrics" >"$OUT/rss.metrics.txt" || true
	log "RSS with $answered calls up: $rss1 KiB; waiting ${RSS_SETTLE}s for finished transactions to expire"
	sleep "$RSS_SETTLE"
	rss2=$(rss_kib "$tandem_pid")
	curl -s "http://127.0.0.1:$HTTP_PORT/metrics" >"$OUT/rss.metrics.settled.txt" || true
	current=$(col "$OUT/rss.stat.csv" CurrentCall || echo "?")
	failed=$(col "$OUT/rss.stat.csv" 'FailedCall(C)' || echo "?")
	log "RSS after ${RSS_SETTLE}s: $rss2 KiB ($current calls open, $failed failed)"
	kib1=$(echo "($rss1 - $idle) / $RSS_CALLS" | bc -l | xargs printf '%.1f')
	kib2=$(echo "($rss2 - $idle) / $RSS_CALLS" | bc -l | xargs printf '%.1f')
	# Go's live heap and goroutines, when /metrics has the Go collector.
	h0=$(metric go_memstats_heap_alloc_bytes "$OUT/rss.metrics.idle.txt")
	h1=$(metric go_memstats_heap_alloc_bytes "$OUT/rss.metrics.txt")
	h2=$(metric go_memstats_heap_alloc_bytes "$OUT/rss.metrics.settled.txt")
	if [[ $h0 != nan && $h1 != nan && $h2 != nan ]]; then
		heap1=$(echo "($h1 - $h0) / 1024 / $RSS_CALLS" | bc -l | xargs printf '%.1f')
		heap2=$(echo "($h2 - $h0) / 1024 / $RSS_CALLS" | bc -l | xargs printf '%.1f')
	fi
	g1=$(metric go_goroutines "$OUT/rss.metrics.txt")
	kill -KILL "$uac_pid" 2>/dev/null || true
	wait "$uac_pid" 2>/dev/null || true
	uac_pid=""
	stop_tandem rss
fi

summary=$(
	cat <<-EOF
		==================== Tandem load summary ====================
		started:     $started   tandem $tandem_rev   out: $OUT
		machine:     $machine
		load avg:    $load_before at start, $(cut -d' ' -f1-3 /proc/loadavg) at end (other processes compete for the same cores)
		tools:       $(go version | cut -d' ' -f3-), $sipp_version
		settings:    DURATION=${DURATION}s per step, RATES="$RATES", failure threshold 0.1 %
		(a) SIPp -> SIPp baseline:        $base_max calls/s
		(b) SIPp -> tandem -> SIPp:       $t_max calls/s   (ratio to baseline: $ratio)
		(c) setup latency @ $LAT_RATE calls/s (INVITE -> 200, ms):
		      direct:         p50 $d50   p99 $d99   ($dn calls)
		      through tandem: p50 $t50   p99 $t99   ($tn calls)
		      added:          p50 $add50   p99 $add99
		(d) tandem CPU per call:          $cpu_ms ms ($cpu_s s for $CPU_CALLS calls at $CPU_RATE calls/s; ~$per_core calls/s per core)
		(e) tandem RSS, $RSS_CALLS concurrent calls (idle $idle KiB):
		      all calls up:               RSS $rss1 KiB -> $kib1 KiB/call   (Go heap $heap1 KiB/call, $g1 goroutines)
		      +${RSS_SETTLE}s (transactions expired): RSS $rss2 KiB -> $kib2 KiB/call   (Go heap $heap2 KiB/call)
		tandem exit status after SIGTERM:${stop_rcs:- n/a}
		steps:
		$(sed 's/^/  /' "$OUT/steps.txt")
		=============================================================
	EOF
)
echo "$summary" | tee "$OUT/summary.txt"
