package cli

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/runtime"
)

// TestRevalidatePrintsServerError runs the command against a real app's
// endpoint and checks that a refusal reaches the user with its reason.
func TestRevalidatePrintsServerError(t *testing.T) {
	app, err := framework.New(framework.Options{RevalidateSecret: "test-secret-0123456789abcdef0123456789abcdef", RevalidateLimit: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	e := echo.New()
	runtime.Register(e, app)
	srv := httptest.NewServer(e)
	defer srv.Close()

	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"--tag", "a", "--tag", "b", "--path", "/c"}, 1, []string{"413", "at most 2 paths, layouts and tags in one call (Options.RevalidateLimit), got 3"}},
		{[]string{"--tag", "a\nb"}, 1, []string{"400", "control character"}},
		{[]string{"--path", "/" + strings.Repeat("p", 300)}, 1, []string{"400", "at most 256 bytes, got 301"}},
		{[]string{"--tag", "a", "--secret", "wrong"}, 1, []string{"401", "wrong or missing bearer token"}},
		{[]string{"--tag", "a", "--path", "/c"}, 0, nil},
	} {
		args := append([]string{"revalidate", "--url", srv.URL}, tc.args...)
		if !strings.Contains(strings.Join(tc.args, " "), "--secret") {
			args = append(args, "--secret", "test-secret-0123456789abcdef0123456789abcdef")
		}
		code, stdout, stderr := run(t, args...)
		if code != tc.code {
			t.Errorf("%q: exit %d, want %d; stderr %q", tc.args, code, tc.code, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%q: stderr %q, want it to contain %q", tc.args, stderr, w)
			}
		}
		if tc.code == 0 && !strings.Contains(stdout, "revalidated path /c, tag a") {
			t.Errorf("%q: stdout %q", tc.args, stdout)
		}
	}
}
