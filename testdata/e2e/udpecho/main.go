// Command udpecho answers each UDP datagram on the port of its argument with "echo:"
// and the datagram: the e2e tests' UDP service (busybox has no UDP server).
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	c, err := net.ListenPacket("udp", ":"+os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("listening")
	buf := make([]byte, 65535)
	for {
		n, from, err := c.ReadFrom(buf)
		if err != nil {
			os.Exit(1)
		}
		c.WriteTo(append([]byte("echo:"), buf[:n]...), from)
	}
}
