#!/bin/sh
# regen.sh ORACLE [CASE...]: regenerate want.json / oracle.err of every golden case
# (or the named ones) by running Docker Compose v5.6.0 `config --format json`.
# ORACLE is the path of a docker-compose binary built from
# github.com/docker/compose/v5/cmd@v5.6.0 (plugin binary; runs without a daemon).
set -u
oracle=${1:?usage: regen.sh ORACLE [CASE...]}
case $oracle in /*) ;; *) oracle=$(pwd)/$oracle ;; esac
root=$(cd "$(dirname "$0")" && pwd)
shift
home=/tmp/oraclehome
mkdir -p "$home"
if [ $# -eq 0 ]; then set -- $(cd "$root" && ls -d */ | tr -d /); fi
set -f # args such as `--profile *` must reach compose unglobbed
for c in "$@"; do
	dir=$root/$c
	[ -d "$dir" ] || continue
	# Project flags (-f, -p, --profile, --env-file, --project-directory) go
	# before `config`; the rest (config flags, service names) after it.
	pre=""
	post=""
	if [ -f "$dir/args" ]; then
		# shellcheck disable=SC2046 # word splitting of the args line is wanted
		set -- $(cat "$dir/args")
		while [ $# -gt 0 ]; do
			case $1 in
			-f | --file | -p | --project-name | --profile | --env-file | --project-directory)
				pre="$pre $1 $2"
				shift 2 ;;
			*)
				post="$post $1"
				shift ;;
			esac
		done
	fi
	envs=""
	[ -f "$dir/env" ] && envs=$(grep -v '^#' "$dir/env" | grep .)
	rm -f "$dir/want.json" "$dir/want.yaml" "$dir/oracle.err"
	# shellcheck disable=SC2086 # args and env are word lists on purpose
	(cd "$dir" && env -i HOME="$home" PATH=/usr/bin:/bin $envs \
		"$oracle" $pre config --format json $post >"$dir/out.tmp" 2>"$dir/err.tmp")
	rc=$?
	if [ $rc -eq 0 ]; then
		sed -e "s#$dir#__DIR__#g" -e "s#$home#__HOME__#g" "$dir/out.tmp" >"$dir/want.json"
		# shellcheck disable=SC2086
		(cd "$dir" && env -i HOME="$home" PATH=/usr/bin:/bin $envs \
			"$oracle" $pre config $post >"$dir/out.tmp" 2>/dev/null)
		sed -e "s#$dir#__DIR__#g" -e "s#$home#__HOME__#g" "$dir/out.tmp" >"$dir/want.yaml"
	else
		sed -e "s#$dir#__DIR__#g" -e "s#$home#__HOME__#g" "$dir/err.tmp" >"$dir/oracle.err"
	fi
	rm -f "$dir/out.tmp" "$dir/err.tmp"
	echo "$c: $([ $rc -eq 0 ] && echo ok || echo error)"
done
