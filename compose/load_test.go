package compose

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writeFiles makes a temp project directory holding files (name -> content).
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "Demo.App")
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// jsonAt decodes the model and returns the value at a dotted path.
func jsonAt(t *testing.T, p *Project, path string) any {
	t.Helper()
	data, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestLoadValues(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		opts  Options
		path  string
		want  any
	}{
		{"dir name normalized", map[string]string{"compose.yaml": "services: {a: {image: x}}"}, Options{}, "name", "demoapp"},
		{"top-level name", map[string]string{"compose.yaml": "name: web_1\nservices: {a: {image: x}}"}, Options{}, "name", "web_1"},
		{"top-level name normalized", map[string]string{"compose.yaml": "name: Bad Name!\nservices: {a: {image: x}}"}, Options{}, "name", "badname"},
		{"-p wins", map[string]string{"compose.yaml": "name: web\nservices: {a: {image: x}}"}, Options{ProjectName: "cli"}, "name", "cli"},
		{"process env over .env", map[string]string{"compose.yaml": "services: {a: {image: \"${IMG}\"}}", ".env": "IMG=fromfile"}, Options{Environ: map[string]string{"IMG": "fromenv"}}, "services.a.image", "fromenv"},
		{".env used", map[string]string{"compose.yaml": "services: {a: {image: \"${IMG:-d}\"}}", ".env": "IMG=fromfile"}, Options{}, "services.a.image", "fromfile"},
		{"override file merged", map[string]string{"compose.yaml": "services: {a: {image: x}}", "compose.override.yaml": "services: {a: {image: y}}"}, Options{}, "services.a.image", "y"},
		{"command replaced", map[string]string{"a.yaml": "services: {a: {image: x, command: a b}}", "b.yaml": "services: {a: {command: [c]}}"}, Options{Files: []string{"a.yaml", "b.yaml"}}, "services.a.command", []any{"c"}},
		{"reset", map[string]string{"a.yaml": "services: {a: {image: x, user: me}}", "b.yaml": "services: {a: {user: !reset null}}"}, Options{Files: []string{"a.yaml", "b.yaml"}}, "services.a.user", nil},
		{"override", map[string]string{"a.yaml": "services: {a: {image: x, labels: {p: q}}}", "b.yaml": "services: {a: {labels: !override {r: s}}}"}, Options{Files: []string{"a.yaml", "b.yaml"}}, "services.a.labels", map[string]any{"r": "s"}},
		{"env list to map", map[string]string{"compose.yaml": "services: {a: {image: x, environment: [A=1, B]}}"}, Options{Environ: map[string]string{"B": "2"}}, "services.a.environment", map[string]any{"A": "1", "B": "2"}},
		{"unset bare key is null", map[string]string{"compose.yaml": "services: {a: {image: x, environment: [C]}}"}, Options{}, "services.a.environment", map[string]any{"C": nil}},
		// The JSON output escapes "$" again, as docker compose config does (the typed
		// model holds "$HOME": see TestTypedDollar).
		{"dollar escape", map[string]string{"compose.yaml": "services: {a: {image: x, command: echo $$HOME}}"}, Options{}, "services.a.command", []any{"echo", "$$HOME"}},
		{"anchors and merge keys", map[string]string{"compose.yaml": "x-base: &b {image: x, user: u}\nservices: {a: {<<: *b, user: v}}"}, Options{}, "services.a.user", "v"},
		{"profile off", map[string]string{"compose.yaml": "services: {a: {image: x}, b: {image: y, profiles: [dbg]}}"}, Options{}, "services.b", nil},
		{"profile on", map[string]string{"compose.yaml": "services: {a: {image: x}, b: {image: y, profiles: [dbg]}}"}, Options{Profiles: []string{"dbg"}}, "services.b.image", "y"},
		{"extends same file", map[string]string{"compose.yaml": "services: {a: {image: x, user: u}, b: {extends: a, hostname: h}}"}, Options{}, "services.b.user", "u"},
		{"size in bytes", map[string]string{"compose.yaml": "services: {a: {image: x, mem_limit: 512m, deploy: {resources: {limits: {cpus: '0.5'}}}}}"}, Options{}, "services.a.mem_limit", "536870912"},
		{"tilde bind", map[string]string{"compose.yaml": "services: {a: {image: x, volumes: ['~/src:/src']}}"}, Options{Environ: map[string]string{"HOME": "/home/me"}}, "services.a.volumes", []any{map[string]any{"type": "bind", "source": "/home/me/src", "target": "/src", "bind": map[string]any{}}}},
		{"interpolated bool", map[string]string{"compose.yaml": "services: {a: {image: x, read_only: '${RO}', healthcheck: {retries: '${N}'}}}"}, Options{Environ: map[string]string{"RO": "true", "N": "3"}}, "services.a.healthcheck.retries", 3.0},
		{"default network", map[string]string{"compose.yaml": "services: {a: {image: x}}"}, Options{}, "networks.default.name", "demoapp_default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			opts := tt.opts
			opts.WorkingDir = dir
			p, err := Load(context.Background(), opts)
			if err != nil {
				t.Fatalf("Load(%v) = %v", tt.files, err)
			}
			if got := jsonAt(t, p, tt.path); !cmp.Equal(got, tt.want) {
				t.Errorf("Load(%v) %s = %#v, want %#v", tt.files, tt.path, got, tt.want)
			}
		})
	}
}

