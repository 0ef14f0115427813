package testredis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A Deployment is a running Redis a test points stores at: one Server, a
// Cluster or a Sentinel.
type Deployment interface {
	// URL is the FRAMEWORK_CACHE URL that reaches it.
	URL() string
	// Flush empties it.
	Flush()
	// Stop kills its processes.
	Stop()
	// Restart starts them again after Stop, empty, and waits until the
	// deployment serves.
	Restart()
}

var (
	_ Deployment = (*Server)(nil)
	_ Deployment = (*Cluster)(nil)
	_ Deployment = (*Sentinel)(nil)
)

// A Kind of deployment the shared store's tests run against.
type Kind struct {
	Name string
	// Start returns an empty deployment that the test may share with
	// other tests of its package (a cluster takes two seconds to start):
	// the test must not stop it.
	Start func(testing.TB) Deployment
	// StartOwn starts one for the test alone, to stop and restart.
	StartOwn func(testing.TB) Deployment
}

// Kinds are the deployments every test of the shared store runs against:
// one Redis, and a Redis Cluster of three masters. A package using them
// calls StopShared from its TestMain.
var Kinds = []Kind{
	{
		Name:     "single",
		Start:    func(t testing.TB) Deployment { return Start(t) },
		StartOwn: func(t testing.TB) Deployment { return Start(t) },
	},
	{
		Name:     "cluster",
		Start:    func(t testing.TB) Deployment { return SharedCluster(t) },
		StartOwn: func(t testing.TB) Deployment { return StartCluster(t) },
	},
}

// Sentinel is a redis-server master and its replica, watched by one Redis
// Sentinel under the master name "mymaster".
type Sentinel struct {
	Master   *Server
	Replica  *Server
	Sentinel *Server
}

// StartSentinel starts a master, a replica in sync with it, and a sentinel
// watching both, stopped when the test ends.
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	master := Start(t)
	replica := &Server{t: t, Addr: freeAddr(t), dir: t.TempDir(), args: []string{"--replicaof", master.Host(), master.Port()}}
	replica.Restart()
	t.Cleanup(replica.Stop)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(replica.Command("INFO", "replication"), "master_link_status:up") {
		if time.Now().After(deadline) {
			t.Fatal("the replica is not in sync with its master after 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Sentinel rewrites its configuration file as it learns, so it gets a
	// file of its own. It is told of the replica, which it would otherwise
	// learn of from the master within 10 s.
	conf := filepath.Join(t.TempDir(), "sentinel.conf")
	config := "sentinel monitor mymaster " + master.Host() + " " + master.Port() + " 1\n" +
		"sentinel known-replica mymaster " + replica.Host() + " " + replica.Port() + "\n" +
		"sentinel down-after-milliseconds mymaster 1000\n"
	if err := os.WriteFile(conf, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Sentinel{Master: master, Replica: replica, Sentinel: &Server{t: t, Addr: freeAddr(t), conf: conf, dir: t.TempDir()}}
	s.Sentinel.Restart()
	t.Cleanup(s.Sentinel.Stop)
	return s
}

// URL is the store's URL in go-redis's failover form: the sentinel's
// address and the master's name.
func (s *Sentinel) URL() string { return "redis://" + s.Sentinel.Addr + "/0?master_name=mymaster" }

// Flush empties the master (and so the replica).
func (s *Sentinel) Flush() { s.Master.Flush() }

// Stop kills the master, the replica and the sentinel.
func (s *Sentinel) Stop() {
	s.Sentinel.Stop()
	s.Replica.Stop()
	s.Master.Stop()
}

// Restart starts them again, in their first roles.
func (s *Sentinel) Restart() {
	s.Master.Restart()
	s.Replica.Restart()
	s.Sentinel.Restart()
}
