package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/isr-go/framework/framework/internal/testredis"
	"github.com/isr-go/framework/framework/redisstore"
	"github.com/isr-go/framework/framework/store"
	"github.com/isr-go/framework/framework/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	testredis.StopShared()
	os.Exit(code)
}

func open(t testing.TB, url string) *redisstore.Store {
	s, err := redisstore.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eachKind runs test against one Redis and against a Redis Cluster.
func eachKind(t *testing.T, test func(t *testing.T, kind testredis.Kind)) {
	for _, kind := range testredis.Kinds {
		t.Run(kind.Name, func(t *testing.T) { test(t, kind) })
	}
}

func TestConformance(t *testing.T) {
	eachKind(t, func(t *testing.T, kind testredis.Kind) {
		srv := kind.Start(t)
		storetest.Run(t, func(t *testing.T) store.Store {
			srv.Flush()
			return open(t, srv.URL())
		})
	})
}

func TestLock(t *testing.T) { eachKind(t, testLock) }

func testLock(t *testing.T, kind testredis.Kind) {
	srv := kind.Start(t)
	a, b := open(t, srv.URL()), open(t, srv.URL())
	defer a.Close()
	defer b.Close()
	ctx := context.Background()
	unlock, ok, err := a.TryLock(ctx, "page", time.Minute)
	if err != nil || !ok {
		t.Fatalf("first TryLock: %v %v", ok, err)
	}
	if _, ok, err := b.TryLock(ctx, "page", time.Minute); ok || err != nil {
		t.Fatalf("second TryLock while held: %v %v", ok, err)
	}
	if _, ok, _ := b.TryLock(ctx, "other", time.Minute); !ok {
		t.Fatal("another key was locked too")
	}
	unlock()
	unlockB, ok, err := b.TryLock(ctx, "page", time.Minute)
	if err != nil || !ok {
		t.Fatalf("TryLock after unlock: %v %v", ok, err)
	}
	// A holder whose lock expired cannot release the next holder's.
	unlockB()
	unlockA, ok, _ := a.TryLock(ctx, "short", time.Second)
	if !ok {
		t.Fatal("short lock")
	}
	deadline := time.Now().Add(5 * time.Second)
	var unlockC func()
	for {
		if unlockC, ok, _ = b.TryLock(ctx, "short", time.Minute); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("lock did not expire")
		}
		time.Sleep(50 * time.Millisecond)
	}
	defer unlockC()
	unlockA()
	if _, ok, _ := a.TryLock(ctx, "short", time.Minute); ok {
		t.Fatal("an expired holder's unlock released the new holder's lock")
	}
}

// TestWatchTagTimes: a tag time set through one store reaches another's
// watcher. The test publishes until the watcher has seen it, so the watcher
// may be called many times: it never blocks on the test, and the test never
// waits without a bound.
func TestWatchTagTimes(t *testing.T) { eachKind(t, testWatchTagTimes) }

func testWatchTagTimes(t *testing.T, kind testredis.Kind) {
	srv := kind.Start(t)
	a, b := open(t, srv.URL()), open(t, srv.URL())
	defer a.Close()
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.WatchTagTimes(ctx, func(tag string, at int64) {
			if at != 42 {
				return
			}
			select {
			case got <- tag: // the first is enough; later publishes are dropped
			default:
			}
		})
	}()
	// The subscription starts asynchronously: publish until it is seen.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if err := a.SetTagTime(ctx, "s:posts", 42); err != nil {
			t.Fatal(err)
		}
		select {
		case tag := <-got:
			if tag != "s:posts" {
				t.Fatalf("watched tag %q", tag)
			}
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("WatchTagTimes did not return after its context was canceled")
			}
			return
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("published tag time never arrived")
		}
	}
}

// TestDownRedisFailsFast runs in parallel with the other tests that start a
// deployment of their own: they mostly wait for Redis.
func TestDownRedisFailsFast(t *testing.T) {
	t.Parallel()
	eachKind(t, testDownRedisFailsFast)
}

