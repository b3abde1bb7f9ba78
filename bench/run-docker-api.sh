#!/usr/bin/env bash
# Docker's Engine API as people use it (issue 14): `docker network create/connect/disconnect/rm`
# through the real docker CLI against Weft's docker.sock, the same calls through ./weft against the
# same instance, and (where docker.io can be installed and started here) the same docker CLI against
# dockerd 20.10, interleaved in one run; then requests per second of `GET /networks` with NETS
# networks on Weft and on dockerd (dev.weft.bench.DockerApiLoad, keep-alive connections).
# A private Weft instance on a throwaway host namespace; dockerd and containerd in a throwaway
# namespace of their own (nsenter --net, so its bridge and iptables rules stay there), on private
# sockets and directories. The machine is left as it was.
#   bench/run-docker-api.sh [N [NETS [SECONDS]]]   (root; N runs of each call after 5 warm-up,
#                                                  default 25; NETS networks for the rps figure,
#                                                  default 100; SECONDS per rps run, default 10)
set -euo pipefail
N=${1:-25}
NETS=${2:-100}
SECONDS_RPS=${3:-10}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
[[ $(id -u) -eq 0 ]] || { echo "run-docker-api.sh: must run as root" >&2; exit 2; }
DOCKER=$(command -v docker) || { echo "run-docker-api.sh: no docker CLI on PATH (the machine's 28.2.2 is /usr/local/bin/docker)" >&2; exit 2; }

cd "$root"
mvn -B -q -o -pl bench -am package -DskipTests >&2 || mvn -B -q -pl bench -am package -DskipTests >&2
CP="$here/target/classes:$(cat "$here/target/classpath.txt")"
if ! compgen -G "distribution/target/weft-*.tar.gz" >/dev/null; then
  mvn -B -q -o -DskipTests package -pl distribution -am >&2 || mvn -B -q -DskipTests package -pl distribution -am >&2
fi
dist=$(ls distribution/target/weft-*.tar.gz | head -1)

