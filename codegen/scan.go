package codegen

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Special file names in app/ folders.
const (
	pageFile     = "page.templ"
	layoutFile   = "layout.templ"
	notFoundFile = "not_found.templ"
	errorFile    = "error.templ"
	routeFile    = "route.go"
	// middlewareFile's Middleware wraps every page and route handler at
	// and below its folder.
	middlewareFile = "middleware.go"
	// sitemapFile and robotsFile, at the root of app/ only, make
	// /sitemap.xml and /robots.txt.
	sitemapFile = "sitemap.go"
	robotsFile  = "robots.go"
)

// A folder is one folder of app/ that holds at least one special file.
type folder struct {
	rel                                      string   // path from the app dir, slash-separated: "app/blog/id_"
	segments                                 []string // URL segments: "blog", ":id", "*"
	catchAll                                 string   // param name of a trailing "*" segment
	page, layout, notFound, errorPage, route bool
	middleware                               bool
	sitemap, robots                          bool // app/ only
}

// pattern returns the folder's Echo path pattern.
func (f *folder) pattern() string {
	return "/" + strings.Join(f.segments, "/")
}

// params returns the names of the folder's params, in URL order: its
// ":name" segments, then its catch-all's.
func (f *folder) params() []string {
	var params []string
	for _, seg := range f.segments {
		if strings.HasPrefix(seg, ":") {
			params = append(params, seg[1:])
		}
	}
	if f.catchAll != "" {
		params = append(params, f.catchAll)
	}
	return params
}

// file returns the path of one of the folder's files, for messages.
func (f *folder) file(name string) string { return f.rel + "/" + name }

// segment maps a folder name to its URL segment: "id_" is the param ":id",
// "slug__" a catch-all "*" named slug, anything else itself.
func segment(name string) (seg, param string, catchAll bool, err error) {
	if name == "" {
		return "", "", false, fmt.Errorf("empty folder name")
	}
	switch {
	case strings.HasSuffix(name, "__"):
		param = strings.TrimSuffix(name, "__")
		catchAll = true
		seg = "*"
	case strings.HasSuffix(name, "_"):
		param = strings.TrimSuffix(name, "_")
		seg = ":" + param
	default:
		seg = name
	}
	if param != "" || seg != name {
		if !isIdentifier(param) {
			return "", "", false, fmt.Errorf("folder %q: a param folder is a name followed by _ (param) or __ (catch-all), like id_ or slug__", name)
		}
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '~') {
			return "", "", false, fmt.Errorf("folder %q: use letters, digits, '-', '.', '~' and '_' in folder names", name)
		}
	}
	return seg, param, catchAll, nil
}

// isIdentifier reports whether s is a param name: a letter then letters,
// digits or underscores.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '_')) {
			return false
		}
	}
	return true
}

// scan walks dir/app and returns its folders with special files, sorted by
// path, and every error found on the way.
func scan(dir string) ([]*folder, ErrorList) {
	var folders []*folder
	var errs ErrorList
	var walk func(rel string, segments []string, catchAll string)
	walk = func(rel string, segments []string, catchAll string) {
		entries, err := os.ReadDir(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			var pathErr *fs.PathError
			if errors.As(err, &pathErr) {
				err = pathErr.Err // the path is the error's position
			}
			errs.addIn(rel, "%v", err)
			return
		}
		f := &folder{rel: rel, segments: segments, catchAll: catchAll}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			switch e.Name() {
			case pageFile:
				f.page = true
			case layoutFile:
				f.layout = true
			case notFoundFile:
				f.notFound = true
			case errorFile:
				f.errorPage = true
			case routeFile:
				f.route = true
			case middlewareFile:
				f.middleware = true
			case sitemapFile, robotsFile:
				if rel != "app" {
					// Like Next.js, one sitemap and one robots.txt, at the
					// root: a second would be a file nobody serves.
					errs.addIn(rel+"/"+e.Name(), "%s makes /%s at the root of app/ only: move it to app/%s", e.Name(), servedAt(e.Name()), e.Name())
					continue
				}
				f.sitemap = f.sitemap || e.Name() == sitemapFile
				f.robots = f.robots || e.Name() == robotsFile
			}
		}
		if f.page || f.layout || f.notFound || f.errorPage || f.route || f.middleware || f.sitemap || f.robots {
			folders = append(folders, f)
		}
		for _, e := range entries {
			name := e.Name()
			if !e.IsDir() || strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") || name == "testdata" {
				continue
			}
			seg, param, isCatchAll, err := segment(name)
			if err != nil {
				errs.addIn(rel+"/"+name, "%v", err)
				continue
			}
			if catchAll != "" {
				errs.addIn(rel+"/"+name, "a catch-all folder (%s) cannot have routes below it", rel)
				continue
			}
			childCatchAll := ""
			if isCatchAll {
				childCatchAll = param
			}
			walk(rel+"/"+name, append(segments[:len(segments):len(segments)], seg), childCatchAll)
		}
	}
	walk("app", nil, "")
	sort.Slice(folders, func(i, j int) bool { return folders[i].rel < folders[j].rel })
	return folders, errs
}

