package sinks

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"

	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// ParquetFile is a flat Parquet file read whole by ReadParquet.
type ParquetFile struct {
	// Rows is the number of rows.
	Rows int64
	// Columns holds the columns, in schema order.
	Columns []ParquetColumn
}

// ParquetColumn is one column of a ParquetFile. Exactly one of Floats and
// Strings is set, with Rows values.
type ParquetColumn struct {
	// Name is the column's name.
	Name string
	// Floats holds the values of a numeric column: BOOLEAN (0 or 1),
	// INT32, INT64 (exact up to 2^53), FLOAT or DOUBLE.
	Floats []float64
	// Strings holds the values of a BYTE_ARRAY column.
	Strings []string
}

// ErrParquet is wrapped by the errors ReadParquet returns for a file it
// cannot read: damaged, or using a feature outside what it reads.
var ErrParquet = errors.New("unreadable parquet")

// readLimits bound the uncompressed size of a page and the number of
// values of a column, so that a damaged header cannot make the reader
// allocate without limit: at most about 8 × values + pageBytes bytes per
// column. The common writers make pages of about 1 MiB. The fuzz test
// lowers them.
var readLimits = struct{ pageBytes, values int64 }{pageBytes: 256 << 20, values: 1 << 24}

// ReadParquet reads a flat Parquet file whole: every column a top-level
// primitive, REQUIRED or OPTIONAL with no null value. It reads what this
// package writes and what the common writers (pyarrow and pandas, DuckDB,
// arrow-go, polars) write by default: data pages v1 and v2 and dictionary
// pages; the encodings PLAIN, RLE_DICTIONARY (and PLAIN_DICTIONARY), RLE
// (booleans), DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT; the codecs UNCOMPRESSED, SNAPPY,
// GZIP, ZSTD and LZ4_RAW. Nested and repeated columns, nulls, INT96 and
// fixed-length byte arrays are refused, with an error naming the file, the
// column and what is not read; so is a damaged file. The errors wrap
// ErrParquet. ReadParquet is meant for small tables, such as stimuli: it
// holds the whole file in memory.
func ReadParquet(path string) (*ParquetFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pf, err := decodeParquet(data)
	if err != nil {
		return nil, fmt.Errorf("parquet %s: %w", path, err)
	}
	return pf, nil
}

// decodeParquet decodes a whole Parquet file.
func decodeParquet(data []byte) (*ParquetFile, error) {
	n := len(data)
	if n < 12 || string(data[:4]) != parquetMagic || string(data[n-4:]) != parquetMagic {
		return nil, fmt.Errorf("%w: not a Parquet file (no PAR1 at both ends)", ErrParquet)
	}
	flen := int64(binary.LittleEndian.Uint32(data[n-8:]))
	if flen > int64(n-12) {
		return nil, fmt.Errorf("%w: footer of %d bytes in a file of %d", ErrParquet, flen, n)
	}
	tr := &thriftReader{b: data[n-8-int(flen) : n-8]}
	meta, err := tr.readStruct(0)
	if err != nil {
		return nil, fmt.Errorf("%w: footer: %w", ErrParquet, err)
	}
	cols, err := flatSchema(meta.list(2))
	if err != nil {
		return nil, err
	}
	rows, _ := meta.int(3)
	if rows < 0 || rows > readLimits.values {
		return nil, fmt.Errorf("%w: %d rows: more than this reader takes (%d)", ErrParquet, rows, readLimits.values)
	}
	pf := &ParquetFile{Rows: rows}
	for _, c := range cols {
		pf.Columns = append(pf.Columns, ParquetColumn{Name: c.name})
	}
	for g, rg := range meta.list(4) {
		rgs, _ := rg.(tStruct)
		chunks := rgs.list(1)
		if len(chunks) != len(cols) {
			return nil, fmt.Errorf("%w: row group %d has %d column chunks for %d columns", ErrParquet, g, len(chunks), len(cols))
		}
		for k, ch := range chunks {
			chs, _ := ch.(tStruct)
			md, ok := chs.sub(3)
			if !ok {
				return nil, fmt.Errorf("%w: row group %d, column %s: no metadata (a chunk in another file?)", ErrParquet, g, cols[k].name)
			}
			cr := &chunkReader{data: data, col: &cols[k], out: &pf.Columns[k]}
			if err := cr.read(md); err != nil {
				return nil, fmt.Errorf("%w: row group %d, column %s: %w", ErrParquet, g, cols[k].name, err)
			}
		}
	}
	for i := range pf.Columns {
		c := &pf.Columns[i]
		if c.Floats == nil && c.Strings == nil {
			if cols[i].typ == ptByteArray {
				c.Strings = []string{}
			} else {
				c.Floats = []float64{}
			}
		}
		if got := int64(len(c.Floats) + len(c.Strings)); got != rows {
			return nil, fmt.Errorf("%w: column %s has %d values, the file %d rows", ErrParquet, c.Name, got, rows)
		}
	}
	return pf, nil
}

