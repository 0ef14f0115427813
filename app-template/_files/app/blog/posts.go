// Package blog lists the posts, a page at a time: the newest at /blog,
// older ones at /blog/page/N. The posts are a fixed list so that the app
// runs with nothing else; read them from your database instead, through
// framework.Cache so that pages carry the "posts" tag.
package blog

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/isr-go/framework/framework"
)

// Revalidate regenerates the list at most every ten minutes.
const Revalidate = 10 * time.Minute

// Post is one blog post.
type Post struct {
	ID    string
	Title string
	Body  string
}

// Posts returns every post; it is cached until revalidated and tagged
// "posts", so `framework revalidate --tag posts` refreshes every page that
// shows one. (Without Revalidate nothing would be cached: every page that
// reads it would be rendered on every request.)
var Posts = framework.Cache(func(ctx context.Context) ([]Post, error) {
	return samplePosts(), nil
}, framework.CacheOptions{Revalidate: framework.Never, Tags: []string{"posts"}})

// samplePosts are the app's posts, oldest first.
func samplePosts() []Post {
	var posts []Post
	for i := 1; i <= 3; i++ {
		posts = append(posts, Post{
			ID:    fmt.Sprint(i),
			Title: fmt.Sprintf("Post %d", i),
			Body:  fmt.Sprintf("This is post %d. Its page was rendered at build time and is regenerated in the background once a minute has passed.", i),
		})
	}
	return posts
}

// PageSize is how many posts a page of the list shows: two, so that the
// three sample posts make two pages.
const PageSize = 2

// A PostsPage is one page of the list, newest first.
type PostsPage struct {
	Number int // from 1
	Pages  int // how many pages the list has, at least 1
	Posts  []Post
}

// PageURL is the one URL of page n of the list: /blog for the first.
func PageURL(n int) string {
	if n <= 1 {
		return "/blog"
	}
	return "/blog/page/" + strconv.Itoa(n)
}

// ListPage returns page n of the list, or framework.ErrNotFound past the
// last page. Each page is a value of its own in the data cache, tagged
// "posts": read it from your database with a bounded query (a count, then
// ORDER BY ... LIMIT and OFFSET), so that no cached value holds every post
// however many there are.
var ListPage = framework.Cache(func(ctx context.Context, n int) (PostsPage, error) {
	all := samplePosts()
	pages := max(1, (len(all)+PageSize-1)/PageSize)
	if n < 1 || n > pages {
		return PostsPage{}, framework.ErrNotFound
	}
	p := PostsPage{Number: n, Pages: pages}
	for i := len(all) - 1 - (n-1)*PageSize; i >= 0 && len(p.Posts) < PageSize; i-- {
		p.Posts = append(p.Posts, all[i])
	}
	return p, nil
}, framework.CacheOptions{Revalidate: framework.Never, Tags: []string{"posts"}})

// Load gives the list page the newest posts.
func Load(ctx context.Context, r *framework.Request) (PostsPage, error) {
	return ListPage(ctx, 1)
}

// Metadata titles the list page and gives its one URL.
func Metadata(ctx context.Context, p PostsPage) framework.Metadata {
	return framework.Metadata{Title: "Blog", Description: "The newest posts", Canonical: PageURL(1)}
}
