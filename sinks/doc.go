// Package sinks writes the pipeline's tabular outputs: Parquet files for
// analysis in pandas or DuckDB, and Arrow IPC streams for live consumers.
// Both are written batch by batch with memory that does not grow with the
// number of rows. The pipeline kinds that write with it (parquet, arrow,
// and the other sinks of a pipeline) are in package sinks/kinds; this
// package knows nothing of the pipeline.
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
//	lambda   LambdaRows  factor float64, trial int32, label string, correct bool, peak float64,
//	                     accuracy, accuracy_lo, accuracy_hi float64 (the factor's, 95 % Wilson)
//
// Every column is non-nullable. Rates are binned at 5 ms, one rate-model
// step. out is float32, enough for scoring thresholds and plots (see
// OutputRows). All the batch types implement Table, so the writers take any
// of them: a Table describes its columns with a Schema (names and Types)
// and hands the writers its Go slices themselves (Columns), so handing a
// batch to a writer copies nothing until the encoder reads it.
//
// The writers are the package's own, written from the format
// specifications, with no dependency but klauspost/compress (zstd, snappy),
// pierrec/lz4 and google/flatbuffers' small Go runtime (together about 4 s
// of compiling). Apache arrow-go, whose Parquet and IPC packages bring
// gRPC, protobuf, Thrift and the compute kernels (a cold build of
// cmd/runpipe on two cores: 114 s with them, 30 s without; the binary
// 66 MB against 17 MB), is used only by the tests, as the independent
// reader that every file written must satisfy.
//
// # Reading
//
// ReadParquet reads a small flat Parquet file whole (a user's stimulus
// table, say): numeric columns as float64, strings as strings, REQUIRED or
// OPTIONAL without nulls, in what this package and the common writers
// (pyarrow and pandas, DuckDB, arrow-go) write: data pages v1 and v2,
// dictionaries, PLAIN, RLE, the delta encodings and BYTE_STREAM_SPLIT,
// uncompressed, snappy, gzip, zstd or LZ4_RAW. It is the package's own, on
// the writers' dependencies: importing arrow-go's reader (parquet/file)
// instead into cmd/runpipe was measured to take a cold build from 60 s to
// 174 s on a busy two-core machine, and the binary from 17.0 MB to 44.2 MB.
// A Thrift compact decoder reads the footer and page headers whatever
// fields a writer adds; sizes are checked against the bytes present and
// bounded (FuzzReadParquet).
//
// # Parquet
//
// CreateParquet writes one table to a Parquet file: every column REQUIRED,
// strings BYTE_ARRAY with the STRING logical type (converted type UTF8),
// data pages of about 1 MiB of values, each column chunk with min, max and
// null count statistics (and the NaN count of floats). Rows are encoded
// page by page as they come; a row group's compressed pages wait in memory
// until it holds ParquetOptions.RowGroupRows rows (default 1,048,576) and
// are then written out. Columns are compressed with zstd and dictionary
// encoded (RLE_DICTIONARY, falling back to PLAIN in a row group whose
// dictionary outgrows 1 MiB), except booleans (PLAIN, one bit a value) and
// where another encoding was measured smaller. For 5 M realistic spike
// rows (100 go-nogo trials of 1 s, 200 neurons at about 12.5 Hz;
// BenchmarkSpikeEncodings) the file is
//
//	10.2 MB  dictionary for trial and neuron, DELTA_BINARY_PACKED for step, PLAIN for t (the default)
//	19.2 MB  dictionary for every column
//	11.7 MB  PLAIN for trial and neuron;  12.8 MB  PLAIN for step;  14.4 MB  PLAIN for every column
//	10.5 MB  the default with BYTE_STREAM_SPLIT for t
//	 9.8 MB  the default at zstd level 9, 40% slower to write
//	14.2 MB  the default with snappy;  26.3 MB  uncompressed
//
// the same sizes as arrow-go's writer gave, and for 2 M output rows
// (BenchmarkOutputEncodings) 6.5 MB with DELTA_BINARY_PACKED step, PLAIN t
// and BYTE_STREAM_SPLIT out, against 8.0 MB with PLAIN out and 11.4 MB
// with dictionaries everywhere. The neuron column is nearly incompressible
// (a random index per spike, about one byte a row) and dominates spikes
// files. pyarrow, arrow-go and DuckDB read all of these encodings (DuckDB
// reads BYTE_STREAM_SPLIT for FLOAT and DOUBLE columns, which is the only
// use here). Rates and the small tables are dictionary encoded throughout.
//
// The metadata passed to CreateParquet (run parameters and provenance:
// program version, seed, stage key, task, λ …) is stored as the file's
// key/value metadata, sorted by key, which DuckDB lists with
// parquet_kv_metadata() and pyarrow returns as the schema's metadata.
// There is no "ARROW:schema" entry (the serialized Arrow schema that
// arrow-go and pyarrow write): the Parquet schema maps onto the tables'
// Arrow types one to one (INT32 to int32, BYTE_ARRAY STRING to utf8,
// REQUIRED to non-nullable …), so readers restore the same types without
// it, and it would only repeat the metadata as a base64 blob. The same
// rows and metadata always give byte-identical files.
//
// # Arrow IPC streams
//
// NewArrowStream writes the Arrow IPC stream format to any io.Writer (a
// pipe, a socket, a file): a schema message carrying the metadata, one
// record batch message per Write, and an end-of-stream marker on Close,
// which does not close the writer. CreateArrowStream does the same into a
// file (by convention *.arrows), flushed after every batch so that a reader
// can follow it. Bodies may be compressed buffer by buffer (zstd or lz4,
// Arrow's IPC buffer compression).
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
// The writers keep no rows beyond the current row group. A Parquet writer
// holds the page being filled of each column (up to 1 MiB of values), the
// compressed pages of the current row group and a few page-sized scratch
// buffers, all reused from page to page and row group to row group:
// writing 2 M spike rows in row groups of 250,000 holds about 10 MiB of
// live heap above the start, the same in the second million rows as in
// the first (TestParquetMemoryFlat). The zstd encoders (a 1 MiB window,
// about 4 MiB each, GOMAXPROCS of them per level) are shared by all
// writers and made once per process. Writing 5 M spike rows allocates a
// few bytes a row, all of it the writer's buffers growing to size
// (BenchmarkWriteSpikes: heap in use at most 45 MiB, RSS 72 MiB, against
// 125–140 MiB and 150 MiB with arrow-go), and a Write of a batch that
// fits the buffers allocates only the boxes of its column slices. Writers
// are not safe for concurrent use.
package sinks
