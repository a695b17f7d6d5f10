package confparse

import (
	"fmt"
	"sort"
	"strings"
)

// Class is the severity class of a Diagnostic, mirroring keepalived's
// config_err_t (reference §1.11). The order matters: keepalived records the
// numerically largest class reported and derives the -t exit code from it.
type Class int

// The classes, in keepalived's order.
const (
	ClassNote          Class = iota // logged only; no effect on the exit code (keepalived's plain log lines)
	ClassFileNotFound               // cannot run
	ClassBadIf                      // cannot run: a named interface does not exist
	ClassFatal                      // cannot run
	ClassMultipleFiles              // the rest are errors keepalived still runs with
	ClassUnknownKeyword
	ClassUnexpectedBOB
	ClassMissingBOB
	ClassUnmatchedQuote
	ClassMissingParameter
	ClassInvalidNumber
	ClassGeneral
	ClassWarning
	ClassDeprecated
	ClassSecurity // scripts configured without enable_script_security
)

// Exit codes of the config check, as keepalived 2.2.7's -t (reference §1.11).
const (
	ExitOK          = 0
	ExitCannotRun   = 4 // KEEPALIVED_CHK_EXIT_CONFIG
	ExitConfigError = 5 // KEEPALIVED_CHK_EXIT_CONFIG_TEST
	ExitSecurity    = 6 // KEEPALIVED_CHK_EXIT_SECURITY, also a failed include check
)

// Diagnostic is one problem found in a configuration, with the position of
// its root cause.
type Diagnostic struct {
	Pos   Pos
	Class Class
	Msg   string
	// Hint is an optional suggestion ("did you mean ...?").
	Hint string
	// NoConfig marks a failed include check: keepalived exits 6 for it.
	NoConfig bool
	// CannotRun marks a problem that keeps the daemon from running the
	// configuration, whatever its class (keepalived's child exiting with
	// CONFIG, a missing interface).
	CannotRun bool
	// Stop marks the missing value after which keepalived reads no
	// further and exits ExitMissingValue.
	Stop bool
	// MissingConfig marks a main configuration file that does not exist.
	MissingConfig bool
	// Unsupported marks what keepalived would run but gokeepalived does
	// not implement (it also sets CannotRun).
	Unsupported bool
}

// Level is the word printed before the message: "error" for every class
// that makes keepalived's -t fail (its own warnings and deprecations
// included), "warning" for what keepalived only logs.
func (d Diagnostic) Level() string {
	if d.Class == ClassNote {
		return "warning"
	}
	return "error"
}

// String formats d as "FILE:LINE:COL: level: message (hint)".
func (d Diagnostic) String() string {
	var b strings.Builder
	if p := d.Pos.String(); p != "" {
		b.WriteString(p)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "%s: %s", d.Level(), d.Msg)
	if d.Hint != "" {
		fmt.Fprintf(&b, " (%s)", d.Hint)
	}
	return b.String()
}

// Diagnostics is an ordered list of problems.
type Diagnostics []Diagnostic

// add appends a diagnostic built from a format.
func (ds *Diagnostics) add(pos Pos, class Class, format string, args ...any) {
	*ds = append(*ds, Diagnostic{Pos: pos, Class: class, Msg: fmt.Sprintf(format, args...)})
}

// MaxClass returns the largest class reported, as keepalived records it.
func (ds Diagnostics) MaxClass() Class {
	m := ClassNote
	for _, d := range ds {
		if d.Class > m {
			m = d.Class
		}
	}
	return m
}

// MissingConfig reports whether the main configuration file is missing.
func (ds Diagnostics) MissingConfig() bool {
	for _, d := range ds {
		if d.MissingConfig {
			return true
		}
	}
	return false
}

// CannotRun reports whether any diagnostic is of a class that stops
// keepalived from running the configuration.
func (ds Diagnostics) CannotRun() bool {
	for _, d := range ds {
		if d.CannotRun || d.Class >= ClassFileNotFound && d.Class <= ClassFatal {
			return true
		}
	}
	return false
}

// ExitCode returns the exit code of a config check with these diagnostics,
// following keepalived 2.2.7's -t: the largest class decides, and a failed
// include check gives 6.
func (ds Diagnostics) ExitCode() int {
	for _, d := range ds {
		if d.NoConfig {
			return ExitSecurity
		}
	}
	for _, d := range ds {
		if d.Stop {
			return ExitMissingValue
		}
	}
	switch m := ds.MaxClass(); {
	case m == ClassNote:
		return ExitOK
	case m <= ClassFatal:
		return ExitCannotRun
	case m == ClassSecurity:
		return ExitSecurity
	default:
		return ExitConfigError
	}
}

// untilStop drops, from sorted diagnostics, those after the missing value
// that stopped keepalived's reading: keepalived never sees their causes.
func (ds Diagnostics) untilStop() Diagnostics {
	for i, d := range ds {
		if d.Stop {
			return ds[:i+1]
		}
	}
	return ds
}

// Sort orders diagnostics by position: files in the order they were first
// read (given by files), then line and column; diagnostics without a
// position come last. The sort is stable.
func (ds Diagnostics) Sort(files []string) {
	rank := map[string]int{}
	for i, f := range files {
		if _, ok := rank[f]; !ok {
			rank[f] = i
		}
	}
	key := func(d Diagnostic) [3]int {
		if !d.Pos.IsValid() {
			return [3]int{len(files) + 1, 0, 0}
		}
		r, ok := rank[d.Pos.File]
		if !ok {
			r = len(files)
		}
		return [3]int{r, d.Pos.Line, d.Pos.Col}
	}
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := key(ds[i]), key(ds[j])
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		if a[1] != b[1] {
			return a[1] < b[1]
		}
		return a[2] < b[2]
	})
}
