package framework

import (
	"context"
	"io"
	"strings"

	"github.com/a-h/templ"
)

// CacheComponent returns c with its HTML cached in the app's store under key, with
// its own window and tags, like a cached component of Next.js ("use cache"
// on a component). The HTML is a data value: it is read and written as
// Cache's results are, one render per key at a time across concurrent
// renders, reused while fresh (opts.Revalidate, opts.Tags; KeyParts tell
// apart components that share key), and rendered again once its window has
// passed or one of its tags is revalidated. Keys are per build, like data's.
//
// Inside a cached page, the component's window and tags become the page's
// too, as data's do: RevalidateTag(ctx, "posts") makes both the component
// and the pages showing it stale. The component carries the tags (and, when
// shorter, the windows) of the data it reads through Fetch, Cache and
// Cached, so it is stale when they are, even when opts names none. Inside a dynamic page (Revalidate 0), it
// saves re-rendering an expensive part on every request. A component that
// fails is not cached: its error is the render's. In draft mode it is
// rendered fresh and not stored, like all data.
//
//	@framework.CacheComponent("latest-posts", framework.CacheOptions{
//		Revalidate: framework.Never, // until RevalidateTag(ctx, "posts")
//		Tags:       []string{"posts"},
//	}, LatestPosts())
//
// c must show the same HTML to everyone for a given key: whatever it reads
// from the request or the visitor belongs in KeyParts, or outside CacheComponent.
// So inside c, HTTPRequest is nil and a PerRequest hole renders its fallback.
func CacheComponent(key string, opts CacheOptions, c templ.Component) templ.Component {
	id := "component\x00" + key + "\x00" + strings.Join(opts.KeyParts, "\x00")
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		html, err := loadData(ctx, id, opts.Revalidate, opts.Tags, func(ctx context.Context) ([]byte, error) {
			return renderBytes(context.WithValue(ctx, sharedComponentKey{}, true), c)
		})
		if err != nil {
			return err
		}
		_, err = w.Write(html)
		return err
	})
}

// sharedComponentKey marks the context of a CacheComponent's render,
// whose HTML is shared: no request, no holes.
type sharedComponentKey struct{}

// inSharedComponent reports whether ctx is that of a CacheComponent's
// render.
func inSharedComponent(ctx context.Context) bool { return ctx.Value(sharedComponentKey{}) != nil }
