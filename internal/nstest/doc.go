// Package nstest builds throwaway network namespaces for integration tests
// that run real daemons (gokeepalived, keepalived, tcpdump) as root.
//
// A test typically looks like this:
//
//	func TestIntegrationFailover(t *testing.T) {
//		nstest.RequireRoot(t)
//		nstest.RequireBinaries(t, "ip", "keepalived")
//		lan := nstest.NewLAN(t)
//		a := nstest.NewNetns(t, "a")
//		b := nstest.NewNetns(t, "b")
//		lan.Attach(a, "eth0", "192.0.2.1/24")
//		lan.Attach(b, "eth0", "192.0.2.2/24")
//		p := a.Start(t, "keepalived", "-n", "-l", "-P", "-f", conf,
//			"-p", dir+"/k.pid", "-r", dir+"/v.pid")
//		p.WaitOutput(t, 10*time.Second, "Entering MASTER STATE")
//		nstest.WaitFor(t, 5*time.Second, 50*time.Millisecond,
//			nstest.AddrCondition(a, "eth0", "192.0.2.100/24", true))
//	}
//
// Every namespace gets a unique name of at most 15 characters (see
// [NewNetns]); interfaces are veth ends created directly inside the
// namespaces, so nothing ever appears in the root namespace, and a LAN is a
// bridge living in a namespace of its own. Namespaces made with [NewNetns] or
// [NewLAN] are deleted by t.Cleanup after the processes started in them have
// been killed by pid and reaped. IPv6 duplicate address detection is switched
// off in every namespace so that addresses are usable at once.
//
// Root is required: [RequireRoot] skips a test when not root, unless the
// environment variable GOKEEPALIVED_REQUIRE_PRIV=1 is set, in which case it
// fails the test instead. [RequireBinaries] treats missing programs the same way.
//
// The functions that take a testing.TB, and the methods of a [Netns] made by
// [NewNetns], must be called from the test's goroutine. [Create] and the
// error-returning methods of [Netns] need no testing.TB and may be used by
// programs such as benchmarks; such programs must call [Netns.Close]. A Netns
// is safe for concurrent use except where stated.
package nstest
