package kube

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// The test namespace every manifest is applied to.
const testNamespace = "berth-convert"

// TestAPIServerAcceptsManifests converts every example and the conformance suite's
// compose files, and applies each manifest to a real kube-apiserver (built from the
// k8s.io/kubernetes module by scripts/kube-apiserver.sh, cached) on etcd (Debian's
// etcd-server), both on 127.0.0.1, with server-side apply and dry run: the server
// validates every object as it would store it, and stores none.
func TestAPIServerAcceptsManifests(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd and kube-apiserver; skipped with -short")
	}
	etcdBin, err := exec.LookPath("etcd")
	if err != nil {
		t.Skip("etcd not found: install Debian's etcd-server (scripts/install-deps.sh)")
	}
	apiserverBin := buildAPIServer(t)
	cfg := startAPIServer(t, apiserverBin, startEtcd(t, etcdBin))
	a := newApplier(t, cfg)

	// The check can fail: the server refuses what its validation refuses.
	bad := &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: "Not_A_DNS_Label"}, Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone}}
	if err := a.apply(bad); err == nil {
		t.Fatalf("the API server accepted a Service named %q", bad.Name)
	}

	projects := exampleProjects(t)
	opts := map[string]Options{}
	for name, c := range caseProjects(t) {
		projects["cases/"+name], opts["cases/"+name] = c.p, c.opts
	}
	conf := conformanceProjects(t)
	if conf != nil && len(conf) < 20 {
		t.Errorf("%d conformance compose files converted, want at least 20", len(conf))
	}
	for name, p := range conf {
		projects["conformance/"+name] = p
	}
	accepted := 0
	for _, name := range sortedKeys(projects) {
		o := opts[name]
		o.Namespace = testNamespace
		res, err := Convert(projects[name], o)
		if err != nil {
			t.Errorf("%s: Convert: %v", name, err)
			continue
		}
		ok := true
		for _, o := range res.Objects {
			if err := a.apply(o); err != nil {
				t.Errorf("%s: %s %s refused: %v", name, kindOf(o), objectName(o), err)
				ok = false
			}
		}
		if ok {
			accepted++
		}
	}
	fmt.Printf("kube-apiserver: %d projects accepted, %d refused\n", accepted, len(projects)-accepted)
}

// buildAPIServer runs scripts/kube-apiserver.sh, which builds kube-apiserver once and
// prints its cached path.
func buildAPIServer(t *testing.T) string {
	t.Helper()
	start := time.Now()
	cmd := exec.Command("../scripts/kube-apiserver.sh")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/kube-apiserver.sh: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Logf("built kube-apiserver in %s", d.Round(time.Second))
	}
	return strings.TrimSpace(string(out))
}

// freePort is a loopback TCP port nobody listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startProcess starts a server that dies with the test (also if the test binary is
// killed) and is stopped and waited for at cleanup; its output goes to a log file
// printed when the test fails. The channel is closed when the process exits.
func startProcess(t *testing.T, name string, args ...string) <-chan struct{} {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), filepath.Base(name)+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		logFile.Close()
		if t.Failed() {
			if data, err := os.ReadFile(logPath); err == nil {
				t.Logf("%s log (last 4 KiB):\n%s", filepath.Base(name), tail(data, 4096))
			}
		}
	})
	return exited
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// startEtcd starts a one-member etcd on loopback ports and returns its client URL.
func startEtcd(t *testing.T, bin string) string {
	t.Helper()
	client := "http://127.0.0.1:" + strconv.Itoa(freePort(t))
	peer := "http://127.0.0.1:" + strconv.Itoa(freePort(t))
	exited := startProcess(t, bin, "--name=berth-test", "--data-dir="+t.TempDir(),
		"--listen-client-urls="+client, "--advertise-client-urls="+client,
		"--listen-peer-urls="+peer, "--initial-advertise-peer-urls="+peer,
		"--initial-cluster=berth-test="+peer, "--log-level=warn")
	waitFor(t, "etcd", 60*time.Second, exited, func() bool {
		resp, err := http.Get(client + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return client
}

// startAPIServer starts kube-apiserver on etcd with a static token (of
// system:masters) and a self-signed serving certificate, and returns a client
// configuration for it.
func startAPIServer(t *testing.T, bin, etcd string) *rest.Config {
	t.Helper()
	dir := t.TempDir()
	key := filepath.Join(dir, "sa.key")
	writeKey(t, key)
	token := "berth-test-token"
	tokens := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(token+`,admin,admin,"system:masters"`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	exited := startProcess(t, bin, "--etcd-servers="+etcd, "--endpoint-reconciler-type=none",
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+strconv.Itoa(port),
		"--cert-dir="+filepath.Join(dir, "certs"), "--token-auth-file="+tokens,
		"--authorization-mode=RBAC", "--service-cluster-ip-range=10.96.0.0/16",
		"--service-account-issuer=https://kubernetes.default.svc", "--service-account-key-file="+key,
		"--service-account-signing-key-file="+key, "--enable-priority-and-fairness=false",
		"--allow-privileged=true") // as kubeadm sets it: privileged services are accepted
	cfg := &rest.Config{Host: "https://127.0.0.1:" + strconv.Itoa(port), BearerToken: token,
		TLSClientConfig: rest.TLSClientConfig{Insecure: true}, QPS: 200, Burst: 400}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "kube-apiserver", 180*time.Second, exited, func() bool {
		body, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(context.Background())
		return err == nil && string(body) == "ok"
	})
	return cfg
}

func writeKey(t *testing.T, path string) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls ready until it holds; it fails when the process exits first or the
// limit passes.
func waitFor(t *testing.T, what string, limit time.Duration, exited <-chan struct{}, ready func() bool) {
	t.Helper()
	deadline := time.After(limit)
	for !ready() {
		select {
		case <-exited:
			t.Fatalf("%s exited before it was ready", what)
		case <-deadline:
			t.Fatalf("%s not ready after %s", what, limit)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// applier applies objects with server-side apply and dry run (kubectl apply
// --server-side --dry-run=server), into the test namespace.
type applier struct {
	client dynamic.Interface
	mapper meta.RESTMapper
}

// newApplier creates the test namespace (for real: a dry run needs it to exist) and
// maps kinds to resources by the server's discovery.
func newApplier(t *testing.T, cfg *rest.Config) *applier {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNamespace}}
	if _, err := cs.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create namespace: %v", err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := restmapper.GetAPIGroupResources(dc)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &applier{client: client, mapper: restmapper.NewDiscoveryRESTMapper(groups)}
}

func (a *applier) apply(o runtime.Object) error {
	gvk := o.GetObjectKind().GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return fmt.Errorf("map %s: %w", gvk, err)
	}
	data, err := json.Marshal(o)
	if err != nil {
		return err
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(data); err != nil {
		return err
	}
	_, err = a.client.Resource(m.Resource).Namespace(testNamespace).Apply(context.Background(), u.GetName(), u,
		metav1.ApplyOptions{FieldManager: "berth-convert-test", DryRun: []string{metav1.DryRunAll}, Force: true})
	return err
}
