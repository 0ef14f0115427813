// Package server is the command line of an app's server: the binary that
// `framework build` compiles from the app's main.go,
//
//	func main() { server.Main(Routes(), Register) }
//
// with Routes and Register generated into routes_gen.go. `framework start`
// and `framework dev` run it, `framework build` runs its prerender and
// routes commands; it also runs on its own, in a container or under a
// process manager.
//
// # Commands
//
//	server [serve] [flags]      serve the app over HTTP (the default)
//	server prerender [flags]    render every static page and every path StaticParams lists into the cache
//	server export [--out DIR]   write the static pages and files, as served, to DIR (see framework export)
//	server routes               print one RouteInfo per route, as JSON lines
//	server build-id             print the binary's build ID
//	server health [--addr ADDR] ask the server on ADDR for its health check: exit 0 on 200, 1 otherwise
//
// Each command takes the flags it uses, and --help lists them: serve all but
// --concurrency; prerender --cache-dir, --cache, --concurrency, --site-url
// and --log-format; health --addr; routes and build-id none.
//
// serve and prerender open the cache's store themselves and close it on
// exit: the Redis --cache names (package redisstore), else Badger in
// --cache-dir/<build ID> (badgerstore.OpenCache: a directory Badger cannot
// open is moved aside and started afresh, and with no usable directory the
// app serves from memory alone, its health check saying "memory-only").
// They pass it to the app in framework.Options.Store, unless main.go set a
// Store of its own; serve --dev opens none.
//
// serve stops gracefully on SIGINT or SIGTERM: it stops accepting
// connections, lets requests in flight finish for up to 30 s (then closes
// the connections still busy, a client that stopped reading for one, says
// so, and exits 0), then waits for background regenerations (App.Close). Every request goes through
// runtime.CanonicalPaths first, so that every page has one URL.
//
// prerender writes one PrerenderEvent per line on stdout, which `framework
// build` turns into its progress bar and route table. It stops at the first
// page that fails, and names the route and params on stderr.
//
// health GETs http://127.0.0.1:<port>/_framework/health (the host of
// --addr when it names one), with the port of the same --addr or
// FRAMEWORK_ADDR as serve, and gives up after 2 s. It prints the answer's
// JSON and opens nothing else, so it runs beside a serving process: it is
// the HEALTHCHECK of an image without curl or wget (distroless),
//
//	HEALTHCHECK CMD ["/app/server", "health"]
//
// Exit codes: 0, 1 on failure, 2 on a usage error (an unknown command or
// flag, a malformed limit in the environment, a --log-format other than
// text or json).
//
// # Health checks
//
// serve answers GET and HEAD /_framework/health (framework.HealthPath) with
// {"status":"ok","build":"<build ID>","store":"up"}, Cache-Control:
// no-store; "store" is "up", "down" (its last call failed) or "memory-only"
// (no usable cache dir). It stays 200 while the store is down, since cached
// pages are still served and misses rendered; --health-requires-store makes
// it 503 with "status":"unavailable" then, for an operator who would rather
// take the instance out of rotation.
//
// # Logs
//
// The server logs with log/slog on stderr, as text, or as JSON objects one
// a line with --log-format json (FRAMEWORK_LOG_FORMAT=json) for a log
// collector; Main makes that logger slog's default, so that the lines of
// Badger and go-redis take the format too. --log-requests
// (FRAMEWORK_LOG_REQUESTS=1) adds a line per request, "framework: request"
// with method, path (without the query), status, cache (X-Framework-Cache),
// bytes (of body written) and duration. Off, it costs nothing: the handler
// that logs is not installed (BenchmarkHit, BenchmarkHitLogged).
//
// # Traces
//
// OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) turns
// on OpenTelemetry tracing, exported over OTLP/HTTP: package tracing makes
// the tracer provider from the standard OTEL_* variables, unless main.go
// sets framework.Options.TracerProvider, and the server wraps its handler in
// App.Trace, sends the spans still batched at shutdown, and adds trace_id
// and span_id to the request lines of sampled requests.
//
// # Flags and environment
//
// Flags beat environment variables, which beat the app's .env files, which
// beat the Options of its main.go (see Options), which beat defaults. The
// .env files are .env.<mode>.local, .env.local, .env.<mode> and .env in the
// working directory, mode "development" with --dev and "production"
// otherwise; the first file to set a variable wins, a real variable wins
// over all of them, and the app's code sees them too. Config holds the
// flags; the framework command binds the same definitions (Config.Bind) for
// start, build and dev, so they have one name, one variable and one help
// text. framework.New reads no environment and opens no store: this package
// does both.
//
//	flag            variable                        default
//	--addr          FRAMEWORK_ADDR                  :3000
//	--cache-dir     FRAMEWORK_CACHE_DIR             .framework/cache in the app; the cache of a build is DIR/<build ID>
//	--cache         FRAMEWORK_CACHE                 none: Badger in the cache dir; redis://host:port/db shares one cache between instances
//	                                                (a Redis Cluster or Sentinel in go-redis's URL forms: see package redisstore)
//	--site-url      FRAMEWORK_SITE_URL              none: the sitemap and robots.txt take the request's host, uncached
//	--metrics       FRAMEWORK_METRICS=1             off: Prometheus metrics at GET /metrics
//	--dev                                           off: render every page on every request (framework dev)
//	--concurrency                                   twice GOMAXPROCS: pages prerendered at once
//	--log-requests  FRAMEWORK_LOG_REQUESTS=1        off: a log line per request
//	--log-format    FRAMEWORK_LOG_FORMAT            text; json for log collectors
//	--health-requires-store
//	                FRAMEWORK_HEALTH_REQUIRES_STORE=1
//	                                                off: the health check answers 503 while the store is down
//	                FRAMEWORK_READ_HEADER_TIMEOUT   10s  (Limits)
//	                FRAMEWORK_READ_TIMEOUT          30s
//	                FRAMEWORK_WRITE_TIMEOUT         30s; each Flush of a route handler extends it
//	                FRAMEWORK_MAX_CONNECTIONS       3/4 of RLIMIT_NOFILE, at most 65536; 0 for no limit
//	                FRAMEWORK_IDLE_TIMEOUT          120s
//	                FRAMEWORK_MAX_HEADER_BYTES      65536
//	                FRAMEWORK_MAX_BODY_BYTES        1048576; 0 for no limit
//	                FRAMEWORK_REVALIDATE_SECRET     none: POST /_framework/revalidate off; at least 32 bytes
//	                FRAMEWORK_TRUSTED_ORIGINS       none: origins whose pages may POST to route handlers
//	                FRAMEWORK_DRAFT_SECRET          random per process: draft cookies end with it
//	                FRAMEWORK_DEBUG_CACHE=1         off: a log line per HIT, STALE, MISS, regeneration
//	                OTEL_EXPORTER_OTLP_ENDPOINT     none: traces off; the other OTEL_* variables as the OpenTelemetry SDK reads them
//	                FRAMEWORK_UNOPTIMIZED_IMAGES=1  off: framework.Image links the source, no variants (static export)
//	                FRAMEWORK_CONTENT_SECURITY_POLICY
//	                                                none; "default" for framework.DefaultContentSecurityPolicy,
//	                                                or a policy: inline scripts and styles allowed by hash
//	                FRAMEWORK_FRAME_OPTIONS         DENY; SAMEORIGIN, or off to send no X-Frame-Options
//
// # The build ID
//
// A build ID names one build of an app: its local cache is
// <cache dir>/<build ID>, its entries in a shared cache are keyed by it (so
// that a rolling deploy never serves a page of the other build), and it shows
// in the "serving" log line and in the framework_build_info metric.
//
// The binary is its only source. `framework build` makes a new ID and
// compiles it in with go build -ldflags "-X <BuildIDSymbol>=<ID>"; no file
// keeps a copy (there is no .framework/BUILD_ID any more), since a copy can
// fall out of step with the binary. A binary copied alone into a container
// therefore still knows which cache is its own, and a binary and the cache
// it prerendered cannot disagree. `server build-id` prints it, for deploy
// scripts. A binary built without the flag (go build, go run, framework
// dev) has the ID DevelopmentBuildID, "development".
package server
