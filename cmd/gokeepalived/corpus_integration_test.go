package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gokeepalived/gokeepalived/internal/nstest"
)

// corpusDir holds configurations shaped like the ones people publish
// (container images, Kubernetes and kolla guides, ceph ingress, VyOS output,
// database and web failover pairs, LVS directors), about half of them with
// the mistakes people make. Included files live in corpusDir/inc and are
// not corpus entries.
const corpusDir = "../../testdata/corpus"

// corpusMinFiles is the number of corpus configurations below which the
// test fails, so that a broken glob or a lost directory cannot pass.
const corpusMinFiles = 60

// corpusConfigID is the -i given to both programs; the corpus's @ID lines
// are written for it.
const corpusConfigID = "corpus"

// corpusHeader is a corpus file's first line: the exit code keepalived
// 2.2.7's -t gave on it, measured in a namespace with eth0-eth2.
var corpusHeader = regexp.MustCompile(`^# keepalived-2\.2\.7 -t: exit ([0-9]+)$`)

// corpusRecord reads the exit code recorded in path's first line and
// checks that a comment describing the configuration follows it.
func corpusRecord(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var lines []string
	for len(lines) < 2 && sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	if len(lines) == 0 {
		return 0, errors.New(`empty file: no "# keepalived-2.2.7 -t: exit N" header line`)
	}
	m := corpusHeader.FindStringSubmatch(lines[0])
	if m == nil {
		return 0, fmt.Errorf(`first line %q is not "# keepalived-2.2.7 -t: exit N"`, lines[0])
	}
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "#") {
		return 0, errors.New("no comment line describing the configuration after the header")
	}
	return strconv.Atoi(m[1])
}

// TestIntegrationCorpusParity runs `keepalived -t` and `gokeepalived -t` on
// every testdata/corpus/*.conf in a namespace with interfaces eth0-eth2. It
// fails when keepalived's exit code is not the one recorded in the file's
// header (so the records stay true) and when gokeepalived's differs from
// keepalived's.
func TestIntegrationCorpusParity(t *testing.T) {
	nstest.RequireRoot(t)
	bins := nstest.RequireBinaries(t, "ip", "keepalived")
	keepalived := bins[1]
	dir, err := filepath.Abs(corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.conf"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) < corpusMinFiles {
		t.Fatalf("found %d corpus configs in %s, want at least %d", len(files), dir, corpusMinFiles)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}

	ns := nstest.NewNetns(t, "corpus")
	for _, ifname := range []string{"eth0", "eth1", "eth2"} {
		nstest.AddLink(ns, ifname)
	}

	byCode := map[int]int{}
	var checked, differ []string
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".conf"), func(t *testing.T) {
			recorded, err := corpusRecord(path)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			args := []string{"-t", "-i", corpusConfigID, "-f", path}
			theirs, theirOut := checkExit(t, ns, nil, keepalived, args...)
			if theirs != recorded {
				t.Errorf("%s: keepalived -t exits %d, the header records %d; re-measure and fix the header\n--- keepalived:\n%s",
					name, theirs, recorded, theirOut)
			}
			byCode[theirs]++
			checked = append(checked, name)
			mine, myOut := checkExit(t, ns, []string{"GOKEEPALIVED_TEST_MAIN=1"}, self, args...)
			if mine != theirs {
				differ = append(differ, name)
				t.Errorf("%s: gokeepalived -t exits %d, keepalived -t exits %d\n--- gokeepalived:\n%s--- keepalived:\n%s",
					name, mine, theirs, myOut, theirOut)
			}
		})
	}
	codes := make([]int, 0, len(byCode))
	for c := range byCode {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var counts []string
	for _, c := range codes {
		counts = append(counts, "exit "+strconv.Itoa(c)+": "+strconv.Itoa(byCode[c]))
	}
	t.Logf("%d corpus configs found, %d checked; keepalived -t %s; gokeepalived differs on %d: %s",
		len(files), len(checked), strings.Join(counts, ", "), len(differ), strings.Join(differ, " "))
}
