package redisstore_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/isr-go/framework/framework/internal/testredis"
	"github.com/isr-go/framework/framework/redisstore"
	"github.com/isr-go/framework/framework/store"
	"github.com/isr-go/framework/framework/storetest"
)

// TestOpenRejectsBadURLs: a URL Open cannot use is an error at start, not a
// store that fails on every call, and a cluster URL naming a database
// other than 0 (a cluster has no other) is not silently read as 0.
func TestOpenRejectsBadURLs(t *testing.T) {
	tests := []struct {
		url  string
		want string // in the error; "" for none
	}{
		{"redis://127.0.0.1:6379/0", ""},
		{"rediss://user:pw@127.0.0.1:6379/2", ""},
		{"redis://h1:7000?addr=h2:7000&addr=h3:7000", ""},
		{"redis://h1:7000/0?addr=h2:7000", ""},
		{"redis://h1:7000/3?addr=h2:7000", "only database 0"},
		{"redis://h1:7000?addr=h2", "addr"},
		{"redis://h1:7000?addr=h2:7000&bogus=1", "bogus"},
		{"redis://s1:26379/0?master_name=mymaster&addr=s2:26379", ""},
		{"redis://s1:26379/x?master_name=mymaster", "database"},
		{"redis://s1:26379/0?master_name=mymaster&bogus=1", "bogus"},
		{"redis://127.0.0.1:6379/notadb", "database"},
		{"http://127.0.0.1:6379", "scheme"},
		{"redis://%zz", "invalid"},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			s, err := redisstore.Open(tc.url)
			if err == nil {
				defer s.Close()
			}
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Open: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Open = %v, want an error about %q", err, tc.want)
			}
		})
	}
}

