#!/usr/bin/env bash
# Lighthouse scores of every kind of page we ship: the example blog's home,
# its list (/blog) and a post with its cover image, a Markdown page
# (examples/docs), and the home of an app `framework new` scaffolds. Each
# page is audited RUNS times (default 3) as a phone on a throttled network
# (Lighthouse's mobile preset, simulated throttling), and the median score
# of each category is printed with the median LCP, CLS and TBT.
#
#   bench/lighthouse.sh                # our pages
#   bench/lighthouse.sh --with-nextjs  # and the same blog in Next.js (bench/lighthouse/nextjs)
#   RUNS=5 bench/lighthouse.sh
#   LIGHTHOUSE_NICE=-10 bench/lighthouse.sh  # audits ahead of other work on a shared machine (root)
#
# Needs Go, Node (20 or later), npm and Chromium (CHROME_PATH, default
# /usr/bin/chromium). Lighthouse is installed from npm into
# bench/.cache/lighthouse the first time; nothing else is fetched: the
# browser runs with its background networking off, and the audits load
# loopback pages only. JSON reports are kept in bench/.cache/reports.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${LIGHTHOUSE_CACHE:-$root/bench/.cache}
lighthouse_version=12.8.2
runs=${RUNS:-3}
with_nextjs=0
for arg in "$@"; do
  case $arg in
    --with-nextjs) with_nextjs=1 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
export NEXT_TELEMETRY_DISABLED=1
lighthouse=$cache/lighthouse/node_modules/.bin/lighthouse
if [ ! -x "$lighthouse" ]; then
  echo "installing lighthouse@$lighthouse_version into $cache/lighthouse"
  mkdir -p "$cache/lighthouse"
  npm install --silent --no-audit --no-fund --prefix "$cache/lighthouse" "lighthouse@$lighthouse_version" >&2
fi
reports=$cache/reports
rm -rf "$reports" && mkdir -p "$reports"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_for URL: until it answers, for at most a minute.
wait_for() {
  for _ in $(seq 600); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$1 did not answer" >&2; exit 1
}

echo "building the framework command"
go build -C "$root" -o "$work/framework" ./cli/framework
fw=$work/framework

# Every app gets its site URL at build too: the pages prerendered then
# carry absolute canonical URLs made with it.

# The blog, copied without its data and build output, its go.mod pointed
# at this checkout.
echo "building examples/blog"
mkdir -p "$work/blog"
tar -C "$root/examples/blog" --exclude=./.framework --exclude=./data -cf - . | tar -C "$work/blog" -xf -
go -C "$work/blog" mod edit -replace "github.com/isr-go/framework=$root"
blog_port=$(free_port)
blog_env=(BLOG_DB="$work/blog.db" BLOG_ADMIN_PASSWORD=lighthouse FRAMEWORK_SITE_URL="http://127.0.0.1:$blog_port")
(cd "$work/blog" && env "${blog_env[@]}" "$fw" build . >"$work/blog-build.log" 2>&1)
(cd "$work/blog" && exec env "${blog_env[@]}" "$fw" start --addr "127.0.0.1:$blog_port" . >"$work/blog.log" 2>&1) &
pids+=($!)

# examples/docs, a Markdown page: built in place (it is in this module),
# its caches in the work folder.
echo "building examples/docs"
docs_port=$(free_port)
(cd "$root/examples/docs" && FRAMEWORK_SITE_URL="http://127.0.0.1:$docs_port" "$fw" build --cache-dir "$work/docs-cache" . >"$work/docs-build.log" 2>&1)
(cd "$root/examples/docs" && exec env FRAMEWORK_SITE_URL="http://127.0.0.1:$docs_port" "$fw" start --cache-dir "$work/docs-cache" --addr "127.0.0.1:$docs_port" . >"$work/docs.log" 2>&1) &
pids+=($!)

