package framework

import (
	"reflect"
	"testing"
	"time"
)

func TestBackoffGrows(t *testing.T) {
	var b backoff
	var delays []time.Duration
	for range 7 {
		delays = append(delays, b.fail("k", 0))
	}
	want := []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second}
	if !reflect.DeepEqual(delays, want) {
		t.Fatalf("delays %v, want %v", delays, want)
	}
	if b.allow("k", int64(29*time.Second)) || !b.allow("k", int64(30*time.Second)) || !b.allow("other", 0) {
		t.Fatal("allow disagrees with the last delay")
	}
	b.succeed("k")
	if !b.allow("k", 0) {
		t.Fatal("success did not reset the backoff")
	}
}
