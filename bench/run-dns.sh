#!/usr/bin/env bash
# Issue 12's benchmark in one run: Weft's embedded DNS server against aardvark-dns 1.4 (started by
# netavark 1.4, as Podman does), each serving a bridge network of N sandboxes on its gateway
# address: queries per second and p50/p99 latency from inside sandboxes for a local name and for a
# forwarded one (an upstream stand-in on the host namespace's 127.0.0.53), and the time from a
# sandbox's creation returning to its name resolving from another sandbox (and from its removal
# returning to the name being gone). Weft in process (DnsBench), and through ./weft when the
# distribution has the weft-dns feature.
#   bench/run-dns.sh [N=20 [LAT=2000 [WARMUP=500 [QPS_SECONDS=3 [QPS_ROUNDS=3 [ROUNDS=20 [CLIENTS=4 [INFLIGHT=8]]]]]]]] > report.md   (root)
# The Markdown report goes to stdout; Maven, progress and the runtime's output to stderr.
# Environment: WEFT_DNS_KEEP (a directory to copy the JSON files into, to re-render the report
# with `java -cp … dev.weft.bench.DnsReport DIR`).
#
# Everything happens in throwaway namespaces: DnsBench makes one host namespace for Weft and one
# for netavark/aardvark (the test kit's wt-<id>, deleted at its end whatever happens); the ./weft
# part a private instance on a host namespace wbd-<id> (WEFT_HOST_NETNS, as run-cli.sh). Traffic
# goes only to addresses inside them. Whatever happens, the trap ends the processes this run
# started (the JVM, aardvark-dns by the PID in its pid file once its command line is checked, the
# private instance), deletes the namespaces and the work directory; the report says what is left.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
. "$here/meta.sh"
ARGS=("$@")
N=${1:-20}; LAT=${2:-2000}; WARMUP=${3:-500}; QPS_SECONDS=${4:-3}; QPS_ROUNDS=${5:-3}; ROUNDS=${6:-20}
CLIENTS=${7:-4}; INFLIGHT=${8:-8}
log() { echo "run-dns: $*" >&2; }
[[ $(id -u) -eq 0 ]] || { echo "run-dns.sh: must run as root (namespaces, links, port 53)" >&2; exit 2; }
for n in "$N" "$LAT" "$WARMUP" "$QPS_SECONDS" "$QPS_ROUNDS" "$ROUNDS" "$CLIENTS" "$INFLIGHT"; do
  case $n in ''|*[!0-9]*) echo "run-dns.sh: '$n' is not a whole number; usage: run-dns.sh [N [LAT [WARMUP [QPS_SECONDS [QPS_ROUNDS [ROUNDS [CLIENTS [INFLIGHT]]]]]]]]" >&2; exit 2;; esac
done
for b in /usr/lib/podman/netavark /usr/lib/podman/aardvark-dns ip nft; do
  command -v "$b" >/dev/null || { echo "run-dns.sh: $b is missing (Debian packages netavark and aardvark-dns)" >&2; exit 2; }
done

# --- build: the bench (and, for ./weft, the distribution when it is missing or older than the sources)
cd "$root"
mvn -B -q -o -pl bench -am package -DskipTests >&2 || { echo "run-dns.sh: build failed" >&2; exit 1; }
CP="$here/target/classes:$(cat "$here/target/classpath.txt")"

