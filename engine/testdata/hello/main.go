// Command hello is a static test program: it prints its arguments and, with "exit N",
// exits with N.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "exit" {
		n, _ := strconv.Atoi(os.Args[2])
		os.Exit(n)
	}
	fmt.Println("hello", os.Args[1:])
}
