package main

import (
	"archive/tar"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The housekeeping commands against the shapes of Docker's own (docker 28: volume,
// network, image, system and builder commands): table headers, the keys of
// --format json lines, the prune reports and exit codes.

// jsonKeys decodes JSON lines and returns the sorted keys of each.
func jsonKeys(t *testing.T, out string) [][]string {
	t.Helper()
	var all [][]string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q is no JSON object: %v", line, err)
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		all = append(all, keys)
	}
	return all
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

const housekeepingCompose = `services:
  app:
    image: bte-busybox
    command: ["sleep", "300"]
    volumes: [data:/data, /anon]
volumes:
  data: {}
`

// TestE2EVolumeNetworkHousekeeping: volume and network commands; nothing a container
// uses, running or stopped, is removed; prune takes the leftovers only.
func TestE2EVolumeNetworkHousekeeping(t *testing.T) {
	e := newE2E(t).withPools("10.242.0.0/16")
	if _, errs, err := e.berth("volumes-typo"); exitCode(err) != 16 || errs != "berth: unknown berth command: \"volumes-typo\"\n" {
		t.Errorf("berth volumes-typo: exit %d, stderr %q; want Compose's exit 16 and unknown command", exitCode(err), errs)
	}
	file := writeCompose(t, housekeepingCompose)
	e.mustBerth("-f", file, "up", "-d")
	data := e.project + "_data"

	out := e.mustBerth("volume", "ls")
	if firstLine(out) != "DRIVER    VOLUME NAME" || !strings.Contains(out, "\nlocal     "+data+"\n") {
		t.Errorf("volume ls =\n%s\nwant Docker's table with %s", out, data)
	}
	wantVolKeys := []string{"Availability", "Driver", "Group", "Labels", "Links", "Mountpoint", "Name", "Scope", "Size", "Status"}
	for _, keys := range jsonKeys(t, e.mustBerth("volume", "ls", "--format", "json")) {
		if !slices.Equal(keys, wantVolKeys) {
			t.Errorf("volume ls --format json keys = %v, want %v", keys, wantVolKeys)
		}
	}
	var inspected []map[string]any
	if err := json.Unmarshal([]byte(e.mustBerth("volume", "inspect", data)), &inspected); err != nil || len(inspected) != 1 {
		t.Fatalf("volume inspect = %v, %v", inspected, err)
	}
	if l, _ := inspected[0]["Labels"].(map[string]any); l["com.docker.compose.project"] != e.project || inspected[0]["Driver"] != "local" {
		t.Errorf("volume inspect = %v, want Compose's labels and driver local", inspected[0])
	}
	if _, errs, err := e.berth("volume", "inspect", "nope"+e.project); exitCode(err) != 1 || !strings.Contains(errs, "no such volume") {
		t.Errorf("volume inspect of a missing volume: exit %d, %q; want 1 and no such volume", exitCode(err), errs)
	}

	// Leftovers: an anonymous volume and a named one no container uses.
	anon := strings.Repeat("ab", 32)
	for _, v := range []string{anon, "leftover" + e.project} {
		if err := os.MkdirAll(filepath.Join(e.root, "volumes", v, "_data"), 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(e.root, "volumes", v, "_data", "f"), []byte("12345"), 0o644)
	}
	for _, stopped := range []bool{false, true} {
		if stopped {
			e.mustBerth("-f", file, "stop", "-t", "0")
		}
		if _, errs, err := e.berth("volume", "rm", data); exitCode(err) != 1 || !strings.Contains(errs, "volume is in use - ["+e.project+"-app-1]") {
			t.Errorf("volume rm of a used volume (stopped %v): exit %d, %q; want 1 and in use", stopped, exitCode(err), errs)
		}
		if _, errs, err := e.berth("network", "rm", e.project+"_default"); exitCode(err) != 1 || !strings.Contains(errs, "is in use") {
			t.Errorf("network rm of a used network (stopped %v): exit %d, %q; want 1 and in use", stopped, exitCode(err), errs)
		}
	}
	if out := e.mustBerth("volume", "ls", "-q", "--filter", "dangling=false"); !strings.Contains(out, data+"\n") ||
		strings.Contains(out, "leftover") || strings.Contains(out, anon) || strings.Count(out, "\n") != 2 {
		t.Errorf("volume ls -q --filter dangling=false = %q, want the container's two volumes only", out)
	}
	if out := e.mustBerth("volume", "ls", "-q", "--filter", "name=leftover", "--filter", "dangling=true"); out != "leftover"+e.project+"\n" {
		t.Errorf("volume ls -q --filter name=leftover --filter dangling=true = %q", out)
	}
	if _, errs, err := e.berth("volume", "ls", "--filter", "bogus=1"); exitCode(err) != 1 || !strings.Contains(errs, "invalid filter") {
		t.Errorf("volume ls --filter bogus=1: exit %d, %q; want 1 and invalid filter", exitCode(err), errs)
	}
	if out := e.mustBerth("volume", "prune", "-af", "--filter", "label=nothing-has-it"); out != "Total reclaimed space: 0B\n" {
		t.Errorf("volume prune -af with a label no volume has = %q, want nothing removed", out)
	}
	cmd := e.command("volume", "prune") // no -f: asks, and end of input is "no"
	cmd.Stdin = strings.NewReader("")
	if b, err := cmd.Output(); exitCode(err) != 1 || !strings.HasSuffix(string(b), "Are you sure you want to continue? [y/N] ") {
		t.Errorf("volume prune without -f: exit %d, %q; want Docker's question and exit 1", exitCode(err), b)
	}
	if out := e.mustBerth("volume", "prune", "-f"); out != "Deleted Volumes:\n"+anon+"\n\nTotal reclaimed space: 5B\n" {
		t.Errorf("volume prune -f =\n%q\nwant only the anonymous leftover", out)
	}
	if out := e.mustBerth("volume", "prune", "-f", "--all"); out != "Deleted Volumes:\nleftover"+e.project+"\n\nTotal reclaimed space: 5B\n" {
		t.Errorf("volume prune -f --all =\n%q\nwant only the named leftover (the stopped container's volumes stay)", out)
	}
	if out := e.mustBerth("network", "prune", "-f"); out != "" {
		t.Errorf("network prune -f = %q, want nothing removed (the project's network)", out)
	}

	out = e.mustBerth("network", "ls")
	if firstLine(out) != "NETWORK ID     NAME"+strings.Repeat(" ", len(e.project+"_default")-1)+"DRIVER    SCOPE" ||
		!strings.Contains(out, e.project+"_default   bridge    local\n") {
		t.Errorf("network ls =\n%s\nwant Docker's table", out)
	}
	wantNetKeys := []string{"CreatedAt", "Driver", "ID", "IPv4", "IPv6", "Internal", "Labels", "Name", "Scope"}
	for _, keys := range jsonKeys(t, e.mustBerth("network", "ls", "--format", "json")) {
		if !slices.Equal(keys, wantNetKeys) {
			t.Errorf("network ls --format json keys = %v, want %v", keys, wantNetKeys)
		}
	}
	var nets []map[string]any
	if err := json.Unmarshal([]byte(e.mustBerth("network", "inspect", e.project+"_default")), &nets); err != nil || len(nets) != 1 {
		t.Fatalf("network inspect = %v, %v", nets, err)
	}
	for _, k := range []string{"Name", "Id", "Scope", "Driver", "IPAM", "Internal", "Containers", "Options", "Labels"} {
		if _, ok := nets[0][k]; !ok {
			t.Errorf("network inspect lacks Docker's key %s: %v", k, nets[0])
		}
	}
	e.mustBerth("-f", file, "down", "-v", "-t", "0")
	if out := e.mustBerth("volume", "ls", "-q"); out != "" {
		t.Errorf("volume ls -q after down -v = %q, want none", out)
	}
}

// TestE2EImageSystemHousekeeping: image tag, history and prune, system df (a layer
// shared by images counted once), system prune and builder prune.
func TestE2EImageSystemHousekeeping(t *testing.T) {
	e := newE2E(t).withPools("10.245.0.0/16")
	e.mustBerth("image", "tag", "bte-busybox", "bte-other:1")
	if out := e.mustBerth("image", "ls"); !strings.Contains(out, "bte-other ") {
		t.Errorf("image ls after tag =\n%s\nwant bte-other", out)
	}
	if _, _, err := e.berth("image", "tag", "nope-"+e.project, "x:1"); exitCode(err) != 1 {
		t.Errorf("image tag of a missing image: exit %d, want 1", exitCode(err))
	}
	out := e.mustBerth("image", "history", "bte-busybox")
	if !strings.HasPrefix(out, "IMAGE          CREATED ") || !strings.Contains(out, "CREATED BY") || !strings.Contains(out, "berth image import") {
		t.Errorf("image history =\n%s\nwant Docker's table", out)
	}
	wantHist := []string{"Comment", "CreatedAt", "CreatedBy", "CreatedSince", "ID", "Size"}
	for _, keys := range jsonKeys(t, e.mustBerth("image", "history", "--format", "json", "bte-busybox")) {
		if !slices.Equal(keys, wantHist) {
			t.Errorf("image history --format json keys = %v, want %v", keys, wantHist)
		}
	}

	size := func() string {
		for _, l := range strings.Split(e.mustBerth("system", "df", "--format", "json"), "\n") {
			var r map[string]string
			if json.Unmarshal([]byte(l), &r) == nil && r["Type"] == "Images" {
				return r["Size"] + " " + r["TotalCount"]
			}
		}
		return ""
	}
	before := size()
	// A second image over the same layer (another config) adds no layer bytes.
	rootfs := filepath.Join(t.TempDir(), "rootfs.tar")
	writeTar(t, rootfs, map[string]string{"hello": strings.Repeat("hi\n", 100000)})
	e.mustBerth("image", "import", rootfs, "bte-a:1")
	e.mustBerth("image", "import", rootfs, "bte-b:1")
	e.mustBerth("image", "import", rootfs)
	after := size()
	bs, _, _ := strings.Cut(before, " ")
	as, count, _ := strings.Cut(after, " ")
	if count != "4" || as == bs {
		t.Errorf("system df Images before %q after %q: want 4 images and a bigger size", before, after)
	}
	e.mustBerth("image", "rm", "bte-b:1")
	if only := size(); only != after[:len(as)]+" 3" {
		t.Errorf("system df Images with one image less over the same layer = %q, want %q (the shared layer counted once)", only, as+" 3")
	}
	out = e.mustBerth("system", "df", "-v")
	for _, want := range []string{"Images space usage:\n\nREPOSITORY ", "SHARED SIZE   UNIQUE SIZE   CONTAINERS\n",
		"\n\nContainers space usage:\n\nCONTAINER ID   IMAGE ", "\n\nLocal Volumes space usage:\n\nVOLUME NAME   LINKS     SIZE\n",
		"\n\nBuild cache usage: 0B\n\nCACHE ID   CACHE TYPE   SIZE "} {
		if !strings.Contains(out, want) {
			t.Errorf("system df -v lacks %q:\n%s", want, out)
		}
	}
	var detail struct{ Images []map[string]string }
	if err := json.Unmarshal([]byte(e.mustBerth("system", "df", "-v", "--format", "json")), &detail); err != nil {
		t.Fatalf("system df -v --format json: %v", err)
	}
	for _, im := range detail.Images {
		if im["Repository"] == "bte-a" && (im["SharedSize"] != im["Size"] || im["UniqueSize"] != "0B") {
			t.Errorf("system df -v: bte-a = %v, want all of it shared with the untagged image over the same layer", im)
		}
	}
	out = e.mustBerth("system", "df")
	if firstLine(out) != "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE" {
		t.Errorf("system df =\n%s\nwant Docker's table", out)
	}
	for _, keys := range jsonKeys(t, e.mustBerth("system", "df", "--format", "json")) {
		if want := []string{"Active", "Reclaimable", "Size", "TotalCount", "Type"}; !slices.Equal(keys, want) {
			t.Errorf("system df --format json keys = %v, want %v", keys, want)
		}
	}

	file := writeCompose(t, "services:\n  app:\n    image: bte-other:1\n    command: [\"true\"]\n")
	e.mustBerth("-f", file, "up", "-d")
	out = e.mustBerth("image", "prune", "-f")
	if !strings.HasPrefix(out, "Deleted Images:\ndeleted: sha256:") || strings.Contains(out, "untagged") || !strings.Contains(out, "\n\nTotal reclaimed space: ") {
		t.Errorf("image prune -f =\n%s\nwant the dangling image only, Docker's report", out)
	}
	exited := eventually(10*time.Second, func() bool {
		list := e.psList(file)
		return len(list) == 1 && list[0]["State"] == "exited"
	})
	if !exited {
		t.Fatalf("app did not exit: %v", e.psList(file))
	}
	if out := e.mustBerth("image", "prune", "-a", "-f", "--filter", "until=100h"); out != "Total reclaimed space: 0B\n" {
		t.Errorf("image prune -a --filter until=100h = %q, want nothing (every image is younger)", out)
	}
	out = e.mustBerth("image", "prune", "-a", "-f")
	if !strings.Contains(out, "untagged: bte-a:1\n") || strings.Contains(out, "bte-busybox") || strings.Contains(out, "bte-other") {
		t.Errorf("image prune -a -f =\n%s\nwant bte-a removed and the image of the exited container kept", out)
	}
	out = e.mustBerth("system", "prune", "-f")
	if !strings.HasPrefix(out, "Deleted Containers:\n"+e.project+"-app-1\n\n") || !strings.HasSuffix(out, "Total reclaimed space: 0B\n") {
		t.Errorf("system prune -f =\n%s\nwant the exited container removed", out)
	}
	if list := e.psList(file); len(list) != 0 {
		t.Errorf("ps -a after system prune = %v, want none", list)
	}
	if out := e.mustBerth("builder", "prune", "-f"); out != "Total reclaimed space: 0B\n" {
		t.Errorf("builder prune -f = %q, want Docker's empty report", out)
	}
	anon := strings.Repeat("cd", 32)
	if err := os.MkdirAll(filepath.Join(e.root, "volumes", anon, "_data"), 0o755); err != nil {
		t.Fatal(err)
	}
	out = e.mustBerth("system", "prune", "-a", "-f", "--volumes")
	if !strings.Contains(out, "untagged: bte-busybox:latest\n") || !strings.Contains(out, "untagged: bte-other:1\n") ||
		!strings.Contains(out, "Deleted Volumes:\n"+anon+"\n\n") {
		t.Errorf("system prune -a -f --volumes =\n%s\nwant the images no container uses any more and the anonymous volume", out)
	}
	if out := e.mustBerth("image", "ls", "--format", "json"); out != "" {
		t.Errorf("image ls after system prune -a = %q, want none", out)
	}
	e.mustBerth("-f", file, "down")
}

func writeTar(t *testing.T, path string, files map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for name, content := range files {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content))})
		tw.Write([]byte(content))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestE2EImageSaveLoad: an image saved (docker-archive to a file, OCI to stdout),