# The template, as `framework new` scaffolds it.
echo "scaffolding and building the template"
app_port=$(free_port)
"$fw" new "$work/app" >"$work/app-new.log" 2>&1
(cd "$work/app" && FRAMEWORK_SITE_URL="http://127.0.0.1:$app_port" "$fw" build . >"$work/app-build.log" 2>&1)
(cd "$work/app" && exec env FRAMEWORK_SITE_URL="http://127.0.0.1:$app_port" "$fw" start --addr "127.0.0.1:$app_port" . >"$work/app.log" 2>&1) &
pids+=($!)

pages=(
  "blog home|http://127.0.0.1:$blog_port/"
  "blog list|http://127.0.0.1:$blog_port/blog"
  "blog post, cover image|http://127.0.0.1:$blog_port/blog/7"
  "Markdown page (examples/docs)|http://127.0.0.1:$docs_port/docs/assets"
  "template home|http://127.0.0.1:$app_port/"
)

if [ "$with_nextjs" = 1 ]; then
  next_dir=$root/bench/lighthouse/nextjs
  echo "building the Next.js blog"
  if [ ! -x "$next_dir/node_modules/.bin/next" ]; then
    (cd "$next_dir" && npm install --silent --no-audit --no-fund >&2)
  fi
  mkdir -p "$next_dir/public/covers"
  cp "$root/examples/blog/public/covers/lake.jpg" "$next_dir/public/covers/lake.jpg"
  cp "$root/examples/blog/public/favicon.ico" "$next_dir/public/favicon.ico"
  next_port=$(free_port)
  (cd "$next_dir" && SITE_URL="http://127.0.0.1:$next_port" node_modules/.bin/next build >"$work/next-build.log" 2>&1) || {
    echo "next build failed:" >&2; tail -30 "$work/next-build.log" >&2; exit 1
  }
  (cd "$next_dir" && exec node_modules/.bin/next start -H 127.0.0.1 -p "$next_port" >"$work/next.log" 2>&1) &
  pids+=($!)
  pages+=(
    "Next.js blog home|http://127.0.0.1:$next_port/"
    "Next.js blog list|http://127.0.0.1:$next_port/blog"
    "Next.js blog post, cover image|http://127.0.0.1:$next_port/blog/7"
  )
fi

flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"
audit() { # URL OUTPUT [lighthouse flags...]
  local url=$1 out=$2; shift 2
  nice -n "${LIGHTHOUSE_NICE:-0}" "$lighthouse" "$url" --quiet --output=json --output-path="$out" \
    --form-factor=mobile --throttling-method=simulate --chrome-flags="$flags" "$@" >/dev/null 2>"$work/lighthouse.log" || {
    echo "lighthouse failed on $url:" >&2; tail -20 "$work/lighthouse.log" >&2; exit 1
  }
}

