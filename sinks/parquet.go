package sinks

import (
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// DefaultRowGroupRows is the number of rows in a Parquet row group when
// ParquetOptions.RowGroupRows is 0.
const DefaultRowGroupRows = 1 << 20

// ParquetOptions are the settings of a ParquetWriter. A nil *ParquetOptions
// means the defaults; so does the zero value of each field.
type ParquetOptions struct {
	// RowGroupRows is the number of rows per row group: rows are buffered
	// (encoded and compressed) in memory until a row group is full, so it
	// bounds the writer's memory. Default DefaultRowGroupRows (1,048,576).
	RowGroupRows int64

	// Compression is the codec of every column: "zstd" (the default),
	// "snappy", "gzip" or "none".
	Compression string

	// CompressionLevel is the codec's level; 0 means the codec's default
	// (zstd: 3). For zstd, levels map onto the encoder's speed settings.
	CompressionLevel int

	// extra properties, applied last (tests and benchmarks compare
	// encodings with them).
	extra []parquet.WriterProperty
}

// codec maps a Compression name to its Parquet codec.
func codec(name string) (compress.Compression, error) {
	switch name {
	case "", "zstd":
		return compress.Codecs.Zstd, nil
	case "snappy":
		return compress.Codecs.Snappy, nil
	case "gzip":
		return compress.Codecs.Gzip, nil
	case "none":
		return compress.Codecs.Uncompressed, nil
	}
	return 0, fmt.Errorf("unknown compression %q (want zstd, snappy, gzip or none)", name)
}

// columnEncodings are the encodings, measured smallest (see doc.go), of the
// columns of the package's tables that are not dictionary encoded. Every
// other column is dictionary encoded (falling back to plain in a row group
// whose dictionary outgrows 1 MiB).
var columnEncodings = []struct {
	schema    *arrow.Schema
	encodings map[string]parquet.Encoding
}{
	{spikesSchema, map[string]parquet.Encoding{
		"step": parquet.Encodings.DeltaBinaryPacked,
		"t":    parquet.Encodings.Plain,
	}},
	{outputsSchema, map[string]parquet.Encoding{
		"step": parquet.Encodings.DeltaBinaryPacked,
		"t":    parquet.Encodings.Plain,
		"out":  parquet.Encodings.ByteStreamSplit,
	}},
}

// writerProperties turns opts into Parquet writer properties for a file of
// schema.
func (opts *ParquetOptions) writerProperties(schema *arrow.Schema) ([]parquet.WriterProperty, error) {
	var o ParquetOptions
	if opts != nil {
		o = *opts
	}
	if o.RowGroupRows < 0 {
		return nil, fmt.Errorf("RowGroupRows %d is negative", o.RowGroupRows)
	}
	if o.RowGroupRows == 0 {
		o.RowGroupRows = DefaultRowGroupRows
	}
	c, err := codec(o.Compression)
	if err != nil {
		return nil, err
	}
	props := []parquet.WriterProperty{
		parquet.WithMaxRowGroupLength(o.RowGroupRows),
		parquet.WithCompression(c),
		parquet.WithDictionaryDefault(true),
	}
	if o.CompressionLevel != 0 {
		props = append(props, parquet.WithCompressionLevel(o.CompressionLevel))
	}
	for _, ce := range columnEncodings {
		if !ce.schema.Equal(schema) {
			continue
		}
		for col, enc := range ce.encodings {
			props = append(props, parquet.WithDictionaryFor(col, false), parquet.WithEncodingFor(col, enc))
		}
	}
	return append(props, o.extra...), nil
}

// ParquetWriter writes batches of one table to a Parquet file. Rows are
// buffered into row groups of ParquetOptions.RowGroupRows rows, so its
// memory is bounded by about one row group's encoded size whatever the
// number of rows written. The file appears under its name only when Close
// succeeds. A ParquetWriter is not safe for concurrent use.
type ParquetWriter struct {
	path   string
	schema *arrow.Schema
	file   *atomicFile
	fw     *pqarrow.FileWriter
	rows   int64
	err    error // sticky: the first failed write
	done   bool  // closed or aborted
}

// CreateParquet starts a Parquet file at path for rows of schema. meta goes
// into the file's key/value metadata, one plain entry per key (what
// DuckDB's parquet_kv_metadata() lists), next to one "ARROW:schema" entry:
// the serialized Arrow schema, from which Arrow readers (pyarrow, arrow-go)
// take the schema's metadata, equal to meta. Keys must be non-empty and
// must not start with "ARROW:". Put run parameters and provenance there
// (program version, seed, stage key, task, λ …).
//
// The rows go to a temporary file in path's directory; Close renames it to
// path, Abort removes it. The usual shape is
//
//	w, err := sinks.CreateParquet(path, rows.Schema(), meta, nil)
//	if err != nil {
//		return err
//	}
//	defer w.Abort() // no-op after a successful Close
//	… w.Write(&rows) …
//	return w.Close()
func CreateParquet(path string, schema *arrow.Schema, meta map[string]string, opts *ParquetOptions) (*ParquetWriter, error) {
	schema, err := withMetadata(path, schema, meta)
	if err != nil {
		return nil, err
	}
	props, err := opts.writerProperties(schema)
	if err != nil {
		return nil, fmt.Errorf("sinks: create %s: %w", path, err)
	}
	file, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	// file is not an io.Closer, so pqarrow's Close leaves it to us.
	// WithStoreSchema adds the ARROW:schema entry, from which Arrow readers
	// (arrow-go's among them) take the schema's metadata; the plain keys are
	// written either way.
	fw, err := pqarrow.NewFileWriter(schema, file, parquet.NewWriterProperties(props...),
		pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		file.abort()
		return nil, fmt.Errorf("sinks: create %s: %w", path, err)
	}
	return &ParquetWriter{path: path, schema: schema, file: file, fw: fw}, nil
}

// Path returns the file's final name.
func (w *ParquetWriter) Path() string { return w.path }

// Rows returns the number of rows written so far.
func (w *ParquetWriter) Rows() int64 { return w.rows }

// Write appends the rows of t, which must have the writer's schema. t may
// be reset and refilled as soon as Write returns. A failure to encode or
// write is sticky: every later Write and Close returns it, and Close then
// removes the temporary file.
func (w *ParquetWriter) Write(t Table) error {
	switch {
	case w.done:
		return fmt.Errorf("sinks: write %s: %w", w.path, os.ErrClosed)
	case w.err != nil:
		return w.err
	case !t.Schema().Equal(w.schema):
		return fmt.Errorf("sinks: write %s: table %s does not have the file's columns:\n table: %v\n file:  %v",
			w.path, t.Name(), t.Schema(), w.schema)
	case t.Len() == 0:
		return nil
	}
	rec, err := t.RecordBatch()
	if err != nil {
		return fmt.Errorf("sinks: write %s: %w", w.path, err)
	}
	defer rec.Release()
	if err := w.fw.WriteBuffered(rec); err != nil {
		w.err = fmt.Errorf("sinks: write %s: %w", w.path, err)
		return w.err
	}
	w.rows += rec.NumRows()
	return nil
}

// Close writes the last row group and the footer, fsyncs the file and
// renames it to its final name. After a failed Write, Close removes the
// temporary file and returns the Write's error.
func (w *ParquetWriter) Close() error {
	if w.done {
		return fmt.Errorf("sinks: close %s: %w", w.path, os.ErrClosed)
	}
	w.done = true
	if w.err != nil {
		w.file.abort()
		return w.err
	}
	if err := w.fw.Close(); err != nil {
		w.file.abort()
		return fmt.Errorf("sinks: close %s: %w", w.path, err)
	}
	return w.file.commit()
}

// Abort stops writing and removes the temporary file, leaving any earlier
// file at the final name untouched. It is a no-op after Close or Abort, so
// it can be deferred right after CreateParquet.
func (w *ParquetWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	return w.file.abort()
}
