// Command gokeepalived is a keepalived-compatible VRRP daemon. This file is
// the thin entry point: it parses keepalived's command line and hands over
// to run.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
