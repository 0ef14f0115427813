package testredis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cluster is a Redis Cluster of three masters (no replicas), each a
// redis-server process on loopback.
type Cluster struct {
	Nodes []*Server
}

// StartCluster starts a cluster owned by the test, stopped when it ends.
// It takes about two seconds: a new master does not accept writes for its
// first two seconds (Redis's CLUSTER_WRITABLE_DELAY). Tests that neither
// stop nor restart it share one with SharedCluster.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	requireBinaries(t)
	c := startCluster(t, t.TempDir())
	t.Cleanup(c.Stop)
	return c
}

// startCluster starts three nodes keeping their cluster configuration in
// dir, joins them with redis-cli --cluster create, and waits until every
// node says the cluster is ok.
func startCluster(t testing.TB, dir string) *Cluster {
	t.Helper()
	c := &Cluster{}
	// t.Fatal runs deferred calls: a cluster that fails to start leaves
	// no process behind.
	started := false
	defer func() {
		if !started {
			c.Stop()
		}
	}()
	var addrs []string
	for range 3 {
		port := freeClusterPort(t)
		s := &Server{t: t, Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), args: []string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", filepath.Join(dir, "nodes-"+strconv.Itoa(port)+".conf"),
		}, dir: dir}
		c.Nodes = append(c.Nodes, s)
		s.Restart()
		addrs = append(addrs, s.Addr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "redis-cli", append(append([]string{"--cluster", "create"}, addrs...), "--cluster-yes")...).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	c.waitOK()
	started = true
	return c
}

// freeClusterPort returns a port that is free now, as is the port 10000
// above it, where the node's cluster bus listens (redis-server before 7.0
// cannot be given another).
func freeClusterPort(t testing.TB) int {
	t.Helper()
	for range 100 {
		port := 20000 + rand.IntN(30000)
		a, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		b, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port+10000)))
		a.Close()
		if err != nil {
			continue
		}
		b.Close()
		return port
	}
	t.Fatal("no free pair of ports for a cluster node")
	return 0
}

// URL is the cluster's URL in go-redis's cluster form: the first node, and
// the others as addr parameters.
func (c *Cluster) URL() string {
	u := "redis://" + c.Nodes[0].Addr
	for i, n := range c.Nodes[1:] {
		sep := "&"
		if i == 0 {
			sep = "?"
		}
		u += sep + "addr=" + n.Addr
	}
	return u
}

// waitOK waits, ten seconds at most, until every node reports
// cluster_state:ok: all slots served and the nodes agreeing.
func (c *Cluster) waitOK() {
	t := c.Nodes[0].t
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok := 0
		for _, n := range c.Nodes {
			if strings.Contains(n.Command("CLUSTER", "INFO"), "cluster_state:ok") {
				ok++
			}
		}
		if ok == len(c.Nodes) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the Redis Cluster's state is not ok after 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Flush empties every node.
func (c *Cluster) Flush() {
	for _, n := range c.Nodes {
		n.Flush()
	}
}

// Stop kills every node.
func (c *Cluster) Stop() {
	for _, n := range c.Nodes {
		n.Stop()
	}
}

// Restart starts the stopped nodes again (all after Stop, or those a
// test stopped itself), empty but with their slots (each node reloads its
// cluster configuration), and waits until the cluster is ok.
func (c *Cluster) Restart() {
	for _, n := range c.Nodes {
		if n.cmd == nil {
			n.Restart()
		}
	}
	c.waitOK()
}

// NodeFor returns the node that serves key's slot.
func (c *Cluster) NodeFor(key string) *Server {
	first := c.Nodes[0]
	first.t.Helper()
	client := redis.NewClient(&redis.Options{Addr: first.Addr})
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	slot, err := client.ClusterKeySlot(ctx, key).Result()
	if err != nil {
		first.t.Fatal(err)
	}
	ranges, err := client.ClusterSlots(ctx).Result()
	if err != nil {
		first.t.Fatal(err)
	}
	for _, r := range ranges {
		if int64(r.Start) <= slot && slot <= int64(r.End) {
			for _, n := range c.Nodes {
				if n.Addr == r.Nodes[0].Addr {
					return n
				}
			}
		}
	}
	first.t.Fatalf("no node serves slot %d of %q", slot, key)
	return nil
}

// Command sends one command to the server and returns its reply as text,
// failing the test on an error.
func (s *Server) Command(args ...any) string {
	s.t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.Addr, DialTimeout: time.Second, ReadTimeout: time.Second})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := c.Do(ctx, args...).Result()
	if err != nil {
		s.t.Fatalf("%v on %s: %v", args, s.Addr, err)
	}
	return fmt.Sprint(v)
}

// The cluster tests of a package share one: starting one takes two
// seconds.
var shared struct {
	sync.Mutex
	cluster *Cluster
	dir     string
}

// SharedCluster returns the package's shared cluster, empty, starting it
// on first use. The test must not stop it; StopShared, from TestMain,
// stops it when the package's tests are done.
func SharedCluster(t testing.TB) *Cluster {
	t.Helper()
	requireBinaries(t)
	shared.Lock()
	defer shared.Unlock()
	if shared.cluster == nil {
		dir, err := os.MkdirTemp("", "testredis-cluster-")
		if err != nil {
			t.Fatal(err)
		}
		shared.dir = dir
		shared.cluster = startCluster(t, dir)
	}
	// The nodes report failures to the test using them now.
	for _, n := range shared.cluster.Nodes {
		n.t = t
	}
	shared.cluster.Flush()
	return shared.cluster
}

// StopShared stops the shared cluster, if one was started. Call it from
// TestMain after m.Run.
func StopShared() {
	shared.Lock()
	defer shared.Unlock()
	if shared.cluster != nil {
		shared.cluster.Stop()
		os.RemoveAll(shared.dir)
		shared.cluster = nil
	}
}
