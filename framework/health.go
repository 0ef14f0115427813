package framework

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// HealthPath is where runtime.Register serves the health check, for load
// balancers, orchestrators and a container's HEALTHCHECK.
const HealthPath = "/_framework/health"

// The values of the "store" field of the health check.
const (
	storeUp         = "up"          // the cache store's last call succeeded
	storeDown       = "down"        // it failed, or the breaker skips the store
	storeMemoryOnly = "memory-only" // no usable cache dir: the memory tier alone
)

// health is the JSON body of the health check.
type health struct {
	Status string `json:"status"` // "ok" (200) or "unavailable" (503)
	Build  string `json:"build"`
	Store  string `json:"store"` // storeUp, storeDown or storeMemoryOnly
}

// ServeHealth answers the health check: 200 with
// {"status":"ok","build":"<build ID>","store":"up"}, where store is "up",
// "down" or "memory-only". It answers 503 with "status":"unavailable" only
// while the store is down and Options.HealthRequiresStore is on: cached
// pages keep being served without a store, so by default a store outage
// must not take every instance out of a load balancer at once. It is an
// http.HandlerFunc, for apps that serve it elsewhere; runtime.Register serves it at
// HealthPath for GET and HEAD.
//
// It reads the state the store's last call left and calls nothing itself,
// so that a load balancer polling every instance adds no load on a shared
// store. That state is current on a busy server; on an idle one a shared
// store is still read every few seconds (the tag times), a local one only
// when a request misses the memory tier.
func (a *App) ServeHealth(w http.ResponseWriter, r *http.Request) {
	h := health{Status: "ok", Build: a.opts.BuildID, Store: storeUp}
	status := http.StatusOK
	switch {
	case a.metrics.memoryOnly.Load():
		// Not down: memory-only is how the app runs until a restart with
		// a usable cache dir, and failing the check would only get it
		// restarted into the same state, or kept out of rotation for good.
		h.Store = storeMemoryOnly
	case !a.store.up():
		h.Store = storeDown
		if a.opts.HealthRequiresStore {
			h.Status, status = "unavailable", http.StatusServiceUnavailable
		}
	}
	body, _ := json.Marshal(h) // a struct of strings cannot fail
	body = append(body, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	// A cached answer would report an instance's health after it changed.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}
