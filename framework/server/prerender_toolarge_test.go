package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/a-h/templ"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/internal/testredis"
)

// privateMarker is in the values too large to store; the prerender's
// output must not carry it.
const privateMarker = "PRIVATE-51c2-MARKER"

// TestPrerenderPassesWithValuesTooLargeForTheStore: `server prerender`
// (what `framework build` runs) of a page and of pages reading a
// framework.Cache value, both too large for the store (over the
// framework's 8 MiB cap on Badger, over a proto-max-bulk-len of 1mb on a
// real Redis), prerenders every page, exits 0, says which keys it did not
// store, and writes none of their content to its log.
func TestPrerenderPassesWithValuesTooLargeForTheStore(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		args func(t *testing.T) []string
	}{
		{"badger", 9 << 20, func(t *testing.T) []string { return []string{"--cache-dir", t.TempDir()} }},
		{"redis", 2 << 20, func(t *testing.T) []string {
			srv := testredis.Start(t)
			srv.Command("CONFIG", "SET", "proto-max-bulk-len", "1mb")
			return []string{"--cache", srv.URL(), "--cache-dir", t.TempDir()}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			big := strings.Repeat(privateMarker+" ", tc.size/(len(privateMarker)+1)+1)
			list := framework.Cache(func(ctx context.Context) (string, error) { return big, nil },
				framework.CacheOptions{Revalidate: time.Hour, Tags: []string{"posts"}})
			routes := []framework.Route{
				{Pattern: "/big", Revalidate: time.Hour, Render: func(context.Context, *framework.Request) (templ.Component, error) {
					// Random bytes: too large for the store gzip'd too.
					noise := make([]byte, tc.size)
					rand.NewChaCha8([32]byte{}).Read(noise)
					return templ.Raw("<p>" + privateMarker + string(noise) + "</p>"), nil
				}},
				{Pattern: "/posts/:id", Revalidate: time.Hour, Render: func(ctx context.Context, r *framework.Request) (templ.Component, error) {
					v, err := list(ctx)
					if err != nil {
						return nil, err
					}
					return templ.Raw(fmt.Sprintf("<p>%s %d</p>", r.Param("id"), len(v))), nil
				}, StaticParams: func(context.Context) ([]framework.Params, error) {
					return []framework.Params{{"id": "1"}, {"id": "2"}}, nil
				}},
			}
			var out, errOut bytes.Buffer
			args := append([]string{"prerender", "--concurrency", "1"}, tc.args(t)...)
			if code := Run(context.Background(), args, routes, register(routes), &out, &errOut); code != 0 {
				t.Fatalf("prerender exit %d:\n%.3000s", code, errOut.String())
			}
			var pages int
			for dec := json.NewDecoder(&out); dec.More(); {
				var ev PrerenderEvent
				if err := dec.Decode(&ev); err != nil {
					t.Fatal(err)
				}
				if ev.Event == "page" {
					pages++
				}
			}
			if pages != 3 {
				t.Fatalf("prerendered %d pages, want 3", pages)
			}
			logs := errOut.String() + out.String()
			if strings.Contains(logs, privateMarker) {
				t.Fatalf("the prerender's output carries a value:\n%.3000s", logs)
			}
			if n := strings.Count(errOut.String(), "value too large for the cache store"); n != 2 {
				t.Fatalf("%d too-large lines, want 2 (the page, the data value):\n%.3000s", n, errOut.String())
			}
		})
	}
}
