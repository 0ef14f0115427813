package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/isr-go/framework/framework"
)

var revalidateCmd = &command{
	name:    "revalidate",
	summary: "revalidate pages of a running server by path or tag",
	usage: `usage: framework revalidate [--path P]... [--layout P]... [--tag T]... [--expire] [--eager] [--url URL] [--secret S]

Revalidate asks a running server to refresh pages: --path marks one page
stale, --layout every page at or below a path, --tag every page built from
data with that tag. The next request of a stale page gets it at once and
regenerates it; with --expire the next request renders it fresh instead,
and with --eager the server regenerates right away.

The server must have FRAMEWORK_REVALIDATE_SECRET set; pass the same secret.

Example:

	FRAMEWORK_REVALIDATE_SECRET=s3cret framework revalidate --tag posts --path /blog

`,
	flags: func(fs *flag.FlagSet) {
		fs.Var(&stringList{}, "path", "page path to revalidate (repeatable)")
		fs.Var(&stringList{}, "layout", "path whose every page below to revalidate (repeatable)")
		fs.Var(&stringList{}, "tag", "data tag to revalidate (repeatable)")
		fs.Bool("expire", false, "expire: the next request renders fresh instead of serving stale")
		fs.Bool("eager", false, "regenerate right away instead of on the next request")
		fs.String("url", "", "the server's base URL (default $FRAMEWORK_URL or http://localhost:3000)")
		fs.String("secret", "", "the server's revalidation secret (default $FRAMEWORK_REVALIDATE_SECRET)")
	},
	run: runRevalidate,
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runRevalidate(ctx context.Context, env Env, fs *flag.FlagSet, args []string) error {
	if len(args) > 0 {
		return usageErrorf("unexpected argument %q", args[0])
	}
	body := framework.RevalidateRequest{
		Paths:   *fs.Lookup("path").Value.(*stringList),
		Layouts: *fs.Lookup("layout").Value.(*stringList),
		Tags:    *fs.Lookup("tag").Value.(*stringList),
		Expire:  fs.Lookup("expire").Value.String() == "true",
		Eager:   fs.Lookup("eager").Value.String() == "true",
	}
	if len(body.Paths)+len(body.Layouts)+len(body.Tags) == 0 {
		return usageErrorf("nothing to revalidate: give --path, --layout or --tag")
	}
	secret := fs.Lookup("secret").Value.String()
	if secret == "" {
		secret = env.Getenv("FRAMEWORK_REVALIDATE_SECRET")
	}
	if secret == "" {
		return usageErrorf("no secret: pass --secret or set FRAMEWORK_REVALIDATE_SECRET, as on the server")
	}
	base := fs.Lookup("url").Value.String()
	if base == "" {
		base = env.get("FRAMEWORK_URL", "http://localhost:3000")
	}
	payload, _ := json.Marshal(body)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+framework.RevalidateEndpoint, bytes.NewReader(payload))
	if err != nil {
		return usageErrorf("--url %q: %v", base, err)
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", res.Status, serverMessage(msg))
	}
	fmt.Fprintf(env.Stdout, "revalidated %s\n", describe(body))
	return nil
}

// serverMessage extracts the message of an error response: the endpoint's
// {"error": ...}, or Echo's {"message": ...} from servers built before it
// answered so.
func serverMessage(b []byte) string {
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(b, &e) == nil {
		if e.Error != "" {
			return e.Error
		}
		if e.Message != "" {
			return e.Message
		}
	}
	return strings.TrimSpace(string(b))
}

func describe(r framework.RevalidateRequest) string {
	var parts []string
	for _, p := range r.Paths {
		parts = append(parts, "path "+p)
	}
	for _, p := range r.Layouts {
		parts = append(parts, "layout "+p)
	}
	for _, t := range r.Tags {
		parts = append(parts, "tag "+t)
	}
	return strings.Join(parts, ", ")
}
