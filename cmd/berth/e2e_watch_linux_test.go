package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/berth-dev/berth/engine/image"
)

// watchProject is a project whose service app has one develop.watch rule per action.
const watchProject = `services:
  app:
    build: ./app
    command: ["sh", "-c", "echo started $$(cat /version.txt); exec sleep 3600"]
    stop_signal: SIGKILL # sleep as PID 1 ignores SIGTERM: no 10 s grace on each restart
    develop:
      watch:
        - {action: sync, path: ./src, target: /data/src, ignore: ["*.tmp"], initial_sync: true}
        - {action: sync+restart, path: ./conf, target: /data/conf}
        - action: sync+exec
          path: ./hook
          target: /data/hook
          exec: {command: ["sh", "-c", "cat /data/hook/h > /data/hook-ran"]}
        - {action: restart, path: ./restart.txt}
        - {action: rebuild, path: ./app}
`

// writeTree writes files (slash paths relative to dir) and returns dir.
func writeTree(t testing.TB, dir string, files map[string]string) string {
	t.Helper()
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

func watchTree(t testing.TB) string {
	return writeTree(t, t.TempDir(), map[string]string{
		"compose.yaml":    watchProject,
		"app/Dockerfile":  "FROM bte-busybox\nCOPY version.txt /version.txt\n",
		"app/version.txt": "v1",
		"src/pre.txt":     "before watch",
		"src/deep/.keep":  "",
		"conf/c.txt":      "c1",
		"hook/.keep":      "",
		"restart.txt":     "0",
	})
}

// catApp is the content of path in service app's container ("" when missing).
func (e *e2e) catApp(file, path string) string {
	out, _, err := e.berth("-f", file, "exec", "-T", "app", "cat", path)
	if err != nil {
		return ""
	}
	return out
}

// appStarts counts the lines of app's log that contain s.
func (e *e2e) appStarts(file, s string) int {
	out, _, _ := e.berth("-f", file, "logs", "--no-log-prefix", "app")
	return strings.Count(out, s)
}

func TestE2EWatch(t *testing.T) {
	e := newE2E(t)
	dir := watchTree(t)
	file := filepath.Join(dir, "compose.yaml")
	w := e.start("-f", file, "watch")
	w.waitFor("Watch enabled", false)
	write := func(t *testing.T, name, content string) {
		t.Helper()
		writeTree(t, dir, map[string]string{name: content})
	}
	within := func(t *testing.T, what string, cond func() bool) {
		t.Helper()
		if !eventually(10*time.Second, cond) {
			t.Fatalf("%s: not within 10s\nwatch stdout:\n%s\nstderr:\n%s", what, w.out.String(), w.errb.String())
		}
	}

	t.Run("initial_sync", func(t *testing.T) {
		if got := e.catApp(file, "/data/src/pre.txt"); got != "before watch" {
			t.Errorf("/data/src/pre.txt = %q, want the file synced before watching", got)
		}
	})
	t.Run("sync", func(t *testing.T) {
		write(t, "src/a/b.txt", "new file in a new directory")
		write(t, "src/skip.tmp", "ignored")
		within(t, "src/a/b.txt synced", func() bool { return e.catApp(file, "/data/src/a/b.txt") == "new file in a new directory" })
		if err := os.Remove(filepath.Join(dir, "src/pre.txt")); err != nil {
			t.Fatal(err)
		}
		within(t, "src/pre.txt removed", func() bool {
			_, _, err := e.berth("-f", file, "exec", "-T", "app", "test", "-e", "/data/src/pre.txt")
			return exitCode(err) == 1
		})
		if got := e.catApp(file, "/data/src/skip.tmp"); got != "" {
			t.Errorf("ignored src/skip.tmp synced: %q", got)
		}
		if !strings.Contains(w.out.String(), `Syncing service "app" after 2 changes were detected`) { // src/a and src/a/b.txt
			t.Errorf("watch output lacks Compose's sync message:\n%s", w.out.String())
		}
		if n := e.appStarts(file, "started v1"); n != 1 {
			t.Errorf("app started %d times, want once: sync must not restart", n)
		}
	})
	t.Run("sync does not follow the container's symlinks out of it", func(t *testing.T) {
		// src/deep exists on the host (synced as a directory); the container turns it
		// into a symlink to a path that is also a host directory: a file synced below it
		// must land in the container's directory of that name, never in the host's.
		outside := t.TempDir()
		script := "rm -rf /data/src/deep && mkdir -p " + outside + " && ln -s /../../../.." + outside + " /data/src/deep"
		if _, errs, err := e.berth("-f", file, "exec", "-T", "app", "sh", "-c", script); err != nil {
			t.Fatalf("make the symlink in app: %v\n%s", err, errs)
		}
		write(t, "src/deep/f.txt", "stays inside")
		within(t, "src/deep/f.txt synced", func() bool { return e.catApp(file, outside+"/f.txt") == "stays inside" })
		if _, err := os.Stat(filepath.Join(outside, "f.txt")); err == nil {
			t.Fatalf("sync wrote %s on the host through a symlink of the container", filepath.Join(outside, "f.txt"))
		}
	})
	t.Run("sync+restart", func(t *testing.T) {
		write(t, "conf/c.txt", "c2")
		within(t, "conf synced and app restarted", func() bool {
			return e.catApp(file, "/data/conf/c.txt") == "c2" && e.appStarts(file, "started v1") == 2
		})
		within(t, "restart message", func() bool { return strings.Contains(w.out.String(), `service(s) ["app"] restarted`) })
	})
	t.Run("sync+exec", func(t *testing.T) {
		write(t, "hook/h", "hook ran")
		within(t, "exec ran after the sync", func() bool { return e.catApp(file, "/data/hook-ran") == "hook ran" })
	})
	t.Run("restart", func(t *testing.T) {
		before := e.appStarts(file, "started v1")
		write(t, "restart.txt", "1")
		within(t, "app restarted", func() bool { return e.appStarts(file, "started v1") == before+1 })
	})
	t.Run("rebuild", func(t *testing.T) {
		write(t, "app/version.txt", "v2")
		within(t, "app rebuilt and recreated", func() bool { return e.appStarts(file, "started v2") == 1 })
		for _, want := range []string{`Rebuilding service(s) ["app"] after changes were detected...`,
			`service(s) ["app"] successfully built`} {
			if !strings.Contains(w.out.String(), want) {
				t.Errorf("watch output lacks %q:\n%s", want, w.out.String())
			}
		}
		// --prune (the default) removed the image the rebuild left without a name.
		within(t, "no dangling image", func() bool {
			store, err := image.Open(filepath.Join(e.root, "images"))
			if err != nil {
				t.Fatal(err)
			}
			imgs, err := store.List()
			if err != nil {
				t.Fatal(err)
			}
			for _, img := range imgs {
				if len(img.RepoTags) == 0 {
					return false
				}
			}
			return true
		})
		// The recreated container has the image's files, not the synced ones; a new
		// change syncs into it.
		write(t, "src/after.txt", "after rebuild")
		within(t, "sync into the recreated container", func() bool { return e.catApp(file, "/data/src/after.txt") == "after rebuild" })
	})

	w.cmd.Process.Signal(syscall.SIGINT)
	if code := w.exitCode(20 * time.Second); code != 0 {
		t.Errorf("berth watch after SIGINT exited %d, want 0\nstderr:\n%s", code, w.errb.String())
	}
	if !strings.Contains(w.out.String(), "Watch disabled") {
		t.Errorf("watch output lacks Watch disabled:\n%s", w.out.String())
	}
}

func TestE2EUpWatch(t *testing.T) {
	e := newE2E(t)
	dir := watchTree(t)
	file := filepath.Join(dir, "compose.yaml")
	w := e.start("-f", file, "up", "--watch")
	w.waitFor("⦿ Watch enabled", false)
	w.waitFor("started v1", false)
	writeTree(t, dir, map[string]string{"src/up.txt": "from up --watch"})
	if !eventually(10*time.Second, func() bool { return e.catApp(file, "/data/src/up.txt") == "from up --watch" }) {
		t.Fatalf("src/up.txt not synced\nstdout:\n%s\nstderr:\n%s", w.out.String(), w.errb.String())
	}
	w.cmd.Process.Signal(syscall.SIGINT)
	if code := w.exitCode(30 * time.Second); code != 130 {
		t.Errorf("berth up --watch after SIGINT exited %d, want 130 as Compose", code)
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"up", "--watch", "-d"}, "--detach cannot be combined with"},
		{[]string{"up", "--watch", "--no-build"}, "--no-build and --watch are incompatible"},
	} {
		_, errs, err := e.berth(append([]string{"-f", file}, tt.args...)...)
		if err == nil || !strings.Contains(errs, tt.want) {
			t.Errorf("berth %v = %v, stderr %q; want an error with %q", tt.args, err, errs, tt.want)
		}
	}
	plain := writeCompose(t, "services: {a: {image: bte-busybox, command: [sleep, '1']}}\n")
	for _, args := range [][]string{{"up", "--watch"}, {"watch", "--no-up"}} {
		_, errs, err := e.berth(append([]string{"-f", plain}, args...)...)
		if err == nil || !strings.Contains(errs, "none of the selected services is configured for watch") {
			t.Errorf("berth %v without develop = %v, stderr %q; want Compose's error", args, err, errs)
		}
	}
}