# --- state to leave as found
id=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
work=$(mktemp -d /run/weft-bench-dns-XXXXXX)
hostns=wbd-$id
nft list ruleset > "$work/nft-before.txt" 2>&1
ls -A /etc/netns /run/containers > "$work/dirs-before.txt" 2>&1 || true
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
start_date=$(date -u '+%Y-%m-%d %H:%M UTC')
failures=""
export WEFT_HOME=$work/home WEFT_RUN_DIR=$work/run WEFT_STATE_DIR=$work/state WEFT_ETC_NETNS_DIR=$work/etc-netns
export WEFT_HOST_NETNS=/run/netns/$hostns WEFT_INSTANCE=bench$id WEFT_LINK_PREFIX=wb WEFT_NFT_TABLE=weft_bench$id
java_pid=""
cli_started=0
# aardvark-dns daemonises under netavark; its PID is in its pid file in this run's config directory.
# It is ended by that PID only, and only when /proc/PID/cmdline names this run's directory.
stop_aardvark() {
  local f pid
  for f in "$work"/netavark/aardvark-dns/aardvark.pid; do
    [[ -f $f ]] || continue
    pid=$(cat "$f" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] || continue
    if tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -q -- "$work/netavark"; then
      kill "$pid" 2>/dev/null || true
      sleep 0.2
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    fi
  done
}
# The bench's child JVM (Weft's DNS server in a process of its own) ends when its input does (the
# bench went away); if it is still there, it is ended by its PID once its command line is checked.
stop_children() {
  local p
  for p in /proc/[0-9]*; do
    if tr '\0' ' ' 2>/dev/null < "$p/cmdline" | grep -q -- "DnsWeftProcess $work"; then
      kill "${p#/proc/}" 2>/dev/null || true
    fi
  done
}
cleanup() {
  if [[ -n $java_pid ]]; then kill "$java_pid" 2>/dev/null || true; wait "$java_pid" 2>/dev/null || true; fi
  sleep 1
  stop_children
  stop_aardvark
  if (( cli_started )); then
    "$root/weft" stop >/dev/null 2>&1 || true
    "$root/weft" purge >/dev/null 2>&1 || true
  fi
  ip netns del "$hostns" 2>/dev/null || true
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^wbd$id-" || true); do ip netns del "$ns" 2>/dev/null || true; done
  if [[ -f $work/hosts.txt ]]; then
    local h
    while read -r h; do
      for ns in $(ip netns list | awk '{print $1}' | grep -E "^$h(-|$)" || true); do ip netns del "$ns" 2>/dev/null || true; done
    done < "$work/hosts.txt"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. in process: Weft and aardvark-dns (DnsBench)
log "=== in process (DnsBench: N=$N LAT=$LAT WARMUP=$WARMUP QPS ${QPS_ROUNDS}x${QPS_SECONDS}s ROUNDS=$ROUNDS ${CLIENTS}x${INFLIGHT})"
java -cp "$CP" dev.weft.bench.DnsBench "$work/inproc.json" "$work" "$N" "$LAT" "$WARMUP" "$QPS_SECONDS" "$QPS_ROUNDS" \
  "$ROUNDS" "$CLIENTS" "$INFLIGHT" >&2 &
java_pid=$!
wait "$java_pid" || failures="$failures DnsBench (exit $?);"
java_pid=""
stop_aardvark

# --- 2. through ./weft: a private instance on a throwaway host namespace whose resolv.conf
#     (WEFT_ETC_NETNS_DIR/<host>/resolv.conf, read as `ip netns exec` would) names 127.0.0.53; the
#     distribution must have the weft-dns feature: WEFT_DNS_DISTRIBUTION=path/to/weft-*.tar.gz, or
#     this checkout's distribution/target/weft-*.tar.gz when it is newer than the sources (this
#     script does not build it: `mvn -B -q -o -DskipTests package -pl distribution -am` does)
dist=${WEFT_DNS_DISTRIBUTION:-}
why_no_cli=""
if [[ -z $dist ]]; then
  dist=$(ls distribution/target/weft-*.tar.gz 2>/dev/null | head -1 || true)
  if [[ -z $dist ]]; then
    why_no_cli="no distribution/target/weft-*.tar.gz in this checkout (and no WEFT_DNS_DISTRIBUTION)"
  elif [[ -n $(find pom.xml bundles/*/pom.xml bundles/*/src karaf-feature/pom.xml karaf-feature/src distribution/pom.xml \
                 distribution/src -newer "$dist" -type f -print -quit 2>/dev/null) ]]; then
    why_no_cli="$dist is older than the sources"
  fi
fi
# (the listing read whole first: with pipefail, grep -q leaving early would fail tar's pipe)
if [[ -z $why_no_cli ]] && { tar tzf "$dist" > "$work/dist.txt" 2>/dev/null || true; ! grep -q '/dns-[0-9].*\.jar$' "$work/dist.txt"; }; then
  why_no_cli="$dist has no dns bundle (feature weft-dns)"
fi
cli_part() {
  export WEFT_DISTRIBUTION=$dist
  ip netns add "$hostns" && ip -n "$hostns" link set lo up || return 1
  mkdir -p "$WEFT_ETC_NETNS_DIR/$hostns" && echo "nameserver 127.0.0.53" > "$WEFT_ETC_NETNS_DIR/$hostns/resolv.conf" || return 1
  cli_started=1
  "$root/weft" start >&2 || return 1
  local waited drivers=""
  for ((waited = 0; waited < 30; waited++)); do
    drivers=$("$root/weft" driver:list 2>/dev/null || true)
    grep -q '^bridge ' <<< "$drivers" && break
    sleep 1
  done
  "$root/weft" network:create --subnet 10.91.0.0/16 --gateway 10.91.0.1 dnsnet >/dev/null || return 1
  java -cp "$CP" dev.weft.bench.DnsCli "$work/cli.json" "$root/weft" dnsnet 10.91.0.1 "wbd$id" "$N" "$LAT" "$WARMUP" \
    "$QPS_SECONDS" "$QPS_ROUNDS" "$ROUNDS" "$CLIENTS" "$INFLIGHT" >&2 &
  java_pid=$!
  local rc=0
  wait "$java_pid" || rc=$?
  java_pid=""
  "$root/weft" network:rm dnsnet >/dev/null 2>&1 || true
  "$root/weft" stop >&2 || true
  return $rc
}
if [[ -n $why_no_cli ]]; then
  log "=== through ./weft: skipped: $why_no_cli"
  printf '{"skipped": "%s"}\n' "$why_no_cli" > "$work/cli.json"
else
  log "=== through ./weft (private instance bench$id on $hostns, $dist)"
  cli_part || failures="$failures ./weft part;"
  "$root/weft" purge >/dev/null 2>&1 || true
  cli_started=0
  ip netns del "$hostns" 2>/dev/null || true
fi

# --- what is left behind (only what this run makes: its wt-<id> and wbd-<id> namespaces, its
#     aardvark-dns, its table in the host namespace if any)
left=""
nft list ruleset > "$work/nft-after.txt" 2>&1
cmp -s "$work/nft-before.txt" "$work/nft-after.txt" \
  || left="$left nft ruleset differs from the start ($(wc -l < "$work/nft-before.txt") -> $(wc -l < "$work/nft-after.txt") lines);"
ns=""
if [[ -f $work/hosts.txt ]]; then
  while read -r h; do ns="$ns$(ip netns list | awk '{print $1}' | grep -E "^$h(-|$)" | tr '\n' ' ' || true)"; done < "$work/hosts.txt"
fi
ns="$ns$(ip netns list | awk '{print $1}' | grep -E "^(wbd-$id|wbd$id-|bench$id)" | tr '\n' ' ' || true)"
[[ -z $ns ]] || left="$left namespaces: $ns;"
for p in /proc/[0-9]*; do
  if tr '\0' ' ' 2>/dev/null < "$p/cmdline" | grep -q -- "$work"; then
    left="$left process ${p#/proc/} ($(tr '\0' ' ' 2>/dev/null < "$p/cmdline" | cut -c1-80));"
  fi
done
ls -A /etc/netns /run/containers > "$work/dirs-after.txt" 2>&1 || true
cmp -s "$work/dirs-before.txt" "$work/dirs-after.txt" \
  || left="$left /etc/netns or /run/containers changed: $(diff "$work/dirs-before.txt" "$work/dirs-after.txt" | grep '^[<>]' | tr '\n' ' ');"
left=${left:- nothing (namespaces, processes, nft ruleset, /etc/netns and /run/containers as at the start)}
log "left behind:$left"

write_meta "$work" "bench/run-dns.sh ${ARGS[*]}$( ((${#ARGS[@]})) || echo "(defaults: $N $LAT $WARMUP $QPS_SECONDS $QPS_ROUNDS $ROUNDS $CLIENTS $INFLIGHT)")" "${WEFT_DNS_KEEP:-}"
java -cp "$CP" dev.weft.bench.DnsReport "$work"
