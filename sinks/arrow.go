package sinks

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"

	flatbuffers "github.com/google/flatbuffers/go"
	"github.com/pierrec/lz4/v4"
)

// The Arrow IPC stream format
// (https://arrow.apache.org/docs/format/Columnar.html#ipc-streaming-format):
// encapsulated messages, each a continuation marker 0xFFFFFFFF, the int32
// length of the flatbuffer Message that follows (padded to 8 bytes), and
// the message body, whose buffers are 8-byte aligned; a Schema message,
// one RecordBatch message per batch, and the end-of-stream marker
// 0xFFFFFFFF 0x00000000. The flatbuffer tables are those of Schema.fbs and
// Message.fbs in apache/arrow's format directory; the slot numbers below
// are their fields in declaration order (a union takes two: its type, then
// its value).

const (
	metadataV5           = 4 // MetadataVersion.V5
	headerSchema         = 1 // MessageHeader.Schema
	headerRecordBatch    = 3 // MessageHeader.RecordBatch
	arrowTypeInt         = 2 // Type.Int
	arrowTypeFloat       = 3 // Type.FloatingPoint
	arrowTypeUtf8        = 5 // Type.Utf8
	arrowTypeBool        = 6 // Type.Bool
	precisionSingle      = 1 // Precision.SINGLE
	precisionDouble      = 2 // Precision.DOUBLE
	compressionLZ4Frame  = 0 // CompressionType.LZ4_FRAME
	compressionZstd      = 1 // CompressionType.ZSTD
	arrowContinuation    = 0xFFFFFFFF
	arrowAlignment       = 8
	arrowUncompressedLen = 8 // bytes of the length before a compressed buffer
)

// ArrowOptions are the settings of an ArrowStream. A nil *ArrowOptions
// means the defaults; so does the zero value of each field.
type ArrowOptions struct {
	// Compression compresses the body of every record batch: "none" (the
	// default, what every Arrow reader accepts), "zstd" or "lz4" (Arrow
	// IPC buffer compression, which older readers may not support).
	Compression string
}

// bufferCompressor compresses an Arrow IPC body buffer.
type bufferCompressor interface {
	compress(dst, src []byte) []byte
}

// lz4Compressor writes LZ4 frames, the format Arrow's LZ4_FRAME codec
// means.
type lz4Compressor struct {
	w   *lz4.Writer
	buf bytes.Buffer
}

func (c *lz4Compressor) compress(dst, src []byte) []byte {
	c.buf.Reset()
	c.w.Reset(&c.buf)
	c.w.Write(src) // a bytes.Buffer does not fail
	c.w.Close()
	return append(dst, c.buf.Bytes()...)
}

// bodyCompression returns the compressor and Arrow codec of a compression
// name, nil for none.
func bodyCompression(name string) (bufferCompressor, int8, error) {
	switch name {
	case "", "none":
		return nil, 0, nil
	case "zstd":
		c, err := newCompressor("zstd", 0)
		return c, compressionZstd, err
	case "lz4":
		w := lz4.NewWriter(nil)
		if err := w.Apply(lz4.BlockSizeOption(lz4.Block64Kb), lz4.ChecksumOption(false)); err != nil {
			return nil, 0, err
		}
		return &lz4Compressor{w: w}, compressionLZ4Frame, nil
	}
	return nil, 0, fmt.Errorf("unknown compression %q (want none, zstd or lz4)", name)
}

// ArrowStream writes batches of one table in the Arrow IPC stream format
// (read by pyarrow.ipc.open_stream and arrow-go's ipc.NewReader): a schema
// message, one record batch message per Write, and an end-of-stream marker
// written by Close. Each Write is sent to the underlying writer before it
// returns, so a consumer at the other end of a pipe sees every batch as it
// is written; fixed-width columns are written straight from the table's
// slices (on little-endian machines), and nothing is kept across batches
// but reused buffers, so memory is flat. Columns are non-nullable
// (no validity bitmaps); strings are utf8 (int32 offsets). An ArrowStream
// is not safe for concurrent use.
type ArrowStream struct {
	name   string // the path, or "arrow stream"
	schema *Schema
	kv     []keyValue
	w      io.Writer
	file   *atomicFile // set by CreateArrowStream

	comp       bufferCompressor // nil: uncompressed
	codec      int8
	fb         *flatbuffers.Builder
	msg        []byte     // the message being sent
	body       []byte     // a batch's body, compressed
	parts      [][]byte   // the pieces of the body to write after msg
	bufs       [][]byte   // a batch's buffers, before compression
	spans      [][2]int64 // their offset and length in the body
	scratch    []byte     // string offsets and data, booleans
	cols       []any
	schemaSent bool

	rows int64
	err  error // sticky: the first failed write
	done bool
}