// Parquet physical types.
const (
	ptBoolean   = 0
	ptInt32     = 1
	ptInt64     = 2
	ptInt96     = 3
	ptFloat     = 4
	ptDouble    = 5
	ptByteArray = 6
	ptFixed     = 7
)

// leafColumn is a column of a flat schema.
type leafColumn struct {
	name     string
	typ      int64
	optional bool
}

// flatSchema checks that the schema is a root of primitive columns and
// returns them.
func flatSchema(elems []any) ([]leafColumn, error) {
	if len(elems) == 0 {
		return nil, fmt.Errorf("%w: no schema", ErrParquet)
	}
	root, _ := elems[0].(tStruct)
	nChildren, _ := root.int(5)
	if nChildren != int64(len(elems)-1) {
		return nil, fmt.Errorf("%w: nested schema (%d top-level fields, %d elements): only flat tables are read", ErrParquet, nChildren, len(elems)-1)
	}
	var cols []leafColumn
	for _, e := range elems[1:] {
		s, _ := e.(tStruct)
		c := leafColumn{name: s.str(4)}
		if n, _ := s.int(5); n > 0 {
			return nil, fmt.Errorf("%w: column %s is a group: only flat tables are read", ErrParquet, c.name)
		}
		var ok bool
		if c.typ, ok = s.int(1); !ok {
			return nil, fmt.Errorf("%w: column %s has no type", ErrParquet, c.name)
		}
		switch c.typ {
		case ptInt96, ptFixed:
			return nil, fmt.Errorf("%w: column %s is INT96 or FIXED_LEN_BYTE_ARRAY, which are not read", ErrParquet, c.name)
		case ptBoolean, ptInt32, ptInt64, ptFloat, ptDouble, ptByteArray:
		default:
			return nil, fmt.Errorf("%w: column %s has an unknown type %d", ErrParquet, c.name, c.typ)
		}
		switch rep, _ := s.int(3); rep {
		case 0: // REQUIRED
		case 1:
			c.optional = true
		default:
			return nil, fmt.Errorf("%w: column %s is repeated: only flat tables are read", ErrParquet, c.name)
		}
		cols = append(cols, c)
	}
	return cols, nil
}

// chunkReader reads the pages of one column chunk into a column.
type chunkReader struct {
	data []byte
	col  *leafColumn
	out  *ParquetColumn
	dict *ParquetColumn // the dictionary page's values
}

func (cr *chunkReader) read(md tStruct) error {
	codec, _ := md.int(4)
	total, _ := md.int(5)
	size, _ := md.int(7)
	start, _ := md.int(9)
	if d, ok := md.int(11); ok && d > 0 && d < start {
		start = d
	}
	if start < 4 || size < 0 || start > int64(len(cr.data)) || size > int64(len(cr.data))-start {
		return fmt.Errorf("chunk at %d of %d bytes lies outside the file", start, size)
	}
	r := &thriftReader{b: cr.data[start : start+size]}
	var got int64
	for got < total {
		if r.pos >= len(r.b) {
			return fmt.Errorf("chunk ends after %d of its %d values", got, total)
		}
		h, err := r.readStruct(0)
		if err != nil {
			return fmt.Errorf("page header: %w", err)
		}
		csize, _ := h.int(3)
		if csize < 0 || csize > int64(len(r.b)-r.pos) {
			return fmt.Errorf("page of %d bytes past the end of the chunk", csize)
		}
		page := r.b[r.pos : r.pos+int(csize)]
		r.pos += int(csize)
		n, err := cr.page(h, page, codec)
		if err != nil {
			return err
		}
		got += n
	}
	return nil
}