func TestLoadPorts(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  a:\n    image: x\n    ports: [\"127.0.0.1:8000-8001:80-81/udp\", 9000]\n"})
	p, err := Load(context.Background(), Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	want := []any{
		map[string]any{"mode": "ingress", "host_ip": "127.0.0.1", "target": 80.0, "published": "8000", "protocol": "udp"},
		map[string]any{"mode": "ingress", "host_ip": "127.0.0.1", "target": 81.0, "published": "8001", "protocol": "udp"},
		map[string]any{"mode": "ingress", "target": 9000.0, "protocol": "tcp"},
	}
	if diff := cmp.Diff(want, jsonAt(t, p, "services.a.ports")); diff != "" {
		t.Errorf("ports (-want +got):\n%s", diff)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"bad port", "services:\n  web:\n    image: x\n    ports:\n      - eighty\n", []string{`compose.yaml:5:9: services.web.ports[0]: invalid container port "eighty"`}},
		{"yaml flow mapping", "services:\n  a:\n    image: x\n    volume: {nocopy: ${NC:-true}}\n", []string{`compose.yaml:4:23: yaml syntax: did not find expected ',' or '}' (while parsing a flow mapping started at 4:13)`}},
		{"yaml unterminated quote", "services:\n  a:\n    image: x\n    environment: {A: 1, B: \"2\n", []string{`compose.yaml:5:1: yaml syntax: found unexpected end of stream (while scanning a quoted scalar started at 4:28)`}},
		{"yaml mapping in context", "services:\n  web:\n    image: nginx\n     ports:\n      - \"80:80\"\n", []string{`compose.yaml:4:11: yaml syntax: mapping values are not allowed in this context`}},
		{"unknown key", "services:\n  web:\n    image: x\n    enviroment: [A=1]\n", []string{`compose.yaml:4:5: services.web.enviroment: unknown key "enviroment", did you mean "environment"?`}},
		{"cycle", "services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [c]}\n  c: {image: x, depends_on: [a]}\n", []string{"dependency cycle: a -> b -> c -> a"}},
		{"required var", "services:\n  a:\n    image: ${NOPE:?set NOPE}\n", []string{"compose.yaml:3:12: services.a.image:", "set NOPE"}},
		{"yaml syntax", "services:\n  a: [\n", []string{"compose.yaml:3:1: yaml syntax: did not find expected node content (while parsing a flow node)"}},
		{"undefined model", "services:\n  a:\n    image: x\n    models: [llm]\n", []string{`compose.yaml:4:13: services.a.models.llm: service "a" refers to undefined model "llm"`}},
		{"undefined network", "services:\n  a:\n    image: x\n    networks: [back]\n", []string{`compose.yaml:4:16: services.a.networks.back: service "a" refers to undefined network "back"`}},
		{"bad duration", "services:\n  a:\n    image: x\n    stop_grace_period: soon\n", []string{`compose.yaml:4:24: services.a.stop_grace_period: invalid duration "soon"`}},
		{"bad size", "services:\n  a:\n    image: x\n    mem_limit: lots\n", []string{`compose.yaml:4:16: services.a.mem_limit: invalid size "lots"`}},
		{"no image", "services:\n  a:\n    command: echo\n", []string{`compose.yaml:3:5: services.a: service "a" has neither an image nor a build context`}},
		{"replicas", "services:\n  a:\n    image: x\n    container_name: a\n    deploy: {replicas: 2}\n", []string{`compose.yaml:4:21: services.a.container_name: service "a" sets container_name and 2 replicas`}},
		{"cpus conflict", "services:\n  a:\n    image: x\n    cpus: 1.5\n    deploy: {resources: {limits: {cpus: '0.5'}}}\n", []string{`compose.yaml:4:11: services.a.cpus: cpus 1.5 conflicts`}},
		{"wrong type", "services:\n  a:\n    image: x\n    privileged: maybe\n    ports: '80:80'\n", []string{`services.a.privileged: must be a boolean`, `services.a.ports: must be a list`}},
		{"bad protocol short", "services:\n  a:\n    image: x\n    ports: ['8080:80/sctpx']\n", []string{`compose.yaml:4:13: services.a.ports[0]: invalid port "8080:80/sctpx": invalid protocol "sctpx"`}},
		{"bad protocol long", "services:\n  a:\n    image: x\n    ports: [{target: 80, protocol: icmp}]\n", []string{`services.a.ports[0].protocol: invalid protocol "icmp"`}},
		{"port range size", "services:\n  a:\n    image: x\n    ports: ['8000-8002:80-81']\n", []string{`services.a.ports[0]: invalid port "8000-8002:80-81"`}},
		{"mem_limit conflict", "services:\n  a:\n    image: x\n    mem_limit: 1g\n    deploy: {resources: {limits: {memory: 512m}}}\n", []string{`compose.yaml:4:16: services.a.mem_limit: mem_limit 1073741824 conflicts with deploy.resources.limits.memory 536870912`}},
		{"bad ulimit", "services:\n  a:\n    image: x\n    ulimits: {nofile: {soft: many, hard: 10}}\n", []string{`compose.yaml:4:30: services.a.ulimits.nofile.soft: invalid ulimit soft "many"`}},
		{"depends_on no condition", "services:\n  a:\n    image: x\n    depends_on: {b: {}}\n  b: {image: x}\n", []string{`compose.yaml:4:21: services.a.depends_on.b: condition is required`}},
		{"extends cycle", "services:\n  a: {image: x, extends: b}\n  b: {image: x, extends: a}\n", []string{`services.`, `.extends: extends cycle: `}},
		{"secret mode", "services:\n  a: {image: x, secrets: [{source: s, mode: \"9z\"}]}\nsecrets: {s: {file: ./s}}\n", []string{`compose.yaml:2:45: services.a.secrets[0].mode: invalid file mode "9z"`}},
		{"schema: unknown nested key", "services:\n  a:\n    image: x\n    build:\n      context: .\n      contxt: ./a\n", []string{`compose.yaml:6:7: services.a.build: additional properties 'contxt' not allowed`}},
		{"schema: nested type", "services:\n  a:\n    image: x\n    ulimits:\n      locks: [1]\n", []string{`compose.yaml:5:14: services.a.ulimits.locks: invalid ulimit "[1]"`}},
		{"schema: nested list type", "services:\n  a:\n    image: x\n    deploy:\n      placement:\n        constraints: 5\n", []string{`compose.yaml:6:22: services.a.deploy.placement.constraints: must be an array`}},
		{"schema: one per service", "services:\n  a:\n    image: x\n    healthcheck: {retries: [3]}\n  b:\n    image: x\n    logging: {driver: 1}\n", []string{`compose.yaml:4:28: services.a.healthcheck.retries: must be a number or string`, "\n", `compose.yaml:7:23: services.b.logging.driver: must be a string`}},
		{"schema: in an included file", "include: [inc.yaml]\nservices:\n  a: {image: x}\n", []string{`inc.yaml:4:13: services.b.deploy: must be a mapping or null`}},
		{"optional dependency undefined", "services:\n  a:\n    image: x\n    depends_on: {b: {condition: service_started, required: false}}\n", []string{`compose.yaml:4:21: services.a.depends_on.b: service "a" depends on undefined service "b"`}},
		{"label file missing", "services:\n  a:\n    image: x\n    label_file: ./nope.labels\n", []string{`compose.yaml:4:17: services.a.label_file[0]: label file `, `nope.labels: no such file or directory`}},
		{"several sorted", "services:\n  a:\n    imag: x\n    ports: [zz]\n", []string{"compose.yaml:3:5: services.a.imag", "\n", "compose.yaml:4:13: services.a.ports[0]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"compose.yaml": tt.yaml, "inc.yaml": "services:\n  b:\n    image: x\n    deploy: [1]\n"})
			_, err := Load(context.Background(), Options{WorkingDir: dir})
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Load(%q) = %v, want ErrInvalid", tt.yaml, err)
			}
			msg := strings.ReplaceAll(err.Error(), dir+"/", "")
			last := 0
			for _, w := range tt.want {
				i := strings.Index(msg[last:], w)
				if i < 0 {
					t.Fatalf("Load(%q) error =\n%s\nwant it to contain (in order) %q", tt.yaml, msg, w)
				}
				last += i + len(w)
			}
		})
	}
}

