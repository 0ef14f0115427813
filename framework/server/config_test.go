package server

import (
	"flag"
	"io"
	"path/filepath"
	"slices"
	"testing"
)

// parse binds a Config to a new flag set with env as the environment, and
// parses args.
func parse(t *testing.T, env map[string]string, args ...string) Config {
	t.Helper()
	var c Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.Bind(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	return c
}

func TestConfigPrecedence(t *testing.T) {
	env := map[string]string{
		"FRAMEWORK_ADDR":      ":4000",
		"FRAMEWORK_CACHE_DIR": "/env/caches",
		"FRAMEWORK_CACHE":     "redis://env:6379/0",
		"FRAMEWORK_METRICS":   "1",
		"FRAMEWORK_SITE_URL":  "https://env.example",
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want Config
	}{
		{"defaults", nil, nil, Config{Addr: ":3000"}},
		{"environment over defaults", env, nil, Config{Addr: ":4000", CacheDir: "/env/caches", CacheURL: "redis://env:6379/0", Metrics: true, SiteURL: "https://env.example"}},
		{"flags over environment", env,
			[]string{"--addr", ":5000", "--cache-dir", "caches", "--cache", "", "--metrics=false", "--dev", "--concurrency", "3", "--site-url", "https://flag.example"},
			Config{Addr: ":5000", CacheDir: "caches", Dev: true, Concurrency: 3, SiteURL: "https://flag.example"}},
		{"FRAMEWORK_METRICS other than 1", map[string]string{"FRAMEWORK_METRICS": "true"}, nil, Config{Addr: ":3000"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := parse(t, tc.env, tc.args...); got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestConfigArgsRoundTrip checks that Args writes what Bind reads back, with
// the environment overruled: the framework command resolves the flags, the
// binary must run with exactly those.
func TestConfigArgsRoundTrip(t *testing.T) {
	env := map[string]string{"FRAMEWORK_ADDR": ":4000", "FRAMEWORK_CACHE": "redis://env:6379/0", "FRAMEWORK_METRICS": "1"}
	for _, c := range []Config{
		{},
		{Addr: "127.0.0.1:0", CacheDir: "/a dir/with spaces", CacheURL: "redis://h:1/2", SiteURL: "https://s.example", Dev: true, Metrics: true, Concurrency: 7},
	} {
		if got := parse(t, env, c.Args()...); got != c {
			t.Errorf("Args %q parsed back as %+v, want %+v", c.Args(), got, c)
		}
	}
	c := Config{Addr: ":8080", Metrics: true}
	if got, want := c.Args(FlagAddr, FlagMetrics), []string{"--addr=:8080", "--metrics=true"}; !slices.Equal(got, want) {
		t.Errorf("Args(FlagAddr, FlagMetrics) = %q, want %q", got, want)
	}
}

func TestConfigBindsOnlyNamedFlags(t *testing.T) {
	var c Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	c.Bind(fs, func(string) string { return "" }, FlagAddr, FlagMetrics)
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if want := []string{"addr", "metrics"}; !slices.Equal(names, want) {
		t.Fatalf("bound %v, want %v", names, want)
	}
}

func TestConfigDefaultsOfZeroFields(t *testing.T) {
	url, dir := (&Config{}).cacheAt(Options{}, nil, func(string) string { return "" })
	if url != "" || dir != filepath.FromSlash(".framework/cache/development") {
		t.Errorf("cache at %q, %q; want Badger in .framework/cache/development", url, dir)
	}
}
