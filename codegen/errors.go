package codegen

import (
	"cmp"
	"fmt"
	"go/token"
	"slices"
	"strings"
)

// An Error is one problem in an app: where it is and what is wrong there.
// It prints like the Go compiler's errors, file:line:col: message, so
// that editors and terminals can jump to it.
type Error struct {
	// Pos is where the problem is. Filename is relative to the app's
	// directory and slash-separated ("app/blog/id_/page.go"), or a folder
	// ("app/docs/slug__/more") for problems with the layout of app/.
	// Line and Column are 1-based, Column in bytes as go/token counts
	// them, and both are 0 when the problem has no line: a missing
	// export, a folder. A problem in the Go code templ generates points
	// into the .templ file it came from.
	Pos token.Position
	// Msg says what is wrong and what was expected.
	Msg string
}

// Error returns "file:line:col: msg", or "file: msg" when the problem has
// no line.
func (e *Error) Error() string {
	if e.Pos.Filename == "" && !e.Pos.IsValid() {
		return e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// ErrorList is every problem Generate found in one run, sorted by
// position. Generate reports them all at once, so that a build shows
// everything there is to fix, not one problem per run.
type ErrorList []*Error

// Error returns the errors one per line.
func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the errors, for errors.As and errors.Is: errors.As(err,
// &e) with e a *codegen.Error finds the first one.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// add appends an error at pos.
func (l *ErrorList) add(pos token.Position, format string, args ...any) {
	*l = append(*l, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// addIn appends an error about a whole file or folder, which has no line.
func (l *ErrorList) addIn(file, format string, args ...any) {
	l.add(token.Position{Filename: file}, format, args...)
}

// sort orders the list by file, then line and column as numbers (line 9
// before line 12, which text order gets wrong), then message, so that
// every run reports the same problems in the same order whatever order
// the checks ran in.
func (l ErrorList) sort() {
	slices.SortStableFunc(l, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(a.Pos.Filename, b.Pos.Filename),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Column, b.Pos.Column),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
}

// err returns the sorted list as an error, or nil if it is empty.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	l.sort()
	return l
}

// Sort orders the list as Generate returns it, for callers that collect
// errors of their own (framework vet): by file, line, column, message.
func (l ErrorList) Sort() { l.sort() }
