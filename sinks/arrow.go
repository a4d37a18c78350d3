package sinks

import (
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// ArrowOptions are the settings of an ArrowStream. A nil *ArrowOptions
// means the defaults; so does the zero value of each field.
type ArrowOptions struct {
	// Compression compresses the body of every record batch: "none" (the
	// default, what every Arrow reader accepts), "zstd" or "lz4" (Arrow
	// IPC buffer compression, which older readers may not support).
	Compression string
}

func (opts *ArrowOptions) ipcOptions(schema *arrow.Schema) ([]ipc.Option, error) {
	o := []ipc.Option{ipc.WithSchema(schema)}
	var name string
	if opts != nil {
		name = opts.Compression
	}
	switch name {
	case "", "none":
	case "zstd":
		o = append(o, ipc.WithZstd())
	case "lz4":
		o = append(o, ipc.WithLZ4())
	default:
		return nil, fmt.Errorf("unknown compression %q (want none, zstd or lz4)", name)
	}
	return o, nil
}

// ArrowStream writes batches of one table in the Arrow IPC stream format
// (read by pyarrow.ipc.open_stream and arrow-go's ipc.NewReader): a schema message, one record batch message per
// Write, and an end-of-stream marker written by Close. Each Write is sent
// to the underlying writer before it returns, so a consumer at the other
// end of a pipe sees every batch as it is written; nothing is buffered
// across batches, so memory is flat. An ArrowStream is not safe for
// concurrent use.
type ArrowStream struct {
	name   string // the path, or "arrow stream"
	schema *arrow.Schema
	iw     *ipc.Writer
	file   *atomicFile // set by CreateArrowStream
	rows   int64
	err    error // sticky: the first failed write
	done   bool
}

// NewArrowStream starts an Arrow IPC stream of rows of schema on w. meta
// becomes the schema's custom metadata (as in CreateParquet, keys must be
// non-empty and must not start with "ARROW:"). The schema message is
// written with the first batch, or by Close if there is none. Close ends
// the stream but does not close w.
func NewArrowStream(w io.Writer, schema *arrow.Schema, meta map[string]string, opts *ArrowOptions) (*ArrowStream, error) {
	return newArrowStream("arrow stream", w, schema, meta, opts)
}

func newArrowStream(name string, w io.Writer, schema *arrow.Schema, meta map[string]string, opts *ArrowOptions) (*ArrowStream, error) {
	schema, err := withMetadata(name, schema, meta)
	if err != nil {
		return nil, err
	}
	o, err := opts.ipcOptions(schema)
	if err != nil {
		return nil, fmt.Errorf("sinks: create %s: %w", name, err)
	}
	return &ArrowStream{name: name, schema: schema, iw: ipc.NewWriter(w, o...)}, nil
}

// CreateArrowStream starts an Arrow IPC stream file at path (by convention
// named *.arrows) like NewArrowStream. The stream goes to a temporary file
// in path's directory, flushed after every batch so that a reader may
// follow it; Close renames it to path, Abort removes it.
func CreateArrowStream(path string, schema *arrow.Schema, meta map[string]string, opts *ArrowOptions) (*ArrowStream, error) {
	file, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	s, err := newArrowStream(path, file, schema, meta, opts)
	if err != nil {
		file.abort()
		return nil, err
	}
	s.file = file
	return s, nil
}

// Rows returns the number of rows written so far.
func (s *ArrowStream) Rows() int64 { return s.rows }

// Write sends the rows of t, which must have the stream's schema, as one
// record batch. t may be reset and refilled as soon as Write returns. A
// failure to encode or write is sticky: every later Write and Close returns
// it (and a file made by CreateArrowStream is removed by Close).
func (s *ArrowStream) Write(t Table) error {
	switch {
	case s.done:
		return fmt.Errorf("sinks: write %s: %w", s.name, os.ErrClosed)
	case s.err != nil:
		return s.err
	case !t.Schema().Equal(s.schema):
		return fmt.Errorf("sinks: write %s: table %s does not have the stream's columns:\n table: %v\n stream: %v",
			s.name, t.Name(), t.Schema(), s.schema)
	case t.Len() == 0:
		return nil
	}
	rec, err := t.RecordBatch()
	if err != nil {
		return fmt.Errorf("sinks: write %s: %w", s.name, err)
	}
	defer rec.Release()
	err = s.iw.Write(rec)
	if err == nil && s.file != nil {
		err = s.file.flush()
	}
	if err != nil {
		s.err = fmt.Errorf("sinks: write %s: %w", s.name, err)
		return s.err
	}
	s.rows += rec.NumRows()
	return nil
}

// Close writes the end-of-stream marker (and the schema, if no batch was
// written). It does not close the writer given to NewArrowStream; a file
// made by CreateArrowStream is fsynced and renamed to its final name.
// After a failed Write, Close returns the Write's error.
func (s *ArrowStream) Close() error {
	if s.done {
		return fmt.Errorf("sinks: close %s: %w", s.name, os.ErrClosed)
	}
	s.done = true
	err := s.err
	if err == nil {
		if cerr := s.iw.Close(); cerr != nil {
			err = fmt.Errorf("sinks: close %s: %w", s.name, cerr)
		}
	}
	if s.file == nil {
		return err
	}
	if err != nil {
		s.file.abort()
		return err
	}
	return s.file.commit()
}

// Abort stops writing without ending the stream. A file made by
// CreateArrowStream is removed, leaving any earlier file at its final name
// untouched; on a writer given to NewArrowStream the stream is left
// without its end-of-stream marker. Abort is a
// no-op after Close or Abort, so it can be deferred.
func (s *ArrowStream) Abort() error {
	if s.done {
		return nil
	}
	s.done = true
	if s.file == nil {
		return nil
	}
	return s.file.abort()
}
