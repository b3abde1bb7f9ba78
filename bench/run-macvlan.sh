#!/usr/bin/env bash
# Issue 11's benchmark in one run: macvlan endpoint setup and teardown through Weft's Controller
# (in process) and through ./weft, each next to a bridge endpoint in the same run, next to
# netavark's macvlan and a macvlan made by hand with ip, all on the same kind of parent; then
# iperf3 sandbox -> LAN over Weft's macvlan against a bare macvlan (target Weft / bare >= 0.95).
#   bench/run-macvlan.sh [N=100 [WARMUP=100 [IPERF_SECONDS=10 [ROUNDS=5]]]] > report.md      (root)
# The Markdown report goes to stdout; Maven, progress and the runtime's output to stderr.
# Environment: WEFT_MACVLAN_KEEP (a directory to copy the JSON files into, to re-render the report
# with `java -cp … dev.weft.bench.MacvlanReport DIR`).
#
# Everything happens in throwaway namespaces: the "host" is a namespace whose "NIC" mvp0 is a veth
# end; its peer, eth0 of a "LAN" namespace, holds the gateway 10.77.0.1/16 and the iperf3 server.
# The in-process part (MacvlanBench) makes its own such pair with the test kit; the ./weft part
# makes one for a private instance (WEFT_HOST_NETNS, as run-cli.sh). Whatever happens, the trap
# stops that instance, purges it and deletes the namespaces; the report says what is left behind.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
. "$here/meta.sh"
N=${1:-100}
WARMUP=${2:-100}
IPERF_SECONDS=${3:-10}
ROUNDS=${4:-5}
CLI_WARMUP=5
log() { echo "run-macvlan: $*" >&2; }
[[ $(id -u) -eq 0 ]] || { echo "run-macvlan.sh: must run as root (namespaces, links)" >&2; exit 2; }
for n in "$N" "$WARMUP" "$IPERF_SECONDS" "$ROUNDS"; do
  case $n in ''|*[!0-9]*) echo "run-macvlan.sh: '$n' is not a whole number; usage: run-macvlan.sh [N [WARMUP [IPERF_SECONDS [ROUNDS]]]]" >&2; exit 2;; esac
done
for b in /usr/lib/podman/netavark iperf3 ip; do
  command -v "$b" >/dev/null || { echo "run-macvlan.sh: $b is missing (../shared/peers/install.sh installs the peers)" >&2; exit 2; }
done

# --- build: the bench, and the distribution for ./weft when it is missing or older than the sources
#     (sources only: the bench's build rewrites bundles/*/target)
cd "$root"
mvn -B -q -o -pl bench -am package -DskipTests >&2 \
  || mvn -B -q -pl bench -am package -DskipTests >&2 \
  || { echo "run-macvlan.sh: build failed" >&2; exit 1; }
CP="$here/target/classes:$(cat "$here/target/classpath.txt")"
dist=$(ls distribution/target/weft-*.tar.gz 2>/dev/null | head -1 || true)
if [[ -z $dist ]] || [[ -n $(find pom.xml bundles/*/pom.xml bundles/*/src karaf-feature/pom.xml karaf-feature/src distribution/pom.xml distribution/src \
                         -newer "$dist" -type f -print -quit 2>/dev/null) ]]; then
  log "building the distribution for ./weft"
  mvn -B -q -o -DskipTests package -pl distribution -am >&2 || mvn -B -q -DskipTests package -pl distribution -am >&2 \
    || { echo "run-macvlan.sh: distribution build failed" >&2; exit 1; }
  dist=$(ls distribution/target/weft-*.tar.gz | head -1)
fi

