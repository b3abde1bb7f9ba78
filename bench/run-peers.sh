#!/bin/bash
# Weft against the CNI bridge+portmap plugins, netavark and Docker, in one run on this machine
# (issue 4's benchmark), then iperf3 over Weft's bridge against a hand-made bridge. Needs root.
#   bench/run-peers.sh [N_LAT=20] [N_SCALE=100] [IPERF_SECONDS=10] > report.md
# The Markdown report goes to stdout; progress, Maven and the peers' own output to stderr.
# Environment: WEFT_PEERS (the peers' scripts, default <repo>/../shared/peers), WEFT_WARMUP (Weft's
# unmeasured iterations per loop, default 200), WEFT_MANY (Weft-alone sandboxes, default 1000),
# IPERF_ROUNDS (default 3), WEFT_PEERS_KEEP (a directory to copy the JSON files into, to re-render
# the report with `java -cp … dev.weft.bench.PeersReport DIR`).
# Order: Weft in process, Weft through ./weft (run-cli.sh), CNI, netavark, Docker (last: its iptables changes outlive it), iperf3. The peers run
# from a copy of their scripts in a temporary directory (their JSON lands there, not in WEFT_PEERS);
# after each peer their cleanup.sh runs; after Docker the iptables FORWARD policy is put back as it
# was and the nftables ruleset is compared with the one found at the start.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
N_LAT=${1:-20}
N_SCALE=${2:-100}
IPERF_SECONDS=${3:-10}
WARMUP=${WEFT_WARMUP:-200}
MANY=${WEFT_MANY:-1000}
ROUNDS=${IPERF_ROUNDS:-3}
PEERS=${WEFT_PEERS:-$root/../shared/peers}
PY=/usr/bin/python3

log() { echo "run-peers: $*" >&2; }
if [ "$(id -u)" != 0 ]; then
    echo "run-peers.sh: must run as root (namespaces, bridges, iptables, dockerd)" >&2
    exit 2
fi
for n in "$N_LAT" "$N_SCALE" "$IPERF_SECONDS" "$WARMUP" "$MANY" "$ROUNDS"; do
    case $n in ''|*[!0-9]*) echo "run-peers.sh: '$n' is not a whole number; usage: run-peers.sh [N_LAT [N_SCALE [IPERF_SECONDS]]]" >&2; exit 2;; esac
done
if [ "$N_SCALE" -lt 20 ]; then
    echo "run-peers.sh: N_SCALE $N_SCALE: needs at least 20 (first 10 against last 10)" >&2
    exit 2
fi
if [ ! -f "$PEERS/cni.py" ]; then
    echo "run-peers.sh: no peers' scripts in $PEERS (cni.py missing); set WEFT_PEERS" >&2
    exit 2
fi
PEERS=$(cd "$PEERS" && pwd)

# --- the peers' binaries: install only when one is missing (Debian packages, see install.sh)
missing=""
for b in /usr/lib/cni/bridge /usr/lib/cni/host-local /usr/lib/cni/portmap /usr/lib/podman/netavark \
         /usr/bin/docker /usr/sbin/dockerd /usr/bin/containerd /usr/bin/iperf3 /bin/busybox $PY; do
    [ -x "$b" ] || missing="$missing $b"
done
command -v iptables >/dev/null || missing="$missing iptables"
if [ -n "$missing" ]; then
    log "missing:$missing; running $PEERS/install.sh"
    bash "$PEERS/install.sh" >&2 || { echo "run-peers.sh: $PEERS/install.sh failed" >&2; exit 1; }
fi

# --- build as run-bridge.sh does
cd "$root"
mvn -B -q -o -pl bench -am package -Dmaven.test.skip=true >&2 \
    || mvn -B -q -pl bench -am package -Dmaven.test.skip=true >&2 \
    || { echo "run-peers.sh: build failed" >&2; exit 1; }
CP="$here/target/classes:$(cat "$here/target/classpath.txt")"

