package spec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const netnamesYAML = `
name: proj
services:
  web:
    image: busybox
    networks:
      front:
        aliases: [www, site]
      back: {}
    links: [db, "cache:kv"]
    external_links: ["other-api-1:api", "standalone"]
  db:
    image: busybox
    networks: [back]
  cache:
    image: busybox
    networks: [back]
  solo:
    image: busybox
networks:
  front: {}
  back:
    name: shared-back
`

func TestNetAliases(t *testing.T) {
	p := loadYAML(t, netnamesYAML)
	tests := []struct {
		service     string
		withService bool
		want        map[string][]string
	}{
		{"web", false, map[string][]string{"proj_front": {"www", "site"}}},
		{"web", true, map[string][]string{"proj_front": {"web", "www", "site"}, "shared-back": {"web"}}},
		{"db", false, nil},
		{"solo", true, map[string][]string{"proj_default": {"solo"}}},
	}
	for _, tt := range tests {
		got := NetAliases(p, p.Services[tt.service], tt.withService)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("NetAliases(%s, %v) (-want +got):\n%s", tt.service, tt.withService, diff)
		}
	}
}

func TestLinks(t *testing.T) {
	p := loadYAML(t, netnamesYAML)
	containers := map[string][]string{"db": {"proj-db-1", "proj-db-2"}}
	got := Links(p.Name, p.Services["web"], 2, func(s string) []string { return containers[s] })
	want := map[string]string{
		// db's first container, under Compose's three names; cache has no container
		// yet, so none of its names.
		"db": "proj-db-1", "db-2": "proj-db-1", "proj-db-2": "proj-db-1",
		"api": "other-api-1", "standalone": "standalone",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Links(web, 2) (-want +got):\n%s", diff)
	}
	if got := Links(p.Name, p.Services["db"], 1, func(string) []string { return nil }); got != nil {
		t.Errorf("Links(db) = %v, want nil", got)
	}
}