# --- state to leave as found, and the private instance's environment (run-cli.sh's)
id=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
work=$(mktemp -d /run/weft-bench-macvlan-XXXXXX)
hostns=wbm-$id
lanns=wbml-$id
nft list ruleset > "$work/nft-before.txt" 2>&1
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
start_date=$(date -u '+%Y-%m-%d %H:%M UTC')
failures=""
export WEFT_HOME=$work/home WEFT_RUN_DIR=$work/run WEFT_STATE_DIR=$work/state WEFT_ETC_NETNS_DIR=$work/etc-netns
export WEFT_HOST_NETNS=/run/netns/$hostns WEFT_INSTANCE=bench$id WEFT_LINK_PREFIX=wb WEFT_NFT_TABLE=weft_bench$id
export WEFT_DISTRIBUTION=$root/$dist
java_pid=""
cleanup() {
  if [[ -n $java_pid ]]; then kill "$java_pid" 2>/dev/null || true; wait "$java_pid" 2>/dev/null || true; fi
  "$root/weft" stop >/dev/null 2>&1 || true
  "$root/weft" purge >/dev/null 2>&1 || true
  ip netns del "$hostns" 2>/dev/null || true
  ip netns del "$lanns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. in process: Weft (macvlan and bridge), netavark, by hand, iperf3 (MacvlanBench)
log "=== in process (MacvlanBench: N=$N WARMUP=$WARMUP, iperf3 ${IPERF_SECONDS} s x $ROUNDS)"
java -cp "$CP" dev.weft.bench.MacvlanBench "$work/inproc.json" "$N" "$WARMUP" "$IPERF_SECONDS" "$ROUNDS" >&2 &
java_pid=$!
wait "$java_pid" || failures="$failures MacvlanBench (exit $?);"
java_pid=""

# --- 2. through ./weft: a private instance on a throwaway host whose parent mvp0 leads to a LAN namespace
now_us() { local t=$EPOCHREALTIME; echo $(( ${t%.*} * 1000000 + 10#${t#*.} )); }
stats() { # samples in µs on stdin -> "n median p99 min max" in ms (p99 by nearest rank)
  sort -n | awk '{a[NR]=$1} END { n = NR;
    m = (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2; p = a[int(0.99 * n + 0.999)];
    printf "%d %.2f %.2f %.2f %.2f\n", n, m / 1000, p / 1000, a[1] / 1000, a[n] / 1000 }'
}
step() { # file, ./weft arguments: one timed command; a failure stops this part (it would time an error)
  local out=$1 t0 t1; shift
  t0=$(now_us); "$root/weft" "$@" >/dev/null || { log "./weft $* failed"; return 1; }; t1=$(now_us)
  echo $((t1 - t0)) >> "$out"
}
cycle() { # network, sandbox name, prefix of the sample files
  step "$work/$3-setup.us" sandbox:create --network "$1" "$2" && step "$work/$3-teardown.us" sandbox:remove "$2"
}
cli_part() {
  ip netns add "$hostns" && ip netns add "$lanns" \
    && ip -n "$hostns" link set lo up && ip -n "$lanns" link set lo up \
    && ip -n "$hostns" link add mvp0 type veth peer name eth0 netns "$lanns" \
    && ip -n "$hostns" link set mvp0 up \
    && ip -n "$lanns" addr add 10.77.0.1/16 dev eth0 && ip -n "$lanns" link set eth0 up \
    || return 1
  local t0 t1
  t0=$(now_us)
  "$root/weft" start >&2 || return 1
  t1=$(now_us)
  start_ms=$(( (t1 - t0) / 1000 ))
  # ./weft start returns once Weft answers; boot-feature drivers may register a moment later.
  # (The list is read whole first: with pipefail, grep -q leaving early could fail the pipe.)
  local waited drivers=""
  for ((waited = 0; waited < 30; waited++)); do
    drivers=$("$root/weft" driver:list 2>/dev/null || true)
    grep -q '^macvlan ' <<< "$drivers" && break
    sleep 1
  done
  if grep -q '^macvlan ' <<< "$drivers"; then
    cli_macvlan=1
    "$root/weft" network:create -d macvlan -o parent=mvp0 -o macvlan_mode=bridge --subnet 10.77.0.0/16 --gateway 10.77.0.1 mv >/dev/null || return 1
  else
    cli_macvlan=0
    log "./weft driver:list has no macvlan driver 30 s after the start: the ./weft part times the bridge only"
  fi
  "$root/weft" network:create --subnet 10.90.0.0/16 br >/dev/null || return 1
  for f in mv-setup mv-teardown br-setup br-teardown; do : > "$work/$f.us"; done
  local i
  for ((i = 0; i < N + CLI_WARMUP; i++)); do
    if (( cli_macvlan && i % 2 == 0 )); then
      cycle mv "m$i" mv && cycle br "b$i" br || return 1
    elif (( cli_macvlan )); then
      cycle br "b$i" br && cycle mv "m$i" mv || return 1
    else
      cycle br "b$i" br || return 1
    fi
  done
  # container mode: a sandbox sharing web's namespace, made and removed
  : > "$work/share.us"; : > "$work/unshare.us"
  "$root/weft" sandbox:create --network br web >/dev/null || return 1
  for ((i = 0; i < N + CLI_WARMUP; i++)); do
    step "$work/share.us" sandbox:create --network container:web "c$i" && step "$work/unshare.us" sandbox:remove "c$i" \
      || return 1
  done
  "$root/weft" stop >&2 || true
}
start_ms=0
cli_macvlan=0
log "=== through ./weft (private instance bench$id on $hostns, $N after $CLI_WARMUP warm-up)"
cli_part || failures="$failures ./weft part;"
{
  printf '{"start_ms": %s, "macvlan_driver": %s, "n_requested": %s, "warmup": %s' "$start_ms" \
    "$([[ $cli_macvlan == 1 ]] && echo true || echo false)" "$N" "$CLI_WARMUP"
  for f in mv-setup mv-teardown br-setup br-teardown share unshare; do
    if [[ -s $work/$f.us ]] && (( $(wc -l < "$work/$f.us") > CLI_WARMUP )); then
      read -r n m p lo hi < <(tail -n +$((CLI_WARMUP + 1)) "$work/$f.us" | stats)
      printf ', "%s_ms": {"n": %d, "median": %s, "p99": %s, "min": %s, "max": %s}' "${f/-/_}" "$n" "$m" "$p" "$lo" "$hi"
    fi
  done
  echo "}"
} > "$work/cli.json"
"$root/weft" purge >/dev/null 2>&1 || true
ip netns del "$hostns" 2>/dev/null || true
ip netns del "$lanns" 2>/dev/null || true

# --- what is left behind (only what this run makes: wt-*, wbm-*, wbml-* namespaces, wb* links, its table)
left=""
nft list ruleset > "$work/nft-after.txt" 2>&1
cmp -s "$work/nft-before.txt" "$work/nft-after.txt" \
  || left="$left nft ruleset differs from the start ($(wc -l < "$work/nft-before.txt") -> $(wc -l < "$work/nft-after.txt") lines);"
ns=$(ip netns list | awk '{print $1}' | grep -E "^(wbm-$id|wbml-$id|bench$id)" | tr '\n' ' ' || true)
[[ -z $ns ]] || left="$left namespaces: $ns;"
links=$(ip -br link | awk '{print $1}' | cut -d@ -f1 | grep -E '^(mvp0|wb)' | tr '\n' ' ' || true)
[[ -z $links ]] || left="$left links: $links;"
left=${left:- nothing (namespaces, links, nft ruleset equal to the start)}
log "left behind:$left"

write_meta "$work" "bench/run-macvlan.sh $N $WARMUP $IPERF_SECONDS $ROUNDS" "${WEFT_MACVLAN_KEEP:-}"
java -cp "$CP" dev.weft.bench.MacvlanReport "$work"
