#!/usr/bin/env bash
# The overlay issue's benchmark in one run: Weft's overlay across 3 hosts sharing a 3-member etcd.
#   bench/run-overlay.sh [SANDBOXES=50 [NETWORKS=20 [CONCURRENT=50 [IPERF_SECONDS=5 [ROUNDS=3]]]]] > report.md   (root)
# 1. iperf3 sandbox (host 1) -> sandbox (host 2) over a Weft overlay against a vxlan made by hand between
#    the same host namespaces (target overlay / raw >= 0.95), ROUNDS x IPERF_SECONDS, alternating;
# 2. overlay endpoint setup on host 1 through the Controller (in process), SANDBOXES of them, in turn with
#    a local bridge endpoint (reference), and the time until a sandbox on host 2 reaches each;
# 3. global network create (NETWORKS of them) and the time until hosts 2 and 3 see it, then removal;
# 4. the 3 hosts creating CONCURRENT sandboxes each on one overlay at once: sandboxes/s, and no address
#    twice (etcd's ipam/ keys, the sandboxes' eth0 in the kernel).
# The Markdown report goes to stdout; Maven, progress and the runtime's output to stderr.
# Environment: WEFT_OVERLAY_KEEP (a directory to copy the JSON files into, to re-render the report with
# `java -cp … dev.weft.bench.OverlayReport DIR`).
#
# Everything happens in throwaway namespaces (dev.weft.testkit.EtcdCluster: an underlay namespace with a
# bridge, 3 host namespaces with an etcd member each) and in namespace directories under a directory of
# /run. The JVM removes it all at the end and on failure (and from its shutdown hook on SIGTERM/Ctrl-C);
# if the JVM itself dies, this script's trap removes what the JVM listed in world.txt as it made it
# (etcd members and iperf3 processes by PID, namespaces, namespace directories, the etcd data directory).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
. "$here/meta.sh"
SANDBOXES=${1:-50}
NETWORKS=${2:-20}
CONCURRENT=${3:-50}
IPERF_SECONDS=${4:-5}
ROUNDS=${5:-3}
log() { echo "run-overlay: $*" >&2; }
[[ $(id -u) -eq 0 ]] || { echo "run-overlay.sh: must run as root (namespaces, links)" >&2; exit 2; }
for n in "$SANDBOXES" "$NETWORKS" "$CONCURRENT" "$IPERF_SECONDS" "$ROUNDS"; do
  case $n in ''|*[!0-9]*|0) echo "run-overlay.sh: '$n' is not a positive whole number; usage: run-overlay.sh [SANDBOXES [NETWORKS [CONCURRENT [IPERF_SECONDS [ROUNDS]]]]]" >&2; exit 2;; esac
done
for b in iperf3 etcd ip bridge nsenter ss; do
  command -v "$b" >/dev/null || { echo "run-overlay.sh: $b is missing" >&2; exit 2; }
done

cd "$root"
mvn -B -q -o -pl bench -am package -DskipTests >&2 \
  || { echo "run-overlay.sh: build failed (mvn -o -pl bench -am package)" >&2; exit 1; }
CP="$here/target/classes:$(cat "$here/target/classpath.txt")"

work=$(mktemp -d /run/weft-bench-overlay-XXXXXX)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
start_date=$(date -u '+%Y-%m-%d %H:%M UTC')
failures=""
java_pid=""
sweep() { # what the JVM listed in world.txt and left behind (only if it died without its own clean-up)
  local w=$work/world.txt kind value pid dir f
  [[ -f $w ]] || return 0
  dir=$(awk '$1 == "etcddir" {print $2}' "$w")
  while read -r kind value; do
    [[ $kind == pid ]] || continue
    # only our member: the PID must still be an etcd whose data directory is ours
    if [[ -n $dir && -r /proc/$value/cmdline ]] && tr '\0' ' ' < "/proc/$value/cmdline" | grep -qF -- "$dir"; then
      kill -KILL "$value" 2>/dev/null || true
    fi
  done < "$w"
  while read -r kind value; do
    [[ $kind == iperf ]] || continue
    # only our iperf3: still an iperf3 on one of the bench's addresses
    if [[ -r /proc/$value/cmdline ]] && tr '\0' ' ' < "/proc/$value/cmdline" | grep -qE '^iperf3 .*(10\.120\.0\.|192\.168\.250\.2)'; then
      kill -KILL "$value" 2>/dev/null || true
    fi
  done < "$w"
  while read -r kind value; do
    case $kind in
      netnsdir) if [[ -d $value ]]; then
                  for f in "$value"/*; do [[ -e $f ]] && { umount -l "$f" 2>/dev/null || true; rm -f "$f"; }; done
                  umount -l "$value" 2>/dev/null || true
                fi;;
    esac
  done < "$w"
  while read -r kind value; do
    case $kind in
      netns) ip netns del "$value" 2>/dev/null || true;;
      dir|etcddir) [[ $value == /run/weft-overlay-bench-* || $value == /tmp/wt-*-etcd* ]] && rm -rf "$value";;
    esac
  done < "$w"
}
cleanup() {
  if [[ -n $java_pid ]]; then kill "$java_pid" 2>/dev/null || true; wait "$java_pid" 2>/dev/null || true; fi
  sweep
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "=== OverlayBench: $SANDBOXES sandboxes, $NETWORKS networks, $CONCURRENT per host at once, iperf3 ${IPERF_SECONDS} s x $ROUNDS"
java -cp "$CP" dev.weft.bench.OverlayBench "$work/overlay.json" "$work/world.txt" \
  "$SANDBOXES" "$NETWORKS" "$CONCURRENT" "$IPERF_SECONDS" "$ROUNDS" >&2 &
java_pid=$!
wait "$java_pid" || failures="$failures OverlayBench (exit $?);"
java_pid=""

# --- what is left behind (only what this run made, as listed in world.txt)
left=""
if [[ -f $work/world.txt ]]; then
  while read -r kind value; do
    case $kind in
      netns) [[ -e /run/netns/$value ]] && left="$left namespace $value;";;
      pid) [[ -r /proc/$value/cmdline ]] && tr '\0' ' ' < "/proc/$value/cmdline" | grep -q etcd && left="$left etcd pid $value;";;
      dir|etcddir|netnsdir) [[ -e $value ]] && left="$left $value;";;
    esac
  done < "$work/world.txt"
fi
[[ -z $(pgrep -f "iperf3 .*(-B|-c) (10\.120\.0\.|192\.168\.250\.2)" || true) ]] || left="$left iperf3 processes on the bench's addresses;"
left=${left:- nothing (namespaces, etcd members, namespace and data directories all gone)}
log "left behind:$left"

write_meta "$work" "bench/run-overlay.sh $SANDBOXES $NETWORKS $CONCURRENT $IPERF_SECONDS $ROUNDS" "${WEFT_OVERLAY_KEEP:-}"
java -cp "$CP" dev.weft.bench.OverlayReport "$work"
