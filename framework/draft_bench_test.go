package framework

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/a-h/templ"
)

// BenchmarkDraftCheck is what draft mode adds to every page request: the
// check of its cookie, for a request without cookies (the hit path),
// with other cookies, and with a valid draft cookie (HMAC).
func BenchmarkDraftCheck(b *testing.B) {
	a := &App{drafts: newDraftKeys("s3cret", nil)}
	a.clock.init(nil)
	defer a.clock.close()
	good := DraftCookie + "=" + a.drafts.sign(time.Now().Add(time.Minute).Unix())
	for _, bc := range []struct{ name, cookie string }{
		{"no-cookie", ""},
		{"other-cookies", "session=abc123; theme=dark; _ga=GA1.2.3.4"},
		{"draft-cookie", "session=abc123; " + good},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req, _ := http.NewRequest(http.MethodGet, "/blog/7", nil)
			if bc.cookie != "" {
				req.Header.Set("Cookie", bc.cookie)
			}
			want := bc.name == "draft-cookie"
			b.ReportAllocs()
			for b.Loop() {
				if a.isDraft(req) != want {
					b.Fatal("wrong answer")
				}
			}
		})
	}
}

// BenchmarkCachedHit is a cached component read from the store in a
// render: what a dynamic page pays per request for a Cached box.
func BenchmarkCachedHit(b *testing.B) {
	a, err := New(Options{Store: openBadger(b), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	c := CacheComponent("box", CacheOptions{Revalidate: Never, Tags: []string{"posts"}}, templ.Raw(benchBody[:2000]))
	render := func() {
		st := &renderState{app: a, window: 0}
		ctx := context.WithValue(context.Background(), renderStateKey{}, st)
		if err := c.Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	render()
	b.ReportAllocs()
	for b.Loop() {
		render()
	}
}
