package codegen

import (
	"errors"
	"go/token"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestErrorString(t *testing.T) {
	for _, tc := range []struct {
		pos  token.Position
		want string
	}{
		{token.Position{Filename: "app/page.go", Line: 12, Column: 7}, "app/page.go:12:7: msg"},
		{token.Position{Filename: "app/page.templ"}, "app/page.templ: msg"},
		{token.Position{Filename: "app/docs/slug__/more"}, "app/docs/slug__/more: msg"},
		{token.Position{}, "msg"},
	} {
		e := &Error{Pos: tc.pos, Msg: "msg"}
		if got := e.Error(); got != tc.want {
			t.Errorf("Error{%v} = %q, want %q", tc.pos, got, tc.want)
		}
	}
}

// TestErrorListSort: by file, then line and column as numbers, then
// message; errors without a line first in their file.
func TestErrorListSort(t *testing.T) {
	at := func(file string, line, col int, msg string) *Error {
		return &Error{Pos: token.Position{Filename: file, Line: line, Column: col}, Msg: msg}
	}
	list := ErrorList{
		at("app/page.go", 12, 7, "twelve"),
		at("app/page.templ", 3, 7, "templ"),
		at("app/page.go", 9, 7, "nine"),
		at("app/page.go", 9, 2, "nine, left"),
		at("app/a/page.go", 100, 1, "other file"),
		at("app/page.go", 0, 0, "whole file"),
		at("app/page.go", 9, 7, "another at nine"),
	}
	if err := list.err(); err == nil {
		t.Fatal("err() of a list with errors is nil")
	}
	want := "app/a/page.go:100:1: other file\n" +
		"app/page.go: whole file\n" +
		"app/page.go:9:2: nine, left\n" +
		"app/page.go:9:7: another at nine\n" +
		"app/page.go:9:7: nine\n" +
		"app/page.go:12:7: twelve\n" +
		"app/page.templ:3:7: templ"
	if diff := cmp.Diff(want, list.Error()); diff != "" {
		t.Errorf("sorted (-want +got):\n%s", diff)
	}
	if err := ErrorList(nil).err(); err != nil {
		t.Errorf("err() of an empty list = %v, want nil", err)
	}
}

// TestErrorListAs: callers find the positions with errors.As, through any
// wrapping.
func TestErrorListAs(t *testing.T) {
	var list ErrorList
	list.add(token.Position{Filename: "app/page.go", Line: 3, Column: 7}, "Revalidate must be a %s, got %s", "time.Duration", "int")
	err := error(list)
	var e *Error
	if !errors.As(err, &e) || e.Pos.Line != 3 || e.Msg != "Revalidate must be a time.Duration, got int" {
		t.Errorf("errors.As(%v, *Error) = %v", err, e)
	}
	var got ErrorList
	if !errors.As(errors.Join(errors.New("build"), err), &got) || len(got) != 1 {
		t.Errorf("errors.As(..., ErrorList) = %v", got)
	}
}
