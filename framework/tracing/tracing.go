// Package tracing makes the OpenTelemetry tracer provider that the app
// server hands to framework.Options.TracerProvider, from the standard
// OTEL_* environment variables: spans are batched and sent over OTLP/HTTP
// (protobuf) to the collector they name.
//
// Tracing is on when OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set, or OTEL_TRACES_EXPORTER is
// "otlp" (the collector then defaults to http://localhost:4318); it is off
// otherwise, and when OTEL_SDK_DISABLED is "true" or OTEL_TRACES_EXPORTER
// is "none". The SDK and the exporter read the other variables themselves:
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES name the service,
// OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG choose which traces are
// kept (default parentbased_always_on: every trace, unless the caller's
// traceparent says it is not sampled), OTEL_EXPORTER_OTLP_HEADERS,
// _TIMEOUT, _COMPRESSION and _CERTIFICATE configure the export, and
// OTEL_BSP_* the batching.
package tracing

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Enabled reports whether the environment (getenv) turns tracing on, or
// an error when it asks for what this package cannot do: another exporter
// than OTLP, or OTLP over gRPC or JSON.
func Enabled(getenv func(string) string) (bool, error) {
	if strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		return false, nil
	}
	exporter := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER"))
	switch exporter {
	case "", "otlp":
	case "none":
		return false, nil
	default:
		return false, fmt.Errorf("OTEL_TRACES_EXPORTER=%q: the server exports traces over OTLP only: want otlp or none", exporter)
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			if v != "http/protobuf" {
				return false, fmt.Errorf("%s=%q: the server exports traces over OTLP/HTTP with protobuf: want http/protobuf", name, v)
			}
			break // the traces' own protocol wins over the general one
		}
	}
	return exporter == "otlp" || getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "", nil
}

// FromEnv returns the tracer provider the process's OTEL_* variables
// describe, or nil when they turn tracing off (Enabled). The service is
// named after the binary unless OTEL_SERVICE_NAME names it, and version
// becomes its service.version unless OTEL_RESOURCE_ATTRIBUTES sets one.
// The caller must Shutdown the provider when done, after the last span
// ends: it sends the spans still batched.
func FromEnv(ctx context.Context, version string) (*sdktrace.TracerProvider, error) {
	on, err := Enabled(os.Getenv)
	if err != nil || !on {
		return nil, err
	}
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win over the
	// binary's name and its build.
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", filepath.Base(os.Args[0])), attribute.String("service.version", version)),
		resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("tracing: resource: %w", err)
	}
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res)), nil
}
