// Package posts keeps the blog's posts in SQLite (pure Go, no cgo): created
// and seeded with 100 posts ($BLOG_SEED_POSTS) on first use. A post is
// published or a draft; drafts are shown in draft mode only
// (framework.DraftMode).
package posts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/isr-go/framework/framework"
)

// Post is one blog post.
type Post struct {
	ID        int64
	Title     string
	Body      string
	Updated   time.Time
	Published bool // false: a draft, a 404 for visitors, shown in draft mode
}

// Summary is a post without its body, for lists.
type Summary struct {
	ID        int64
	Title     string
	Updated   time.Time
	Published bool
}

// Limits on what the admin form accepts.
const (
	MaxTitle = 200
	MaxBody  = 100_000
)

// Store is the posts database.
type Store struct {
	db *sql.DB
	// get is Get's query, prepared once: preparing it on every call was a
	// tenth of a prerender's time.
	get *sql.Stmt
}

// Open opens the database file at path, creating it with seed posts if it
// does not exist.
func Open(path string, seed int) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(5000)&_pragma=cache_size(-256)")
	if err != nil {
		return nil, err
	}
	// database/sql keeps two idle connections by default: a prerender or
	// a regeneration storm, which run twice GOMAXPROCS renders at once,
	// would open a SQLite connection (and prepare the statement on it
	// again) for most of their queries, and close it after; that was a
	// fifth of a 100,000-post build. Each connection keeps a page cache
	// of its own (SQLite's default is 2 MB), which with four of them held
	// through a storm put the server 9 MiB over its memory goal:
	// cache_size(-256) keeps 256 KiB each, a post being a few pages of a
	// B-tree whose inner pages stay cached.
	db.SetMaxIdleConns(2 * runtime.GOMAXPROCS(0))
	s := &Store{db: db}
	if err := s.init(context.Background(), seed); err != nil {
		db.Close()
		return nil, fmt.Errorf("posts: %s: %w", path, err)
	}
	if s.get, err = db.Prepare(`SELECT id, title, body, updated, published FROM posts WHERE id = ?`); err != nil {
		db.Close()
		return nil, fmt.Errorf("posts: %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) init(ctx context.Context, seed int) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS posts (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		title TEXT NOT NULL,
		body TEXT NOT NULL,
		updated INTEGER NOT NULL,
		published INTEGER NOT NULL DEFAULT 1)`); err != nil {
		return err
	}
	// A database made before drafts existed gets the column, every post
	// in it published, as it was.
	var has int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('posts') WHERE name = 'published'`).Scan(&has); err != nil {
		return err
	}
	if has == 0 {
		if _, err := s.db.ExecContext(ctx, `ALTER TABLE posts ADD COLUMN published INTEGER NOT NULL DEFAULT 1`); err != nil {
			return err
		}
	}
	// The pages of the list read a range of these, newest first: the
	// published posts alone, or every post in draft mode.
	if _, err := s.db.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS posts_published_by_date ON posts (published, updated DESC, id DESC)`); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `CREATE INDEX IF NOT EXISTS posts_by_date ON posts (updated DESC, id DESC)`); err != nil {
		return err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM posts`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for i := 1; i <= seed; i++ {
		title, body := seedPost(i)
		if _, err := tx.ExecContext(ctx, `INSERT INTO posts (title, body, updated) VALUES (?, ?, ?)`,
			title, body, start.Add(time.Duration(i)*24*time.Hour).Unix()); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// seedPost makes the title and a ~2 KB body of seed post i.
func seedPost(i int) (string, string) {
	topics := []string{"caching", "Go", "templates", "regeneration", "deploys", "latency", "Badger", "Redis", "routing", "testing"}
	topic := topics[i%len(topics)]
	title := fmt.Sprintf("Notes on %s, part %d", topic, i)
	var b strings.Builder
	for p := range 6 {
		fmt.Fprintf(&b, "Paragraph %d about %s. A page that is rendered once and served from a cache many times costs almost nothing to serve; "+
			"the trick is knowing when to render it again. Incremental Static Regeneration serves the cached page and regenerates it "+
			"in the background once its window has passed, so visitors never wait.\n\n", p+1, topic)
	}
	return title, strings.TrimSpace(b.String())
}

// Close closes the database.
func (s *Store) Close() error {
	s.get.Close()
	return s.db.Close()
}

// PublishedIDs returns the ids of the published posts, in no order: what a
// build prerenders, read without titles and without sorting.
func (s *Store) PublishedIDs(ctx context.Context) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM posts WHERE published = 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// List returns the published posts, and the drafts too when drafts is true,
// newest first, without bodies.
func (s *Store) List(ctx context.Context, drafts bool) ([]Summary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, title, updated, published FROM posts
		WHERE published = 1 OR ? ORDER BY updated DESC, id DESC`, drafts)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []Summary
	for rows.Next() {
		var p Summary
		var updated int64
		if err := rows.Scan(&p.ID, &p.Title, &updated, &p.Published); err != nil {
			return nil, err
		}
		p.Updated = time.Unix(updated, 0).UTC()
		list = append(list, p)
	}
	return list, rows.Err()
}

// Count returns how many posts are published, or how many there are with
// the drafts when drafts is true.
func (s *Store) Count(ctx context.Context, drafts bool) (int, error) {
	query := `SELECT COUNT(*) FROM posts WHERE published = 1`
	if drafts {
		query = `SELECT COUNT(*) FROM posts`
	}
	var n int
	err := s.db.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}

// Range returns at most limit posts after the first offset, newest first,
// without bodies: the published ones, with the drafts when drafts is true.
// It reads them in an index's order, limit rows past offset.
func (s *Store) Range(ctx context.Context, drafts bool, offset, limit int) ([]Summary, error) {
	query := `SELECT id, title, updated, published FROM posts WHERE published = 1 ORDER BY updated DESC, id DESC LIMIT ? OFFSET ?`
	if drafts {
		query = `SELECT id, title, updated, published FROM posts ORDER BY updated DESC, id DESC LIMIT ? OFFSET ?`
	}
	rows, err := s.db.QueryContext(ctx, query, limit, offset)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	list := make([]Summary, 0, limit)
	for rows.Next() {
		var p Summary
		var updated int64
		if err := rows.Scan(&p.ID, &p.Title, &updated, &p.Published); err != nil {
			return nil, err
		}
		p.Updated = time.Unix(updated, 0).UTC()
		list = append(list, p)
	}
	return list, rows.Err()
}

// Get returns one post, published or not, or framework.ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (Post, error) {
	var p Post
	var updated int64
	err := s.get.QueryRowContext(ctx, id).
		Scan(&p.ID, &p.Title, &p.Body, &updated, &p.Published)
	if errors.Is(err, sql.ErrNoRows) {
		return Post{}, framework.ErrNotFound
	}
	p.Updated = time.Unix(updated, 0).UTC()
	return p, err
}

// Save creates a post (id 0) or updates one, published or as a draft, and
// returns its id.
func (s *Store) Save(ctx context.Context, id int64, title, body string, published bool) (int64, error) {
	title, body = strings.TrimSpace(title), strings.TrimSpace(body)
	switch {
	case title == "" || body == "":
		return 0, errors.New("a post needs a title and a body")
	case len(title) > MaxTitle:
		return 0, fmt.Errorf("the title is over %d bytes", MaxTitle)
	case len(body) > MaxBody:
		return 0, fmt.Errorf("the body is over %d bytes", MaxBody)
	}
	now := time.Now().Unix()
	if id == 0 {
		res, err := s.db.ExecContext(ctx, `INSERT INTO posts (title, body, updated, published) VALUES (?, ?, ?, ?)`, title, body, now, published)
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	}
	res, err := s.db.ExecContext(ctx, `UPDATE posts SET title = ?, body = ?, updated = ?, published = ? WHERE id = ?`, title, body, now, published, id)
	if err != nil {
		return 0, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, framework.ErrNotFound
	}
	return id, nil
}

// Window returns the posts' revalidate window: $BLOG_POST_REVALIDATE when it
// is a positive Go duration (1h, 30s), else def.
func Window(def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv("BLOG_POST_REVALIDATE")); err == nil && d > 0 {
		return d
	}
	return def
}

// The app's database, opened on first use from $BLOG_DB (default
// data/blog.db, beside the server) and seeded, when new, with
// $BLOG_SEED_POSTS posts (default 100).
var (
	openOnce sync.Once
	store    *Store
	openErr  error
)

// Default returns the app's database.
func Default() (*Store, error) {
	openOnce.Do(func() {
		path := os.Getenv("BLOG_DB")
		if path == "" {
			path = filepath.Join("data", "blog.db")
		}
		seed := 100
		if v := os.Getenv("BLOG_SEED_POSTS"); v != "" {
			if seed, openErr = strconv.Atoi(v); openErr != nil || seed < 0 {
				openErr = fmt.Errorf("BLOG_SEED_POSTS=%q: want a number of posts", v)
				return
			}
		}
		store, openErr = Open(path, seed)
	})
	return store, openErr
}

// Tag is the data tag of the post list: revalidate it when posts change.
const Tag = "posts"

// List returns the posts of the default database for the page being
// rendered: the published ones, and the drafts too in draft mode. The lists
// are cached in the framework's data cache until the "posts" tag is
// revalidated (a window of 0 would read the database on every call and make
// the list page dynamic); a draft-mode render reads the database itself.
func List(ctx context.Context) ([]Summary, error) {
	return list(ctx, framework.DraftMode(ctx))
}

var list = framework.Cache(func(ctx context.Context, drafts bool) ([]Summary, error) {
	s, err := Default()
	if err != nil {
		return nil, err
	}
	return s.List(ctx, drafts)
}, framework.CacheOptions{Revalidate: framework.Never, Tags: []string{Tag}})

// PageSize is how many posts a page of the list shows.
const PageSize = 20

// A Page is one page of the post list: page 1 the newest posts, at /blog;
// page n at /blog/page/n.
type Page struct {
	Number int // from 1
	Pages  int // how many pages the list has, at least 1
	Posts  []Summary
}

// URL is the canonical URL of page n of the list.
func URL(n int) string {
	if n <= 1 {
		return "/blog"
	}
	return "/blog/page/" + strconv.Itoa(n)
}

// ListPage returns page n of the list of the default database, as List
// reads it: the published posts, with the drafts in draft mode. Past the
// last page (or below 1) it returns framework.ErrNotFound. The count and
// each page are cached apart, tagged "posts", so that every value is as
// small as a page whatever the number of posts, and a page number past the
// end costs no query.
func ListPage(ctx context.Context, n int) (Page, error) {
	drafts := framework.DraftMode(ctx)
	total, err := count(ctx, drafts)
	if err != nil {
		return Page{}, err
	}
	pages := max(1, (total+PageSize-1)/PageSize)
	if n < 1 || n > pages {
		return Page{}, framework.ErrNotFound
	}
	list, err := pageOf(ctx, drafts, n)
	if err != nil {
		return Page{}, err
	}
	return Page{Number: n, Pages: pages, Posts: list}, nil
}

// Pages returns how many pages the list of published posts has.
func Pages(ctx context.Context) (int, error) {
	total, err := count(ctx, false)
	return max(1, (total+PageSize-1)/PageSize), err
}

var count = framework.Cache(func(ctx context.Context, drafts bool) (int, error) {
	s, err := Default()
	if err != nil {
		return 0, err
	}
	return s.Count(ctx, drafts)
}, framework.CacheOptions{Revalidate: framework.Never, Tags: []string{Tag}})

var pageOf = framework.Cache(func(ctx context.Context, drafts bool, n int) ([]Summary, error) {
	s, err := Default()
	if err != nil {
		return nil, err
	}
	return s.Range(ctx, drafts, (n-1)*PageSize, PageSize)
}, framework.CacheOptions{Revalidate: framework.Never, Tags: []string{Tag}})