// page decodes one page and returns the number of values it added.
func (cr *chunkReader) page(h tStruct, page []byte, codec int64) (int64, error) {
	typ, _ := h.int(1)
	usize, _ := h.int(2)
	if usize < 0 || usize > readLimits.pageBytes {
		return 0, fmt.Errorf("page of %d bytes uncompressed: more than this reader takes (%d)", usize, readLimits.pageBytes)
	}
	have := int64(len(cr.out.Floats) + len(cr.out.Strings))
	for _, id := range []int16{5, 7, 8} { // the values of a data, dictionary or v2 data page
		if sub, ok := h.sub(id); ok {
			if n, _ := sub.int(1); n < 0 || n > readLimits.values-have {
				return 0, fmt.Errorf("page of %d values: more than this reader takes (%d a column)", n, readLimits.values)
			}
		}
	}
	switch typ {
	case 2: // DICTIONARY_PAGE
		dh, _ := h.sub(7)
		n, _ := dh.int(1)
		enc, _ := dh.int(2)
		if enc != int64(encPlain) && enc != 2 {
			return 0, fmt.Errorf("dictionary page encoding %d: want PLAIN", enc)
		}
		raw, err := cr.decompress(codec, page, int(usize))
		if err != nil {
			return 0, err
		}
		cr.dict = &ParquetColumn{}
		if _, err := decodePlain(cr.dict, cr.col.typ, raw, n); err != nil {
			return 0, fmt.Errorf("dictionary page: %w", err)
		}
		return 0, nil
	case 0: // DATA_PAGE
		dh, _ := h.sub(5)
		n, _ := dh.int(1)
		enc, _ := dh.int(2)
		raw, err := cr.decompress(codec, page, int(usize))
		if err != nil {
			return 0, err
		}
		if cr.col.optional {
			if raw, err = cr.defLevelsV1(raw, n); err != nil {
				return 0, err
			}
		}
		return n, cr.values(enc, raw, n)
	case 3: // DATA_PAGE_V2
		dh, _ := h.sub(8)
		n, _ := dh.int(1)
		nulls, _ := dh.int(2)
		enc, _ := dh.int(4)
		dlen, _ := dh.int(5)
		rlen, _ := dh.int(6)
		if nulls != 0 {
			return 0, fmt.Errorf("%d null values: nulls are not read", nulls)
		}
		if rlen != 0 || dlen < 0 || dlen > int64(len(page)) || usize < dlen {
			return 0, fmt.Errorf("data page v2 with %d bytes of repetition and %d of definition levels", rlen, dlen)
		}
		vals := page[dlen:]
		var err error
		if dh.bool(7, true) {
			vals, err = cr.decompress(codec, vals, int(usize-dlen))
			if err != nil {
				return 0, err
			}
		}
		return n, cr.values(enc, vals, n)
	case 1: // INDEX_PAGE
		return 0, nil
	}
	return 0, fmt.Errorf("unknown page type %d", typ)
}

// defLevelsV1 checks the definition levels of a v1 data page of an
// OPTIONAL column (RLE, bit width 1) and returns the bytes after them.
func (cr *chunkReader) defLevelsV1(raw []byte, n int64) ([]byte, error) {
	if len(raw) < 4 {
		return nil, errors.New("short definition levels")
	}
	l := int64(binary.LittleEndian.Uint32(raw))
	if l > int64(len(raw)-4) {
		return nil, errors.New("definition levels past the end of the page")
	}
	levels, err := decodeHybrid(raw[4:4+l], 1, n)
	if err != nil {
		return nil, fmt.Errorf("definition levels: %w", err)
	}
	for i, d := range levels {
		if d != 1 {
			return nil, fmt.Errorf("value %d of the page is null: nulls are not read", i)
		}
	}
	return raw[4+l:], nil
}

