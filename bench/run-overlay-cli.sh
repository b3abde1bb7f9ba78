#!/usr/bin/env bash
# The user's path of an overlay: sandbox:create -p and sandbox:remove through ./weft on an overlay
# and, in the same loop and turn by turn, on a local bridge network, on one of two Weft instances
# (two throwaway namespaces play two hosts on one link, 192.0.2.0/24, a one-member etcd on the
# first; a sandbox on the second host is on the overlay, so the first has a peer). Medians of N,
# the first 5 of each kind reported apart. The machine is left as it was.
#   bench/run-overlay-cli.sh [N]   (root; default 25)
set -euo pipefail
N=${1:-25}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
[[ $(id -u) -eq 0 ]] || { echo "run-overlay-cli.sh: must run as root" >&2; exit 2; }
command -v etcd >/dev/null || { echo "run-overlay-cli.sh: needs etcd (apt-get install etcd-server)" >&2; exit 2; }

cd "$root"
if ! compgen -G "distribution/target/weft-*.tar.gz" >/dev/null; then
  mvn -B -q -o -DskipTests package -pl distribution -am >&2 || mvn -B -q -DskipTests package -pl distribution -am >&2
fi
dist=$(ls distribution/target/weft-*.tar.gz | head -1)
id=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
work=$(mktemp -d /run/weft-bench-ovcli-XXXXXX)
etcd_pid=

w() { # w HOST ARGS...: ./weft of host 1 or 2
  local h=$1; shift
  WEFT_HOME=$work/home$h WEFT_RUN_DIR=$work/run$h WEFT_STATE_DIR=$work/state$h WEFT_ETC_NETNS_DIR=$work/etc-netns$h \
    WEFT_HOST_NETNS=/run/netns/wov$h-$id WEFT_INSTANCE=ovcli$h$id WEFT_LINK_PREFIX=wo$h WEFT_NFT_TABLE=weft_ovcli$h$id \
    WEFT_CLUSTER_STORE=etcd://192.0.2.1:2379 WEFT_CLUSTER_ADVERTISE=192.0.2.$h WEFT_CLUSTER_PREFIX=/weft-ovcli-$id/ \
    WEFT_DISTRIBUTION=$dist "$root/weft" "$@"
}
cleanup() {
  for h in 1 2; do w $h purge >/dev/null 2>&1 || true; done
  if [[ -n $etcd_pid ]] && kill -0 "$etcd_pid" 2>/dev/null; then kill "$etcd_pid"; wait "$etcd_pid" 2>/dev/null || true; fi
  for h in 1 2; do ip netns del wov$h-$id 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

for h in 1 2; do ip netns add wov$h-$id; ip -n wov$h-$id link set lo up; done
ip link add u1 netns wov1-$id type veth peer name u2 netns wov2-$id
for h in 1 2; do ip -n wov$h-$id addr add 192.0.2.$h/24 dev u$h; ip -n wov$h-$id link set u$h up; done
ip netns exec wov1-$id etcd --data-dir "$work/etcd" --listen-client-urls http://192.0.2.1:2379 \
  --advertise-client-urls http://192.0.2.1:2379 --listen-peer-urls http://127.0.0.1:2380 >"$work/etcd.log" 2>&1 &
etcd_pid=$!
for _ in $(seq 50); do ip netns exec wov1-$id bash -c 'exec 3<>/dev/tcp/192.0.2.1/2379' 2>/dev/null && break; sleep 0.2; done
w 1 start >/dev/null
w 2 start >/dev/null
w 1 network:create -d overlay ov >/dev/null
w 1 network:create br >/dev/null
w 2 sandbox:create --network ov peer-$id >/dev/null

now() { date +%s%N; }
oc=(); bc=(); orm=(); brm=()
for i in $(seq 1 "$N"); do
  t=$(now); w 1 sandbox:create --network ov -p $((20000 + i)):80 o$i-$id >/dev/null; oc+=($(( $(now) - t )))
  t=$(now); w 1 sandbox:create --network br -p $((21000 + i)):80 b$i-$id >/dev/null; bc+=($(( $(now) - t )))
done
for i in $(seq 1 "$N"); do
  t=$(now); w 1 sandbox:remove o$i-$id >/dev/null; orm+=($(( $(now) - t )))
  t=$(now); w 1 sandbox:remove b$i-$id >/dev/null; brm+=($(( $(now) - t )))
done
w 2 sandbox:remove peer-$id >/dev/null
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1e6}'; }
echo "# Overlay on the user's path: ./weft on two hosts, a one-member etcd"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?'), N=$N, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command through ./weft | overlay, median ms | bridge, median ms |"
echo "|---|--:|--:|"
echo "| sandbox:create -p, after the first 5 | $(med "${oc[@]:5}") | $(med "${bc[@]:5}") |"
echo "| sandbox:create -p, the first 5 after a start | $(med "${oc[@]:0:5}") | $(med "${bc[@]:0:5}") |"
echo "| sandbox:remove | $(med "${orm[@]}") | $(med "${brm[@]}") |"
