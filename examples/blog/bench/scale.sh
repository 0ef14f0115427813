#!/usr/bin/env bash
# Scaling table: the example blog with 1,000, 10,000 and 100,000 posts (or
# the counts given as arguments). For each count it seeds the posts, times
# `framework build` with a warm Go build cache (prerendering every post into
# a fresh cache directory), reports the cache's size on disk, serves the
# blog, and runs wrk with random posts over all of them against the server
# and against the plain Echo limit (bench/plain: the same bytes from
# memory), as clients that accept gzip (the limit serving the gzip'd bytes)
# and as clients that do not, in one run: the four alternate ROUNDS times
# (default 3) and each keeps its median, while it samples the server's peak
# RSS (VmHWM) and its anonymous and file-backed parts (RssAnon, RssFile)
# from /proc/PID/status. It prints one Markdown table row per count.
#
# The posts' window is an hour here (BLOG_POST_REVALIDATE, one minute in
# the blog), so that the rounds measure cached posts; the table counts the
# regenerations during them (from /metrics), which should be 0. Then the
# storm: every post is marked stale at once (`framework revalidate --layout
# /`, as a deploy's revalidation would) and random posts are requested with
# gzip for one more round, while the server regenerates them in the
# background; its requests/s, regenerations and the peak RSS are a second
# table. Before the storm the server is restarted on the same cache, and
# the script times the cold start: from the exec to the first HIT of a
# random post; the storm runs on the restarted server.
#
#	bash examples/blog/bench/scale.sh                  # 1,000 10,000 100,000
#	bash examples/blog/bench/scale.sh 1000 10000       # some counts only
#	DURATION=20s WARMUP=5s ROUNDS=5 bash examples/blog/bench/scale.sh 100000
#	FRAMEWORK_MEMORY_CACHE=64MiB bash examples/blog/bench/scale.sh 100000
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000 10000 100000)
warmup=${WARMUP:-3s}
rounds=${ROUNDS:-3}
seconds() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b-a}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.0f", k/1024}'; }

echo "== building the framework command and the baseline" >&2
(cd "$root" && go build -o "$work/framework" ./cli/framework)
go build -o "$work/plain" ./bench/plain
export FRAMEWORK_REVALIDATE_SECRET=$(openssl rand -hex 32) FRAMEWORK_METRICS=1
export BLOG_POST_REVALIDATE=${BLOG_POST_REVALIDATE:-1h}

# wrk_random url posts duration gzip: requests/s and p99 of random posts,
# as a client that accepts gzip when gzip is 1.
wrk_random() {
  local out; out=$(GZIP=$4 POSTS=$2 wrk -t"$threads" -c"$conns" -d"$3" --latency -s bench/random.lua "$1")
  if grep -q Non-2xx <<<"$out"; then
    echo "non-2xx responses from $1: $(awk '/Non-2xx/ {print $NF}' <<<"$out")" >&2
  fi
  echo "$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out") $(awk '$1=="99%" {v=$2+0; if ($2 ~ /us$/) v/=1000; else if ($2 ~ /[^m]s$/) v*=1000; printf "%.2fms", v}' <<<"$out")"
}

# regenerations url: the server's count of background regenerations.
regenerations() { curl -s "$1/metrics" | awk '$1 == "framework_regenerations_total" {print $2}'; }

# sample_rss pid: the highest RssAnon and RssFile seen, in KiB, every 0.2 s
# until the file $work/stop-sampling appears.
sample_rss() {
  local anon=0 file=0 a f
  while [ ! -e "$work/stop-sampling" ]; do
    read -r a f < <(awk '/^RssAnon/ {a=$2} /^RssFile/ {f=$2} END {print a+0, f+0}' "/proc/$1/status" 2>/dev/null || echo "0 0")
    [ "$a" -gt "$anon" ] && anon=$a
    [ "$f" -gt "$file" ] && file=$f
    sleep 0.2
  done
  echo "$anon $file"
}

# median: the middle of the numbers on stdin (p99s like 2.31ms sort by
# their number).
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

