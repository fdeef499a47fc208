package compose

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// oracleHashes are `docker compose config --hash '*'` outputs of Docker Compose
// v5.6.0 (checked in December 2026; all but networks-service/mapform were the same
// with v2.29.7) on golden cases whose services hold no absolute paths (so the hash does not
// depend on where the repository is checked out): "case service hash" lines.
const oracleHashes = `
image-basic db ed115726531a6a0039f2ab3e51a8f1baf089ef22ef43507605b3cb202c76fc7c
image-basic web 074b16adc24aee6eb9056c2e5052619409873b923e37c5ec6f4fb70a1269b61f
ports-short web 56c8d8c455c43db3daea8c0e9ae4930caaf2489e19b4133d51d7666da051d819
healthcheck cmd 589e240279d2572317c7b28130064147d8eba39605019c7216ec96bd1f8f151a
healthcheck cmdshell 6cd8d28a555a6880d023a06e3136af620f62a7693feba7e27106315289e012d9
healthcheck disabled 90a1191508ac810c271a40d510ac66f7874c82b3434794a817079ea49f9a4741
healthcheck none 9a66483bb163d8a826f4d464d86d6c06205bb562ce5f81d4f4ef098ca35abaf8
healthcheck shellstr 5dd37fabfde59566d00619120409cc76477de372e0221ffcabc4d07542ab1d18
environment-map app 6a4c899a421c37f84c733bb12261f632e66497087a8dfb2209e047881baf7153
deploy worker cbb59a3eacf526c2a8422a15247e5ba75675286c5e4d62c9130c275c5fd575f3
depends-on-map api 1401a92039735b8870d9d445faadb5d72e9aa67ac7e0da35dfd665f96546bc41
depends-on-map cache 12a5cec450c1bda54df1971ae5e7d78f63a83d86ad5ad41c9e3fc1c339519104
depends-on-map db f7602977d9fb3f4b80ed01c83a9866983440752eea4bf6280cc5a127516b2e6c
depends-on-map migrate 1401a92039735b8870d9d445faadb5d72e9aa67ac7e0da35dfd665f96546bc41
depends-on-map web daef7adc9ecc59d4881bd1ebc06f26a836d35656f8b5fb0adfdb95b2d856fbd3
labels list e3004e6e77da3eba5f2b446168965dac6965bce94888cba8cd65d23f85f7cb31
labels map 679a72dfb79cf675723b5cc4c71c939057ecfe044374970afaf885b63b318870
logging app 7cb22bcad200ec5dd798430aa3fa14769f0fab5bb84e134ec2d110756584a42f
logging optsonly 6c1dbe774faf6a0f72a06ecefc1ede30da1b91a2cf444e000b1d1caa162dc4ca
logging syslog 86c96d2ef84c2f8f938081f278cb5a499dc635e9d12f390f47007b14ac976184
caps-sysctls-ulimits app f825edb9b2e777242cf4345a97b878f2615541cc47e42c048cf1ec8d02903fe2
caps-sysctls-ulimits listsys 4c25df00c05761a881427d6a623c3784d85ff4d84401ce1bc40ebd5db66945d5
durations-sizes app 7c755ea7d5e4ee88d841dc754af1b938ba3d0e0a92b23fab97e64ba1359b08ce
durations-sizes other 7f0cfd9472593cf02dd181deb829233e5ef0baeeb8f3b150f1881169948446ec
command-entrypoint s1 6fa7a708b094a3d3a620759d2d14a3c5f46c968d3c6d23f4cfeb80c6a8bcd508
command-entrypoint s2 3d85abc70c4849673996f8ccbe813da1c532f92ad6c67b38157e6ed1e9eb89e1
command-entrypoint s3 3a35a71a3b340a8a3e5940976ab52ddb013a43e50b5a125db3c1925dd7f1ce8a
networks-service listform 6404e9d133e138d31a9ff4cdc521195a492b7b44ac9d99b243782a3c32d1b863
networks-service mapform 12d16de14d60d0337c33c0a963731cc132afd9629337a995af323084b528467e
networks-service nonet 1401a92039735b8870d9d445faadb5d72e9aa67ac7e0da35dfd665f96546bc41
network-addressing web 5e4f2f4fb13d84b574ced14b63caead2255b0b657fdade06247cfb250e47f71e
extensions-anchors a e16382d28dfd3a0b44b7ac80ce3da567a186bf52a389423050a88fab544f17f4
extensions-anchors b 2aeb1e01468def505e29de6985a24cf5a138f40e370b69e61731956fdfe231c8
extensions-anchors c 9604f19b48fa53ebcec3a3d3d2d3d64b20f190a2c1e4c3922d142730798f3dc9
profiles-flag debug 2afd7866203dca40993313263173003833e9de9c3ad83f2f59484e32a5605234
profiles-flag tools 2afd7866203dca40993313263173003833e9de9c3ad83f2f59484e32a5605234
env-file-short app c3e7c8651bc0566675a4574b192698e78a67b29ca795cfcbd15503c81331db62
env-file-short multi b34ce5222df6c9173cd59fe4573ea043c2faa643e6430d0be67604c3f00c67bc
env-file-long app 1c047db2d3d6518d86a1d74705be5018fc5bf9462c9a49bfe7a25f9f857c3bf0
hooks-hash app 74ca5c723ea1647da41c60e7c7a749f13eee3190d2ae0e744343940072cd13e9
hooks-hash poststart 762fc7126530702c4a3ec5a2f05ecf1636688e956451cacccd30d2981ae598f2
`

