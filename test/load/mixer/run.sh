#!/usr/bin/env bash
# test/load/mixer/run.sh: the conference mixer's capacity on ONE core.
# Runs the mixer benchmarks pinned to CPU 0 (taskset) with GOMAXPROCS=1:
# the cost of a room tick per participant (rooms of 3, 10, 100), and one
# engine worker mixing 2,000 participants in real time for 10 s per room
# size, reporting late ticks (>5 ms), worst lateness and CPU per
# participant. Bounded: about a minute. Prints the figures; BENCHMARKS.md
# keeps a run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../../.."
pin=()
if command -v taskset >/dev/null; then pin=(taskset -c 0); fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
GOMAXPROCS=1 "${pin[@]}" go test -run xxx -bench 'RoomTick' -benchtime 3s -count 1 ./b2bua/internal/mixer
GOMAXPROCS=1 "${pin[@]}" go test -run xxx -bench 'EngineRealtime' -benchtime 500x -count 1 -timeout 5m ./b2bua/internal/mixer
GOMAXPROCS=1 "${pin[@]}" go test -run xxx -bench . -benchtime 200000x ./b2bua/internal/g711
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
