package framework

import "testing"

func TestPathFor(t *testing.T) {
	tests := []struct {
		rt      Route
		params  Params
		want    string
		wantErr bool
	}{
		{Route{Pattern: "/"}, nil, "/", false},
		{Route{Pattern: "/blog/:id"}, Params{"id": "7"}, "/blog/7", false},
		{Route{Pattern: "/a/:x/b/:y"}, Params{"x": "1", "y": "2"}, "/a/1/b/2", false},
		{Route{Pattern: "/docs/*", CatchAll: "slug"}, Params{"slug": "a/b/c"}, "/docs/a/b/c", false},
		{Route{Pattern: "/blog/:id"}, Params{}, "", true},
		{Route{Pattern: "/blog/:id"}, Params{"id": "a/b"}, "/blog/a%2Fb", false},
		{Route{Pattern: "/blog/:id"}, Params{"id": "café au lait"}, "/blog/caf%C3%A9%20au%20lait", false},
		{Route{Pattern: "/blog/:id"}, Params{"id": ".."}, "", true},
		{Route{Pattern: "/docs/*", CatchAll: "slug"}, Params{"slug": "a//b"}, "", true},
		{Route{Pattern: "/docs/*", CatchAll: "slug"}, Params{"slug": "a/../b"}, "", true},
		{Route{Pattern: "/docs/*", CatchAll: "slug"}, Params{"slug": "a/b?"}, "/docs/a/b%3F", false},
		{Route{Pattern: "/über/:id"}, Params{"id": "1"}, "/%C3%BCber/1", false},
	}
	for _, tc := range tests {
		got, err := tc.rt.PathFor(tc.params)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("PathFor(%s, %v) = %q, %v", tc.rt.Pattern, tc.params, got, err)
		}
	}
}
