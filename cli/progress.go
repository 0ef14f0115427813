package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// progress draws a progress bar on a terminal, and a line every tenth of
// the way otherwise, so that logs stay readable.
type progress struct {
	w           io.Writer
	label       string
	total, done int
	tty         bool
	lastTenth   int
}

func newProgress(w io.Writer, label string) *progress {
	return &progress{w: w, label: label, tty: isTerminal(w)}
}

// isTerminal reports whether w is a character device, without a dependency.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

func (p *progress) step() {
	p.done++
	if p.total == 0 {
		return
	}
	if p.tty {
		const width = 30
		filled := width * p.done / p.total
		fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d", p.label, strings.Repeat("=", filled), strings.Repeat(" ", width-filled), p.done, p.total)
		return
	}
	if tenth := 10 * p.done / p.total; tenth > p.lastTenth || p.done == 1 {
		p.lastTenth = tenth
		fmt.Fprintf(p.w, "%s: %d/%d pages\n", p.label, p.done, p.total)
	}
}

func (p *progress) finish() {
	if p.tty && p.total > 0 {
		fmt.Fprintln(p.w)
	}
	if p.total == 0 {
		fmt.Fprintf(p.w, "%s: no pages to prerender\n", p.label)
	}
}