// removed and loaded back runs as before.
func TestE2EImageSaveLoad(t *testing.T) {
	e := newE2E(t).withPools("10.248.0.0/16")
	dir := t.TempDir()
	archive := filepath.Join(dir, "bb.tar")
	if out := e.mustBerth("image", "save", "-o", archive, "bte-busybox"); out != "" {
		t.Errorf("image save -o printed %q", out)
	}
	oci := e.mustBerth("image", "save", "--format", "oci", "bte-busybox")
	if err := os.WriteFile(filepath.Join(dir, "oci.tar"), []byte(oci), 0o644); err != nil {
		t.Fatal(err)
	}
	file := writeCompose(t, "services:\n  app:\n    image: bte-busybox\n")
	for _, a := range []string{archive, filepath.Join(dir, "oci.tar")} {
		e.mustBerth("image", "rm", "bte-busybox")
		if out := e.mustBerth("image", "load", "-i", a); out != "Loaded image: bte-busybox:latest\n" {
			t.Errorf("image load -i %s = %q, want Docker's line", filepath.Base(a), out)
		}
		if out := e.mustBerth("-f", file, "run", "--rm", "app", "cat", "/etc/passwd"); !strings.HasPrefix(out, "root:x:0:0") {
			t.Errorf("run on the loaded image = %q", out)
		}
	}
	if _, errs, err := e.berth("image", "save", "-o", archive, "nope-"+e.project); exitCode(err) != 1 || errs == "" {
		t.Errorf("image save of a missing image: exit %d, %q; want 1 and an error", exitCode(err), errs)
	}

	// image rm: refused while a container uses the image, -f refused while it runs;
	// forced over a stopped container, whose layers stay so it starts again.
	e.mustBerth("-f", file, "down")
	file = writeCompose(t, "services:\n  app:\n    image: bte-busybox\n    command: [\"sleep\", \"300\"]\n")
	e.mustBerth("-f", file, "up", "-d")
	if _, errs, err := e.berth("image", "rm", "bte-busybox"); exitCode(err) != 1 || !strings.Contains(errs, "(must force) - container "+e.project+"-app-1 is using") {
		t.Errorf("image rm of a used image: exit %d, %q; want 1, must force", exitCode(err), errs)
	}
	if _, errs, err := e.berth("image", "rm", "-f", "bte-busybox"); exitCode(err) != 1 || !strings.Contains(errs, "cannot be forced") {
		t.Errorf("image rm -f of a running container's image: exit %d, %q; want 1, cannot be forced", exitCode(err), errs)
	}
	e.mustBerth("-f", file, "stop", "-t", "0")
	if out := e.mustBerth("image", "rm", "-f", "bte-busybox"); !strings.HasPrefix(out, "Untagged: bte-busybox:latest\nDeleted: sha256:") {
		t.Errorf("image rm -f = %q, want Docker's Untagged and Deleted lines", out)
	}
	e.mustBerth("-f", file, "start")
	if list := e.psList(file); len(list) != 1 || list[0]["State"] != "running" {
		t.Errorf("after a forced image rm the stopped container did not start again: %v", list)
	}
	e.mustBerth("-f", file, "down", "-t", "0")
}