func TestLoadNotFound(t *testing.T) {
	_, err := Load(context.Background(), Options{WorkingDir: t.TempDir()})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Load(empty dir) = %v, want ErrNotFound", err)
	}
}

func TestGraph(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  web: {image: x, depends_on: [api, cache]}\n  api: {image: x, depends_on: [db]}\n  db: {image: x}\n  cache: {image: x}\n  tool: {image: x}\n"})
	p, err := Load(context.Background(), Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	wantLevels := [][]string{{"cache", "db", "tool"}, {"api"}, {"web"}}
	if diff := cmp.Diff(wantLevels, p.StartLevels()); diff != "" {
		t.Errorf("StartLevels() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"api", "db"}, p.Closure([]string{"api"})); diff != "" {
		t.Errorf("Closure([api]) (-want +got):\n%s", diff)
	}
}

func TestLoadInvalidProjectName(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": "services: {a: {image: x}}"})
	_, err := Load(context.Background(), Options{WorkingDir: dir, ProjectName: "Bad Name!"})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `invalid project name "Bad Name!"`) {
		t.Errorf("Load(-p %q) = %v, want an invalid project name error", "Bad Name!", err)
	}
}

func TestIncludeConflict(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"compose.yaml": "include: [other.yaml]\nservices:\n  web:\n    image: nginx\n",
		"other.yaml":   "services:\n  web:\n    image: httpd\n",
	})
	// Compose v5 merges the including file's definition over the included one.
	p, err := Load(context.Background(), Options{WorkingDir: dir})
	if err != nil || p.Services["web"].Image != "nginx" {
		t.Errorf("Load(include conflict) = %v, want the local image nginx over the imported one", err)
	}
	same := writeFiles(t, map[string]string{
		"compose.yaml": "include: [other.yaml]\nservices:\n  web:\n    image: httpd\n",
		"other.yaml":   "services:\n  web:\n    image: httpd\n",
	})
	if _, err := Load(context.Background(), Options{WorkingDir: same}); err != nil {
		t.Errorf("Load(include of an identical service) = %v, want success", err)
	}
}

