package framework

import "github.com/isr-go/framework/framework/store"

// noteStore counts in the metrics and the health check what the store says
// of how it opened: store.Discard for no usable cache dir (memory-only), a
// store.Reset that set a damaged directory aside.
func (a *App) noteStore(s store.Store) {
	if s == store.Discard {
		a.metrics.memoryOnly.Store(true)
	}
	if r, ok := s.(store.Reset); ok && r.SetAside() != "" {
		a.metrics.storeResets.Add(1)
	}
}
