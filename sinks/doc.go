// Package sinks writes the pipeline's tabular outputs: Parquet files for
// analysis in pandas or DuckDB, and Arrow IPC streams for live consumers.
// Both are written batch by batch with memory that does not grow with the
// number of rows.
//
// # Tables
//
// Each output table has a columnar batch type whose columns are Go slices,
// filled with Append and emptied with Reset (which keeps the capacity):
//
//	spikes   SpikeRows   trial int32, neuron int32, step int32, t float32 (s)
//	rates    RateRows    trial int32, neuron int32, bin int32, t float32 (s), rate_hz float32
//	outputs  OutputRows  trial int32, step int32, t float32 (s), out float32
//	trials   TrialRows   trial int32, task string, label string, lambda float64,
//	                     correct bool, n_spikes int64, seed int64
//	neurons  NeuronRows  neuron int32, type string (E|I), td_ms float64
//	lambda   LambdaRows  factor float64, trial int32, label string, correct bool, peak float64
//
// Every column is non-nullable. Rates are binned at 5 ms, one rate-model
// step. out is float32, enough for scoring thresholds and plots (see
// OutputRows). All the batch types implement Table, so the writers take any
// of them; a Table turns into an Arrow record batch whose numeric columns
// are the Go slices themselves, so handing a batch to a writer copies
// nothing until the encoder reads it.
//
// # Parquet
//
// CreateParquet writes one table to a Parquet file through arrow-go's
// pqarrow with WriteBuffered: rows accumulate, encoded and compressed, in
// one row group of ParquetOptions.RowGroupRows rows (default 1,048,576),
// which is flushed to disk when full. Columns are compressed with zstd and
// dictionary encoded, except where another encoding was measured smaller.
// For 5 M realistic spike rows (100 go-nogo trials of 1 s, 200 neurons at
// about 12.5 Hz; BenchmarkSpikeEncodings) the file is
//
//	10.2 MB  dictionary for trial and neuron, DELTA_BINARY_PACKED for step, PLAIN for t (the default)
//	19.1 MB  dictionary for every column
//	11.7 MB  PLAIN for every column
//	10.5 MB  the default with BYTE_STREAM_SPLIT for t
//	 9.8 MB  the default at zstd level 9, twice as slow to write
//	14.2 MB  the default with snappy;  26.3 MB  uncompressed
//
// and for 2 M output rows (BenchmarkOutputEncodings) 6.5 MB with
// DELTA_BINARY_PACKED step, PLAIN t and BYTE_STREAM_SPLIT out, against
// 10.2 MB with dictionaries everywhere. The neuron column is nearly
// incompressible (a random index per spike, about one byte a row) and
// dominates spikes files. pyarrow and DuckDB read all of these encodings
// (DuckDB reads BYTE_STREAM_SPLIT for FLOAT and DOUBLE columns, which is
// the only use here). Rates and the small tables are dictionary encoded
// throughout.
//
// The metadata passed to CreateParquet (run parameters and provenance:
// program version, seed, stage key, task, λ …) is stored as plain entries of
// the file's key/value metadata, which DuckDB lists with
// parquet_kv_metadata(), plus the "ARROW:schema" entry that pqarrow writes
// and from which Arrow readers restore the schema and its metadata. The
// same rows and metadata always give byte-identical files.
//
// # Arrow IPC streams
//
// NewArrowStream writes the Arrow IPC stream format to any io.Writer (a
// pipe, a socket, a file): a schema message carrying the metadata, one
// record batch message per Write, and an end-of-stream marker on Close,
// which does not close the writer. CreateArrowStream does the same into a
// file (by convention *.arrows), flushed after every batch so that a reader
// can follow it.
//
// # Files
//
// CreateParquet and CreateArrowStream write to a hidden temporary file in
// the destination's directory (".NAME.tmp-*"); Close fsyncs it, renames it
// into place and fsyncs the directory, and Abort removes it, so no reader
// ever sees a half-written file under the final name and an earlier file
// survives a failed run. Abort is a no-op after Close, so the usual shape
// is CreateParquet, defer Abort, Write…, return Close. A failed Write is
// sticky: later calls return its error, and Close removes the temporary
// file. Every error names the file.
//
// # Memory
//
// The writers keep no rows beyond the current row group. Writing 2 M spike
// rows in row groups of 250,000 holds at most 4.5 MiB of live heap above
// the start, the same in the second million rows as in the first
// (TestParquetMemoryFlat); a full 1 M-row row group of spikes holds about
// 11 MiB. On top of that, arrow-go keeps pooled zstd encoders (about 10 MiB
// each, freed by the garbage collector and re-created) and its encoders
// allocate about 35 bytes a row, so at the default GOGC the heap reaches
// about 135 MiB and the process about 150 MiB RSS while writing 5 M rows
// (BenchmarkWriteSpikes). A soft memory limit (GOMEMLIMIT=64MiB) held the
// heap near 60 MiB and RSS near 92 MiB, at the price of re-creating the
// encoders more often: 2.5 to 3 times the bytes allocated. Writers are not
// safe for concurrent use.
package sinks
