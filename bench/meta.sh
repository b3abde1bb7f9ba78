# Sourced by the benchmark scripts (bash): the metadata of a run, once for all of them.
#
# write_meta WORK COMMAND KEEP: writes WORK/meta.json (start date, kernel, cores, load at the start
# and now, commit with a note when bench/ or the bundles have uncommitted changes, the command,
# what was left behind, failures) from the caller's variables start_date, load_start, root, left
# and failures; then copies WORK's JSON files into KEEP when KEEP is not empty.
write_meta() {
  local work=$1 command=$2 keep=$3
  META_DATE="started $start_date" META_KERNEL="$(uname -r)" META_CORES="$(nproc)" \
  META_LOAD_START="$load_start" META_LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)" \
  META_COMMIT="$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- bench bundles karaf-feature distribution || echo ' (with uncommitted changes)')" \
  META_COMMAND="$command" META_LEFTOVERS="${left# }" META_FAILURES="${failures# }" \
  /usr/bin/python3 -c '
import json, os, sys
m = {k: os.environ["META_" + k.upper()] for k in ("date", "kernel", "cores", "load_start", "load_end", "commit", "command", "leftovers")}
if os.environ["META_FAILURES"]:
    m["failures"] = os.environ["META_FAILURES"]
json.dump(m, open(sys.argv[1], "w"), indent=2)' "$work/meta.json"
  if [[ -n $keep ]]; then
    mkdir -p "$keep" && cp "$work"/*.json "$keep"/
  fi
}
