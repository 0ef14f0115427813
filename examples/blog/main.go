// Command blog is a small ISR blog served by the framework runtime.
//
// Its routes are wired by hand for now; once codegen lands they are
// generated from an app/ folder.
//
//	go run ./examples/blog            # http://localhost:3000
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"
)

func main() {
	addr := flag.String("addr", envOr("FRAMEWORK_ADDR", ":3000"), "listen address")
	cacheDir := flag.String("cache-dir", ".framework/cache", "cache directory")
	flag.Parse()
	if err := run(*addr, *cacheDir); err != nil {
		fmt.Fprintln(os.Stderr, "blog:", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(addr, cacheDir string) error {
	app, err := framework.New(framework.Options{BuildID: "demo", CacheDir: cacheDir})
	if err != nil {
		return err
	}
	defer app.Close()

	e := echo.New()
	e.HideBanner = true
	app.Register(e)
	layouts := []templ.Component{layout()}
	e.GET("/", app.Page(framework.Route{
		Pattern: "/", Revalidate: framework.Never, Layouts: layouts,
		Render: func(ctx context.Context, r *framework.Request) (templ.Component, error) {
			framework.SetMetadata(ctx, framework.Metadata{Title: "Home"})
			return raw(`<h1>ISR blog</h1><p><a href="/blog">Read the blog</a></p>`), nil
		},
	}))
	e.GET("/blog", app.Page(framework.Route{
		Pattern: "/blog", Revalidate: time.Hour, Layouts: layouts,
		Render: func(ctx context.Context, r *framework.Request) (templ.Component, error) {
			posts, err := listPosts(ctx)
			if err != nil {
				return nil, err
			}
			framework.SetMetadata(ctx, framework.Metadata{Title: "Blog"})
			s := "<h1>Blog</h1><ul>"
			for _, p := range posts {
				s += fmt.Sprintf(`<li><a href="/blog/%d">%s</a></li>`, p.ID, html.EscapeString(p.Title))
			}
			return raw(s + "</ul>"), nil
		},
	}))
	e.GET("/blog/:id", app.Page(framework.Route{
		Pattern: "/blog/:id", Revalidate: time.Minute, Layouts: layouts,
		NotFound: raw(`<h1>Post not found</h1><p><a href="/blog">All posts</a></p>`),
		Render: func(ctx context.Context, r *framework.Request) (templ.Component, error) {
			id, err := strconv.Atoi(r.Param("id"))
			if err != nil {
				return nil, framework.ErrNotFound
			}
			p, err := getPost(ctx, id)
			if err != nil {
				return nil, err
			}
			framework.SetMetadata(ctx, framework.Metadata{Title: p.Title})
			return raw(fmt.Sprintf("<article><h1>%s</h1><p>%s</p><p><small>Rendered at %s</small></p></article>",
				html.EscapeString(p.Title), html.EscapeString(p.Body), time.Now().Format(time.RFC3339))), nil
		},
	}))
	e.POST("/api/posts", app.Handler(func(c echo.Context) error {
		id := addPost(c.FormValue("title"), c.FormValue("body"))
		if err := framework.RevalidateTag(c.Request().Context(), "posts"); err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/blog/%d", id))
	}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: addr, Handler: e, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("blog: listening", "addr", addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func raw(s string) templ.Component { return templ.Raw(s) }

func layout() templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		title := framework.MetadataFrom(ctx).Title
		fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><title>%s</title></head><body><main>`, html.EscapeString(title))
		if err := templ.GetChildren(ctx).Render(ctx, w); err != nil {
			return err
		}
		_, err := io.WriteString(w, "</main></body></html>")
		return err
	})
}

// The posts: an in-memory store standing in for a database.
type post struct {
	ID          int
	Title, Body string
}

var (
	postsMu sync.Mutex
	posts   = func() []post {
		var ps []post
		for i := 1; i <= 10; i++ {
			ps = append(ps, post{ID: i, Title: fmt.Sprintf("Post %d", i), Body: fmt.Sprintf("The body of post %d.", i)})
		}
		return ps
	}()
)

var listPosts = framework.Cache(func(ctx context.Context) ([]post, error) {
	postsMu.Lock()
	defer postsMu.Unlock()
	return append([]post(nil), posts...), nil
}, framework.CacheOptions{Tags: []string{"posts"}})

var getPost = framework.Cache(func(ctx context.Context, id int) (post, error) {
	postsMu.Lock()
	defer postsMu.Unlock()
	for _, p := range posts {
		if p.ID == id {
			return p, nil
		}
	}
	return post{}, framework.ErrNotFound
}, framework.CacheOptions{Tags: []string{"posts"}})

func addPost(title, body string) int {
	postsMu.Lock()
	defer postsMu.Unlock()
	id := len(posts) + 1
	posts = append(posts, post{ID: id, Title: title, Body: body})
	return id
}
