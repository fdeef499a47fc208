package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Names on networks, as Docker's embedded DNS answers them: a container resolves the
// names of the networks it is on, each to the target's address on a network they
// share; aliases are names of their own network only; links are the linking
// container's own names; containers of another project on a shared external network
// resolve by name both ways.

// nslookup runs busybox nslookup of name in a container of service (-p project, -f
// file) and returns the addresses it answered, or ok false when it did not resolve.
func (e *e2e) nslookup(project, file, service, name string) (addrs []string, ok bool) {
	e.t.Helper()
	out, errs, err := e.berth("-p", project, "-f", file, "exec", "-T", service, "nslookup", name)
	if err != nil {
		e.t.Logf("exec nslookup %s in %s: %v\n%s%s", name, service, err, out, errs) // NXDOMAIN exits 1 too
		return nil, false
	}
	_, answer, found := strings.Cut(out, "Name:")
	if !found {
		return nil, false
	}
	for _, l := range strings.Split(answer, "\n") {
		if a, ok := strings.CutPrefix(strings.TrimSpace(l), "Address:"); ok {
			addrs = append(addrs, strings.TrimSpace(a))
		}
	}
	return addrs, len(addrs) > 0
}

// addressOf is the address berth recorded for container on the network of that full
// name, in project's state.
func (e *e2e) addressOf(project, container, network string) string {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.root, "projects", project, "state.json"))
	if err != nil {
		e.t.Fatal(err)
	}
	var st struct {
		Containers []struct {
			Name      string            `json:"name"`
			Addresses map[string]string `json:"addresses"`
		} `json:"containers"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		e.t.Fatal(err)
	}
	for _, c := range st.Containers {
		if c.Name == container && c.Addresses[network] != "" {
			return c.Addresses[network]
		}
	}
	e.t.Fatalf("no address of %s on %s in %s's state", container, network, project)
	return ""
}

// lookupCase is one lookup from a service: want is the one address it answers, ""
// when the name must not resolve.
type lookupCase struct {
	from, name, want string
}

func (e *e2e) checkLookups(project, file string, cases []lookupCase) {
	e.t.Helper()
	for _, c := range cases {
		got, ok := e.nslookup(project, file, c.from, c.name)
		switch {
		case c.want == "" && ok:
			e.t.Errorf("nslookup %s in %s = %v, want no answer", c.name, c.from, got)
		case c.want != "" && (len(got) != 1 || got[0] != c.want):
			e.t.Errorf("nslookup %s in %s = %v (resolved %v), want %s", c.name, c.from, got, ok, c.want)
		}
	}
}

const sleeper = `
    image: bte-busybox
    command: ["sleep", "3600"]
    stop_signal: SIGKILL`

// Aliases stay on their network; a name answers the target's address on the network
// the querier shares with it, also when the querier's first network (the one its
// resolv.conf names) is not that one.
func TestE2ENetnamesAliasesPerNetwork(t *testing.T) {
	e := newE2E(t)
	file := writeCompose(t, `services:
  target:`+sleeper+`
    networks:
      b: {aliases: [alias-b]}
      c: {aliases: [alias-c]}
  qa:`+sleeper+`
    networks: [a]
  qb:`+sleeper+`
    networks: [b]
  qac:`+sleeper+`
    networks: [a, c]
networks: {a: {}, b: {}, c: {}}
`)
	e.mustBerth("-f", file, "up", "-d")
	target := e.project + "-target-1"
	onB, onC := e.addressOf(e.project, target, e.project+"_b"), e.addressOf(e.project, target, e.project+"_c")
	e.checkLookups(e.project, file, []lookupCase{
		{"qb", "target", onB}, {"qb", target, onB}, {"qb", "alias-b", onB},
		{"qb", "alias-c", ""},
		{"qa", "target", ""}, {"qa", "alias-b", ""}, {"qa", "alias-c", ""},
		// qac asks a's listener: the names of c, its other network, answer too.
		{"qac", "target", onC}, {"qac", "alias-c", onC}, {"qac", "target." + e.project + "_c", onC},
		{"qac", "alias-b", ""}, {"qac", "target." + e.project + "_b", ""},
	})
	e.mustBerth("-f", file, "down", "-t", "1")
}

// links: [db, db:database] and external_links: [container:alias] are the linking
// container's own names for their targets: a container of a service, and one made by
// run.
func TestE2ENetnamesLinks(t *testing.T) {
	e := newE2E(t)
	solo := e.project + "-solo"
	file := writeCompose(t, fmt.Sprintf(`services:
  db:`+sleeper+`
  web:`+sleeper+`
    links: [db, "db:database"]
    external_links: ["%s:ext"]
  other:`+sleeper+`
`, solo))
	_, errs, err := e.berth("-f", file, "up", "-d")
	if err != nil {
		t.Fatalf("up: %v\n%s", err, errs)
	}
	if strings.Contains(errs, "links") {
		t.Errorf("up warned of links: %s", errs)
	}
	e.mustBerth("-f", file, "run", "-d", "--no-deps", "--name", solo, "other", "sleep", "3600")
	net := e.project + "_default"
	db, soloAddr := e.addressOf(e.project, e.project+"-db-1", net), e.addressOf(e.project, solo, net)
	e.checkLookups(e.project, file, []lookupCase{
		{"web", "db", db}, {"web", "database", db}, {"web", "ext", soloAddr},
		{"other", "database", ""}, {"other", "ext", ""}, {"db", "database", ""},
	})
	e.mustBerth("-f", file, "down", "-t", "1")
}

// A network one project made and another uses as external: the containers of both
// resolve each other by service name, container name, alias and external link,
// through the listener of either network they are on; a container of the other project on no
// shared network stays unknown; after the other project goes down, its names go.
func TestE2ENetnamesExternalNetwork(t *testing.T) {
	e := newE2E(t)
	shared := e.project + "-shared"
	owner := writeCompose(t, fmt.Sprintf(`services:
  api:`+sleeper+`
    networks:
      shared: {aliases: [api-alias]}
networks:
  shared: {name: %s}
`, shared))
	other := "bte" + randHex(8)
	user := writeCompose(t, fmt.Sprintf(`services:
  client:`+sleeper+`
    networks: [shared]
    external_links: ["%s-api-1:theirs"]
  both:`+sleeper+`
    networks: [default, shared]
  hidden:`+sleeper+`
networks:
  shared: {external: true, name: %s}
`, e.project, shared))
	e.mustBerth("-f", owner, "up", "-d")
	t.Cleanup(func() { e.berth("-p", other, "-f", user, "down", "-t", "1") }) // before the owner's
	if out, errs, err := e.berth("-p", other, "-f", user, "up", "-d"); err != nil {
		t.Fatalf("up of the project using %s: %v\n%s%s", shared, err, out, errs)
	}
	api := e.addressOf(e.project, e.project+"-api-1", shared)
	client := e.addressOf(other, other+"-client-1", shared)
	both := e.addressOf(other, other+"-both-1", shared)
	e.checkLookups(other, user, []lookupCase{
		// client asks the owner's listener on shared.
		{"client", "api", api}, {"client", e.project + "-api-1", api}, {"client", "api-alias", api},
		{"client", "theirs", api}, {"both", "theirs", ""}, // external_links to the other project's container
		{"client", "api." + e.project, api}, {"client", "api." + other, ""}, // berth's name.<project>
		// both asks its own project's listener on other_default: shared's names too.
		{"both", "api", api}, {"both", "api-alias", api},
		{"hidden", "api", ""},
	})
	e.checkLookups(e.project, owner, []lookupCase{
		{"api", "client", client}, {"api", other + "-client-1", client}, {"api", "both", both},
		{"api", "hidden", ""},
	})
	e.mustBerth("-p", other, "-f", user, "down", "-t", "1")
	e.checkLookups(e.project, owner, []lookupCase{{"api", "client", ""}, {"api", "both", ""}})
	e.mustBerth("-f", owner, "down", "-t", "1")
}
