package sinks

import (
	"encoding/binary"
	"fmt"
	"os"
)

// DefaultRowGroupRows is the number of rows in a Parquet row group when
// ParquetOptions.RowGroupRows is 0.
const DefaultRowGroupRows = 1 << 20

// createdBy is the file's created_by: the writer, in the format's
// "<application> version <version>" form. The version is that of the
// writer's output and changes when the bytes written for the same rows do.
const createdBy = "spikernn-sinks version 2.0.0"

// parquetMagic begins and ends every Parquet file.
const parquetMagic = "PAR1"

// ParquetOptions are the settings of a ParquetWriter. A nil *ParquetOptions
// means the defaults; so does the zero value of each field.
type ParquetOptions struct {
	// RowGroupRows is the number of rows per row group: each column's
	// pages are kept in memory, encoded and compressed, until a row group
	// is full, so it bounds the writer's memory. Default
	// DefaultRowGroupRows (1,048,576).
	RowGroupRows int64

	// Compression is the codec of every column: "zstd" (the default),
	// "snappy", "gzip" or "none".
	Compression string

	// CompressionLevel is the codec's level; 0 means the codec's default
	// (zstd: 3, gzip: 6). For zstd, levels map onto the encoder's speed
	// settings; snappy has no levels.
	CompressionLevel int

	// encodings overrides the data page encoding of columns by name
	// (tests and benchmarks compare encodings with it).
	encodings map[string]encoding
}

// columnEncodings are the encodings, measured smallest (see doc.go), of the
// columns of the package's tables that are not dictionary encoded. Every
// other column is dictionary encoded (falling back to PLAIN in a row group
// whose dictionary outgrows 1 MiB), except booleans, which are PLAIN (one
// bit a value).
var columnEncodings = []struct {
	schema    *Schema
	encodings map[string]encoding
}{
	{spikesSchema, map[string]encoding{"step": encDelta, "t": encPlain}},
	{outputsSchema, map[string]encoding{"step": encDelta, "t": encPlain, "out": encBSS}},
}

// encodingOf returns the data page encoding of column c of schema.
func (o *ParquetOptions) encodingOf(schema *Schema, c Column) encoding {
	if e, ok := o.encodings[c.Name]; ok {
		return e
	}
	for _, ce := range columnEncodings {
		if e, ok := ce.encodings[c.Name]; ok && ce.schema.Equal(schema) {
			return e
		}
	}
	if c.Type == Bool {
		return encPlain
	}
	return encRLEDict
}

// ParquetWriter writes batches of one table to a Parquet file. Rows are
// encoded page by page as they come; the pages of a row group
// (ParquetOptions.RowGroupRows rows) are kept, compressed, until it is full
// and then written out, so its memory is bounded by about one row group's
// compressed size whatever the number of rows written. The file appears
// under its name only when Close succeeds. A ParquetWriter is not safe for
// concurrent use.
//
// Every column is REQUIRED (no nulls). Strings are BYTE_ARRAY with the
// STRING logical type. Each column chunk has min, max and null count
// statistics (and a NaN count for floats).
type ParquetWriter struct {
	path   string
	schema *Schema
	kv     []keyValue
	file   *atomicFile
	pe     pageEncoder
	cols   []columnWriter

	rowGroupRows int64
	groupRows    int64  // rows in the current row group
	offset       int64  // bytes written to the file
	groups       []byte // the RowGroup structs written so far, Thrift-encoded
	nGroups      int
	tw           thriftWriter // for groups
	scratch      []any        // the table's columns

	rows int64
	err  error // sticky: the first failed write
	done bool  // closed or aborted
}