rows=() storms=()
for n in "${counts[@]}"; do
  echo "== $n posts" >&2
  export BLOG_DB="$work/blog-$n.db" BLOG_SEED_POSTS=$n
  # The first build seeds the posts and warms Go's build cache; the second,
  # into a fresh cache, is the one a deploy waits for.
  "$work/framework" build --cache-dir "$work/warm-$n" . >/dev/null
  rm -rf "$work/warm-$n"
  cache="$work/cache-$n"
  start=$(date +%s.%N)
  "$work/framework" build --cache-dir "$cache" . >"$work/build-$n.log"
  build=$(seconds "$start")
  disk=$(mib "$(du -sk "$cache" | cut -f1)")

  port=$(free_port)
  ./.framework/server serve --addr "127.0.0.1:$port" --cache-dir "$cache" 2>"$work/server-$n.log" &
  server=$!; pids+=("$server")
  base="http://127.0.0.1:$port"
  wait_up "$base/blog/1"
  plain_port=$(free_port) gzip_port=$(free_port)
  "$work/plain" --addr "127.0.0.1:$plain_port" --from "$base/blog/1" &
  plain=$!; pids+=("$plain")
  "$work/plain" --addr "127.0.0.1:$gzip_port" --from "$base/blog/1" --gzip &
  plain_gz=$!; pids+=("$plain_gz")
  wait_up "http://127.0.0.1:$plain_port/"
  wait_up "http://127.0.0.1:$gzip_port/"

  rm -f "$work/stop-sampling"
  sample_rss "$server" >"$work/rss-$n" &
  sampler=$!
  wrk_random "$base" "$n" "$warmup" 1 >/dev/null
  wrk_random "$base" "$n" "$warmup" 0 >/dev/null
  regen_before=$(regenerations "$base")
  # The server and the limit alternate, gzip and plain, so that none always
  # gets the machine in the same state; each keeps its median round.
  : >"$work/runs-$n"
  for _ in $(seq 1 "$rounds"); do
    echo "gz $(wrk_random "$base" "$n" "$duration" 1)" >>"$work/runs-$n"
    echo "gzlimit $(wrk_random "http://127.0.0.1:$gzip_port" "$n" "$duration" 1)" >>"$work/runs-$n"
    echo "plain $(wrk_random "$base" "$n" "$duration" 0)" >>"$work/runs-$n"
    echo "limit $(wrk_random "http://127.0.0.1:$plain_port" "$n" "$duration" 0)" >>"$work/runs-$n"
  done
  regen=$(( $(regenerations "$base") - regen_before ))
  touch "$work/stop-sampling"
  wait "$sampler"
  read -r anon file <"$work/rss-$n"
  hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$server/status")
  kill "$plain" "$plain_gz"; wait "$plain" "$plain_gz" 2>/dev/null || true

  kill "$server"; wait "$server" 2>/dev/null || true

  # Cold start: the same cache, a fresh process, the first HIT of a post
  # the restarted server has not served.
  start=$(date +%s.%N)
  ./.framework/server serve --addr "127.0.0.1:$port" --cache-dir "$cache" 2>>"$work/server-$n.log" &
  server=$!; pids+=("$server")
  post=$(( (RANDOM * 32768 + RANDOM) % n + 1 ))
  for try in $(seq 1 3000); do
    curl -s -o /dev/null -D - "$base/blog/$post" 2>/dev/null | grep -qi '^X-Framework-Cache: HIT' && break
    [ "$try" -lt 3000 ] || { echo "no HIT from the restarted server" >&2; exit 1; }
    sleep 0.01
  done
  cold=$(seconds "$start")

  # The storm, on the restarted server: every post stale at once under
  # random gzip load.
  rm -f "$work/stop-sampling"
  sample_rss "$server" >"$work/storm-rss-$n" &
  sampler=$!
  storm_before=$(regenerations "$base")
  "$work/framework" revalidate --url "$base" --layout / >/dev/null
  read -r storm_rps storm_p99 < <(wrk_random "$base" "$n" "$duration" 1)
  storm_regen=$(( $(regenerations "$base") - storm_before ))
  touch "$work/stop-sampling"
  wait "$sampler"
  read -r storm_anon storm_file <"$work/storm-rss-$n"
  storm_hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$server/status")
  kill "$server"; wait "$server" 2>/dev/null || true
  rps() { awk -v k="$1" '$1 == k {print $2}' "$work/runs-$n" | median; }
  p99() { awk -v k="$1" '$1 == k {print $3}' "$work/runs-$n" | median; }
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
  gz=$(rps gz) gzlimit=$(rps gzlimit) pl=$(rps plain) limit=$(rps limit)

  rows+=("| $n | $build s | $disk MiB | $gz ($(ratio "$gz" "$gzlimit")x) | $gzlimit | $pl ($(ratio "$pl" "$limit")x) | $limit | $(p99 gz) ($(p99 gzlimit)) | $(p99 plain) ($(p99 limit)) | $(mib "$hwm") MiB ($(mib "$anon") + $(mib "$file")) | $regen |")
  storms+=("| $n | $storm_rps ($(ratio "$storm_rps" "$gzlimit")x) | $storm_p99 | $storm_regen | $(mib "$storm_hwm") MiB ($(mib "$storm_anon") + $(mib "$storm_file")) | $cold s |")
  echo "${rows[-1]}" >&2
  echo "${storms[-1]}" >&2
  rm -rf "$cache" "$BLOG_DB"
done

echo
echo "| posts | build | cache on disk | gzip req/s (x limit) | gzip limit | plain req/s (x limit) | plain limit | p99 gzip (limit) | p99 plain (limit) | peak RSS (RssAnon + RssFile) | regenerations |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "| posts | storm gzip req/s (x limit) | p99 | regenerations | peak RSS of the restarted server (RssAnon + RssFile) | cold start to first HIT |"
echo "|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${storms[@]}"
echo
echo "wrk -t$threads -c$conns, $warmup warm-up per encoding, then the median of $rounds alternating rounds of $duration per server and encoding, $(nproc) cores, $(date -u +%Y-%m-%d)"