// NewArrowStream starts an Arrow IPC stream of rows of schema on w. meta
// becomes the schema's custom metadata, keys sorted (as in CreateParquet,
// keys must be non-empty and must not start with "ARROW:"). The schema
// message is written with the first batch, or by Close if there is none.
// Close ends the stream but does not close w.
func NewArrowStream(w io.Writer, schema *Schema, meta map[string]string, opts *ArrowOptions) (*ArrowStream, error) {
	return newArrowStream("arrow stream", w, schema, meta, opts)
}

func newArrowStream(name string, w io.Writer, schema *Schema, meta map[string]string, opts *ArrowOptions) (*ArrowStream, error) {
	if schema == nil || schema.Len() == 0 {
		return nil, fmt.Errorf("sinks: create %s: no columns", name)
	}
	kv, err := sortedMetadata(name, meta)
	if err != nil {
		return nil, err
	}
	var compression string
	if opts != nil {
		compression = opts.Compression
	}
	comp, codec, err := bodyCompression(compression)
	if err != nil {
		return nil, fmt.Errorf("sinks: create %s: %w", name, err)
	}
	return &ArrowStream{name: name, schema: schema, kv: kv, w: w, comp: comp, codec: codec,
		fb: flatbuffers.NewBuilder(1024)}, nil
}

