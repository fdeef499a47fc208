# Shared by the bench scripts (sourced, not run).

# import_busybox BERTH DIR: imports a one-layer busybox image, berth-bench-busybox, as
# `berth image import` and `docker import` take it (DIR/busybox.tar, kept for docker).
import_busybox() {
  local berth=$1 dir=$2 a
  mkdir -p "$dir/rootfs/bin" "$dir/rootfs/etc" "$dir/rootfs/tmp"
  cp /bin/busybox "$dir/rootfs/bin/busybox"
  for a in sh sleep true cat echo; do ln -s busybox "$dir/rootfs/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/rootfs/etc/passwd"
  tar -C "$dir/rootfs" -cf "$dir/busybox.tar" .
  "$berth" image import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' "$dir/busybox.tar" berth-bench-busybox:latest >/dev/null
}

# write_stack FILE SERVICES LEVELS: SERVICES services that exit on SIGTERM (init: true
# forwards it to sleep); with LEVELS > 1, svcI of level k (k = (I-1)*LEVELS/SERVICES)
# depends on svc(I-per) of level k-1.
write_stack() {
  local file=$1 services=$2 levels=$3 i
  local per=$(( (services + levels - 1) / levels ))
  {
    echo "services:"
    for i in $(seq 1 "$services"); do
      printf '  svc%d:\n    image: berth-bench-busybox\n    command: ["sleep", "3600"]\n    init: true\n' "$i"
      if [ "$i" -gt "$per" ]; then printf '    depends_on: [svc%d]\n' $((i - per)); fi
    done
  } > "$file"
}

# stats: microseconds, one a line, in; "median(min-max)" in milliseconds out.
stats() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f(%.1f-%.1f)", m/1e3, a[1]/1e3, a[NR]/1e3}'; }