// TestClusterSpreadsEntries: entries spread over the masters (no hash tag
// pins them to one), while the tag times, written in one transaction, work.
func TestClusterSpreadsEntries(t *testing.T) {
	c := testredis.SharedCluster(t)
	s := open(t, c.URL())
	defer s.Close()
	ctx := context.Background()
	for i := range 30 {
		if err := s.Set(ctx, fmt.Sprintf("p/b1/posts/%d", i), []byte("v"), 0); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range c.Nodes {
		if keys, _ := strconv.Atoi(n.Command("DBSIZE")); keys == 0 {
			t.Errorf("node %s holds none of 30 entries", n.Addr)
		}
	}
	if err := s.SetTagTime(ctx, "s:posts", 1); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTagTimes(ctx, []string{"s:posts"}); err != nil {
		t.Fatal(err)
	}
}

// TestClusterClockIsOneNode: every instance reads the time from the same
// master, so that times compared across instances come from one clock even
// though each node has its own.
func TestClusterClockIsOneNode(t *testing.T) {
	c := testredis.SharedCluster(t)
	a, b := open(t, c.URL()), open(t, c.URL())
	defer a.Close()
	defer b.Close()
	before := make([]int, len(c.Nodes))
	for i, n := range c.Nodes {
		before[i] = nodeCalls(t, n, "time")
	}
	for range 10 {
		for _, s := range []*redisstore.Store{a, b} {
			if _, err := s.Now(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	}
	var asked []string
	for i, n := range c.Nodes {
		if d := nodeCalls(t, n, "time") - before[i]; d > 0 {
			asked = append(asked, fmt.Sprintf("%s: %d", n.Addr, d))
		}
	}
	if len(asked) != 1 || !strings.HasSuffix(asked[0], ": 20") {
		t.Fatalf("TIME answered by %v, want 20 times by one node", asked)
	}
}

// TestClusterPubSubAcrossNodes: a store's watcher hears tag times published
// on any master, not only on the one its subscription is connected to, so
// an instance whose transaction lands on another node still reaches it.
func TestClusterPubSubAcrossNodes(t *testing.T) {
	c := testredis.SharedCluster(t)
	s := open(t, c.URL())
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan int64, 16)
	go s.WatchTagTimes(ctx, func(tag string, at int64) {
		select {
		case got <- at:
		default:
		}
	})
	// Each master publishes, as the store does ("<unix nanos> <tag>" on
	// framework:tags), its own time until the watcher has heard it.
	for i, n := range c.Nodes {
		at := int64(1000 + i)
		deadline := time.Now().Add(5 * time.Second)
	wait:
		for {
			n.Command("PUBLISH", "framework:tags", fmt.Sprintf("%d s:posts", at))
			for {
				select {
				case v := <-got:
					if v == at {
						break wait
					}
					continue
				case <-time.After(50 * time.Millisecond):
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("a time published on node %d (%s) never reached the watcher", i, n.Addr)
			}
		}
	}
}

// TestSentinel: the store in go-redis's failover URL form finds the
// master through Sentinel and passes the conformance suite on it.
func TestSentinel(t *testing.T) {
	t.Parallel() // a deployment of its own, like TestDownRedisFailsFast
	srv := testredis.StartSentinel(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		srv.Flush()
		return open(t, srv.URL())
	})
}

// TestSentinelFailover: when Sentinel promotes the replica, the store
// follows: its writes land on the new master, and what was written before
// the failover is still there.
func TestSentinelFailover(t *testing.T) {
	t.Parallel() // a deployment of its own, like TestDownRedisFailsFast
	srv := testredis.StartSentinel(t)
	s := open(t, srv.URL())
	defer s.Close()
	ctx := context.Background()
	if err := s.Set(ctx, "before", []byte("v1"), 0); err != nil {
		t.Fatal(err)
	}
	srv.Master.Command("WAIT", 1, 5000) // the replica has it
	srv.Sentinel.Command("SENTINEL", "FAILOVER", "mymaster")
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(srv.Replica.Command("INFO", "replication"), "role:master") {
		if time.Now().After(deadline) {
			t.Fatal("the replica was not promoted 15 s after the failover")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for {
		// Until the store has switched, a write fails (the old master is
		// now a read-only replica) or lands on the old master only.
		err := s.Set(ctx, "after", []byte("v2"), 0)
		if err == nil && srv.Replica.Command("EXISTS", "framework:after") == "1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no write reached the promoted replica 15 s after the failover (last error: %v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if v, err := s.Get(ctx, "before"); err != nil || string(v) != "v1" {
		t.Fatalf("after the failover, Get(before) = %q, %v", v, err)
	}
}

// TestNewWithClient: a store built in code from any go-redis client, here
// a cluster client given one seed address (as behind a cloud provider's
// configuration endpoint, which no URL form can say), is a full store.
func TestNewWithClient(t *testing.T) {
	c := testredis.SharedCluster(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		c.Flush()
		return redisstore.New(redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{c.Nodes[0].Addr}}))
	})
}

// TestClusterOneMasterDown: with one master of three down (and no replica
// to take over), the entries on the other two are still read and written;
// those on the stopped one fail with an error; once it is back, everything
// works again.
func TestClusterOneMasterDown(t *testing.T) {
	t.Parallel() // a deployment of its own, like TestDownRedisFailsFast
	c := testredis.StartCluster(t)
	s := open(t, c.URL())
	defer s.Close()
	ctx := context.Background()
	keys := make([]string, 12)
	for i := range keys {
		keys[i] = fmt.Sprintf("p/b1/posts/%d", i)
		if err := s.Set(ctx, keys[i], []byte("v"), 0); err != nil {
			t.Fatal(err)
		}
	}
	down := c.Nodes[1]
	down.Stop()
	var failed, served int
	for _, k := range keys {
		v, err := s.Get(ctx, k)
		if c.NodeFor("framework:"+k) == down {
			if err == nil {
				t.Errorf("Get(%q) on the stopped master: %q, no error", k, v)
			}
			failed++
			continue
		}
		if err != nil || string(v) != "v" {
			t.Errorf("Get(%q) on a live master = %q, %v", k, v, err)
		}
		if err := s.Set(ctx, k, []byte("w"), 0); err != nil {
			t.Errorf("Set(%q) on a live master: %v", k, err)
		}
		served++
	}
	if failed == 0 || served == 0 {
		t.Fatalf("%d keys on the stopped master, %d on live ones: the test needs both", failed, served)
	}
	c.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for _, k := range keys {
		for {
			err := s.Set(ctx, k, []byte("x"), 0)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("Set(%q) after the master came back: %v", k, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
