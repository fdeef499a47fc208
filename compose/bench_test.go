package compose

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkLoad200 loads a generated file of 200 services with ports, volumes,
// environment, healthchecks and dependencies.
func BenchmarkLoad200(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("name: bench\nservices:\n")
	for i := range 200 {
		fmt.Fprintf(&sb, "  svc%d:\n    image: \"nginx:${TAG:-1.27}\"\n    ports: [\"%d:80\"]\n", i, 10000+i)
		fmt.Fprintf(&sb, "    volumes: [\"data%d:/data\", \"./conf:/etc/conf:ro\"]\n", i)
		sb.WriteString("    environment: [A=1, B=2, C]\n    healthcheck: {test: curl -f http://localhost, interval: 10s}\n")
		if i > 0 {
			fmt.Fprintf(&sb, "    depends_on: [svc%d]\n", i-1)
		}
	}
	sb.WriteString("volumes:\n")
	for i := range 200 {
		fmt.Fprintf(&sb, "  data%d: {}\n", i)
	}
	data := sb.String()
	dir := b.TempDir()
	b.ResetTimer()
	for b.Loop() {
		_, err := Load(context.Background(), Options{Files: []string{"-"}, WorkingDir: dir, Stdin: strings.NewReader(data)})
		if err != nil {
			b.Fatal(err)
		}
	}
}
