package shimproto

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestHeaderFresh fails while engine/shim/protocol.h is not what the tables render.
func TestHeaderFresh(t *testing.T) {
	got, err := os.ReadFile(HeaderFile)
	if err != nil {
		t.Fatalf("read the shim's header: %v", err)
	}
	if want := Header(); !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run go generate ./engine/shimproto (then make shim)", HeaderFile)
	}
}

// TestTables: every name is unique and fits the wire (a key has no '=' or NUL, a class
// or report is one word), and every constant of a protocol type is in its table.
func TestTables(t *testing.T) {
	word := regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	seen := map[string]string{}
	unique := func(kind, name string) {
		t.Helper()
		if !word.MatchString(name) {
			t.Errorf("%s %q: want a lower-case word", kind, name)
		}
		if other, ok := seen[kind+" "+name]; ok {
			t.Errorf("%s %q is in the table twice (%s)", kind, name, other)
		}
		seen[kind+" "+name] = kind
	}
	for _, k := range Keys {
		unique("Key", string(k.Key))
		if k.Doc == "" {
			t.Errorf("key %q has no doc", k.Key)
		}
	}
	for _, c := range Classes {
		unique("Class", string(c.Class))
	}
	for _, r := range Reports {
		unique("Report", string(r))
	}
	names := map[string]bool{}
	for _, v := range Values {
		if names[v.Name] || strings.ContainsAny(string(v.Value), "\x00=") {
			t.Errorf("value %s %q: a name twice, or a NUL or '=' in it", v.Name, v.Value)
		}
		names[v.Name] = true
		seen["Value "+string(v.Value)] = "Value"
	}
	if Keys[0].Key != Proto {
		t.Errorf("Keys[0] = %q, want %q: the version is the first record", Keys[0].Key, Proto)
	}
	for typ, values := range constants(t) {
		for _, v := range values {
			if _, ok := seen[typ+" "+v]; !ok {
				t.Errorf("%s constant %q is missing from its table", typ, v)
			}
		}
	}
}

// constants returns, per protocol type, the values of its constants in shimproto.go.
func constants(t *testing.T) map[string][]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "shimproto.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			typ, ok := vs.Type.(*ast.Ident)
			if !ok {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					out[typ.Name] = append(out[typ.Name], strings.Trim(lit.Value, `"`))
				}
			}
		}
	}
	if len(out["Key"]) != len(Keys) || len(out["Class"]) != len(Classes) {
		t.Errorf("found %d Key and %d Class constants, tables hold %d and %d", len(out["Key"]), len(out["Class"]), len(Keys), len(Classes))
	}
	return out
}

// fingerprints pins each protocol version to its tables' names (fingerprint): a change
// of a key, value, report, class or the mark without a new Version fails
// TestVersionBumped.
var fingerprints = map[int]string{
	1: "f6bdd728807b822c",
	2: "f1d23c412f17fcdb", // oomscoreadj, nolog
	3: "3a054fb98997a543", // pidns
	4: "7a522ad55ace8b55", // logfwd, logaddr, logsyslog, logfield
}

// TestVersionBumped: the tables of Version are the ones recorded for it; a change
// needs a new Version (and its fingerprint here), so that a berth and a shim of
// different tables refuse each other instead of misreading each other.
func TestVersionBumped(t *testing.T) {
	got := fingerprint()
	if want, ok := fingerprints[Version]; !ok || got != want {
		t.Errorf("the protocol's tables are not those of version %d (fingerprint %s, recorded %q): set Version to %d and record fingerprints[%d] = %q",
			Version, got, want, Version+1, Version+1, got)
	}
}

// fingerprint hashes the names of the tables, in order (not their docs).
func fingerprint() string {
	h := sha256.New()
	fmt.Fprintln(h, Mark)
	for _, k := range Keys {
		fmt.Fprintln(h, "key", k.Key, k.Repeated)
	}
	for _, v := range Values {
		fmt.Fprintln(h, "value", v.Name, v.Value)
	}
	for _, r := range Reports {
		fmt.Fprintln(h, "report", r)
	}
	for _, c := range Classes {
		fmt.Fprintln(h, "class", c.Class)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
