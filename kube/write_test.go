package kube

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

func testObjects() []runtime.Object {
	return []runtime.Object{
		&corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: "web-env"}, Data: map[string]string{"FORMAT": "{{.Name}}"}},
		&corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{Name: "web"}, Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone}},
	}
}

func TestWriteDir(t *testing.T) {
	tests := []struct {
		format Format
		files  map[string]string // file -> a line it must hold
	}{
		{FormatYAML, map[string]string{"web-env-configmap.yaml": "  FORMAT: '{{.Name}}'", "web-service.yaml": "  clusterIP: None"}},
		{FormatKustomize, map[string]string{"kustomization.yaml": "- web-env-configmap.yaml", "web-service.yaml": "kind: Service"}},
		{FormatHelm, map[string]string{"Chart.yaml": "name: my-shop", "templates/web-env-configmap.yaml": `  FORMAT: '{{ "{{" }}.Name}}'`}},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			dir := t.TempDir()
			written, err := WriteDir(dir, tt.format, "my_shop", testObjects())
			if err != nil {
				t.Fatalf("WriteDir(%s) = %v", tt.format, err)
			}
			if len(written) != len(testObjects())+map[Format]int{FormatYAML: 0, FormatKustomize: 1, FormatHelm: 1}[tt.format] {
				t.Errorf("WriteDir(%s) wrote %v", tt.format, written)
			}
			for f, line := range tt.files {
				data, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatalf("WriteDir(%s): %v", tt.format, err)
				}
				if !strings.Contains("\n"+string(data), "\n"+line+"\n") {
					t.Errorf("%s holds no line %q:\n%s", f, line, data)
				}
			}
		})
	}
	if _, err := WriteDir(t.TempDir(), "jsonnet", "x", testObjects()); !errors.Is(err, ErrInvalid) {
		t.Errorf("WriteDir(jsonnet) = %v, want ErrInvalid", err)
	}
}

func TestStreamHasNoStatus(t *testing.T) {
	data, err := Stream(testObjects())
	if err != nil {
		t.Fatal(err)
	}
	if got := string(data); strings.Contains(got, "status:") || strings.Count(got, "\n---\n") != 1 {
		t.Errorf("Stream = %q, want two documents without status", got)
	}
}

func TestKubeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"web", "web"},
		{"My_Service", "my-service"},
		{"web.v2", "web-v2"},
		{"1st", "x-1st"},
		{"__x__", "x"},
		{strings.Repeat("a", 70), strings.Repeat("a", maxBase)},
	}
	for _, tt := range tests {
		if got := kubeName(tt.in, maxBase); got != tt.want {
			t.Errorf("kubeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
