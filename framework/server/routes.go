package server

import (
	"context"
	"encoding/json"
	"flag"

	"github.com/isr-go/framework/framework"
)

// routesCommand is `server routes`, which `framework build` runs for its
// route table.
type routesCommand struct{ env }

const routesUsage = `usage: %s routes

Print one RouteInfo per route, as JSON lines.
`

func (c *routesCommand) flags() *flag.FlagSet { return flag.NewFlagSet("routes", flag.ContinueOnError) }

// Usage prints the command's help.
func (c *routesCommand) Usage() { printUsage(c.stderr, routesUsage, c.flags()) }

// Run prints the routes.
func (c *routesCommand) Run(_ context.Context, args []string) error {
	if err := parseArgs(c.flags(), args); err != nil {
		return err
	}
	enc := json.NewEncoder(c.stdout)
	for i := range c.routes {
		if err := enc.Encode(routeInfo(&c.routes[i])); err != nil {
			return err
		}
	}
	return nil
}

// RouteInfo is one line of `server routes`: what kind of route a pattern is,
// for `framework build`'s table.
type RouteInfo struct {
	Pattern      string  `json:"pattern"`
	Kind         string  `json:"kind"` // "static", "isr" or "dynamic"
	Revalidate   float64 `json:"revalidate_seconds,omitempty"`
	StaticParams bool    `json:"static_params,omitempty"`
	// StaticParamsOnly: params StaticParams does not list are 404s
	// (DynamicParams = false).
	StaticParamsOnly bool `json:"static_params_only,omitempty"`
}

// routeInfo returns what kind of route rt is: dynamic (rendered every
// request), static (cached until revalidated) or ISR (with a window).
func routeInfo(rt *framework.Route) RouteInfo {
	info := RouteInfo{Pattern: rt.Pattern, StaticParams: rt.StaticParams != nil, StaticParamsOnly: rt.StaticParamsOnly}
	switch {
	case rt.Revalidate <= 0:
		info.Kind = "dynamic"
	case rt.Revalidate == framework.Never:
		info.Kind = "static"
	default:
		info.Kind = "isr"
		info.Revalidate = rt.Revalidate.Seconds()
	}
	return info
}
