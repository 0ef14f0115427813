package server

import (
	"context"
	"os"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"

	"github.com/isr-go/framework/framework"
	"github.com/isr-go/framework/framework/tracing"
)

// tracingShutdownTimeout bounds the export of the spans still batched at
// exit: a collector that is down must not hold the process.
const tracingShutdownTimeout = 5 * time.Second

// startTracing sets opts.TracerProvider from the OTEL_* variables (package
// tracing) unless the app set its own, and returns what stops it: the
// export of the spans still batched. The process's OpenTelemetry globals
// take it too, so that spans the app makes with otel.Tracer nest in the
// framework's.
func (e env) startTracing(opts *framework.Options) (stop func(), err error) {
	if opts.TracerProvider != nil {
		return func() {}, nil
	}
	// The SDK reads the process's environment, where the .env files
	// are loaded too.
	tp, err := tracing.FromEnv(context.Background(), opts.BuildID)
	if err != nil || tp == nil {
		return func() {}, err
	}
	opts.TracerProvider = tp
	if e.stderr == os.Stderr {
		// Main's process, not a test's Run: the globals are its.
		otel.SetTracerProvider(tp)
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), tracingShutdownTimeout)
		defer cancel()
		tp.Shutdown(ctx)
	}, nil
}
