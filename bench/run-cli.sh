#!/usr/bin/env bash
# The CLI round trip of ./weft against a running runtime, and the runtime's start to the first
# answered command, beside the floors of spawning anything (/bin/true) and other CLIs in the same
# run; then a sandbox's life through ./weft (the user's path of run-bridge.sh's loop): create with
# one published port, connect to a second network, disconnect, remove, each timed. A private
# instance on a throwaway host namespace: the machine is left as it was.
#   bench/run-cli.sh [N [JSON]]   (root; N runs of each, default 50; JSON: also write the sandbox
#                                  figures there, as run-peers.sh does for its report)
set -euo pipefail
N=${1:-50}
JSON=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
[[ $(id -u) -eq 0 ]] || { echo "run-cli.sh: must run as root" >&2; exit 2; }

cd "$root"
if ! compgen -G "distribution/target/weft-*.tar.gz" >/dev/null; then
  mvn -B -q -o -DskipTests package -pl distribution -am >&2 || mvn -B -q -DskipTests package -pl distribution -am >&2
fi
dist=$(ls distribution/target/weft-*.tar.gz | head -1)

id=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
work=$(mktemp -d /run/weft-bench-cli-XXXXXX)
hostns=wbc-$id
export WEFT_HOME=$work/home WEFT_RUN_DIR=$work/run WEFT_STATE_DIR=$work/state WEFT_ETC_NETNS_DIR=$work/etc-netns
export WEFT_HOST_NETNS=/run/netns/$hostns WEFT_INSTANCE=bench$id WEFT_LINK_PREFIX=wb WEFT_NFT_TABLE=weft_bench$id
export WEFT_DISTRIBUTION=$dist
cleanup() {
  "$root/weft" stop >/dev/null 2>&1 || true
  "$root/weft" purge >/dev/null 2>&1 || true
  ip netns del "$hostns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
ip netns add "$hostns"
ip -n "$hostns" link set lo up

now_us() { local t=$EPOCHREALTIME; echo $(( ${t%.*} * 1000000 + 10#${t#*.} )); }
# samples in µs on stdin -> "median p99 min max" in ms (p99 by nearest rank)
stats() {
  sort -n | awk '{a[NR]=$1} END { n = NR;
    m = (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2; p = a[int(0.99 * n + 0.999)];
    printf "%.2f %.2f %.2f %.2f\n", m / 1000, p / 1000, a[1] / 1000, a[n] / 1000 }'
}
# times N runs of a command (after 5 unmeasured); prints "median p99 min max" in ms
timeit() {
  local i t0 t1 samples=()
  for ((i = 0; i < 5; i++)); do "$@" >/dev/null 2>&1 || true; done
  for ((i = 0; i < N; i++)); do
    t0=$(now_us); "$@" >/dev/null 2>&1 || true; t1=$(now_us)
    samples+=($((t1 - t0)))
  done
  printf '%s\n' "${samples[@]}" | stats
}
# one step of the sandbox loop, timed into the file $1 (a failure stops the bench: it would time an error)
step() {
  local out=$1 t0 t1; shift
  t0=$(now_us); "$root/weft" "$@" >/dev/null || { echo "run-cli.sh: ./weft $* failed" >&2; exit 1; }; t1=$(now_us)
  echo $((t1 - t0)) >> "$out"
}

t0=$(now_us)
"$root/weft" start >&2
t1=$(now_us)
start_ms=$(( (t1 - t0) / 1000 ))

read -r wm wp _ < <(timeit "$root/weft" network:list)
read -r dm dp _ < <(timeit "$root/weft" driver:list)
read -r tm tp _ < <(timeit /bin/true)
read -r im ip_ _ < <(timeit ip netns list)
docker_row=""
if command -v docker >/dev/null; then
  read -r km kp _ < <(timeit docker --version)
  docker_row="| \`docker --version\` (client only, no daemon call) | $km | $kp |"
fi

# a sandbox's life through ./weft: 5 unmeasured, then N, the same host port each time
"$root/weft" network:create --subnet 10.93.0.0/16 one >/dev/null
"$root/weft" network:create --subnet 10.94.0.0/16 two >/dev/null
for f in create connect disconnect share unshare remove; do : > "$work/$f.us"; done
for ((i = 0; i < N + 5; i++)); do
  s=s$i
  step "$work/create.us" sandbox:create --network one -p 18080:80 "$s"
  step "$work/connect.us" network:connect two "$s"
  step "$work/disconnect.us" network:disconnect two "$s"
  step "$work/share.us" sandbox:create --network "container:$s" "c$i"
  step "$work/unshare.us" sandbox:remove "c$i"
  step "$work/remove.us" sandbox:remove "$s"
done
declare -A life
for f in create connect disconnect share unshare remove; do
  life[$f]=$(tail -n "$N" "$work/$f.us" | stats)
done

echo "# ./weft CLI ($(date -u +%F), $(nproc) cores, $N runs each, after 5 warm-up)"
echo
echo "| command | median ms | p99 ms |"
echo "|---|--:|--:|"
echo "| \`./weft network:list\` (bash + C client + Karaf session) | $wm | $wp |"
echo "| \`./weft driver:list\` | $dm | $dp |"
echo "| \`/bin/true\` (spawn floor) | $tm | $tp |"
echo "| \`ip netns list\` | $im | $ip_ |"
[[ -z $docker_row ]] || echo "$docker_row"
row() { local a=(${life[$1]}); echo "| $2 | ${a[0]} | ${a[1]} |"; }
row create "\`./weft sandbox:create --network one -p 18080:80 sN\`"
row connect "\`./weft network:connect two sN\`"
row disconnect "\`./weft network:disconnect two sN\`"
row share "\`./weft sandbox:create --network container:sN cN\` (container mode)"
row unshare "\`./weft sandbox:remove cN\` (its name of sN's namespace)"
row remove "\`./weft sandbox:remove sN\` (returns once the namespace is gone)"
echo
echo "Distribution start (\`./weft start\`, to the first answered command): ${start_ms} ms"

if [[ -n $JSON ]]; then
  {
    echo "{\"version\": \"./weft of this checkout\", \"start_ms\": $start_ms, \"latency\": {"
    sep=""
    for f in create connect disconnect remove; do
      a=(${life[$f]})
      key=$f; [[ $f == create ]] && key=setup; [[ $f == remove ]] && key=teardown
      printf '%s"%s_ms": {"n": %d, "median": %s, "p99": %s, "min": %s, "max": %s}' "$sep" "$key" "$N" \
        "${a[0]}" "${a[1]}" "${a[2]}" "${a[3]}"
      sep=", "
    done
    echo "}, \"cli_floor_ms\": {\"n\": $N, \"median\": $wm, \"p99\": $wp}}"
  } > "$JSON"
fi
