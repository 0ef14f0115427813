#!/usr/bin/env bash
# Regeneration storm: the blog with 10,000 posts (POSTS), every post cached,
# then every post made stale at once (as a minute after a build, or after
# `framework revalidate --layout /`) under random load. Measures with wrk on
# loopback the requests/s and p99 of random posts before and during the
# storm, non-2xx responses, the regenerations the storm started, and the
# server's peak RSS (VmHWM) with its anonymous and file-backed parts.
#
#	bash examples/blog/bench/storm.sh              # 10,000 posts, 10 s per phase
#	POSTS=1000 DURATION=20s bash examples/blog/bench/storm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
posts=${POSTS:-10000}
metric() { curl -s "$base/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
memory() { awk '/VmHWM|RssAnon|RssFile/ {printf "%s %.0f MiB  ", $1, $2/1024}' "/proc/$server/status"; }

echo "== building the framework command and the blog with $posts posts"
(cd "$root" && go build -o "$work/framework" ./cli/framework)
export BLOG_DB="$work/blog.db" BLOG_SEED_POSTS=$posts FRAMEWORK_REVALIDATE_SECRET=$(openssl rand -hex 32) FRAMEWORK_METRICS=1
"$work/framework" build --cache-dir "$work/cache" . | tail -n 3

port=$(free_port)
./.framework/server serve --addr "127.0.0.1:$port" --cache-dir "$work/cache" 2>"$work/server.log" &
server=$!; pids+=("$server")
base="http://127.0.0.1:$port"
wait_up "$base/blog/1"

run() { # name
  local out; out=$(POSTS=$posts wrk -t"$threads" -c"$conns" -d"$duration" --latency -s bench/random.lua "$base")
  printf '%-30s %10s %10s %10s %8s\n' "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")" \
    "$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
}

printf '\n%-30s %10s %10s %10s %8s\n' phase req/s p50 p99 non-2xx
run "random posts, all fresh"
echo "   $(memory)"
regen_before=$(metric framework_regenerations_total)
"$work/framework" revalidate --url "$base" --layout / >/dev/null
run "random posts, storm"
echo "   $(memory)"
sleep 2
echo
echo "regenerations during the storm: $(( $(metric framework_regenerations_total) - regen_before ))" \
  "(queue now $(metric framework_regeneration_queue), dropped $(metric framework_regenerations_dropped_total)," \
  "errors $(metric framework_regeneration_errors_total), 500s $(metric framework_page_errors_total))"
echo "server peak RSS over both phases: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$server/status)"
echo "largest resident file mappings now:"
awk '/^[0-9a-f]+-[0-9a-f]+ / {name = $6} /^Rss:/ && name != "" {rss[name] += $2} END {for (n in rss) if (rss[n] > 1024) printf "   %6.1f MiB  %s\n", rss[n]/1024, n}' "/proc/$server/smaps" | sort -rn | head -5
