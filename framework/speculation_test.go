package framework

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestSpeculationRules: the rules prefetch same-origin links on hover and
// leave out /_framework/* and the route handlers NoPrefetch names.
func TestSpeculationRules(t *testing.T) {
	setNoPrefetch("/preview/exit", "/files/:id")
	defer setNoPrefetch()
	var b bytes.Buffer
	if err := SpeculationRules().Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	body, ok := strings.CutPrefix(html, `<script type="speculationrules">`)
	body, ok2 := strings.CutSuffix(body, `</script>`)
	if !ok || !ok2 {
		t.Fatalf("not a speculationrules script: %s", html)
	}
	var rules struct {
		Prefetch []struct {
			Source    string `json:"source"`
			Eagerness string `json:"eagerness"`
			Where     struct {
				And []map[string]any `json:"and"`
			} `json:"where"`
		} `json:"prefetch"`
	}
	if err := json.Unmarshal([]byte(body), &rules); err != nil {
		t.Fatalf("rules are not JSON: %v\n%s", err, body)
	}
	if len(rules.Prefetch) != 1 || rules.Prefetch[0].Eagerness != "moderate" || rules.Prefetch[0].Source != "document" {
		t.Fatalf("rules: %+v", rules)
	}
	var excluded []string
	for _, c := range rules.Prefetch[0].Where.And {
		if not, ok := c["not"].(map[string]any); ok {
			if href, ok := not["href_matches"].(string); ok {
				excluded = append(excluded, href)
			}
		}
	}
	want := []string{"/_framework/*", "/preview/exit", "/preview/exit?*", "/files/:id", "/files/:id?*"}
	if strings.Join(excluded, " ") != strings.Join(want, " ") {
		t.Errorf("excluded %v, want %v", excluded, want)
	}
	if first := rules.Prefetch[0].Where.And[0]["href_matches"]; first != "/*" {
		t.Errorf("first condition %v, want same-origin links", first)
	}
}