// values decodes n values of a data page in encoding enc.
func (cr *chunkReader) values(enc int64, raw []byte, n int64) error {
	switch enc {
	case int64(encPlain):
		_, err := decodePlain(cr.out, cr.col.typ, raw, n)
		return err
	case 2, int64(encRLEDict): // PLAIN_DICTIONARY, RLE_DICTIONARY
		return cr.dictValues(raw, n)
	case int64(encRLE):
		if cr.col.typ != ptBoolean {
			return fmt.Errorf("RLE encoding of a non-boolean column")
		}
		if len(raw) < 4 {
			return errors.New("short RLE data")
		}
		l := int(binary.LittleEndian.Uint32(raw))
		if l > len(raw)-4 {
			return errors.New("RLE data past the end of the page")
		}
		v, err := decodeHybrid(raw[4:4+l], 1, n)
		if err != nil {
			return err
		}
		for _, b := range v {
			cr.out.Floats = append(cr.out.Floats, float64(b))
		}
		return nil
	case int64(encDelta):
		v, _, err := decodeDelta(raw, n, cr.col.typ == ptInt32)
		if err != nil {
			return err
		}
		if cr.col.typ != ptInt32 && cr.col.typ != ptInt64 {
			return errors.New("DELTA_BINARY_PACKED encoding of a non-integer column")
		}
		for _, x := range v {
			cr.out.Floats = append(cr.out.Floats, float64(x))
		}
		return nil
	case 6, 7: // DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY
		if cr.col.typ != ptByteArray {
			return fmt.Errorf("encoding %d of a non-BYTE_ARRAY column", enc)
		}
		v, err := decodeDeltaStrings(raw, n, enc == 7)
		cr.out.Strings = append(cr.out.Strings, v...)
		return err
	case int64(encBSS):
		return cr.byteStreamSplit(raw, n)
	}
	return fmt.Errorf("encoding %d is not read", enc)
}

func (cr *chunkReader) dictValues(raw []byte, n int64) error {
	if cr.dict == nil {
		return errors.New("dictionary-encoded page without a dictionary page")
	}
	if len(raw) < 1 {
		return errors.New("no bit width")
	}
	width := uint(raw[0])
	if width > 32 {
		return fmt.Errorf("dictionary index width %d", width)
	}
	idx, err := decodeHybrid(raw[1:], width, n)
	if err != nil {
		return fmt.Errorf("dictionary indices: %w", err)
	}
	size := uint64(len(cr.dict.Floats) + len(cr.dict.Strings))
	for _, i := range idx {
		if i >= size {
			return fmt.Errorf("dictionary index %d of a dictionary of %d", i, size)
		}
		if cr.dict.Strings != nil {
			cr.out.Strings = append(cr.out.Strings, cr.dict.Strings[i])
		} else {
			cr.out.Floats = append(cr.out.Floats, cr.dict.Floats[i])
		}
	}
	return nil
}

func (cr *chunkReader) byteStreamSplit(raw []byte, n int64) error {
	var width int64
	switch cr.col.typ {
	case ptInt32, ptFloat:
		width = 4
	case ptInt64, ptDouble:
		width = 8
	default:
		return errors.New("BYTE_STREAM_SPLIT encoding of a variable-width column")
	}
	if int64(len(raw)) != n*width {
		return fmt.Errorf("BYTE_STREAM_SPLIT data of %d bytes for %d values", len(raw), n)
	}
	plain := make([]byte, len(raw))
	for k := range width {
		for i := range n {
			plain[i*width+k] = raw[k*n+i]
		}
	}
	_, err := decodePlain(cr.out, cr.col.typ, plain, n)
	return err
}

