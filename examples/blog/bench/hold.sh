#!/usr/bin/env bash
# Clients that never read: the blog with 10,000 posts (POSTS), whose
# sitemap.xml (every post, about 1 MB) is cached; 2,000 clients (HOLDERS)
# ask for it with a 4 KiB receive buffer and never read. Measures the
# server's RSS and open file descriptors until the write timeout
# (FRAMEWORK_WRITE_TIMEOUT, 30 s by default) has cut them all off, and with
# wrk the p99 of a cached post for other clients, quiet and while the
# 2,000 hold their connections.
#
#	bash examples/blog/bench/hold.sh             # 10,000 posts, 2,000 clients
#	POSTS=1000 HOLDERS=500 bash examples/blog/bench/hold.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
posts=${POSTS:-10000}
holders=${HOLDERS:-2000}
rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; } # KiB
fds() { ls "/proc/$server/fd" | wc -l; }
p99() { # url: the p99, and what else went wrong
  wrk -t"$threads" -c"$conns" -d"$duration" --latency "$1" |
    awk '$1=="99%" {p=$2} /requests in/ {n=$1} /Socket errors|Non-2xx/ {e=e " " $0} END {print p " (" n " requests" e ")"}'
}

echo "== building the framework command and the blog with $posts posts"
(cd "$root" && go build -o "$work/framework" ./cli/framework)
port=$(free_port)
base="http://127.0.0.1:$port"
export BLOG_DB="$work/blog.db" BLOG_SEED_POSTS=$posts FRAMEWORK_SITE_URL=$base
"$work/framework" build --cache-dir "$work/cache" . | tail -n 3

./.framework/server serve --addr "127.0.0.1:$port" --cache-dir "$work/cache" 2>"$work/server.log" &
server=$!; pids+=("$server")
wait_up "$base/blog/1"
size=$(curl -s "$base/sitemap.xml" | wc -c)
echo "sitemap.xml: $size bytes, $(curl -sI "$base/sitemap.xml" | awk 'tolower($1)=="x-framework-cache:" {print $2}')"

quiet=$(p99 "$base/blog/1")
rss0=$(rss) fds0=$(fds)
echo "quiet: cached post p99 $quiet; server RSS $((rss0 / 1024)) MiB, $fds0 fds"

python3 bench/holders.py 127.0.0.1 "$port" "$holders" /sitemap.xml 120 >"$work/holders.out" &
pids+=("$!")
until grep -q sent "$work/holders.out"; do sleep 0.1; done
start=$(date +%s.%N)
echo "$holders clients sent their requests and read nothing; fds now $(fds)"
# Measure the others once the server has taken every held connection (it
# copies each response into the kernel's socket buffer first).
for _ in $(seq 1 300); do [ "$(fds)" -ge $((fds0 + holders * 95 / 100)) ] && break; sleep 0.1; done
echo "all $holders held after $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b-a}') s"
busy=$(p99 "$base/blog/1")
# Until the server holds no more than it did before (the wrk connections
# closed), sample its RSS and descriptors every 100 ms.
peak=0 maxfds=0
while :; do
  r=$(rss) f=$(fds)
  [ "$r" -gt "$peak" ] && peak=$r
  [ "$f" -gt "$maxfds" ] && maxfds=$f
  [ "$f" -le $((fds0 + 2)) ] && break
  elapsed=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {print b-a}')
  awk -v e="$elapsed" 'BEGIN {exit !(e > 120)}' && { echo "fds not released after 120 s: $f" >&2; exit 1; }
  sleep 0.1
done
released=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b-a}')
echo
echo "while held: cached post p99 $busy (quiet $quiet)"
echo "server RSS: $((rss0 / 1024)) MiB before, peak $((peak / 1024)) MiB: +$(((peak - rss0) / 1024)) MiB for $holders held responses"
echo "server fds: $fds0 before, peak $maxfds, back to $(fds) after $released s (write timeout ${FRAMEWORK_WRITE_TIMEOUT:-30s})"
