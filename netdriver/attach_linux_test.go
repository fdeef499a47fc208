package netdriver

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/vishvananda/netlink"
)

// TestConcurrentAttach makes namespaces and attaches them to one network all at once (as
// `up` does for the services of one level): each gets its own address, eth0, and reaches
// the gateway, and the state records every one. Then it deletes them all at once (as
// `down` does): no namespace file, record or endpoint is left.
func TestConcurrentAttach(t *testing.T) {
	d := newTestDriver(t)
	ctx := context.Background()
	suffix := randHex(t, 3)
	n, err := d.CreateNetwork(ctx, "btn-c-"+suffix, NetworkOptions{})
	if err != nil {
		t.Fatalf("CreateNetwork() = %v", err)
	}
	const count = 8
	eps := make([]*Endpoint, count)
	paths := make([]string, count)
	var wg sync.WaitGroup
	for i := range count {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path, err := d.CreateNetns(fmt.Sprintf("btnc%d%s", i, suffix))
			if err != nil {
				t.Errorf("CreateNetns(%d) = %v", i, err)
				return
			}
			paths[i] = path
			if eps[i], err = d.Attach(ctx, path, n.Name, AttachOptions{}); err != nil {
				t.Errorf("Attach(%d) = %v", i, err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	seen := map[string]int{}
	for i, ep := range eps {
		if j, ok := seen[ep.Address.String()]; ok {
			t.Errorf("endpoints %d and %d both have %s", j, i, ep.Address)
		}
		seen[ep.Address.String()] = i
		if ep.IfName != "eth0" {
			t.Errorf("endpoint %d is %s, want eth0", i, ep.IfName)
		}
		out, err := exec.Command("nsenter", "--net="+paths[i], "/bin/busybox", "ping", "-c1", "-W2", n.Gateway.String()).CombinedOutput()
		if err != nil {
			t.Errorf("ping the gateway from %d: %v\n%s", i, err, out)
		}
	}
	_ = d.withState(false, func(st *state) error {
		if got := len(st.Networks[n.Name].Endpoints); got != count {
			t.Errorf("state records %d endpoints, want %d", got, count)
		}
		return nil
	})
	for i := range count {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.DeleteNetns(fmt.Sprintf("btnc%d%s", i, suffix)); err != nil {
				t.Errorf("DeleteNetns(%d) = %v", i, err)
			}
		}()
	}
	wg.Wait()
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("netns %s left", p)
		}
	}
	_ = d.withState(false, func(st *state) error {
		if eps, left := st.Networks[n.Name].Endpoints, len(st.Netns); len(eps) != 0 || left != 0 {
			t.Errorf("state records %d endpoints and %d namespaces after DeleteNetns, want none", len(eps), left)
		}
		return nil
	})
}

// TestFailedAttachReleases attaches a path that is no namespace: the error comes back and
// neither the endpoint's record nor its host veth is left.
func TestFailedAttachReleases(t *testing.T) {
	d := newTestDriver(t)
	ctx := context.Background()
	n, err := d.CreateNetwork(ctx, "btn-f-"+randHex(t, 3), NetworkOptions{})
	if err != nil {
		t.Fatalf("CreateNetwork() = %v", err)
	}
	notNs := filepath.Join(t.TempDir(), "plain")
	if err := os.WriteFile(notNs, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if ep, err := d.Attach(ctx, notNs, n.Name, AttachOptions{}); err == nil {
		t.Fatalf("Attach(plain file) = %+v, want an error", ep)
	}
	_ = d.withState(false, func(st *state) error {
		if ep, ok := st.Networks[n.Name].Endpoints[notNs]; ok {
			t.Errorf("state still records %+v", ep)
		}
		return nil
	})
	host := shortName(d.opts.NamePrefix, 'v', EndpointKey(n.Name, notNs), 0)
	if _, err := netlink.LinkByName(host); err == nil {
		t.Errorf("host veth %s left", host)
	}
}
