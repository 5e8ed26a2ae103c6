#!/bin/sh
# `npm start` and the image's CMD: node on dist/main.js with the gateway's flags, its heap sized to
# the memory limit of the container it runs in.
#
#   sh scripts/start.sh [node flags...]     extra flags come after the script's own (they win)
#   sh scripts/start.sh --print-flags       prints the flags it would start node with
#
# V8 sizes its old generation from the memory it sees: inside a 256 MiB cgroup it allows itself a
# 256 MB old generation, on top of ~100 MB of code and native memory, so under load the kernel
# kills the process before V8 collects (bench/README.md: memory as a container sees it). With a
# limit (cgroup v2 memory.max, or v1's hierarchical limit) the old generation gets the limit minus
# RESERVE_MIB, never less than MIN_OLD_MIB, and grows 2x its live data between full collections
# (V8 picks 1.1-1.3 for heaps this small: ~40% more CPU at 256 MiB). A --max-old-space-size in
# NODE_OPTIONS wins.
set -eu

# Young generation: 16 MB semi-spaces (V8's default grows them to 32-64 MB, i.e. up to 192 MB of
# young generation on Node 24), one GC thread (helpers only compete with the main thread on a
# small CPU quota).
FLAGS='--max-semi-space-size=16 --single-threaded-gc'
# What the process needs besides the old generation: node, code and native memory (~100 MB), the
# young generation (3 x 16 MB), and headroom for socket buffers and the old generation's overshoot.
RESERVE_MIB=128
MIN_OLD_MIB=64
CGROUP_FS=${CGROUP_FS:-/sys/fs/cgroup}

# The memory limit of this process's cgroup in bytes; nothing when there is none.
memory_limit_bytes() {
  own=$(sed -n 's/^0::\(.*\)/\1/p' /proc/self/cgroup 2>/dev/null || true)
  if [ -f "$CGROUP_FS/cgroup.controllers" ]; then
    # cgroup v2: the smallest memory.max from this cgroup up to the root of the mount.
    limit=''
    dir="$CGROUP_FS${own%/}"
    [ -d "$dir" ] || dir=$CGROUP_FS
    while :; do
      value=$(cat "$dir/memory.max" 2>/dev/null || echo max)
      if [ "$value" != max ] && { [ -z "$limit" ] || [ "$value" -lt "$limit" ]; }; then
        limit=$value
      fi
      [ "$dir" = "$CGROUP_FS" ] && break
      dir=${dir%/*}
    done
    echo "$limit"
    return
  fi
  # cgroup v1: memory.stat's hierarchical_memory_limit counts the ancestors' limits too.
  own=$(sed -n 's/^[0-9]*:\([^:]*,\)\{0,1\}memory\(,[^:]*\)\{0,1\}:\(.*\)/\3/p' /proc/self/cgroup 2>/dev/null || true)
  dir="$CGROUP_FS/memory${own%/}"
  [ -f "$dir/memory.stat" ] || dir="$CGROUP_FS/memory"
  limit=$(sed -n 's/^hierarchical_memory_limit \([0-9]*\)$/\1/p' "$dir/memory.stat" 2>/dev/null ||
    true)
  [ -n "$limit" ] || limit=$(cat "$dir/memory.limit_in_bytes" 2>/dev/null || true)
  # v1 says "no limit" with a number near 2^63.
  if [ -n "$limit" ] && [ "${#limit}" -lt 16 ]; then echo "$limit"; fi
}

case " ${NODE_OPTIONS:-} " in
  *' --max-old-space-size'*) ;;
  *)
    limit=$(memory_limit_bytes)
    if [ -n "$limit" ]; then
      old=$((limit / 1048576 - RESERVE_MIB))
      [ "$old" -ge "$MIN_OLD_MIB" ] || old=$MIN_OLD_MIB
      FLAGS="$FLAGS --max-old-space-size=$old"
      [ "$old" -ge 1024 ] || FLAGS="$FLAGS --heap-growing-percent=100"
    fi
    ;;
esac

if [ "${1:-}" = --print-flags ]; then
  echo "$FLAGS"
  exit 0
fi
# shellcheck disable=SC2086 # FLAGS is a list of flags without spaces inside any of them
exec node $FLAGS "$@" "$(dirname "$0")/../dist/main.js"
