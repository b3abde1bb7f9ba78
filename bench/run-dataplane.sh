#!/bin/sh
# iperf3 sandbox -> sandbox over Weft's bridge against a hand-made bridge with conntrack on (and a
# bare one), each in a throwaway host namespace; prints the JSON (run-peers.sh puts it in its report).
#   bench/run-dataplane.sh [SECONDS=10 [ROUNDS=3]]      (root)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
if [ "$(id -u)" != 0 ]; then
    echo "run-dataplane.sh: must run as root (it creates network namespaces)" >&2
    exit 2
fi
command -v iperf3 >/dev/null || { echo "run-dataplane.sh: iperf3 is not installed (apt-get install iperf3)" >&2; exit 2; }
cd "$root"
mvn -B -q -o -pl bench -am package -Dmaven.test.skip=true >&2 \
    || mvn -B -q -pl bench -am package -Dmaven.test.skip=true >&2
out=$(mktemp /tmp/weft-dataplane.XXXXXX)
trap 'rm -f "$out"' EXIT
java -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" dev.weft.bench.DataplaneBench "$out" "$@"
cat "$out"