// decodePlain appends n PLAIN values of physical type typ to c and returns
// the bytes they took.
func decodePlain(c *ParquetColumn, typ int64, b []byte, n int64) (int, error) {
	fixed := func(width int64, conv func([]byte) float64) (int, error) {
		if n < 0 || int64(len(b)) < n*width {
			return 0, fmt.Errorf("%d values of %d bytes in %d bytes", n, width, len(b))
		}
		for i := range n {
			c.Floats = append(c.Floats, conv(b[i*width:]))
		}
		if c.Floats == nil {
			c.Floats = []float64{}
		}
		return int(n * width), nil
	}
	le32, le64 := binary.LittleEndian.Uint32, binary.LittleEndian.Uint64
	switch typ {
	case ptBoolean:
		if n < 0 || int64(len(b))*8 < n {
			return 0, fmt.Errorf("%d booleans in %d bytes", n, len(b))
		}
		for i := range n {
			c.Floats = append(c.Floats, float64(b[i/8]>>(i%8)&1))
		}
		if c.Floats == nil {
			c.Floats = []float64{}
		}
		return int((n + 7) / 8), nil
	case ptInt32:
		return fixed(4, func(p []byte) float64 { return float64(int32(le32(p))) })
	case ptInt64:
		return fixed(8, func(p []byte) float64 { return float64(int64(le64(p))) })
	case ptFloat:
		return fixed(4, func(p []byte) float64 { return float64(math.Float32frombits(le32(p))) })
	case ptDouble:
		return fixed(8, func(p []byte) float64 { return math.Float64frombits(le64(p)) })
	case ptByteArray:
		pos := 0
		if n < 0 || n > int64(len(b))/4 {
			return 0, fmt.Errorf("%d strings in %d bytes", n, len(b))
		}
		if c.Strings == nil {
			c.Strings = make([]string, 0, n)
		}
		for range n {
			if len(b)-pos < 4 {
				return 0, errors.New("short string length")
			}
			l := int(le32(b[pos:]))
			pos += 4
			if l < 0 || l > len(b)-pos {
				return 0, errors.New("string past the end of the page")
			}
			c.Strings = append(c.Strings, string(b[pos:pos+l]))
			pos += l
		}
		return pos, nil
	}
	return 0, fmt.Errorf("type %d is not read", typ)
}

// decodeHybrid decodes n values of the RLE/bit-packing hybrid encoding of
// the given bit width.
func decodeHybrid(b []byte, width uint, n int64) ([]uint64, error) {
	if n < 0 {
		return nil, errors.New("negative count")
	}
	out := make([]uint64, 0, min(n, int64(len(b))*8+64))
	pos := 0
	vbytes := int((width + 7) / 8)
	for int64(len(out)) < n {
		h, k := binary.Uvarint(b[pos:])
		if k <= 0 {
			return nil, fmt.Errorf("run header: %d of %d values decoded", len(out), n)
		}
		pos += k
		if h&1 == 0 { // RLE run
			count := h >> 1
			if len(b)-pos < vbytes {
				return nil, errors.New("short run value")
			}
			var v uint64
			for i := range vbytes {
				v |= uint64(b[pos+i]) << (8 * i)
			}
			pos += vbytes
			take := min(count, uint64(n-int64(len(out))))
			if take == 0 && count == 0 {
				return nil, errors.New("empty run")
			}
			for range take {
				out = append(out, v)
			}
			continue
		}
		groups := h >> 1
		if groups == 0 || groups > uint64(len(b)) {
			return nil, errors.New("bad bit-packed run")
		}
		nbytes := int(groups) * int(width)
		if len(b)-pos < nbytes {
			return nil, errors.New("short bit-packed run")
		}
		run := b[pos : pos+nbytes]
		pos += nbytes
		mask := uint64(1)<<width - 1
		for i := uint64(0); i < groups*8 && int64(len(out)) < n; i++ {
			bit := i * uint64(width)
			var v uint64
			for j := uint64(0); j < uint64(width); j++ {
				if run[(bit+j)/8]>>((bit+j)%8)&1 != 0 {
					v |= 1 << j
				}
			}
			out = append(out, v&mask)
		}
	}
	return out, nil
}

