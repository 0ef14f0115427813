#!/usr/bin/env bash
# Load benchmark of the example blog: builds it, serves it, and measures with
# wrk on loopback the requests/s, p50/p99 latency and the server's peak RSS
# for a cached post against a plain Echo handler serving the same bytes from
# memory (both plain and gzip'd, alternating, medians of ROUNDS rounds),
# random posts, the list page and a page kept stale (its tag revalidated
# every half second while it is loaded).
#
#	bash examples/blog/bench/run.sh            # 1,000 posts, 10 s per case
#	POSTS=100 DURATION=30s CONNS=128 bash examples/blog/bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
posts=${POSTS:-1000}

echo "== building the framework command, the blog and the baseline"
(cd "$root" && go build -o "$work/framework" ./cli/framework)
go build -o "$work/plain" ./bench/plain
# Posts get an hour's window (a minute in the blog), so that the cached
# cases measure hits, not regenerations.
export BLOG_DB="$work/blog.db" BLOG_SEED_POSTS=$posts FRAMEWORK_REVALIDATE_SECRET=$(openssl rand -hex 32) BLOG_POST_REVALIDATE=1h
# The first build seeds the database and warms Go's build cache; the second
# is the one a user waits for on each deploy.
"$work/framework" build . >/dev/null
build_start=$(date +%s.%N)
"$work/framework" build . | tail -n 12
build_seconds=$(awk -v a="$build_start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b-a}')

port=$(free_port)
./.framework/server serve --addr "127.0.0.1:$port" 2>"$work/server.log" &
server=$!; pids+=("$server")
base="http://127.0.0.1:$port"
wait_up "$base/blog/1"
# Every post into the memory tier, over one connection.
for i in $(seq 1 "$posts"); do printf 'url = "%s/blog/%d"\noutput = /dev/null\n' "$base" "$i"; done | curl -s -K -

plain_port=$(free_port) gzip_port=$(free_port)
"$work/plain" --addr "127.0.0.1:$plain_port" --from "$base/blog/1" &
plain=$!; pids+=("$plain")
"$work/plain" --addr "127.0.0.1:$gzip_port" --from "$base/blog/1" --gzip &
plain_gz=$!; pids+=("$plain_gz")
wait_up "http://127.0.0.1:$plain_port/"
wait_up "http://127.0.0.1:$gzip_port/"

declare -A rps p99
measure() { # name url [lua script] [header]
  local name=$1 url=$2 script=${3:-} header=${4:-}
  local args=(-t"$threads" -c"$conns" -d"$duration" --latency)
  [ -n "$script" ] && args+=(-s "$script")
  [ -n "$header" ] && args+=(-H "$header")
  local out; out=$(wrk "${args[@]}" "$url")
  rps[$name]=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99[$name]=$(awk '$1=="99%" {v=$2+0; if ($2 ~ /us$/) v/=1000; else if ($2 ~ /[^m]s$/) v*=1000; print v}' <<<"$out")
  printf '%-24s %12s %10s %10s %8s\n' "$name" "${rps[$name]}" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")" \
    "$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
}

echo
printf '%-24s %12s %10s %10s %8s\n' case req/s p50 p99 non-2xx
# The baseline and the cached post alternate, as clients that do not
# accept gzip and as clients that do (the baseline then serving the gzip'd
# bytes), so that none always gets the machine in the same state; the
# ratios compare the medians of each.
gz="Accept-Encoding: gzip"
: >"$work/rounds"
for round in $(seq 1 "${ROUNDS:-3}"); do
  for c in "plain echo, same bytes|http://127.0.0.1:$plain_port/blog/1|" "cached post|$base/blog/1|" \
    "plain echo, gzip bytes|http://127.0.0.1:$gzip_port/blog/1|$gz" "cached post, gzip|$base/blog/1|$gz"; do
    IFS='|' read -r name url header <<<"$c"
    measure "$name" "$url" "" "$header"
    echo "$name|${rps[$name]}|${p99[$name]}" >>"$work/rounds"
  done
done
median() { # name field: the median of a case's rounds
  awk -F'|' -v n="$1" -v f="$2" '$1 == n {print $f}' "$work/rounds" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}
POSTS=$posts measure "random posts" "$base" bench/random.lua
measure "list page" "$base/blog"
( end=$((SECONDS + ${duration%s})); while [ $SECONDS -lt $end ]; do
    "$work/framework" revalidate --url "$base" --tag posts >/dev/null; sleep 0.5; done ) &
revalidating=$!
measure "stale list (revalidated)" "$base/blog"
wait "$revalidating"
echo
echo "framework build of $posts posts: $build_seconds s"
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$server/status) with all $posts posts cached"
for enc in "same bytes|" "gzip bytes|, gzip"; do
  IFS='|' read -r limit ours <<<"$enc"
  awk -v a="$(median "cached post$ours" 2)" -v b="$(median "plain echo, $limit" 2)" \
    -v p="$(median "cached post$ours" 3)" -v q="$(median "plain echo, $limit" 3)" -v e="${ours:-, plain}" \
    'BEGIN {printf "cached post%s / plain echo: %.2fx requests/s, p99 %.2f ms against %.2f ms (%.2fx), medians of rounds\n", e, a/b, p, q, p/q}'
done
