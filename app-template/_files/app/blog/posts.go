// Package blog lists the posts. The posts are a fixed list so that the app
// runs with nothing else; read them from your database instead, through
// framework.Cache so that pages carry the "posts" tag.
package blog

import (
	"context"
	"fmt"
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
	var posts []Post
	for i := 1; i <= 3; i++ {
		posts = append(posts, Post{
			ID:    fmt.Sprint(i),
			Title: fmt.Sprintf("Post %d", i),
			Body:  fmt.Sprintf("This is post %d. Its page was rendered at build time and is regenerated in the background once a minute has passed.", i),
		})
	}
	return posts, nil
}, framework.CacheOptions{Revalidate: framework.Never, Tags: []string{"posts"}})

// Load gives the list page its posts.
func Load(ctx context.Context, r *framework.Request) ([]Post, error) {
	return Posts(ctx)
}

// Metadata titles the list page.
func Metadata(ctx context.Context, posts []Post) framework.Metadata {
	return framework.Metadata{Title: "Blog", Description: fmt.Sprintf("%d posts", len(posts))}
}
