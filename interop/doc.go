// Package interop checks, from outside the main module, that what the
// pipelines write is read by the tools users reach for: DuckDB (through
// database/sql and duckdb-go, which needs cgo and downloads about 240 MB,
// hence a module of its own) reads every Parquet table, and scipy
// (/usr/bin/python3 with scipy.io.loadmat) reads the model files.
//
// The tests build cmd/runpipe from the parent module, run the default
// pipeline of pipelines.yaml with small --set overrides into a temporary
// directory once, and query its outputs. Run them with
//
//	cd interop && go test ./...
//
// The scipy test skips when /usr/bin/python3 or scipy is missing, unless
// SPIKERNN_REQUIRE_INTEROP=1, when it fails instead (CI sets it).
package interop
