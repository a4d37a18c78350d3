package pipeline

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Pos is a position in a pipeline file. Line and Col are 1-based; Col is 0
// when unknown, Line is 0 when the position is unknown altogether (for
// example for a value given on the command line).
type Pos struct {
	File string
	Line int
	Col  int
}

// String formats p as file:line:col, leaving out what is unknown.
func (p Pos) String() string {
	switch {
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
}

// A Diagnostic is one problem found in a pipeline file, at a position.
type Diagnostic struct {
	Pos Pos
	Msg string
}

// String formats d as "file:line:col: message".
func (d Diagnostic) String() string {
	if d.Pos.File == "" && d.Pos.Line == 0 {
		return d.Msg
	}
	return d.Pos.String() + ": " + d.Msg
}

// MaxDiagnostics is the number of diagnostics after which lint stops
// collecting more.
const MaxDiagnostics = 50

// Diagnostics is a list of problems found in a pipeline file; it is the error
// type returned by [ParseFile], [Environment.Lint] and [Environment.Compile].
// It is never empty when returned as an error.
type Diagnostics []Diagnostic

// Error returns the diagnostics one per line.
func (ds Diagnostics) Error() string {
	var b strings.Builder
	for i, d := range ds {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(d.String())
	}
	return b.String()
}

// Err returns ds as an error, or nil when ds is empty.
func (ds Diagnostics) Err() error {
	if len(ds) == 0 {
		return nil
	}
	return ds
}

// sorted returns the diagnostics ordered by file position, duplicates removed
// and the list capped at MaxDiagnostics (with a final note when capped).
func (ds Diagnostics) sorted() Diagnostics {
	out := make(Diagnostics, len(ds))
	copy(out, ds)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	dedup := out[:0]
	for i, d := range out {
		if i > 0 && d == out[i-1] {
			continue
		}
		dedup = append(dedup, d)
	}
	if len(dedup) > MaxDiagnostics {
		n := len(dedup)
		dedup = append(dedup[:MaxDiagnostics:MaxDiagnostics], Diagnostic{Msg: fmt.Sprintf("too many errors (%d more not shown)", n-MaxDiagnostics)})
	}
	return dedup
}

// diagList collects diagnostics.
type diagList struct {
	ds Diagnostics
}

func (l *diagList) add(p Pos, format string, args ...any) {
	for i, a := range args {
		if s, ok := a.(string); ok && len(s) > maxDiagString {
			args = append([]any(nil), args...) // the caller's slice stays
			args[i] = shorten(s)
		}
	}
	l.ds = append(l.ds, Diagnostic{Pos: p, Msg: fmt.Sprintf(format, args...)})
}

// maxDiagString is the longest string (a key, a value) a diagnostic quotes
// whole; a longer one, as in a hostile file, is cut to its first 64 bytes.
const maxDiagString = 1024

// shorten cuts s to its first 64 bytes (whole runes) and says how long it
// was.
func shorten(s string) string {
	n := 64
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return fmt.Sprintf("%s… (%d bytes)", s[:n], len(s))
}

func (l *diagList) addAll(ds Diagnostics) { l.ds = append(l.ds, ds...) }
