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

// revalidateCommand is `framework revalidate`.
type revalidateCommand struct {
	env                  Env
	paths, layouts, tags stringList
	expire, eager        bool
	url, secret          string
}

const revalidateUsage = `usage: framework revalidate [--path P]... [--layout P]... [--tag T]... [--expire] [--eager] [--url URL] [--secret S]

Revalidate asks a running server to refresh pages: --path marks one page
stale, --layout every page at or below a path, --tag every page built from
data with that tag. The next request of a stale page gets it at once and
regenerates it; with --expire the next request renders it fresh instead,
and with --eager the server regenerates right away.

The server must have FRAMEWORK_REVALIDATE_SECRET set; pass the same secret.

Example:

	FRAMEWORK_REVALIDATE_SECRET=$SECRET framework revalidate --tag posts --path /blog

`

func (c *revalidateCommand) flags() *flag.FlagSet {
	fs := flag.NewFlagSet("framework revalidate", flag.ContinueOnError)
	fs.Var(&c.paths, "path", "page path to revalidate (repeatable)")
	fs.Var(&c.layouts, "layout", "path whose every page below to revalidate (repeatable)")
	fs.Var(&c.tags, "tag", "data tag to revalidate (repeatable)")
	fs.BoolVar(&c.expire, "expire", false, "expire: the next request renders fresh instead of serving stale")
	fs.BoolVar(&c.eager, "eager", false, "regenerate right away instead of on the next request")
	fs.StringVar(&c.url, "url", "", "the server's base URL (default $FRAMEWORK_URL or http://localhost:3000)")
	// Not defaulted from the environment like the others: --help would
	// print the secret.
	fs.StringVar(&c.secret, "secret", "", "the server's revalidation secret (default $FRAMEWORK_REVALIDATE_SECRET)")
	return fs
}

// Usage prints the command's help.
func (c *revalidateCommand) Usage() { printUsage(c.env.Stderr, revalidateUsage, c.flags()) }

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// Run posts the revalidation to the server's endpoint.
func (c *revalidateCommand) Run(ctx context.Context, args []string) error {
	args, err := parseArgs(c.flags(), args)
	if err != nil {
		return err
	}
	if len(args) > 0 {
		return usageErrorf("unexpected argument %q", args[0])
	}
	body := framework.RevalidateRequest{Paths: c.paths, Layouts: c.layouts, Tags: c.tags, Expire: c.expire, Eager: c.eager}
	if len(body.Paths)+len(body.Layouts)+len(body.Tags) == 0 {
		return usageErrorf("nothing to revalidate: give --path, --layout or --tag")
	}
	secret := c.secret
	if secret == "" {
		secret = c.env.Getenv("FRAMEWORK_REVALIDATE_SECRET")
	}
	if secret == "" {
		return usageErrorf("no secret: pass --secret or set FRAMEWORK_REVALIDATE_SECRET, as on the server")
	}
	base := c.url
	if base == "" {
		base = c.env.get("FRAMEWORK_URL", "http://localhost:3000")
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
	fmt.Fprintf(c.env.Stdout, "revalidated %s\n", describe(body))
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
