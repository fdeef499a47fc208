package image

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/berth-dev/berth/internal/testenv"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// startRegistry runs Debian's docker-registry on loopback (testenv.StartRegistry).
func startRegistry(t *testing.T, user, pass string) string {
	t.Helper()
	return testenv.StartRegistry(t, user, pass)
}

// countingProxy fronts the registry and counts blob GETs.
func countingProxy(t *testing.T, addr string) (string, *atomic.Int64) {
	t.Helper()
	return proxyCounting(t, addr, http.MethodGet, "/blobs/")
}

// proxyCounting fronts the registry and counts its requests of method whose path holds part.
func proxyCounting(t *testing.T, addr, method, part string) (string, *atomic.Int64) {
	t.Helper()
	u, _ := url.Parse("http://" + addr)
	rp := httputil.NewSingleHostReverseProxy(u)
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == method && strings.Contains(r.URL.Path, part) {
			n.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), &n
}

func push(t *testing.T, ref string, w remote.Taggable, opts ...remote.Option) {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	switch w := w.(type) {
	case v1.ImageIndex:
		err = remote.WriteIndex(r, w, opts...)
	case v1.Image:
		err = remote.Write(r, w, opts...)
	}
	if err != nil {
		t.Fatalf("push %s: %v", ref, err)
	}
}

func openStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "images"))
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	return s
}

func dockerConfig(t *testing.T, addr, user, pass string) {
	t.Helper()
	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	cfg := fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, addr, auth)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)
}

func authKeychain() authn.Keychain { return authn.DefaultKeychain }
