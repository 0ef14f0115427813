package frontmatter

import (
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"
)

// Page is the front matter of an app/**/page.md.
type Page struct {
	Title, Description string
	Draft              bool
	// Revalidate is the page's ISR window when HasRevalidate: the field
	// revalidate, in seconds (as Next.js's) or a Go duration ("1h").
	Revalidate    time.Duration
	HasRevalidate bool
	// Extra holds every other field (date among them), as YAML decodes
	// it: strings, numbers, booleans, time.Time, lists and maps.
	Extra map[string]any
}

// DecodePage decodes a page.md's front matter, as Split returned it.
func DecodePage(front []byte) (Page, error) {
	var p Page
	root, err := Parse(front)
	if err != nil || root == nil {
		return p, err
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, value := root.Content[i], root.Content[i+1]
		switch key.Value {
		case "title":
			err = decodeScalar(key, value, "a string", &p.Title)
		case "description":
			err = decodeScalar(key, value, "a string", &p.Description)
		case "draft":
			err = decodeScalar(key, value, "true or false", &p.Draft)
		case "revalidate":
			p.Revalidate, err = decodeWindow(key, value)
			p.HasRevalidate = true
		default:
			var v any
			if err := value.Decode(&v); err != nil {
				return p, at(value, "%s: %v", key.Value, err)
			}
			if p.Extra == nil {
				p.Extra = make(map[string]any)
			}
			p.Extra[key.Value] = v
		}
		if err != nil {
			return p, err
		}
	}
	return p, nil
}

// decodeScalar decodes value, a scalar, into v.
func decodeScalar(key, value *yaml.Node, want string, v any) error {
	if value.Kind != yaml.ScalarNode || value.Decode(v) != nil {
		return at(value, "%s must be %s, got %s", key.Value, want, kind(value))
	}
	return nil
}

// decodeWindow decodes revalidate: a number of seconds (0 renders on every
// request) or a Go duration.
func decodeWindow(key, value *yaml.Node) (time.Duration, error) {
	if value.Kind == yaml.ScalarNode {
		if n, err := strconv.ParseInt(value.Value, 10, 64); err == nil && n >= 0 {
			return time.Duration(n) * time.Second, nil
		}
		if d, err := time.ParseDuration(value.Value); err == nil && d >= 0 {
			return d, nil
		}
	}
	return 0, at(value, "%s must be a number of seconds or a duration like 1h, got %s", key.Value, kind(value))
}
