package frontmatter

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Decode decodes front matter, as Split returned it, into v, a pointer to
// a struct. Fields are named by their yaml tag, else by their name in lower
// case. A field is required unless it is a pointer or its yaml tag says
// omitempty, as a field of an Astro collection schema is unless optional():
// a missing one is an error naming it, at line 1. A value of the wrong type
// is an error at the value naming the field; so is a field the struct does
// not have, which is most often a typo.
func Decode(front []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("frontmatter.Decode: want a pointer to a struct, got %T", v)
	}
	root, err := Parse(front)
	if err != nil {
		return err
	}
	s := rv.Elem()
	values := make(map[string]*yaml.Node)
	keys := make(map[string]*yaml.Node)
	if root != nil {
		for i := 0; i+1 < len(root.Content); i += 2 {
			values[root.Content[i].Value] = root.Content[i+1]
			keys[root.Content[i].Value] = root.Content[i]
		}
	}
	known := make(map[string]bool)
	t := s.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, optional := fieldName(f)
		if name == "-" {
			continue
		}
		known[name] = true
		value, ok := values[name]
		if !ok {
			if !optional {
				return &Error{Line: 1, Col: 1, Msg: fmt.Sprintf("front matter: missing %s (%s.%s), which is required: give it a value, or make the field a pointer or add omitempty to its yaml tag", name, t.Name(), f.Name)}
			}
			continue
		}
		if err := value.Decode(s.Field(i).Addr().Interface()); err != nil {
			// The parser's own words name its lines and Go's layouts;
			// the field and its type say more.
			return at(value, "front matter: %s (%s.%s, a %s): cannot be %s", name, t.Name(), f.Name, f.Type, kind(value))
		}
	}
	if root != nil {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if key := root.Content[i]; !known[key.Value] {
				return at(key, "front matter: %s is not a field of %s", key.Value, t.Name())
			}
		}
	}
	return nil
}

// fieldName returns the front matter name of f and whether it may be
// missing.
func fieldName(f reflect.StructField) (string, bool) {
	name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	optional := f.Type.Kind() == reflect.Pointer
	for o := range strings.SplitSeq(opts, ",") {
		optional = optional || o == "omitempty"
	}
	return name, optional
}
