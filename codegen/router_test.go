package codegen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// appFolder returns the folder of rel ("app/blog/id_") with has set.
func appFolder(rel string, has func(f *folder)) *folder {
	f := &folder{rel: rel}
	for _, name := range strings.Split(rel, "/")[1:] {
		seg, param, catchAll, _ := segment(name)
		f.segments = append(f.segments, seg)
		if catchAll {
			f.catchAll = param
		}
	}
	has(f)
	return f
}

// TestRouterSource covers what the golden app (testdata/full) does not:
// an app without pages, a not-found route with nothing to render it in,
// two folders with one import alias, and an error page below app/.
func TestRouterSource(t *testing.T) {
	const mod = "example.com/site/"
	for _, tc := range []struct {
		name     string // of its golden file, testdata/router/name.golden
		folders  []*folder
		exported map[string]*exports
	}{
		{
			name: "handlers_only",
			folders: []*folder{
				appFolder("app/api", func(f *folder) { f.middleware = true }),
				appFolder("app/api/x", func(f *folder) { f.route = true }),
			},
			exported: map[string]*exports{
				"app/api":   {pkgPath: mod + "app/api"},
				"app/api/x": {pkgPath: mod + "app/api/x", handlers: []string{"GET", "DELETE"}},
			},
		},
		{
			name: "one_alias_two_folders",
			folders: []*folder{
				appFolder("app/a/b", func(f *folder) { f.page = true }),
				appFolder("app/a_b", func(f *folder) { f.page = true }),
			},
			exported: map[string]*exports{
				"app/a/b": {pkgPath: mod + "app/a/b"},
				"app/a_b": {pkgPath: mod + "app/a_b", load: true, metadata: true},
			},
		},
		{
			// An error.templ's folder gets a not-found route, whose
			// Pattern tells the app's error handler where that error
			// page applies: a route handler's errors below it use it.
			name: "error_page_folder",
			folders: []*folder{
				appFolder("app", func(f *folder) { f.layout, f.notFound, f.errorPage = true, true, true }),
				appFolder("app/shop", func(f *folder) { f.errorPage = true }),
				appFolder("app/shop/api", func(f *folder) { f.route = true }),
			},
			exported: map[string]*exports{
				"app":          {pkgPath: mod + "app"},
				"app/shop":     {pkgPath: mod + "app/shop"},
				"app/shop/api": {pkgPath: mod + "app/shop/api", handlers: []string{"POST"}},
			},
		},
	} {
		src, err := newRouter("main", tc.folders, tc.exported, nil, false, markdownInput{}).source()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		golden := filepath.Join("testdata", "router", tc.name+".golden")
		if *update {
			if err := os.WriteFile(golden, src, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(src)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", golden, diff)
		}
	}
}
