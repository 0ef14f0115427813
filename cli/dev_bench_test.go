package cli_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkDevEdit measures framework dev from a save to the new page
// being served, on a new app, for an edit of a .templ file's text (served
// through templ's development mode, no rebuild) and of a Go expression in
// it (a rebuild: templ, codegen, go build, restart). Each op is one edit;
// ms-median is the median. Run it a few times each:
//
//	go test ./cli -run '^$' -bench BenchmarkDevEdit -benchtime 10x
func BenchmarkDevEdit(b *testing.B) {
	b.Run("text", func(b *testing.B) {
		benchEdits(b, func(i int) string { return fmt.Sprintf("<h1>Welcome %d</h1>", i) }, 10*time.Second)
	})
	b.Run("go", func(b *testing.B) {
		benchEdits(b, func(i int) string { return fmt.Sprintf(`<h1>{ "Welcome " + "%d" }</h1>`, i) }, 120*time.Second)
	})
}

// benchEdits starts framework dev, then for each op writes heading(i) in
// place of the page's heading and polls the page until it shows
// "Welcome i".
func benchEdits(b *testing.B, heading func(i int) string, timeout time.Duration) {
	d := startDev(b)
	current := "<h1>Welcome</h1>"
	var times []time.Duration
	b.ResetTimer()
	for i := range b.N {
		next := heading(i + 1)
		want := fmt.Sprintf("Welcome %d<", i+1)
		start := time.Now()
		d.edit(b, "app/page.templ", current, next)
		waitFor(b, "edit", d.base+"/", timeout, 2*time.Millisecond, func(p page) bool { return strings.Contains(p.body, want) })
		times = append(times, time.Since(start))
		current = next
		b.StopTimer()
		// templ's runtime rereads a text file at most every 100 ms; a
		// person does not save faster either.
		time.Sleep(150 * time.Millisecond)
		b.StartTimer()
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "ms-max")
}
