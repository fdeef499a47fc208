#!/bin/sh
# regen.sh ORACLE [CASE...]: record what Docker Compose makes of each CASE.env here (all when
# none are named) used as a service's env_file, with no other variables than HOME, PATH,
# FROM_ENV=os and A=os: the service's environment as `config --format json` prints it (every
# $ doubled) in CASE.json, or Compose's error in CASE.err. ORACLE is a compose binary built from
# github.com/docker/compose/v5/cmd@v5.6.0 (runs without a daemon). TestParseDotEnv reads them.
set -u
oracle=${1:?usage: regen.sh ORACLE [CASE...]}
case $oracle in /*) ;; *) oracle=$(pwd)/$oracle ;; esac
root=$(cd "$(dirname "$0")" && pwd)
shift
if [ $# -eq 0 ]; then set -- $(cd "$root" && ls *.env | sed 's/\.env$//'); fi
for c in "$@"; do
	tmp=$(mktemp -d)
	cp "$root/$c.env" "$tmp/case.env"
	printf 'services:\n  s:\n    image: x\n    env_file: case.env\n' >"$tmp/compose.yaml"
	rm -f "$root/$c.json" "$root/$c.err"
	if (cd "$tmp" && env -i HOME=/tmp/oraclehome PATH=/usr/bin:/bin FROM_ENV=os A=os \
		"$oracle" config --format json >out.json 2>err.txt); then
		python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["services"]["s"].get("environment", {}), indent=2, sort_keys=True, ensure_ascii=False))' \
			<"$tmp/out.json" >"$root/$c.json"
		echo "$c: ok"
	else
		sed "s#$tmp/##g" "$tmp/err.txt" >"$root/$c.err"
		echo "$c: error"
	fi
	rm -rf "$tmp"
done