// TestE2EBuilderPrune: the build cache in system df, builder prune removing the
// dangling entries (a stage the image does not contain) then, with --all, the rest,
// and a build afterwards running its steps again.
func TestE2EBuilderPrune(t *testing.T) {
	e := newE2E(t)
	dir := t.TempDir()
	files := map[string]string{
		"Dockerfile":   "FROM bte-busybox AS stage\nCOPY msg.txt /msg.txt\nFROM bte-busybox\nCOPY --from=stage /msg.txt /final.txt\n",
		"msg.txt":      "hello",
		"compose.yaml": "services:\n  app:\n    image: bte-pruned:1\n    build: .\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "compose.yaml")
	e.mustBerth("-f", file, "build")
	cache := func() map[string]string {
		for _, l := range strings.Split(e.mustBerth("system", "df", "--format", "json"), "\n") {
			var r map[string]string
			if json.Unmarshal([]byte(l), &r) == nil && r["Type"] == "Build Cache" {
				return r
			}
		}
		return nil
	}
	if c := cache(); c["TotalCount"] != "2" || c["Size"] == "0B" {
		t.Errorf("system df Build Cache after a build = %v, want 2 entries and the stage's layer", c)
	}
	out := e.mustBerth("builder", "prune", "-f")
	if !strings.HasPrefix(out, "Deleted build cache objects:\nsha256:") || strings.Count(out, "sha256:") != 1 ||
		strings.HasSuffix(out, "Total reclaimed space: 0B\n") {
		t.Errorf("builder prune -f =\n%s\nwant the stage's entry removed and its bytes reclaimed", out)
	}
	if c := cache(); c["TotalCount"] != "1" || c["Size"] != "0B" {
		t.Errorf("system df Build Cache after builder prune = %v, want the image's entry (its layer counted with the images)", c)
	}
	if out := e.mustBerth("builder", "prune", "-af"); strings.Count(out, "sha256:") != 1 {
		t.Errorf("builder prune -af =\n%s\nwant the last entry removed", out)
	}
	if _, errs, err := e.berth("-f", file, "build"); err != nil || strings.Contains(errs, "CACHED") {
		t.Errorf("build after builder prune -a: %v, want every step run again:\n%s", err, errs)
	}
	if out := e.mustBerth("image", "ls"); !strings.Contains(out, "bte-pruned ") {
		t.Errorf("image ls after builder prune =\n%s\nwant the built image kept", out)
	}
}
