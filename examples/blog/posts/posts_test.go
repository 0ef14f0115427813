package posts

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/isr-go/framework/framework"
)

// TestDrafts: drafts are listed only when asked for, Get returns them
// marked, and publishing one lists it.
func TestDrafts(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "blog.db"), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id, err := s.Save(ctx, 0, "Secret", "Not yet.", false)
	if err != nil {
		t.Fatal(err)
	}
	if list, _ := s.List(ctx, false); len(list) != 2 {
		t.Errorf("published list: %d posts, want the 2 seeded", len(list))
	}
	list, err := s.List(ctx, true)
	if err != nil || len(list) != 3 || list[0].ID != id || list[0].Published {
		t.Fatalf("list with drafts: %+v, %v", list, err)
	}
	p, err := s.Get(ctx, id)
	if err != nil || p.Published || p.Title != "Secret" {
		t.Fatalf("Get: %+v, %v", p, err)
	}
	if _, err := s.Save(ctx, id, "Secret", "Now out.", true); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.List(ctx, false); len(list) != 3 || !list[0].Published {
		t.Errorf("after publishing: %+v", list)
	}
	if _, err := s.Save(ctx, 999, "x", "y", true); !errors.Is(err, framework.ErrNotFound) {
		t.Errorf("saving a missing post: %v", err)
	}
}

// TestOldDatabase: a database made before drafts existed opens, its posts
// published.
func TestOldDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL, body TEXT NOT NULL, updated INTEGER NOT NULL)`,
		`INSERT INTO posts (title, body, updated) VALUES ('Old', 'From before drafts.', 1)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := Open(path, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, err := s.List(context.Background(), false)
	if err != nil || len(list) != 1 || list[0].Title != "Old" || !list[0].Published {
		t.Fatalf("old database: %+v, %v", list, err)
	}
}
