#!/usr/bin/env bash
# The CLI round trip of ./weft against a running runtime, and the runtime's start to the first
# answered command, beside the floors of spawning anything (/bin/true) and other CLIs in the same
# run. A private instance on a throwaway host namespace: the machine is left as it was.
#   bench/run-cli.sh [N]          (root; N round trips, default 50)
set -euo pipefail
N=${1:-50}
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
# times N runs of a command; prints "median p99" in ms
timeit() {
  local i t0 t1 samples=()
  for ((i = 0; i < 5; i++)); do "$@" >/dev/null 2>&1 || true; done
  for ((i = 0; i < N; i++)); do
    t0=$(now_us); "$@" >/dev/null 2>&1 || true; t1=$(now_us)
    samples+=($((t1 - t0)))
  done
  printf '%s\n' "${samples[@]}" | sort -n | awk -v n="$N" '{a[NR]=$1} END {
    m = (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2; p = a[int(0.99 * n + 0.999)];
    printf "%.2f %.2f\n", m / 1000, p / 1000 }'
}

t0=$(now_us)
"$root/weft" start >&2
t1=$(now_us)
start_ms=$(( (t1 - t0) / 1000 ))

read -r wm wp < <(timeit "$root/weft" network:list)
read -r dm dp < <(timeit "$root/weft" driver:list)
read -r tm tp < <(timeit /bin/true)
read -r im ip_ < <(timeit ip netns list)
docker_row=""
if command -v docker >/dev/null; then
  read -r km kp < <(timeit docker --version)
  docker_row="| \`docker --version\` (client only, no daemon call) | $km | $kp |"
fi

echo "# ./weft CLI ($(date -u +%F), $(nproc) cores, $N runs each, after 5 warm-up)"
echo
echo "| command | median ms | p99 ms |"
echo "|---|--:|--:|"
echo "| \`./weft network:list\` (bash + C client + Karaf session) | $wm | $wp |"
echo "| \`./weft driver:list\` | $dm | $dp |"
echo "| \`/bin/true\` (spawn floor) | $tm | $tp |"
echo "| \`ip netns list\` | $im | $ip_ |"
[[ -z $docker_row ]] || echo "$docker_row"
echo
echo "Distribution start (\`./weft start\`, to the first answered command): ${start_ms} ms"