func TestServiceHashMatchesCompose(t *testing.T) {
	loaded := map[string]*Project{}
	for _, line := range strings.Split(strings.TrimSpace(oracleHashes), "\n") {
		f := strings.Fields(line)
		c, svc, want := f[0], f[1], f[2]
		t.Run(c+"/"+svc, func(t *testing.T) {
			p := loaded[c]
			if p == nil {
				dir, err := filepath.Abs(filepath.Join("testdata", "golden", c))
				if err != nil {
					t.Fatal(err)
				}
				if p, err = Load(context.Background(), goldenOptions(t, dir)); err != nil {
					t.Fatalf("Load(%q) = %v", c, err)
				}
				loaded[c] = p
			}
			got, err := p.ServiceHash(svc)
			if err != nil || got != want {
				t.Errorf("ServiceHash(%q) = %s, %v, want %s (Compose v5.6.0)", svc, got, err, want)
			}
		})
	}
}

func TestServiceHashIgnoresRecreateNeutralFields(t *testing.T) {
	base := "services:\n  web:\n    image: nginx\n"
	variants := []string{
		base + "    build: .\n",
		base + "    pull_policy: always\n",
		base + "    scale: 2\n",
		base + "    deploy: {replicas: 3}\n    depends_on: [db]\n  db: {image: postgres}\n",
	}
	want := hashOf(t, base+"    deploy: {}\n")
	plain := hashOf(t, base)
	for _, v := range variants {
		got := hashOf(t, v)
		if got != want && got != plain {
			t.Errorf("ServiceHash(web) of %q = %s, want %s (as without those keys)", v, got, plain)
		}
	}
	if changed := hashOf(t, base+"    user: nobody\n"); changed == plain {
		t.Errorf("ServiceHash(web) with user set = %s, want it to differ from %s", changed, plain)
	}
	if _, err := mustLoad(t, base).ServiceHash("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ServiceHash(nope) = %v, want ErrNotFound", err)
	}
}

func hashOf(t *testing.T, yaml string) string {
	t.Helper()
	h, err := mustLoad(t, yaml).ServiceHash("web")
	if err != nil {
		t.Fatalf("ServiceHash(web) = %v", err)
	}
	return h
}
