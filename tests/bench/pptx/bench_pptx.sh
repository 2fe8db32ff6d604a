#!/usr/bin/env bash
# Benchmark: a 100-slide deck (bullets and notes; one table and one image in
# every 10 slides), then a 10-chart deck (native charts with embedded
# workbooks), each built by skillhost/powerpoint and by pptxgenjs from the
# same JSON, in one run. Medians of RUNS runs each (default 11, at least 5).
#   ours, core:     JSON text -> deck bytes in memory (pptx_tool bench)
#   ours, process:  `skillhost call ...create_presentation` as a whole
#                   process, on the installed signed package, isolated and
#                   in-process
#   pptxgenjs:      inside node (start-up excluded), and `node script` as a
#                   whole process
# and the ratios the goals are stated in: pptxgenjs's whole process over
# ours, isolated and in-process, and isolated over in-process (the cost of
# isolation as operators run it). The isolated and in-process calls take
# turns, so a change in the machine's load weighs on both alike.
# Usage: tests/bench/pptx/bench_pptx.sh [BUILD_DIR] [RUNS]
# Prints the machine's load (uptime) before and after.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
BUILD=${1:-$ROOT/build-pptx}
RUNS=${2:-11}
[ "$RUNS" -ge 5 ] || { echo "RUNS must be at least 5"; exit 2; }
TOOL=$BUILD/skills/powerpoint/pptx_tool
SKILLHOST=$BUILD/host/skillhost
NODE_DIR=$ROOT/tests/node
[ -x "$TOOL" ] || { echo "build first: $TOOL is missing"; exit 2; }
[ -d "$NODE_DIR/node_modules/pptxgenjs" ] || { echo "npm ci in $NODE_DIR first"; exit 2; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Bash's own clock: no process is started inside a timed window (a
# `date | awk` pipe there added 2-3 ms to every sample, ours and theirs).
elapsed_ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f\n", (b - a) / 1000}'; }
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

bench_deck() { # NAME LABEL
	SPEC="$T/$1.json" LABEL=$2
	core=$("$TOOL" bench "$SPEC" "$RUNS")
	"$TOOL" create "$SPEC" "$T/ours.pptx" >/dev/null
	pg=$(node "$HERE/pptxgenjs_deck.cjs" "$NODE_DIR" "$SPEC" "$RUNS" "$T/pptxgenjs.pptx")

	: >"$T/pg_proc"
	for _ in $(seq "$RUNS"); do
		t0=$EPOCHREALTIME
		node "$HERE/pptxgenjs_deck.cjs" "$NODE_DIR" "$SPEC" 1 >/dev/null
		t1=$EPOCHREALTIME
		elapsed_ms "${t0/./}" "${t1/./}" >>"$T/pg_proc"
	done
	pg_proc=$(median <"$T/pg_proc")

	# Through the host as an operator runs it: the signed package installed,
	# called as a whole `skillhost call` process, isolated (the default) and
	# with the operator's in-process policy.
	time_call() { # HOME OUTFILE
		t0=$EPOCHREALTIME
		SKILLHOST_HOME=$1 "$SKILLHOST" call skillhost/powerpoint.create_presentation - <"$SPEC" >/dev/null
		t1=$EPOCHREALTIME
		elapsed_ms "${t0/./}" "${t1/./}" >>"$2"
	}
	iso_proc="" inproc_proc=""
	PKG=$BUILD/skills-out/packages/skillhost-powerpoint-1.0.0.skill
	if [ -x "$SKILLHOST" ] && [ -f "$PKG" ]; then
		# Two homes with the same package: the default policy, and the
		# operator's in-process policy.
		for h in iso inproc; do
			export SKILLHOST_HOME="$T/home.$1.$h"
			"$SKILLHOST" trust add "$BUILD/skills-out/dev.pub" --namespace skillhost >/dev/null
			"$SKILLHOST" install "$PKG" >/dev/null
		done
		"$SKILLHOST" config skillhost/powerpoint isolation in-process
		: >"$T/iso"
		: >"$T/inproc"
		for _ in $(seq "$RUNS"); do
			time_call "$T/home.$1.iso" "$T/iso"
			time_call "$T/home.$1.inproc" "$T/inproc"
		done
		iso_proc=$(median <"$T/iso")
		inproc_proc=$(median <"$T/inproc")
	fi

	core_ms=$(field "$core" median_ms)
	pg_ms=$(field "$pg" median_ms)
	printf '%s, median of %s runs\n' "$LABEL" "$RUNS"
	printf '  %-44s %9.2f ms  %8d bytes\n' "skillhost/powerpoint core (in process)" "$core_ms" "$(field "$core" bytes)"
	printf '  %-44s %9.2f ms  %8d bytes\n' "pptxgenjs 4.0.1 inside node" "$pg_ms" "$(field "$pg" bytes)"
	printf '  %-44s %9.2f ms\n' "pptxgenjs, whole node process" "$pg_proc"
	if [ -n "$iso_proc" ]; then
		printf '  %-44s %9.2f ms\n' "skillhost call, installed, isolated" "$iso_proc"
		printf '  %-44s %9.2f ms\n' "skillhost call, installed, in-process" "$inproc_proc"
	fi
	printf '  ratio, in process (pptxgenjs / ours):         %8.1fx\n' "$(echo "$pg_ms / $core_ms" | bc -l)"
	if [ -n "$iso_proc" ]; then
		printf '  ratio, whole process, isolated:               %8.1fx\n' "$(echo "$pg_proc / $iso_proc" | bc -l)"
		printf '  ratio, whole process, in-process policy:      %8.1fx\n' "$(echo "$pg_proc / $inproc_proc" | bc -l)"
		printf '  ratio, isolated / in-process (goal <= 1.2):   %8.2fx\n' "$(echo "$iso_proc / $inproc_proc" | bc -l)"
	fi
}

echo "load before: $(uptime)"
python3 "$HERE/make_spec.py" "$T/deck.json"
python3 "$HERE/make_spec.py" "$T/charts.json" charts
bench_deck deck "100-slide deck"
echo
bench_deck charts "10-chart deck"
echo "load after: $(uptime)"
exit 0