func testDownRedisFailsFast(t *testing.T, kind testredis.Kind) {
	srv := kind.StartOwn(t)
	s := open(t, srv.URL())
	defer s.Close()
	srv.Stop()
	ctx := context.Background()
	if _, err := s.Get(ctx, "k"); err == nil {
		t.Fatal("Get with Redis down succeeded")
	}
	srv.Restart()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if err := s.Set(ctx, "k", []byte("v"), 0); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("store did not reconnect after Redis came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestTagTimesRereadOnlyWhenChanged(t *testing.T) { eachKind(t, testTagTimesRereadOnlyWhenChanged) }

func testTagTimesRereadOnlyWhenChanged(t *testing.T, kind testredis.Kind) {
	srv := kind.Start(t)
	a, b := open(t, srv.URL()), open(t, srv.URL())
	defer a.Close()
	defer b.Close()
	ctx := context.Background()
	hashReads := func() int { return calls(t, srv, "hgetall") }
	times := func(s *redisstore.Store) map[string]int64 {
		got, err := s.TagTimes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	if err := a.SetTagTime(ctx, "posts", 1); err != nil {
		t.Fatal(err)
	}
	first := times(b)
	if !maps.Equal(first, map[string]int64{"posts": 1}) {
		t.Fatalf("tag times %v", first)
	}
	reads := hashReads()
	first["posts"] = 99 // the caller's map: changing it changes nothing
	for range 3 {
		if got := times(b); !maps.Equal(got, map[string]int64{"posts": 1}) {
			t.Fatalf("unchanged hash: tag times %v", got)
		}
	}
	if n := hashReads(); n != reads {
		t.Fatalf("the unchanged hash was read %d more times", n-reads)
	}

	if err := a.SetTagTime(ctx, "users", 2); err != nil { // another instance
		t.Fatal(err)
	}
	if got := times(b); !maps.Equal(got, map[string]int64{"posts": 1, "users": 2}) {
		t.Fatalf("after another instance's revalidation: %v", got)
	}
	if n := hashReads(); n != reads+1 {
		t.Fatalf("changed hash read %d times, want 1", n-reads)
	}

	srv.Flush() // Redis lost its data: nothing may be answered from memory
	if got := times(b); len(got) != 0 {
		t.Fatalf("after a flush: %v", got)
	}
}

// nodes are the redis-server processes of a deployment.
func nodes(d testredis.Deployment) []*testredis.Server {
	switch d := d.(type) {
	case *testredis.Server:
		return []*testredis.Server{d}
	case *testredis.Cluster:
		return d.Nodes
	case *testredis.Sentinel:
		return []*testredis.Server{d.Master}
	}
	panic("unknown deployment")
}

// calls is how many times the deployment's nodes, together, have run
// command since they started.
func calls(t *testing.T, d testredis.Deployment, command string) int {
	total := 0
	for _, n := range nodes(d) {
		total += nodeCalls(t, n, command)
	}
	return total
}

// nodeCalls is how many times one node has run command.
func nodeCalls(t *testing.T, n *testredis.Server, command string) int {
	t.Helper()
	info := n.Command("INFO", "commandstats")
	m := regexp.MustCompile(`cmdstat_` + command + `:calls=(\d+)`).FindStringSubmatch(info)
	if m == nil {
		return 0
	}
	c, _ := strconv.Atoi(m[1])
	return c
}

// TestTooLargeForProtoMaxBulkLen: a value over the proto-max-bulk-len that
// Redis reports (lowered to 1 MiB here) is refused before it is sent, with
// a *store.TooLargeError naming the sizes and not the value; the key keeps
// its value, and the store takes the next write.
func TestTooLargeForProtoMaxBulkLen(t *testing.T) {
	srv := testredis.Start(t)
	srv.Command("CONFIG", "SET", "proto-max-bulk-len", "1mb")
	s := open(t, srv.URL())
	defer s.Close()
	ctx := context.Background()
	if err := s.Set(ctx, "k", []byte("before"), 0); err != nil {
		t.Fatal(err)
	}
	big := []byte(strings.Repeat("SECRET-MARKER ", (2<<20)/14))
	err := s.Set(ctx, "k", big, 0)
	var tooLarge *store.TooLargeError
	if !errors.As(err, &tooLarge) || !errors.Is(err, store.ErrTooLarge) {
		t.Fatalf("Set of %d bytes with proto-max-bulk-len 1mb: %.200v; want a *store.TooLargeError", len(big), err)
	}
	if tooLarge.Limit != 1<<20 || tooLarge.Size != int64(len(big)) || strings.Contains(err.Error(), "SECRET-MARKER") {
		t.Fatalf("refused Set: %+v, %.300q", *tooLarge, err)
	}
	if got, err := s.Get(ctx, "k"); err != nil || string(got) != "before" {
		t.Fatalf("after a refused Set, Get = %.40q, %v", got, err)
	}
	if err := s.Set(ctx, "k", big[:1<<19], 0); err != nil {
		t.Fatalf("Set of 512 KiB under the limit: %v", err)
	}
}

// TestTooLargeWithoutConfig: a user whose ACL forbids CONFIG writes values
// up to Redis's default limit: the refused CONFIG GET is not an error.
func TestTooLargeWithoutConfig(t *testing.T) {
	srv := testredis.Start(t)
	srv.Command("ACL", "SETUSER", "app", "on", ">pw", "~*", "&*", "+@all", "-config")
	s := open(t, "redis://app:pw@"+srv.Addr+"/0")
	defer s.Close()
	ctx := context.Background()
	v := bytes.Repeat([]byte("v"), 2<<20)
	if err := s.Set(ctx, "k", v, 0); err != nil {
		t.Fatalf("Set without CONFIG: %v", err)
	}
	if got, err := s.Get(ctx, "k"); err != nil || !bytes.Equal(got, v) {
		t.Fatalf("Get = %d bytes, %v", len(got), err)
	}
}
