package codegen

import (
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"math"
	"time"
)

// A Window says how a package declares one of its windows (a page's
// Revalidate or Expire, app/'s SitemapRevalidate or RobotsRevalidate), as
// the checks found it, so that the generated code reads it right.
type Window uint8

const (
	// WindowNone: not declared, or declared wrong (and reported).
	WindowNone Window = iota
	// WindowDuration: a time.Duration (framework.Never is one), used as
	// it is.
	WindowDuration
	// WindowSeconds: an untyped numeric constant, a whole number of
	// seconds, as Next.js's export const revalidate = 60: const
	// Revalidate = 60 is a minute, 0 renders on every request.
	WindowSeconds
)

// Declared reports whether the window is declared, and right.
func (w Window) Declared() bool { return w != WindowNone }

// maxSeconds is the most whole seconds a time.Duration holds (about 292
// years).
const maxSeconds = math.MaxInt64 / int64(time.Second)

// checkWindow checks the window obj, named name: a time.Duration, or an
// untyped constant counting seconds, never negative.
func checkWindow(obj types.Object, name string, reportf reportFunc) Window {
	c, isConst := obj.(*types.Const)
	switch {
	case isConst && isUntypedNumber(c.Type()):
		v := c.Val()
		switch {
		case constant.Sign(v) < 0:
			reportf(obj.Pos(), "%s must be 0 or more seconds, got %s", name, v)
		case constant.ToInt(v).Kind() != constant.Int:
			hint := "a time.Duration"
			if ms := constant.ToInt(constant.BinaryOp(v, token.MUL, constant.MakeInt64(1000))); ms.Kind() == constant.Int {
				hint += ": " + ms.String() + " * time.Millisecond"
			}
			reportf(obj.Pos(), "%s must be a whole number of seconds, got %s (for fractions, write %s)", name, v, hint)
		case constant.Compare(v, token.GTR, constant.MakeInt64(maxSeconds)):
			reportf(obj.Pos(), "%s must be at most %d seconds (about 292 years; framework.Never caches until revalidated), got %s", name, maxSeconds, v)
		default:
			return WindowSeconds
		}
		return WindowNone
	case isValue(obj) && isNamed(obj.Type(), "time", "Duration"):
		if isConst && constant.Sign(c.Val()) < 0 {
			d, _ := constant.Int64Val(c.Val())
			reportf(obj.Pos(), "%s must be 0 or more, got %s", name, time.Duration(d))
			return WindowNone
		}
		return WindowDuration
	}
	reportf(obj.Pos(), "%s must be a time.Duration or an untyped constant counting seconds (const %s = 60), got %s", name, name, describe(obj))
	return WindowNone
}

// isUntypedNumber reports whether t is the type of an untyped integer or
// floating-point constant (not a rune: 'x' is no number of seconds).
func isUntypedNumber(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return ok && (b.Kind() == types.UntypedInt || b.Kind() == types.UntypedFloat)
}

// windowExpr returns the Go expression, in the generated file, of the
// window name of the package imported as pkg, declared as w: a
// time.Duration as it is, seconds times time.Second (a constant
// expression, which checkWindow made sure fits).
func windowExpr(pkg, name string, w Window) string {
	if w == WindowSeconds {
		return fmt.Sprintf("%s.%s * time.Second", pkg, name)
	}
	return pkg + "." + name
}
