#!/bin/sh
# Times Weft's kernel layer against spawning ip/nft for the same steps, side by side, and prints
# the figures as Markdown tables. Needs root; everything happens in a throwaway namespace.
#   bench/run-kernel.sh [CHEAP [HEAVY [WARMUP]]] [--only=1,7]
# Defaults: 200 iterations of the cheap steps, 50 of the namespace/endpoint steps, 20 warm-up.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

if [ "$(id -u)" != 0 ]; then
    echo "run-kernel.sh: must run as root (it creates network namespaces)" >&2
    exit 2
fi

cd "$root"
# Offline first; fall back to Maven Central once if a plugin or dependency is missing. Maven's
# output goes to stderr, so stdout is only the report (bench/run-kernel.sh > figures.md).
mvn -B -q -o -pl bench -am package -Dmaven.test.skip=true >&2 \
    || mvn -B -q -pl bench -am package -Dmaven.test.skip=true >&2

exec java -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" dev.weft.bench.KernelBench "$@"