// CreateArrowStream starts an Arrow IPC stream file at path (by convention
// named *.arrows) like NewArrowStream. The stream goes to a temporary file
// in path's directory, flushed after every batch so that a reader may
// follow it; Close renames it to path, Abort removes it.
func CreateArrowStream(path string, schema *Schema, meta map[string]string, opts *ArrowOptions) (*ArrowStream, error) {
	if _, err := newArrowStream(path, io.Discard, schema, meta, opts); err != nil {
		return nil, err // before creating the file
	}
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
// it (and a file made by CreateArrowStream is removed by Close). A table of
// another schema, or whose columns differ in length, is refused without
// harm.
func (s *ArrowStream) Write(t Table) error {
	switch {
	case s.done:
		return fmt.Errorf("sinks: write %s: %w", s.name, os.ErrClosed)
	case s.err != nil:
		return s.err
	case !t.Schema().Equal(s.schema):
		return fmt.Errorf("sinks: write %s: table %s does not have the stream's columns:\n table: %v\n stream: %v",
			s.name, t.Name(), t.Schema(), s.schema)
	}
	cols, n, err := tableColumns(t, s.schema, s.cols)
	defer func() { clear(cols); s.cols = cols[:0] }()
	if err != nil {
		return fmt.Errorf("sinks: write %s: %w", s.name, err)
	}
	if n == 0 {
		return nil
	}
	if err := s.encodeBatch(cols, n); err != nil {
		return fmt.Errorf("sinks: write %s: %w", s.name, err)
	}
	if err := s.send(); err != nil {
		s.err = fmt.Errorf("sinks: write %s: %w", s.name, err)
		return s.err
	}
	s.rows += int64(n)
	return nil
}

// send writes the schema message if it is not yet written, then s.msg and
// s.parts, and flushes a file.
func (s *ArrowStream) send() error {
	if !s.schemaSent {
		schema := s.encodeSchema()
		if _, err := s.w.Write(schema); err != nil {
			return err
		}
		s.schemaSent = true
	}
	if _, err := s.w.Write(s.msg); err != nil {
		return err
	}
	for _, p := range s.parts {
		if len(p) == 0 {
			continue
		}
		if _, err := s.w.Write(p); err != nil {
			return err
		}
	}
	if s.file != nil {
		return s.file.flush()
	}
	return nil
}

// encodeSchema returns the Schema message.
func (s *ArrowStream) encodeSchema() []byte {
	b := s.fb
	b.Reset()
	fields := make([]flatbuffers.UOffsetT, s.schema.Len())
	for i, c := range s.schema.cols {
		name := b.CreateString(c.Name)
		var typeType byte
		switch c.Type {
		case Int32, Int64:
			typeType = arrowTypeInt
			bitWidth := int32(32)
			if c.Type == Int64 {
				bitWidth = 64
			}
			b.StartObject(2) // Int
			b.PrependInt32Slot(0, bitWidth, 0)
			b.PrependBoolSlot(1, true, false) // is_signed
		case Float32, Float64:
			typeType = arrowTypeFloat
			precision := int16(precisionSingle)
			if c.Type == Float64 {
				precision = precisionDouble
			}
			b.StartObject(1) // FloatingPoint
			b.PrependInt16Slot(0, precision, 0)
		case Bool:
			typeType = arrowTypeBool
			b.StartObject(0)
		case String:
			typeType = arrowTypeUtf8
			b.StartObject(0)
		}
		typ := b.EndObject()
		b.StartVector(4, 0, 4) // children: none, but present (Arrow C++ requires it)
		children := b.EndVector(0)
		b.StartObject(7) // Field
		b.PrependUOffsetTSlot(0, name, 0)
		b.PrependBoolSlot(1, false, false) // nullable
		b.PrependByteSlot(2, typeType, 0)
		b.PrependUOffsetTSlot(3, typ, 0)
		b.PrependUOffsetTSlot(5, children, 0)
		fields[i] = b.EndObject()
	}
	fieldVec := offsetVector(b, fields)
	kvs := make([]flatbuffers.UOffsetT, len(s.kv))
	for i, e := range s.kv {
		k, v := b.CreateString(e.key), b.CreateString(e.value)
		b.StartObject(2) // KeyValue
		b.PrependUOffsetTSlot(0, k, 0)
		b.PrependUOffsetTSlot(1, v, 0)
		kvs[i] = b.EndObject()
	}
	var meta flatbuffers.UOffsetT
	if len(kvs) > 0 {
		meta = offsetVector(b, kvs)
	}
	b.StartObject(4) // Schema; endianness Little is the default
	b.PrependUOffsetTSlot(1, fieldVec, 0)
	if meta != 0 {
		b.PrependUOffsetTSlot(2, meta, 0)
	}
	schema := b.EndObject()
	return s.encapsulate(nil, headerSchema, schema, 0)
}

// offsetVector builds a vector of the tables at offs.
func offsetVector(b *flatbuffers.Builder, offs []flatbuffers.UOffsetT) flatbuffers.UOffsetT {
	b.StartVector(4, len(offs), 4)
	for i := len(offs) - 1; i >= 0; i-- {
		b.PrependUOffsetT(offs[i])
	}
	return b.EndVector(len(offs))
}

// encapsulate finishes a Message of header type typ at offset header with
// a body of bodyLen bytes and returns dst with the message's continuation
// marker, length and flatbuffer, padded to 8 bytes, appended.
func (s *ArrowStream) encapsulate(dst []byte, typ byte, header flatbuffers.UOffsetT, bodyLen int64) []byte {
	b := s.fb
	b.StartObject(5) // Message
	b.PrependInt16Slot(0, metadataV5, 0)
	b.PrependByteSlot(1, typ, 0)
	b.PrependUOffsetTSlot(2, header, 0)
	b.PrependInt64Slot(3, bodyLen, 0)
	b.Finish(b.EndObject())
	fb := b.FinishedBytes()
	padded := (len(fb) + 8 + arrowAlignment - 1) &^ (arrowAlignment - 1)
	dst = binary.LittleEndian.AppendUint32(dst, arrowContinuation)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(padded-8))
	dst = append(dst, fb...)
	return append(dst, make([]byte, padded-8-len(fb))...)
}

