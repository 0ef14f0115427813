// Package blog is the blog's index; Posts, the collection its pages read,
// lives here.
package blog

import (
	"time"

	"github.com/isr-go/framework/framework/content"
)

// PostMeta is a post's front matter: title and date are required.
type PostMeta struct {
	Title string    `yaml:"title"`
	Date  time.Time `yaml:"date"`
	Tags  []string  `yaml:"tags,omitempty"`
}

// Posts is content/posts/*.md.
var Posts = content.Define[PostMeta]("posts")
