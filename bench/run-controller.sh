#!/bin/sh
# Sandbox create/remove through the Controller API at 1, 100 and 1000 existing sandboxes, beside
# ip netns add/del in the same run. Needs root; everything happens in a throwaway namespace.
#   bench/run-controller.sh [ITERATIONS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
if [ "$(id -u)" != 0 ]; then
    echo "run-controller.sh: must run as root (it creates network namespaces)" >&2
    exit 2
fi
cd "$root"
mvn -B -q -o -pl bench -am package -Dmaven.test.skip=true >&2 \
    || mvn -B -q -pl bench -am package -Dmaven.test.skip=true >&2
exec java -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" dev.weft.bench.ControllerBench "$@"
