package tracing

import (
	"strings"
	"testing"
)

func TestEnabled(t *testing.T) {
	for _, tt := range []struct {
		env     string // NAME=value pairs, space-separated
		on      bool
		wantErr string
	}{
		{env: "", on: false},
		{env: "OTEL_SERVICE_NAME=blog", on: false},
		{env: "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318", on: true},
		{env: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:4318/v1/traces", on: true},
		{env: "OTEL_TRACES_EXPORTER=otlp", on: true},
		{env: "OTEL_EXPORTER_OTLP_ENDPOINT=http://x OTEL_SDK_DISABLED=true", on: false},
		{env: "OTEL_EXPORTER_OTLP_ENDPOINT=http://x OTEL_TRACES_EXPORTER=none", on: false},
		{env: "OTEL_EXPORTER_OTLP_ENDPOINT=http://x OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf", on: true},
		{env: "OTEL_EXPORTER_OTLP_ENDPOINT=http://x OTEL_EXPORTER_OTLP_PROTOCOL=grpc OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf", on: true},
		{env: "OTEL_EXPORTER_OTLP_ENDPOINT=http://x OTEL_EXPORTER_OTLP_PROTOCOL=grpc", wantErr: "http/protobuf"},
		{env: "OTEL_EXPORTER_OTLP_ENDPOINT=http://x OTEL_TRACES_EXPORTER=zipkin", wantErr: "otlp or none"},
	} {
		vars := map[string]string{}
		for _, kv := range strings.Fields(tt.env) {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = v
		}
		on, err := Enabled(func(k string) string { return vars[k] })
		if on != tt.on || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: %v, %v; want %v, an error naming %q", tt.env, on, err, tt.on, tt.wantErr)
		}
	}
}