// TestEnvFileMissingNamesFlagAndPath: a missing --env-file (or COMPOSE_ENV_FILES entry)
// is an error naming where it came from and the path looked at, relative to the
// working directory as in Compose.
func TestEnvFileMissingNamesFlagAndPath(t *testing.T) {
	dir := writeFiles(t, map[string]string{"sub/compose.yaml": "services: {a: {image: x}}"})
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{EnvFiles: []string{"nope.env"}}, "--env-file nope.env: couldn't find env file " + filepath.Join(dir, "nope.env")},
		{Options{Environ: map[string]string{"COMPOSE_ENV_FILES": "a.env"}}, "COMPOSE_ENV_FILES a.env: couldn't find env file " + filepath.Join(dir, "a.env")},
	} {
		tt.opts.WorkingDir, tt.opts.Files = dir, []string{"sub/compose.yaml"}
		_, err := Load(context.Background(), tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Load(%+v) = %v, want %q", tt.opts, err, tt.want)
		}
	}
}

// TestCommandShellOperatorWarns: a string command is split as Compose does, stopping
// at an unquoted shell operator; the dropped rest is warned of at the value's place.
func TestCommandShellOperatorWarns(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  a:\n    image: x\n    command: echo a && echo b\n"})
	p, err := Load(context.Background(), Options{WorkingDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]any{"echo", "a"}, p.Model["services"].(map[string]any)["a"].(map[string]any)["command"]); diff != "" {
		t.Errorf("command (-want +got):\n%s", diff)
	}
	want := filepath.Join(dir, "compose.yaml") + `:4:14: services.a.command: the command stops at the shell operator in "&& echo b"`
	if len(p.Warnings) != 1 || !strings.HasPrefix(p.Warnings[0].String(), want) {
		t.Errorf("Warnings = %v, want one starting %q", p.Warnings, want)
	}
}