// servedAt names the file that sitemap.go or robots.go serves.
func servedAt(file string) string {
	if file == sitemapFile {
		return "sitemap.xml"
	}
	return "robots.txt"
}

// conflicts reports folders that cannot be routed together: a page and a
// route.go in one folder, two routes for one URL (/blog/:id beside
// /blog/:slug), and a param beside a catch-all at one level. Each error is
// at the later of the two files (folders come sorted by path) and names the
// other.
func conflicts(folders []*folder) ErrorList {
	var errs ErrorList
	byShape := make(map[string]*folder)
	for _, f := range folders {
		if f.page && f.route {
			errs.addIn(f.file(routeFile), "a folder has a page or a route handler, not both: %s is beside it", f.file(pageFile))
		}
		if !f.page && !f.route {
			continue
		}
		shape := shapeOf(f.segments)
		if other, ok := byShape[shape]; ok {
			errs.addIn(routeFileOf(f), "both this and %s answer %s", routeFileOf(other), other.pattern())
			continue
		}
		byShape[shape] = f
	}
	// Params and catch-alls at one level under one parent: the first
	// dynamic folder of each parent, to name in the error.
	first := make(map[string]*folder) // parent shape -> folder
	for _, f := range folders {
		if len(f.segments) == 0 {
			continue
		}
		last := f.segments[len(f.segments)-1]
		if last[0] != ':' && last != "*" {
			continue
		}
		parent := shapeOf(f.segments[:len(f.segments)-1])
		other, ok := first[parent]
		if !ok {
			first[parent] = f
			continue
		}
		if (other.segments[len(other.segments)-1] == "*") != (last == "*") {
			errs.addIn(f.rel, "a param and a catch-all at one level make its URLs ambiguous: %s is beside it", other.rel)
		}
	}
	return errs
}

// shapeOf returns segments with param names erased: /blog/:id and
// /blog/:slug have one shape.
func shapeOf(segments []string) string {
	var b strings.Builder
	for _, s := range segments {
		b.WriteByte('/')
		if s[0] == ':' {
			s = ":"
		}
		b.WriteString(s)
	}
	return b.String()
}

func routeFileOf(f *folder) string {
	if f.page {
		return f.file(pageFile)
	}
	return f.file(routeFile)
}

// RoutePattern returns the Echo path pattern of the folder rel, a
// slash-separated path below app/ ("blog/id_" is "/blog/:id", "" is "/"),
// for tools that see one package at a time, like the vet analyzer. A
// folder name that is no URL segment is an error; codegen reports it.
func RoutePattern(rel string) (string, error) {
	var segs []string
	for name := range strings.SplitSeq(rel, "/") {
		if name == "" || name == "." {
			continue
		}
		seg, _, _, err := segment(name)
		if err != nil {
			return "", err
		}
		segs = append(segs, seg)
	}
	return "/" + strings.Join(segs, "/"), nil
}

// RouteParams returns the names of the params of the folder rel, as
// RoutePattern takes it, in URL order: "products/slug_" has slug, and so
// does the catch-all "docs/slug__". A folder name that is no URL segment
// is an error.
func RouteParams(rel string) ([]string, error) {
	var params []string
	for name := range strings.SplitSeq(rel, "/") {
		if name == "" || name == "." {
			continue
		}
		_, param, _, err := segment(name)
		if err != nil {
			return nil, err
		}
		if param != "" {
			params = append(params, param)
		}
	}
	return params, nil
}