id=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
work=$(mktemp -d /run/weft-bench-dapi-XXXXXX)
hostns=wbd-$id
dockerns=wbk-$id
ddata=/var/lib/weft-bench-docker-$id
cdata=/var/lib/weft-bench-containerd-$id
export WEFT_HOME=$work/home WEFT_RUN_DIR=$work/run WEFT_STATE_DIR=$work/state WEFT_ETC_NETNS_DIR=$work/etc-netns
export WEFT_HOST_NETNS=/run/netns/$hostns WEFT_INSTANCE=bench$id WEFT_LINK_PREFIX=wk WEFT_NFT_TABLE=weft_bench$id
export WEFT_DISTRIBUTION=$dist
WSOCK=$WEFT_RUN_DIR/docker.sock
DSOCK=$work/dockerd.sock
dockerd_pid="" containerd_pid=""
cleanup() {
  set +e
  if [[ -n $dockerd_pid ]]; then
    "$DOCKER" -H "unix://$DSOCK" rm -f c0 >/dev/null 2>&1
    kill "$dockerd_pid" 2>/dev/null; wait "$dockerd_pid" 2>/dev/null
  fi
  if [[ -n $containerd_pid ]]; then kill "$containerd_pid" 2>/dev/null; wait "$containerd_pid" 2>/dev/null; fi
  # what dockerd may have left mounted under its directories
  grep -E " ($ddata|$cdata|$work)" /proc/self/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$ddata" "$cdata"
  ip netns del "$dockerns" 2>/dev/null
  "$root/weft" stop >/dev/null 2>&1
  "$root/weft" purge >/dev/null 2>&1
  ip netns del "$hostns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT INT TERM
ip netns add "$hostns"
ip -n "$hostns" link set lo up

now_us() { local t=$EPOCHREALTIME; echo $(( ${t%.*} * 1000000 + 10#${t#*.} )); }
# samples in µs on stdin -> "median p99" in ms (p99 by nearest rank)
stats() {
  sort -n | awk '{a[NR]=$1} END { n = NR;
    m = (n % 2) ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2; p = a[int(0.99 * n + 0.999)];
    printf "%.1f %.1f\n", m / 1000, p / 1000 }'
}
# step FILE CMD...: runs CMD once, timed into FILE; a failure stops the bench (it would time an error)
step() {
  local out=$1 t0 t1 o; shift
  t0=$(now_us); o=$("$@" 2>&1) || { echo "run-docker-api.sh: $* failed: $o" >&2; exit 1; }; t1=$(now_us)
  echo $((t1 - t0)) >> "$out"
}

# ---- Weft
t0=$(now_us)
"$root/weft" start >&2
echo "weft started in $(( ($(now_us) - t0) / 1000 )) ms" >&2
[[ -S $WSOCK ]] || { echo "run-docker-api.sh: no $WSOCK after ./weft start" >&2; exit 1; }
wd() { "$DOCKER" -H "unix://$WSOCK" "$@"; }
"$root/weft" network:create --subnet 10.93.0.0/16 one >/dev/null
"$root/weft" sandbox:create --network one s0 >/dev/null

# ---- dockerd 20.10, if it can be had
have_dockerd=""
dockerd_version=""
if ! command -v dockerd >/dev/null || ! command -v containerd >/dev/null || [[ ! -x /bin/busybox ]]; then
  echo "run-docker-api.sh: installing docker.io and busybox-static for the dockerd column" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io busybox-static >/dev/null 2>&1 \
    || echo "run-docker-api.sh: could not install docker.io; dockerd's column stays empty" >&2
fi
if command -v dockerd >/dev/null && command -v containerd >/dev/null && [[ -x /bin/busybox ]]; then
  ip netns add "$dockerns"
  ip -n "$dockerns" link set lo up
  mkdir -p "$ddata" "$cdata"
  nsenter --net=/run/netns/"$dockerns" containerd -a "$work/containerd.sock" --root "$cdata" --state "$work/ctd" \
    > "$work/containerd.log" 2>&1 &
  containerd_pid=$!
  for _ in $(seq 100); do [[ -S $work/containerd.sock ]] && break; sleep 0.1; done
  nsenter --net=/run/netns/"$dockerns" dockerd -H "unix://$DSOCK" --containerd "$work/containerd.sock" \
    --data-root "$ddata" --exec-root "$work/dexec" --pidfile "$work/dockerd.pid" --bip 10.234.0.1/24 \
    > "$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 300); do
    "$DOCKER" -H "unix://$DSOCK" version >/dev/null 2>&1 && { have_dockerd=yes; break; }
    kill -0 "$dockerd_pid" 2>/dev/null || break
    sleep 0.2
  done
  if [[ -n $have_dockerd ]]; then
    dkd() { "$DOCKER" -H "unix://$DSOCK" "$@"; }
    dockerd_version=$(dkd version -f '{{.Server.Version}}')
    rootfs=$work/rootfs
    mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/etc" "$rootfs/tmp"
    cp /bin/busybox "$rootfs/bin/busybox"
    ln -s busybox "$rootfs/bin/sleep"; ln -s busybox "$rootfs/bin/sh"
    tar -C "$rootfs" -c . | dkd import - weftbench:bb >/dev/null
    dkd network create --subnet 10.93.0.0/16 one >/dev/null
    dkd run -d --name c0 --network one weftbench:bb sleep 1000000 >/dev/null
  else
    echo "run-docker-api.sh: dockerd did not start; its column stays empty. Log:" >&2
    tail -20 "$work/dockerd.log" >&2
  fi
fi

# ---- the calls, the sides taking turns
sides=(dw weft); [[ -z $have_dockerd ]] || sides+=(dd)
for s in "${sides[@]}"; do for f in create connect disconnect rm; do : > "$work/$s.$f"; done; done
one_round() {   # side i
  local s=$1 i=$2 net=n$i
  case $s in
    dw) step "$work/dw.create" wd network create --subnet "10.95.$((i % 250)).0/24" "$net"
        step "$work/dw.connect" wd network connect "$net" s0
        step "$work/dw.disconnect" wd network disconnect "$net" s0
        step "$work/dw.rm" wd network rm "$net" ;;
    weft) net=w$i
        step "$work/weft.create" "$root/weft" network:create --subnet "10.96.$((i % 250)).0/24" "$net"
        step "$work/weft.connect" "$root/weft" network:connect "$net" s0
        step "$work/weft.disconnect" "$root/weft" network:disconnect "$net" s0
        step "$work/weft.rm" "$root/weft" network:remove "$net" ;;
    dd) step "$work/dd.create" dkd network create --subnet "10.95.$((i % 250)).0/24" "$net"
        step "$work/dd.connect" dkd network connect "$net" c0
        step "$work/dd.disconnect" dkd network disconnect "$net" c0
        step "$work/dd.rm" dkd network rm "$net" ;;
  esac
}
for ((i = 0; i < N + 5; i++)); do
  k=${#sides[@]}
  for ((j = 0; j < k; j++)); do one_round "${sides[$(( (i + j) % k ))]}" "$i"; done
done
# the floors: the CLI alone, and the CLI's ping plus one GET (docker version), on each side
for ((i = 0; i < N + 5; i++)); do
  step "$work/floor.cli" "$DOCKER" --version
  step "$work/dw.version" wd version
  step "$work/weft.version" "$root/weft" network:list
  [[ -z $have_dockerd ]] || step "$work/dd.version" dkd version
done
declare -A fig
fig[floor.cli]=$(tail -n "$N" "$work/floor.cli" | stats)
for s in "${sides[@]}"; do for f in create connect disconnect rm version; do
  fig[$s.$f]=$(tail -n "$N" "$work/$s.$f" | stats)
done; done

# ---- GET /networks at NETS networks
for ((i = 0; i < NETS; i++)); do
  wd network create --subnet "10.97.$i.0/24" --label bench=yes "r$i" >/dev/null
  [[ -z $have_dockerd ]] || dkd network create --subnet "10.97.$i.0/24" --label bench=yes "r$i" >/dev/null
done
rps() {   # socket connections -> JSON
  java -cp "$CP" dev.weft.bench.DockerApiLoad "$1" /v1.41/networks "$2" "$SECONDS_RPS" 2
}
declare -A load
for c in 1 4; do
  load[w$c]=$(rps "$WSOCK" $c)
  [[ -z $have_dockerd ]] || load[d$c]=$(rps "$DSOCK" $c)
done
field() { sed -E "s/.*\"$2\": ([0-9.]+).*/\1/" <<<"$1"; }

# ---- report
col() { local a=(${fig[$1]:-- -}); printf '%s / %s' "${a[0]}" "${a[1]}"; }
ratio() {   # median of $1 over median of $2
  local a=(${fig[$1]:-}) b=(${fig[$2]:-})
  [[ -n ${a[0]:-} && -n ${b[0]:-} ]] || { echo "–"; return; }
  awk -v x="${a[0]}" -v y="${b[0]}" 'BEGIN { printf "%.2f", x / y }'
}
echo "# Docker's Engine API: the docker CLI against Weft, ./weft, and dockerd"
echo
echo "$(date -u '+%F %H:%M') UTC, commit $(git -C "$root" rev-parse --short HEAD), $(nproc) cores, kernel $(uname -r)," \
  "docker CLI $("$DOCKER" version -f '{{.Client.Version}}' 2>/dev/null), dockerd ${dockerd_version:-not run};" \
  "$N runs of each call after 5 warm-up, sides interleaved; median / p99 ms"
echo
echo "| call | docker CLI → Weft | \`./weft\` → Weft | docker CLI → dockerd | Weft by docker CLI : dockerd (medians) |"
echo "|---|--:|--:|--:|--:|"
echo "| \`network create --subnet S nI\` | $(col dw.create) | $(col weft.create) | $(col dd.create) | $(ratio dw.create dd.create) |"
echo "| \`network connect nI S0\` | $(col dw.connect) | $(col weft.connect) | $(col dd.connect) | $(ratio dw.connect dd.connect) |"
echo "| \`network disconnect nI S0\` | $(col dw.disconnect) | $(col weft.disconnect) | $(col dd.disconnect) | $(ratio dw.disconnect dd.disconnect) |"
echo "| \`network rm nI\` | $(col dw.rm) | $(col weft.rm) | $(col dd.rm) | $(ratio dw.rm dd.rm) |"
echo "| floor: \`docker version\` (ping + GET /version); \`./weft network:list\` | $(col dw.version) | $(col weft.version) | $(col dd.version) | $(ratio dw.version dd.version) |"
echo "| floor: \`docker --version\` (the CLI alone, no request) | $(col floor.cli) | | | |"
echo
echo "S0 is a Weft sandbox on network \`one\` (a running busybox container on dockerd's \`one\`); \`./weft\`"
echo "runs \`network:create --subnet\`, \`network:connect\`, \`network:disconnect\`, \`network:remove\`."
echo
echo "\`GET /v1.41/networks\` with $NETS networks besides the predefined ones, ${SECONDS_RPS} s after 2 s warm-up:"
echo
echo "| connections | Weft req/s | dockerd req/s | Weft : dockerd | Weft median / p99 ms | dockerd median / p99 ms | body bytes Weft / dockerd |"
echo "|--:|--:|--:|--:|--:|--:|--:|"
for c in 1 4; do
  w=${load[w$c]} d=${load[d$c]:-}
  if [[ -n $d ]]; then
    r=$(awk -v x="$(field "$w" rps)" -v y="$(field "$d" rps)" 'BEGIN { printf "%.2f", x / y }')
    echo "| $c | $(field "$w" rps) | $(field "$d" rps) | $r | $(field "$w" median_ms) / $(field "$w" p99_ms) | $(field "$d" median_ms) / $(field "$d" p99_ms) | $(field "$w" body_bytes) / $(field "$d" body_bytes) |"
  else
    echo "| $c | $(field "$w" rps) | – | – | $(field "$w" median_ms) / $(field "$w" p99_ms) | – | $(field "$w" body_bytes) / – |"
  fi
done
