package kube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// Format is how WriteDir lays out the manifests.
type Format string

// Formats of WriteDir.
const (
	FormatYAML      Format = "yaml"      // one file per object
	FormatKustomize Format = "kustomize" // the same, with a kustomization.yaml listing them
	FormatHelm      Format = "helm"      // a chart: Chart.yaml and the objects as templates
)

// Marshal returns one object as YAML, keys sorted, without its (empty) status.
func Marshal(o runtime.Object) ([]byte, error) {
	data, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("marshal %s %s: %w", kindOf(o), objectName(o), err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("marshal %s %s: %w", kindOf(o), objectName(o), err)
	}
	delete(m, "status")
	out, err := yaml.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("marshal %s %s: %w", kindOf(o), objectName(o), err)
	}
	return out, nil
}

// Stream returns the objects as one YAML stream, "---" between documents.
func Stream(objs []runtime.Object) ([]byte, error) {
	var buf bytes.Buffer
	for i, o := range objs {
		data, err := Marshal(o)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(data)
	}
	return buf.Bytes(), nil
}

// FileName is the file an object is written to: <name>-<kind>.yaml.
func FileName(o runtime.Object) string {
	return objectName(o) + "-" + strings.ToLower(kindOf(o)) + ".yaml"
}

func kindOf(o runtime.Object) string { return o.GetObjectKind().GroupVersionKind().Kind }

// WriteDir writes the objects into dir (made if missing) in the given format; chart
// names a Helm chart (the project's name). Files of the same names are replaced; other
// files are left alone. It returns the paths written, in order.
func WriteDir(dir string, format Format, chart string, objs []runtime.Object) ([]string, error) {
	files := map[string][]byte{}
	var order []string
	put := func(name string, data []byte) {
		files[name] = data
		order = append(order, name)
	}
	tmplDir := ""
	switch format {
	case FormatHelm:
		tmplDir = "templates"
		chart = kubeName(chart, 53)
		chartYAML, err := yaml.Marshal(helmChart{APIVersion: "v2", Name: chart, Description: "The " + chart + " compose project, converted by berth",
			Type: "application", Version: "0.1.0", AppVersion: "1.0.0"})
		if err != nil {
			return nil, fmt.Errorf("marshal Chart.yaml: %w", err)
		}
		put("Chart.yaml", chartYAML)
	case FormatYAML, FormatKustomize:
	default:
		return nil, fmt.Errorf("format %q: want yaml, kustomize or helm: %w", format, ErrInvalid)
	}
	var resources []string
	for _, o := range objs {
		data, err := Marshal(o)
		if err != nil {
			return nil, err
		}
		if format == FormatHelm {
			data = escapeHelm(data)
		}
		put(filepath.Join(tmplDir, FileName(o)), data)
		resources = append(resources, FileName(o))
	}
	if format == FormatKustomize {
		data, err := yaml.Marshal(kustomization{APIVersion: "kustomize.config.k8s.io/v1beta1", Kind: "Kustomization", Resources: resources})
		if err != nil {
			return nil, fmt.Errorf("marshal kustomization.yaml: %w", err)
		}
		put("kustomization.yaml", data)
	}
	return writeFiles(dir, order, files)
}

func writeFiles(dir string, order []string, files map[string][]byte) ([]string, error) {
	var written []string
	for _, name := range order {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return written, fmt.Errorf("write manifests: %w", err)
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return written, fmt.Errorf("write manifests: %w", err)
		}
		written = append(written, p)
	}
	return written, nil
}

// escapeHelm keeps "{{" of values (a Go template in an environment variable) from
// being read as Helm's own template actions.
func escapeHelm(data []byte) []byte {
	return bytes.ReplaceAll(data, []byte("{{"), []byte(`{{ "{{" }}`))
}

// helmChart is a chart's Chart.yaml (apiVersion v2).
type helmChart struct {
	APIVersion  string `json:"apiVersion"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Type        string `json:"type"`
	Version     string `json:"version"`
	AppVersion  string `json:"appVersion"`
}

// kustomization is a kustomization.yaml that lists the manifests.
type kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Resources  []string `json:"resources"`
}
