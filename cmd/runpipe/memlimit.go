package main

import (
	"math"
	"os"
	"runtime/debug"
)

// defaultMemoryLimit is the soft memory limit (runtime/debug.SetMemoryLimit)
// runpipe runs under when the environment sets no GOMEMLIMIT: 100 MiB.
//
// A conversion streams its tables to several Parquet writers at once while
// the λ search or the conversion keeps every core busy. Measured converting
// 10,000 go-nogo trials (N = 200; 13.8 M spikes, 400 M rate rows, 10 M output
// rows; 110 MB of Parquet): peak RSS 104 MB with this limit and 104 MB
// without it. (With the arrow-go writers the project used before, the same
// run peaked at 211 MB without a limit and 138 MB with it.) The limit stays
// as a guard for larger networks: it is soft, so a run that needs more
// memory gets it, with more frequent collections. Set GOMEMLIMIT (e.g.
// GOMEMLIMIT=off) to override.
const defaultMemoryLimit = 100 << 20

// ownMemoryLimit is whether runpipe set the memory limit (the environment
// set no GOMEMLIMIT).
var ownMemoryLimit bool

func init() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(defaultMemoryLimit)
		ownMemoryLimit = true
	}
}

// withoutMemoryLimit runs f with runpipe's own memory limit lifted (a limit
// from GOMEMLIMIT stays). The YAML tokenizer holds a few hundred bytes for
// every token of a pipeline file: 250 MB for a 1 MiB flow list of 500,000
// items, under the 100 MiB limit of which the collector ran without pause
// (lint of that file: 1.15 s, 0.39 s without the limit; it is now refused
// before tokenizing), and still about 100 MB for a 1 MiB block list.
func withoutMemoryLimit(f func()) {
	if !ownMemoryLimit {
		f()
		return
	}
	debug.SetMemoryLimit(math.MaxInt64)
	defer debug.SetMemoryLimit(defaultMemoryLimit)
	f()
}