// CreateParquet starts a Parquet file at path for rows of schema. meta goes
// into the file's key/value metadata, one entry per key, sorted (what
// DuckDB's parquet_kv_metadata() lists and pyarrow returns as the schema's
// metadata). Keys must be non-empty and must not start with "ARROW:". Put
// run parameters and provenance there (program version, seed, stage key,
// task, λ …).
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
func CreateParquet(path string, schema *Schema, meta map[string]string, opts *ParquetOptions) (*ParquetWriter, error) {
	if schema == nil || schema.Len() == 0 {
		return nil, fmt.Errorf("sinks: create %s: no columns", path)
	}
	kv, err := sortedMetadata(path, meta)
	if err != nil {
		return nil, err
	}
	var o ParquetOptions
	if opts != nil {
		o = *opts
	}
	if o.RowGroupRows < 0 {
		return nil, fmt.Errorf("sinks: create %s: RowGroupRows %d is negative", path, o.RowGroupRows)
	}
	if o.RowGroupRows == 0 {
		o.RowGroupRows = DefaultRowGroupRows
	}
	comp, err := newCompressor(o.Compression, o.CompressionLevel)
	if err != nil {
		return nil, fmt.Errorf("sinks: create %s: %w", path, err)
	}
	w := &ParquetWriter{path: path, schema: schema, kv: kv, rowGroupRows: o.RowGroupRows}
	w.pe.comp = comp
	for _, c := range schema.cols {
		cw, err := newColumnWriter(&w.pe, c, o.encodingOf(schema, c))
		if err != nil {
			return nil, fmt.Errorf("sinks: create %s: %w", path, err)
		}
		w.cols = append(w.cols, cw)
	}
	if w.file, err = createAtomic(path); err != nil {
		return nil, err
	}
	if err := w.write([]byte(parquetMagic)); err != nil {
		w.file.abort()
		return nil, fmt.Errorf("sinks: create %s: %w", path, err)
	}
	return w, nil
}

// Path returns the file's final name.
func (w *ParquetWriter) Path() string { return w.path }

// Rows returns the number of rows written so far.
func (w *ParquetWriter) Rows() int64 { return w.rows }

// write writes b to the file.
func (w *ParquetWriter) write(b []byte) error {
	n, err := w.file.Write(b)
	w.offset += int64(n)
	return err
}

// Write appends the rows of t, which must have the writer's schema. t may
// be reset and refilled as soon as Write returns. A failure to encode or
// write is sticky: every later Write and Close returns it, and Close then
// removes the temporary file. A table of another schema, or whose columns
// differ in length, is refused without harm.
func (w *ParquetWriter) Write(t Table) error {
	switch {
	case w.done:
		return fmt.Errorf("sinks: write %s: %w", w.path, os.ErrClosed)
	case w.err != nil:
		return w.err
	case !t.Schema().Equal(w.schema):
		return fmt.Errorf("sinks: write %s: table %s does not have the file's columns:\n table: %v\n file:  %v",
			w.path, t.Name(), t.Schema(), w.schema)
	}
	cols, n, err := tableColumns(t, w.schema, w.scratch)
	defer func() { clear(cols); w.scratch = cols[:0] }()
	if err != nil {
		return fmt.Errorf("sinks: write %s: %w", w.path, err)
	}
	for lo := 0; lo < n; {
		hi := lo + int(min(int64(n-lo), w.rowGroupRows-w.groupRows))
		for i, cw := range w.cols {
			if err := cw.add(cols[i], lo, hi); err != nil {
				w.err = fmt.Errorf("sinks: write %s: %w", w.path, err)
				return w.err
			}
		}
		w.groupRows += int64(hi - lo)
		w.rows += int64(hi - lo)
		lo = hi
		if w.groupRows == w.rowGroupRows {
			if err := w.flushRowGroup(); err != nil {
				w.err = fmt.Errorf("sinks: write %s: %w", w.path, err)
				return w.err
			}
		}
	}
	return nil
}

// flushRowGroup writes the column chunks of the current row group and
// records its metadata.
func (w *ParquetWriter) flushRowGroup() error {
	if w.groupRows == 0 {
		return nil
	}
	start := w.offset
	tw := &w.tw
	tw.buf = w.groups
	tw.structElem() // RowGroup
	tw.list(1, tcStruct, len(w.cols))
	var uncompressed, compressed int64
	for i, cw := range w.cols {
		m, err := cw.writeChunk(countingWriter{w}, w.offset)
		if err != nil {
			return err
		}
		uncompressed += m.uncompressed
		compressed += m.compressed
		w.encodeChunk(w.schema.cols[i], &m)
	}
	tw.i64(2, uncompressed)
	tw.i64(3, w.groupRows)
	tw.i64(5, start)
	tw.i64(6, compressed)
	tw.i16(7, int16(w.nGroups)) // ordinal, wraps past 32767 row groups as in other writers
	tw.end()
	w.groups = tw.buf
	w.nGroups++
	w.groupRows = 0
	return nil
}

// countingWriter writes to a ParquetWriter's file, counting the offset.
type countingWriter struct{ w *ParquetWriter }