# --- the state we must leave as we found it
work=$(mktemp -d /tmp/weft-peers.XXXXXX)
mkdir -p "$work/peers"
cp "$PEERS"/*.py "$PEERS"/*.sh "$work/peers/"
nft list ruleset > "$work/nft-before.txt" 2>&1
fwd_policy=$(iptables -S FORWARD 2>/dev/null | awk '$1 == "-P" {print $3}')
fwd_policy=${fwd_policy:-ACCEPT}
ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
start_date=$(date -u '+%Y-%m-%d %H:%M UTC')
failures=""

restore() {
    bash "$work/peers/cleanup.sh" >&2
    now=$(iptables -S FORWARD 2>/dev/null | awk '$1 == "-P" {print $3}')
    if [ -n "$now" ] && [ "$now" != "$fwd_policy" ]; then
        log "iptables FORWARD policy is $now; putting back $fwd_policy"
        iptables -P FORWARD "$fwd_policy"
        bash "$work/peers/cleanup.sh" >&2   # drops the iptables-nft tables again if they hold no rule
    fi
    echo "$ip_forward" > /proc/sys/net/ipv4/ip_forward
}
finish() {
    restore
    rm -rf "$work"
}
trap finish EXIT
trap 'exit 130' INT TERM

peer() { # name: runs the peer's script from the copy; its JSON lands in $work/peers/out
    log "=== $1"
    (cd "$work/peers" && $PY "$1.py" "$N_LAT" "$N_SCALE") >&2
    local rc=$?
    [ $rc = 0 ] || failures="$failures $1 (exit $rc);"
    [ -f "$work/peers/out/$1.json" ] && cp "$work/peers/out/$1.json" "$work/$1.json"
    restore
}

log "=== Weft (PeerPatternBench: N_LAT=$N_LAT N_SCALE=$N_SCALE WARMUP=$WARMUP MANY=$MANY)"
java -cp "$CP" dev.weft.bench.PeerPatternBench "$work/weft.json" "$N_LAT" "$N_SCALE" "$WARMUP" "$MANY" >&2 \
    || failures="$failures Weft (exit $?);"
log "=== Weft through ./weft (run-cli.sh $N_LAT: the user's path, a private instance)"
bash "$here/run-cli.sh" "$N_LAT" "$work/weft-cli.json" >&2 || failures="$failures ./weft (exit $?);"
peer cni
peer netavark
peer docker
log "=== iperf3 (DataplaneBench: $IPERF_SECONDS s x $ROUNDS rounds)"
java -cp "$CP" dev.weft.bench.DataplaneBench "$work/dataplane.json" "$IPERF_SECONDS" "$ROUNDS" >&2 \
    || failures="$failures iperf3 (exit $?);"
restore

# --- what is left behind (only what these runs make: anch*, docker, wb*, weft-peers-*)
left=""
nft list ruleset > "$work/nft-after.txt" 2>&1
cmp -s "$work/nft-before.txt" "$work/nft-after.txt" \
    || left="$left nft ruleset differs from the start ($(wc -l < "$work/nft-before.txt") -> $(wc -l < "$work/nft-after.txt") lines);"
ns=$(ip netns list | awk '{print $1}' | grep -E '^anch' | tr '\n' ' ')
[ -z "$ns" ] || left="$left namespaces: $ns;"
links=$(ip -br link | awk '{print $1}' | cut -d@ -f1 | grep -E '^(anch|docker0|br-|veth|wb)' | tr '\n' ' ')
[ -z "$links" ] || left="$left links: $links;"
chains=$(iptables-save 2>/dev/null | grep -E '^:(CNI-|NETAVARK|DOCKER)' | cut -d' ' -f1 | tr '\n' ' ')
[ -z "$chains" ] || left="$left iptables chains: $chains;"
procs=$(ps -eo comm | grep -E '^(dockerd|containerd|docker-proxy|containerd-shim|netavark|aardvark-dns|iperf3)' | sort | uniq -c | tr -s ' \n' ' ')
[ -z "$procs" ] || left="$left processes (maybe not ours): $procs;"
files=$(ls -d /tmp/anchors-* /run/anchors-* /var/lib/anchors-* /run/weft-peers-bench-* 2>/dev/null | tr '\n' ' ')
[ -z "$files" ] || left="$left files: $files;"
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$ip_forward" ] || left="$left ip_forward not restored;"
now=$(iptables -S FORWARD 2>/dev/null | awk '$1 == "-P" {print $3}')
[ "${now:-ACCEPT}" = "$fwd_policy" ] || left="$left iptables FORWARD policy ${now} (was $fwd_policy);"
left=${left:- nothing of the peers or Weft (namespaces, links, nft ruleset equal to the start, iptables chains, processes, files); iptables FORWARD policy $fwd_policy as found}
log "left behind:$left"

export META_DATE="started $start_date" META_KERNEL="$(uname -r)" META_CORES="$(nproc)" \
    META_LOAD_START="$load_start" META_LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)" \
    META_COMMAND="bench/run-peers.sh $N_LAT $N_SCALE $IPERF_SECONDS (WEFT_WARMUP=$WARMUP WEFT_MANY=$MANY IPERF_ROUNDS=$ROUNDS)" \
    META_LEFTOVERS="${left# }" META_FAILURES="${failures# }"
$PY -c '
import json, os, sys
m = {k: os.environ["META_" + k.upper()] for k in ("date", "kernel", "cores", "load_start", "load_end", "command", "leftovers")}
if os.environ["META_FAILURES"]:
    m["failures"] = os.environ["META_FAILURES"]
json.dump(m, open(sys.argv[1], "w"), indent=2)' "$work/meta.json"
if [ -n "${WEFT_PEERS_KEEP:-}" ]; then
    mkdir -p "$WEFT_PEERS_KEEP" && cp "$work"/*.json "$WEFT_PEERS_KEEP"/
fi
java -cp "$CP" dev.weft.bench.PeersReport "$work"
