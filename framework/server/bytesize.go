package server

import (
	"math"
	"strconv"
	"strings"
)

// parseBytes parses a number of bytes with an optional unit: B, KB, MB,
// GB (powers of 1000) or KiB, MiB, GiB (powers of 1024), as
// FRAMEWORK_MEMORY_CACHE=256MiB. It accepts no negative number and no
// fraction.
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.TrimSpace(s[len(num):])
	mult := map[string]int64{"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9,
		"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || mult == 0 || n < 0 || n > math.MaxInt64/mult {
		return 0, &strconv.NumError{Func: "parseBytes", Num: s, Err: strconv.ErrSyntax}
	}
	return n * mult, nil
}