// decodeDelta decodes n DELTA_BINARY_PACKED integers and returns them and
// the bytes they took. With i32, arithmetic wraps at 32 bits.
func decodeDelta(b []byte, n int64, i32 bool) ([]int64, int, error) {
	r := &thriftReader{b: b}
	block, err1 := r.uvarint()
	minis, err2 := r.uvarint()
	count, err3 := r.uvarint()
	first, err4 := r.varint()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return nil, 0, fmt.Errorf("delta header: %w", err)
	}
	if block == 0 || minis == 0 || block%128 != 0 || block/minis%32 != 0 || minis > block {
		return nil, 0, fmt.Errorf("delta block of %d values in %d miniblocks", block, minis)
	}
	if int64(count) != n {
		return nil, 0, fmt.Errorf("delta data of %d values for %d", count, n)
	}
	wrap := func(x int64) int64 {
		if i32 {
			return int64(int32(x))
		}
		return x
	}
	out := make([]int64, 0, n)
	if count > 0 {
		out = append(out, wrap(first))
	}
	prev := first
	per := block / minis
	for uint64(len(out)) < count {
		minDelta, err := r.varint()
		if err != nil {
			return nil, 0, err
		}
		if len(r.b)-r.pos < int(minis) {
			return nil, 0, errors.New("short miniblock widths")
		}
		widths := r.b[r.pos : r.pos+int(minis)]
		r.pos += int(minis)
		for _, w := range widths {
			if uint64(len(out)) >= count {
				break
			}
			if w > 64 {
				return nil, 0, fmt.Errorf("miniblock width %d", w)
			}
			nbytes := int(per) * int(w) / 8
			if len(r.b)-r.pos < nbytes {
				return nil, 0, errors.New("short miniblock")
			}
			mb := r.b[r.pos : r.pos+nbytes]
			r.pos += nbytes
			for i := uint64(0); i < per && uint64(len(out)) < count; i++ {
				var d uint64
				bit := i * uint64(w)
				for j := uint64(0); j < uint64(w); j++ {
					if mb[(bit+j)/8]>>((bit+j)%8)&1 != 0 {
						d |= 1 << j
					}
				}
				prev = wrap(prev + minDelta + int64(d))
				out = append(out, prev)
			}
		}
	}
	return out, r.pos, nil
}

// decodeDeltaStrings decodes n DELTA_LENGTH_BYTE_ARRAY strings or, with
// prefixed, DELTA_BYTE_ARRAY strings (prefix lengths, then the suffixes
// as DELTA_LENGTH_BYTE_ARRAY).
func decodeDeltaStrings(b []byte, n int64, prefixed bool) ([]string, error) {
	var prefix []int64
	if prefixed {
		var used int
		var err error
		if prefix, used, err = decodeDelta(b, n, true); err != nil {
			return nil, fmt.Errorf("prefix lengths: %w", err)
		}
		b = b[used:]
	}
	lengths, used, err := decodeDelta(b, n, true)
	if err != nil {
		return nil, fmt.Errorf("lengths: %w", err)
	}
	b = b[used:]
	out := make([]string, 0, n)
	pos := 0
	var last string
	for i, l := range lengths {
		if l < 0 || l > int64(len(b)-pos) {
			return nil, errors.New("string past the end of the page")
		}
		s := string(b[pos : pos+int(l)])
		pos += int(l)
		if prefixed {
			p := prefix[i]
			if p < 0 || p > int64(len(last)) {
				return nil, fmt.Errorf("prefix of %d bytes of a %d-byte string", p, len(last))
			}
			s = last[:p] + s
			last = s
		}
		out = append(out, s)
	}
	return out, nil
}

// Parquet compression codecs that this file reads besides those codec.go
// names.
const codecLZ4Raw = 7

var zstdDecoder = sync.OnceValues(func() (*zstd.Decoder, error) {
	return zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(uint64(readLimits.pageBytes)))
})

// decompress returns page decompressed to size bytes.
func (cr *chunkReader) decompress(c int64, page []byte, size int) ([]byte, error) {
	var out []byte
	var err error
	switch codec(c) {
	case codecNone:
		out = page
	case codecSnappy:
		if l, e := snappy.DecodedLen(page); e != nil || l != size {
			return nil, fmt.Errorf("snappy page of %d bytes, header says %d", l, size)
		}
		out, err = snappy.Decode(make([]byte, size), page)
	case codecGzip:
		var zr *gzip.Reader
		if zr, err = gzip.NewReader(bytes.NewReader(page)); err == nil {
			out, err = io.ReadAll(io.LimitReader(zr, int64(size)+1))
		}
	case codecZstd:
		var d *zstd.Decoder
		if d, err = zstdDecoder(); err == nil {
			out, err = d.DecodeAll(page, make([]byte, 0, size))
		}
	case codecLZ4Raw:
		out = make([]byte, size)
		var k int
		k, err = lz4.UncompressBlock(page, out)
		out = out[:max(k, 0)]
	default:
		return nil, fmt.Errorf("compression codec %d is not read (want UNCOMPRESSED, SNAPPY, GZIP, ZSTD or LZ4_RAW)", c)
	}
	if err != nil {
		return nil, fmt.Errorf("decompress page: %w", err)
	}
	if len(out) != size {
		return nil, fmt.Errorf("page decompresses to %d bytes, header says %d", len(out), size)
	}
	return out, nil
}
