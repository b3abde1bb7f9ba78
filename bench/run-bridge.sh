#!/bin/sh
# The bridge driver through the Controller API: setup with a published port, connect, disconnect,
# removal, 100 and 1000 sandboxes (issue 4). Needs root; everything happens in a throwaway namespace.
#   bench/run-bridge.sh [ITERATIONS [WARMUP [MANY]]]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
if [ "$(id -u)" != 0 ]; then
    echo "run-bridge.sh: must run as root (it creates network namespaces)" >&2
    exit 2
fi
cd "$root"
mvn -B -q -o -pl bench -am package -Dmaven.test.skip=true >&2 \
    || mvn -B -q -pl bench -am package -Dmaven.test.skip=true >&2
exec java -cp "$here/target/classes:$(cat "$here/target/classpath.txt")" dev.weft.bench.BridgeBench "$@"
