package testredis

import (
	"os"
	"path/filepath"
	"testing"
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

// Sentinel is a redis-server master watched by one Redis Sentinel, under
// the master name "mymaster".
type Sentinel struct {
	Master   *Server
	Sentinel *Server
}

// StartSentinel starts a master and a sentinel watching it, stopped when
// the test ends.
func StartSentinel(t testing.TB) *Sentinel {
	t.Helper()
	master := Start(t)
	// Sentinel rewrites its configuration file as it learns, so it gets a
	// file of its own.
	conf := filepath.Join(t.TempDir(), "sentinel.conf")
	if err := os.WriteFile(conf, []byte("sentinel monitor mymaster "+master.Host()+" "+master.Port()+" 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Sentinel{Master: master, Sentinel: &Server{t: t, Addr: freeAddr(t), conf: conf}}
	s.Sentinel.Restart()
	t.Cleanup(s.Sentinel.Stop)
	return s
}

// URL is the store's URL in go-redis's failover form: the sentinel's
// address and the master's name.
func (s *Sentinel) URL() string { return "redis://" + s.Sentinel.Addr + "/0?master_name=mymaster" }

// Flush empties the master.
func (s *Sentinel) Flush() { s.Master.Flush() }

// Stop kills the master and the sentinel.
func (s *Sentinel) Stop() {
	s.Sentinel.Stop()
	s.Master.Stop()
}

// Restart starts the master and the sentinel again.
func (s *Sentinel) Restart() {
	s.Master.Restart()
	s.Sentinel.Restart()
}
