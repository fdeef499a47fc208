package schema

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.yaml.in/yaml/v4"
)

// TestValidate: each document's error as Docker Compose v5.6.0 reports it (its
// "validating FILE: PATH MSG", recorded with the oracle), berth's path form and words.
func TestValidate(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []Error
	}{
		{"valid", "services:\n  a:\n    image: x\n    ports: [{target: 80, x-p: 1}]\n    ulimits: {nofile: {soft: 1, hard: 2, x-u: 3}}\n", nil},
		{"unknown build key", "services:\n  a:\n    build: {context: ., contxt: .}\n",
			[]Error{{Path: "services.a.build", Msg: "additional properties 'contxt' not allowed", Unknown: true, Key: "services.a.build.contxt"}}},
		{"ulimit list", "services:\n  test:\n    ulimits:\n      locks: [1]\n",
			[]Error{{Path: "services.test.ulimits.locks", Msg: "must be an integer or string"}}},
		{"healthcheck key", "services:\n  a:\n    healthcheck: {intervl: 3s}\n",
			[]Error{{Path: "services.a.healthcheck", Msg: "additional properties 'intervl' not allowed", Unknown: true, Key: "services.a.healthcheck.intervl"}}},
		{"cpus list", "services:\n  a:\n    deploy: {resources: {limits: {cpus: [1]}}}\n",
			[]Error{{Path: "services.a.deploy.resources.limits.cpus", Msg: "must be a number or string"}}},
		{"unknown service key", "services:\n  a:\n    imagee: x\n",
			[]Error{{Path: "services.a.imagee", Msg: "is not allowed here", Unknown: true, Key: "services.a.imagee"}}},
		{"ipam subnet", "networks:\n  n:\n    ipam: {config: [{subnet: 1}]}\n",
			[]Error{{Path: "networks.n.ipam.config[0].subnet", Msg: "must be a string"}}},
		{"enum", "services:\n  a:\n    depends_on: {b: {condition: service_ready}}\n",
			[]Error{{Path: "services.a.depends_on.b.condition", Msg: "value must be one of 'service_started', 'service_healthy', 'service_completed_successfully'"}}},
		{"required", "jobs:\n  j:\n    image: x\n",
			[]Error{{Path: "jobs.j", Msg: "missing property 'triggers'"}}},
		{"unique", "services:\n  a:\n    cap_add: [NET_ADMIN, NET_ADMIN]\n",
			[]Error{{Path: "services.a.cap_add", Msg: "items at 0 and 1 are equal"}}},
		{"deduplicated", "services:\n  a:\n    cap_drop: [NET_ADMIN, NET_ADMIN]\n", nil},
		{"mapping", "services:\n  a:\n    deploy: [1]\n",
			[]Error{{Path: "services.a.deploy", Msg: "must be a mapping or null"}}},
		{"one per entry, sorted", "volumes:\n  v: {driver: [x]}\nservices:\n  b: {build: {platform: x}}\n  a: {logging: {driver: 1}}\n",
			[]Error{
				{Path: "services.a.logging.driver", Msg: "must be a string"},
				{Path: "services.b.build", Msg: "additional properties 'platform' not allowed", Unknown: true, Key: "services.b.build.platform"},
				{Path: "volumes.v.driver", Msg: "must be a string"},
			}},
		{"top-level key", "servics: {}\n", []Error{{Path: "", Msg: "additional properties 'servics' not allowed", Unknown: true, Key: "servics"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc map[string]any
			if err := yaml.Unmarshal([]byte(tt.doc), &doc); err != nil {
				t.Fatal(err)
			}
			got, err := Validate(doc, Options{Deduplicated: func(p string) bool { return strings.HasSuffix(p, ".cap_drop") }})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Error{}, "KeyIn")); diff != "" {
				t.Errorf("Validate mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUnwrap: a marker the caller unwraps is validated as its value, or skipped.
func TestUnwrap(t *testing.T) {
	type marker struct{ v any }
	doc := map[string]any{"services": map[string]any{"a": map[string]any{
		"image":   marker{"x"},
		"ports":   marker{nil}, // skipped
		"cap_add": marker{[]any{1}},
	}}}
	unwrap := func(v any) (any, bool) {
		if m, ok := v.(marker); ok {
			return m.v, m.v == nil
		}
		return v, false
	}
	got, err := Validate(doc, Options{Unwrap: unwrap})
	if err != nil {
		t.Fatal(err)
	}
	want := []Error{{Path: "services.a.cap_add[0]", Msg: "must be a string"}}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Error{}, "KeyIn")); diff != "" {
		t.Errorf("Validate mismatch (-want +got):\n%s", diff)
	}
}

// TestCompileRefusesUnknownKeywords: a schema using a keyword the interpreter does not
// implement is refused, not half-checked.
func TestCompileRefusesUnknownKeywords(t *testing.T) {
	for _, doc := range []string{
		`{"type": "object", "propertyNames": {"pattern": "^a"}}`,
		`{"$ref": "#/definitions/x"}`,
		`{"$ref": "#/$defs/missing", "$defs": {}}`,
		`{"type": "object", "not": {}}`,
	} {
		if _, err := Compile([]byte(doc)); err == nil || !strings.HasPrefix(err.Error(), "compose schema:") {
			t.Errorf("Compile(%s) = %v, want a compose schema error", doc, err)
		}
	}
	if spec() == nil {
		t.Fatal("the compiled schema is empty")
	}
}

func BenchmarkValidate(b *testing.B) {
	var doc map[string]any
	src := "services:\n  web:\n    image: nginx\n    ports: ['80:80']\n    environment: {A: 1}\n    depends_on: {db: {condition: service_healthy}}\n    healthcheck: {test: [CMD, \"true\"], interval: 1s}\n  db:\n    image: postgres\n    volumes: [data:/var/lib/postgresql/data]\nvolumes:\n  data: {}\n"
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if errs, err := Validate(doc, Options{Deduplicated: func(p string) bool { return strings.HasSuffix(p, ".cap_drop") }}); err != nil || len(errs) != 0 {
			b.Fatal(errs, err)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	for b.Loop() {
		if _, err := Compile(specJSON); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildSpec(b *testing.B) {
	for b.Loop() {
		if buildSpec() == nil {
			b.Fatal("empty")
		}
	}
}
