#!/usr/bin/env bash
# Builds the benchmarks jar, runs the whole suite (or the benchmarks matching $1) and turns the
# JMH JSON into docs/bench/results.md and docs/bench/chart.png.
#
#   ironwal-bench/run-benchmarks.sh                     # everything, ~45 min on 2 cores
#   ironwal-bench/run-benchmarks.sh 'RawDisk|IronWalAppend'   # a subset
#
# Environment: BENCH_DIR (where benchmarks write; default: bench-data beside the jar),
# JMH_ARGS (default: one fork, 2 x 1 s warm-up, 3 x 2 s measurement), BUILD_DIR (target-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-target-bench}"
filter="${1:-.*}"
jmh_args="${JMH_ARGS:--f 1 -wi 2 -w 1s -i 3 -r 2s}"
mvn -B -q -Dbuild.dir="$build_dir" -pl ironwal-bench -am package -Dmaven.test.skip=true
jar="ironwal-bench/$build_dir/benchmarks.jar"
extra=()
if [[ -n "${BENCH_DIR:-}" ]]; then
  extra=(-jvmArgsAppend "-Dironwal.bench.dir=$BENCH_DIR")
fi
mkdir -p docs/bench
# shellcheck disable=SC2086
java -jar "$jar" "$filter" $jmh_args -foe false -prof gc "${extra[@]}" \
  -rf json -rff docs/bench/results.json
java -cp "$jar" io.ironwal.bench.BenchReport docs/bench docs/bench/results.json