// encodeBatch puts the RecordBatch message of n rows of cols in s.msg.
func (s *ArrowStream) encodeBatch(cols []any, n int) error {
	// The buffers, two per column (validity, empty, and values) or three
	// for strings (validity, offsets, data). Fixed-width values are the
	// Go slices' own memory on little-endian machines.
	s.bufs = s.bufs[:0]
	scratch := s.scratch[:0]
	for i, c := range cols {
		s.bufs = append(s.bufs, nil) // validity: no nulls
		switch v := c.(type) {
		case []int32:
			s.bufs = append(s.bufs, fixedBytes(&scratch, v))
		case []int64:
			s.bufs = append(s.bufs, fixedBytes(&scratch, v))
		case []float32:
			s.bufs = append(s.bufs, fixedBytes(&scratch, v))
		case []float64:
			s.bufs = append(s.bufs, fixedBytes(&scratch, v))
		case []bool:
			lo := len(scratch)
			scratch = appendBits(scratch, v)
			s.bufs = append(s.bufs, scratch[lo:len(scratch):len(scratch)])
		case []string:
			lo := len(scratch)
			total := 0
			scratch = binary.LittleEndian.AppendUint32(scratch, 0)
			for _, x := range v {
				total += len(x)
				if total > math.MaxInt32 {
					return fmt.Errorf("column %s holds more than 2 GiB of text", s.schema.cols[i].Name)
				}
				scratch = binary.LittleEndian.AppendUint32(scratch, uint32(total))
			}
			mid := len(scratch)
			for _, x := range v {
				scratch = append(scratch, x...)
			}
			s.bufs = append(s.bufs, scratch[lo:mid:mid], scratch[mid:len(scratch):len(scratch)])
		}
	}
	// scratch may have moved while growing: the buffers taken from it
	// before are still valid (they point into the old arrays), so nothing
	// is lost; keep the last array for the next batch.
	s.scratch = scratch

	// The body: the buffers one after the other, each padded to 8 bytes.
	// Compressed, a buffer becomes its uncompressed length (int64) and
	// the compressed bytes, gathered in s.body; empty buffers stay empty.
	// Uncompressed, the buffers are written as they are (parts).
	body := s.body[:0]
	s.spans, s.parts = s.spans[:0], s.parts[:0]
	var bodyLen int64
	for _, buf := range s.bufs {
		size := int64(len(buf))
		if s.comp != nil && len(buf) > 0 {
			lo := len(body)
			body = binary.LittleEndian.AppendUint64(body, uint64(len(buf)))
			body = s.comp.compress(body, buf)
			size = int64(len(body) - lo)
			body = append(body, zeros[:pad(size)]...)
		} else if len(buf) > 0 {
			s.parts = append(s.parts, buf, zeros[:pad(size)])
		}
		s.spans = append(s.spans, [2]int64{bodyLen, size})
		bodyLen += size + int64(pad(size))
	}
	if s.comp != nil {
		s.parts = append(s.parts, body)
	}
	s.body = body

	b := s.fb
	b.Reset()
	var comp flatbuffers.UOffsetT
	if s.comp != nil {
		b.StartObject(2) // BodyCompression; method BUFFER is the default
		b.PrependInt8Slot(0, s.codec, 0)
		comp = b.EndObject()
	}
	b.StartVector(16, len(cols), 8) // nodes: FieldNode{length, null_count}
	for range cols {
		b.Prep(8, 16)
		b.PrependInt64(0) // null_count
		b.PrependInt64(int64(n))
	}
	nodes := b.EndVector(len(cols))
	b.StartVector(16, len(s.spans), 8) // buffers: Buffer{offset, length}
	for i := len(s.spans) - 1; i >= 0; i-- {
		b.Prep(8, 16)
		b.PrependInt64(s.spans[i][1])
		b.PrependInt64(s.spans[i][0])
	}
	buffers := b.EndVector(len(s.spans))
	b.StartObject(5) // RecordBatch
	b.PrependInt64Slot(0, int64(n), 0)
	b.PrependUOffsetTSlot(1, nodes, 0)
	b.PrependUOffsetTSlot(2, buffers, 0)
	if comp != 0 {
		b.PrependUOffsetTSlot(3, comp, 0)
	}
	rb := b.EndObject()
	s.msg = s.encapsulate(s.msg[:0], headerRecordBatch, rb, bodyLen)
	return nil
}

// zeros pads buffers.
var zeros [arrowAlignment]byte

// pad returns the bytes that align size to arrowAlignment.
func pad(size int64) int {
	return int(-size & (arrowAlignment - 1))
}

// fixedBytes returns the little-endian bytes of v: its own memory on a
// little-endian machine, else appended to scratch.
func fixedBytes[T fixed](scratch *[]byte, v []T) []byte {
	if nativeLittleEndian {
		return memoryBytes(v)
	}
	lo := len(*scratch)
	*scratch = appendFixed(*scratch, v)
	return (*scratch)[lo:len(*scratch):len(*scratch)]
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
		s.msg = binary.LittleEndian.AppendUint32(s.msg[:0], arrowContinuation)
		s.msg = binary.LittleEndian.AppendUint32(s.msg, 0)
		s.parts = s.parts[:0]
		if werr := s.send(); werr != nil {
			err = fmt.Errorf("sinks: close %s: %w", s.name, werr)
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
// without its end-of-stream marker. Abort is a no-op after Close or Abort,
// so it can be deferred.
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
