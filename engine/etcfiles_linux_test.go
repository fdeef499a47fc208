package engine

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
)

// TestEtcFilesInMemory checks the container's hosts, hostname and resolv.conf: their
// content, that the container can write to them, and that none is a file in the
// container dir (each start would make and each removal free inodes on disk).
func TestEtcFilesInMemory(t *testing.T) {
	testenv.RequiresRoot(t)
	e := newEngine(t)
	spec := Spec{ID: "c" + randSuffix(), LayerDirs: []string{busyboxLayer(t)}, Hostname: "box",
		Hosts: "127.0.0.1\tlocalhost\n", ResolvConf: "nameserver 10.9.8.7\n",
		Cmd: []string{"sh", "-c", "echo '10.1.2.3 extra' >> /etc/hosts && cat /etc/hosts /etc/hostname /etc/resolv.conf"}}
	startContainer(t, e, spec)
	es, err := e.Wait(spec.ID)
	if err != nil || es.ExitCode != 0 {
		t.Fatalf("Wait = %+v, %v, want exit 0", es, err)
	}
	var out string
	if err := e.Logs(spec.ID, LogOptions{}, func(le LogEntry) error { out += le.Log; return nil }); err != nil {
		t.Fatal(err)
	}
	want := "127.0.0.1\tlocalhost\n10.1.2.3 extra\nbox\nnameserver 10.9.8.7\n"
	if out != want {
		t.Errorf("the container's /etc files = %q, want %q", out, want)
	}
	dir, _ := e.dir(spec.ID)
	for _, f := range []string{"hosts", "hostname", "resolv.conf"} {
		if _, err := os.Lstat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s is a file in the container dir", f)
		}
	}
}
