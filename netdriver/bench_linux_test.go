package netdriver

import (
	"context"
	"io"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"
)

// BenchmarkAttach times Attach (veth with its peer made in the netns, address, routes, hairpin)
// and reports the median; namespace creation is not timed, and teardown happens after the loop
// (as in `up`, where attaches are not interleaved with the kernel's asynchronous netns cleanup,
// which holds the rtnl lock that veth creation needs).
func BenchmarkAttach(b *testing.B) {
	d := newTestDriver(b)
	ctx := context.Background()
	n, err := d.CreateNetwork(ctx, "btn-bench-"+randHex(b, 3), NetworkOptions{Subnet: pfx("10.232.64.0/20")})
	if err != nil {
		b.Fatalf("CreateNetwork() = %v", err)
	}
	var times []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		id := "btnbench" + randHex(b, 4)
		path, err := d.CreateNetns(id)
		if err != nil {
			b.Fatalf("CreateNetns() = %v", err)
		}
		b.StartTimer()
		start := time.Now()
		if _, err := d.Attach(ctx, path, n.Name, AttachOptions{}); err != nil {
			b.Fatalf("Attach() = %v", err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
}

// BenchmarkThroughput sends 16 MiB per iteration from the host to a sink in a container:
// through the published port on 127.0.0.1 (DNAT + masquerade) and directly to the container
// address over the bridge and veth. Compare the MB/s of the two.
func BenchmarkThroughput(b *testing.B) {
	d := newTestDriver(b)
	ctx := context.Background()
	n, err := d.CreateNetwork(ctx, "btn-tput-"+randHex(b, 3), NetworkOptions{Subnet: pfx("10.232.80.0/24")})
	if err != nil {
		b.Fatalf("CreateNetwork() = %v", err)
	}
	path, err := d.CreateNetns("btntput" + randHex(b, 4))
	if err != nil {
		b.Fatalf("CreateNetns() = %v", err)
	}
	ep, err := d.Attach(ctx, path, n.Name, AttachOptions{})
	if err != nil {
		b.Fatalf("Attach() = %v", err)
	}
	var l net.Listener
	inNetns(b, path, func() { l, err = net.Listen("tcp4", ":9000") })
	if err != nil {
		b.Fatalf("listen in container: %v", err)
	}
	b.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { io.Copy(io.Discard, c); c.Write([]byte{1}); c.Close() }()
		}
	}()
	pub, err := d.PublishPorts(ctx, ep.Key, []PortMapping{{ContainerPort: 9000}})
	if err != nil {
		b.Fatalf("PublishPorts() = %v", err)
	}
	targets := map[string]string{
		"nat":    "127.0.0.1:" + strconv.Itoa(int(pub[0].HostPort)),
		"direct": net.JoinHostPort(ep.Address.Addr().String(), "9000"),
	}
	const size = 16 << 20
	buf := make([]byte, 256<<10)
	for _, name := range []string{"direct", "nat"} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(size)
			for i := 0; i < b.N; i++ {
				sendAll(b, targets[name], buf, size)
			}
		})
	}
}

func sendAll(b *testing.B, addr string, buf []byte, size int) {
	c, err := net.DialTimeout("tcp4", addr, time.Second)
	if err != nil {
		b.Fatalf("dial %s: %v", addr, err)
	}
	defer c.Close()
	for sent := 0; sent < size; sent += len(buf) {
		if _, err := c.Write(buf); err != nil {
			b.Fatalf("write %s: %v", addr, err)
		}
	}
	c.(*net.TCPConn).CloseWrite()
	if _, err := c.Read(make([]byte, 1)); err != nil {
		b.Fatalf("read ack from %s: %v", addr, err)
	}
}

// BenchmarkDeleteNetwork times DeleteNetwork of a project's only network, as the end of a
// `down`: the bridge's deletion (whose RCU grace periods the kernel waits out) and the
// rule sync that drops the table; creation is not timed. Reports the median.
func BenchmarkDeleteNetwork(b *testing.B) {
	d := newTestDriver(b)
	ctx := context.Background()
	var times []time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		n, err := d.CreateNetwork(ctx, "btn-bench-"+randHex(b, 3), NetworkOptions{Subnet: pfx("10.232.80.0/24")})
		if err != nil {
			b.Fatalf("CreateNetwork() = %v", err)
		}
		b.StartTimer()
		start := time.Now()
		if err := d.DeleteNetwork(ctx, n.Name); err != nil {
			b.Fatalf("DeleteNetwork() = %v", err)
		}
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
}
