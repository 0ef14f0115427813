package framework

import (
	"strings"
	"testing"
	"time"
)

func TestImplicitTags(t *testing.T) {
	for path, want := range map[string]string{
		"/":       "_path:/ _layout:/",
		"/blog":   "_path:/blog _layout:/ _layout:/blog",
		"/blog/7": "_path:/blog/7 _layout:/ _layout:/blog _layout:/blog/7",
	} {
		if got := strings.Join(implicitTags(path), " "); got != want {
			t.Errorf("implicitTags(%q) = %q", path, got)
		}
	}
}

func TestCacheControl(t *testing.T) {
	for _, tc := range []struct {
		revalidate, expire time.Duration
		want               string
	}{
		{time.Minute, DefaultExpire, "s-maxage=60, stale-while-revalidate=31536000"},
		{1500 * time.Millisecond, time.Hour, "s-maxage=2, stale-while-revalidate=3600"},
		{Never, DefaultExpire, "s-maxage=31536000"},
		{time.Minute, 0, "s-maxage=60"},
	} {
		if got := cacheControl(tc.revalidate, tc.expire); got != tc.want {
			t.Errorf("cacheControl(%v, %v) = %q, want %q", tc.revalidate, tc.expire, got, tc.want)
		}
	}
}