# Lighthouse's mobile preset multiplies the CPU time it observes by 4,
# which models a mid-range phone when run on a machine whose
# benchmarkIndex is about 1000 or more (below that Lighthouse warns that
# the device is slower than it expects, and its throttling guide says to
# calibrate the multiplier to the machine). On a slower or busy machine
# the multiplier is scaled down in proportion: benchmarkIndex / 250,
# between 1 and 4, measured once here.
# CPU_MULTIPLIER=4 keeps the preset as it is.
multiplier=${CPU_MULTIPLIER:-}
if [ -z "$multiplier" ]; then
  wait_for "${pages[0]#*|}"
  audit "${pages[0]#*|}" "$work/calibrate.json" --only-audits=first-contentful-paint
  multiplier=$(node -e 'const r = require(process.argv[1]); const i = r.environment.benchmarkIndex;
    console.log(Math.min(4, Math.max(1, i / 250)).toFixed(2))' "$work/calibrate.json")
  echo "benchmarkIndex $(node -e 'console.log(Math.round(require(process.argv[1]).environment.benchmarkIndex))' "$work/calibrate.json"): CPU slowdown multiplier $multiplier"
fi

for entry in "${pages[@]}"; do
  name=${entry%%|*} url=${entry#*|}
  wait_for "$url"
  curl -fsS -o /dev/null "$url" # the first request renders a page not prerendered
  slug=$(echo "$name" | tr -c 'a-zA-Z0-9\n' '-')
  for i in $(seq "$runs"); do
    echo "auditing $name ($url), run $i of $runs"
    audit "$url" "$reports/$slug-$i.json" --throttling.cpuSlowdownMultiplier="$multiplier" \
      --only-categories=performance,accessibility,best-practices,seo
  done
done

# The table: the median of each category's score and of LCP, CLS, TBT
# and the benchmarkIndex over the runs; under it, every audit that scored under 1 in any run.
node - "$reports" "$runs" "$multiplier" "${pages[@]}" <<'EOF'
const fs = require("fs");
const [reports, runs, multiplier, ...pages] = process.argv.slice(2);
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const cats = ["performance", "accessibility", "best-practices", "seo"];
console.log(`\nLighthouse ${JSON.parse(fs.readFileSync(`${reports}/${pages[0].split("|")[0].replace(/[^a-zA-Z0-9]/g, "-")}-1.json`)).lighthouseVersion}, mobile, simulated throttling, CPU x${multiplier}, median of ${runs}`);
console.log("\n| Page | Performance | Accessibility | Best practices | SEO | LCP | CLS | TBT | benchmarkIndex |");
console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
const failing = [];
for (const entry of pages) {
  const name = entry.split("|")[0];
  const slug = name.replace(/[^a-zA-Z0-9]/g, "-");
  const rs = [];
  for (let i = 1; i <= Number(runs); i++) rs.push(JSON.parse(fs.readFileSync(`${reports}/${slug}-${i}.json`)));
  const score = c => Math.round(median(rs.map(r => r.categories[c].score)) * 100);
  const metric = id => median(rs.map(r => r.audits[id].numericValue));
  const ms = v => (v / 1000).toFixed(2) + " s";
  console.log(`| ${name} | ${cats.map(score).join(" | ")} | ${ms(metric("largest-contentful-paint"))} | ${metric("cumulative-layout-shift").toFixed(3)} | ${Math.round(metric("total-blocking-time"))} ms | ${Math.round(median(rs.map(r => r.environment.benchmarkIndex)))} |`);
  for (const c of cats) for (const ref of rs[0].categories[c].auditRefs) {
    const low = rs.filter(r => { const s = r.audits[ref.id].score; return ref.weight > 0 && s !== null && s < 1; }).length;
    if (low) failing.push(`${name}: ${c}: ${ref.id} (${rs[0].audits[ref.id].title}) under 1 in ${low} of ${runs} runs`);
  }
}
if (failing.length) console.log("\n" + failing.join("\n"));
// Diagnostics weigh nothing in the score but name causes: a resource sent
// uncompressed, a render-blocking request, unused bytes.
const diagnostics = [];
for (const entry of pages) {
  const name = entry.split("|")[0];
  const slug = name.replace(/[^a-zA-Z0-9]/g, "-");
  const rs = [];
  for (let i = 1; i <= Number(runs); i++) rs.push(JSON.parse(fs.readFileSync(`${reports}/${slug}-${i}.json`)));
  for (const ref of rs[0].categories.performance.auditRefs) {
    if (ref.weight > 0 || ref.group !== "diagnostics") continue;
    const low = rs.filter(r => { const s = r.audits[ref.id].score; return s !== null && s < 1; });
    if (low.length) diagnostics.push(`${name}: ${ref.id} (${low[0].audits[ref.id].title}: ${low[0].audits[ref.id].displayValue || ""}) under 1 in ${low.length} of ${runs} runs`);
  }
}
if (diagnostics.length) console.log("\nDiagnostics (no weight in the score):\n" + diagnostics.join("\n"));
EOF
