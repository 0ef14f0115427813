package codegen_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/isr-go/framework/codegen/testdata/seconds"
	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/runtime"
)

// TestWindowsInSeconds reads the windows of the golden router of
// testdata/seconds (compiled into this test) back from its Routes: an
// untyped constant counts seconds, as Next.js's revalidate does, up to the
// most a time.Duration holds; a time.Duration and framework.Never are
// what they say.
func TestWindowsInSeconds(t *testing.T) {
	type windows struct{ Revalidate, Expire time.Duration }
	got := make(map[string]windows)
	for _, rt := range seconds.Routes() {
		got[rt.Pattern] = windows{rt.Revalidate, rt.Expire}
	}
	want := map[string]windows{
		"/":                        {time.Minute, time.Hour}, // 60, 3600.0
		"/zero":                    {0, 0},                   // rendered per request
		"/typed":                   {time.Minute, 2 * time.Hour},
		"/never":                   {framework.Never, 0},
		"/max":                     {9223372036 * time.Second, 0},
		framework.RobotsPath:       {30 * time.Second, 0},
		framework.SitemapPath:      {2 * time.Minute, 0},
		runtime.SitemapPartPattern: {2 * time.Minute, 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("windows by pattern (-want +got):\n%s", diff)
	}
}