func (c countingWriter) Write(b []byte) (int, error) {
	err := c.w.write(b)
	return len(b), err
}

// encodeChunk appends the ColumnChunk struct of a chunk to w.tw.
func (w *ParquetWriter) encodeChunk(c Column, m *chunkMeta) {
	tw := &w.tw
	tw.structElem()   // ColumnChunk
	tw.i64(2, 0)      // file_offset: deprecated, 0
	tw.structField(3) // ColumnMetaData
	tw.i32(1, physicalType(c.Type))
	encs := m.encodings()
	tw.list(2, tcI32, len(encs))
	for _, e := range encs {
		tw.i32Elem(int32(e))
	}
	tw.list(3, tcBinary, 1)
	tw.stringElem(c.Name)
	tw.i32(4, int32(w.pe.comp.codec))
	tw.i64(5, m.numValues)
	tw.i64(6, m.uncompressed)
	tw.i64(7, m.compressed)
	tw.i64(9, m.dataOffset)
	if m.dictOffset >= 0 {
		tw.i64(11, m.dictOffset)
	}
	tw.structField(12) // Statistics
	if m.min != nil && c.Type != String {
		// The deprecated fields, for old readers: signed order, the same
		// as the type's order for every type but strings.
		tw.binary(1, m.max)
		tw.binary(2, m.min)
	}
	tw.i64(3, 0) // null_count
	if m.min != nil {
		tw.binary(5, m.max)
		tw.binary(6, m.min)
		tw.bool(7, true) // is_max_value_exact
		tw.bool(8, true) // is_min_value_exact
	}
	if m.nanCount >= 0 {
		tw.i64(9, m.nanCount)
	}
	tw.end()
	// encoding_stats: how many pages of each kind and encoding, from
	// which readers tell that every data page is dictionary encoded.
	n := 0
	for _, k := range m.dataPages {
		if k > 0 {
			n++
		}
	}
	if m.hasDict {
		n++
	}
	tw.list(13, tcStruct, n)
	if m.hasDict {
		tw.structElem()
		tw.i32(1, pageDictionary)
		tw.i32(2, int32(encPlain))
		tw.i32(3, 1)
		tw.end()
	}
	for e, k := range m.dataPages {
		if k > 0 {
			tw.structElem()
			tw.i32(1, pageData)
			tw.i32(2, int32(e))
			tw.i32(3, k)
			tw.end()
		}
	}
	tw.end() // ColumnMetaData
	tw.end() // ColumnChunk
}

// footer returns the file's FileMetaData, Thrift-encoded.
func (w *ParquetWriter) footer() []byte {
	tw := &thriftWriter{}
	tw.structElem()
	tw.i32(1, 1) // version: 1, what the format asks writers to write
	tw.list(2, tcStruct, 1+w.schema.Len())
	tw.structElem() // the root
	tw.string(4, "schema")
	tw.i32(5, int32(w.schema.Len()))
	tw.end()
	for _, c := range w.schema.cols {
		tw.structElem()
		tw.i32(1, physicalType(c.Type))
		tw.i32(3, 0) // REQUIRED
		tw.string(4, c.Name)
		if c.Type == String {
			tw.i32(6, 0)       // converted_type UTF8
			tw.structField(10) // logicalType
			tw.structField(1)  // STRING
			tw.end()
			tw.end()
		}
		tw.end()
	}
	tw.i64(3, w.rows)
	tw.list(4, tcStruct, w.nGroups)
	tw.buf = append(tw.buf, w.groups...)
	if len(w.kv) > 0 {
		tw.list(5, tcStruct, len(w.kv))
		for _, e := range w.kv {
			tw.structElem()
			tw.string(1, e.key)
			tw.string(2, e.value)
			tw.end()
		}
	}
	tw.string(6, createdBy)
	tw.list(7, tcStruct, w.schema.Len()) // column_orders: TYPE_ORDER for every column
	for range w.schema.cols {
		tw.structElem()
		tw.structField(1)
		tw.end()
		tw.end()
	}
	tw.end()
	return tw.buf
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
	err := w.flushRowGroup()
	if err == nil {
		footer := w.footer()
		footer = binary.LittleEndian.AppendUint32(footer, uint32(len(footer)))
		err = w.write(append(footer, parquetMagic...))
	}
	if err != nil {
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
