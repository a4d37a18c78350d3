package sinks

import (
	"fmt"
	"io"
	"math"
	"math/bits"
)

// Parquet's enums, as numbered in parquet.thrift.
type encoding int32

const (
	encPlain   encoding = 0
	encRLE     encoding = 3
	encDelta   encoding = 5 // DELTA_BINARY_PACKED
	encRLEDict encoding = 8 // RLE_DICTIONARY
	encBSS     encoding = 9 // BYTE_STREAM_SPLIT
)

const (
	pageData       = 0
	pageDictionary = 2
)

// physicalType returns the Parquet physical type of a column type.
func physicalType(t Type) int32 {
	switch t {
	case Bool:
		return 0 // BOOLEAN
	case Int32:
		return 1 // INT32
	case Int64:
		return 2 // INT64
	case Float32:
		return 4 // FLOAT
	case Float64:
		return 5 // DOUBLE
	}
	return 6 // BYTE_ARRAY
}

const (
	// pageBytes is the plain size of the values in one data page (the
	// common writers' default page size).
	pageBytes = 1 << 20
	// dictBytes is the plain size above which a column chunk's dictionary
	// stops growing: the pages after are PLAIN.
	dictBytes = 1 << 20
	// maxStatBytes is the longest string kept as a chunk's min or max.
	maxStatBytes = 4096
	// maxStringBytes is the longest string value written.
	maxStringBytes = 1 << 30
)

// pageEncoder is what the columns of a file share while encoding pages:
// the compressor and scratch buffers, all reused from page to page.
type pageEncoder struct {
	comp    *compressor
	raw     []byte   // the page's encoded values
	packed  []byte   // the page compressed
	scratch []byte   // BYTE_STREAM_SPLIT's plain values
	idx     []uint32 // dictionary indices
	tw      thriftWriter
}

// compressPage compresses raw and returns the page header (in pe.tw.buf)
// and the compressed page, both valid until the next page; dict says
// whether it is the dictionary page.
func (pe *pageEncoder) compressPage(raw []byte, n int, enc encoding, dict bool) (header, page []byte) {
	pe.packed = pe.comp.compress(pe.packed[:0], raw)
	tw := &pe.tw
	tw.reset()
	tw.structElem() // PageHeader
	if dict {
		tw.i32(1, pageDictionary)
	} else {
		tw.i32(1, pageData)
	}
	tw.i32(2, int32(len(raw)))
	tw.i32(3, int32(len(pe.packed)))
	if dict {
		tw.structField(7) // DictionaryPageHeader
		tw.i32(1, int32(n))
		tw.i32(2, int32(encPlain))
	} else {
		tw.structField(5) // DataPageHeader
		tw.i32(1, int32(n))
		tw.i32(2, int32(enc))
		tw.i32(3, int32(encRLE)) // definition levels: none, the column is REQUIRED
		tw.i32(4, int32(encRLE)) // repetition levels: none
	}
	tw.end()
	tw.end()
	return tw.buf, pe.packed
}

// chunkMeta is what the footer records of a column chunk.
type chunkMeta struct {
	numValues    int64
	uncompressed int64 // pages and their headers
	compressed   int64
	dictOffset   int64 // -1 without dictionary page
	dataOffset   int64
	dataPages    [encBSS + 1]int32 // by encoding
	min, max     []byte            // PLAIN-encoded statistics, nil if none
	nanCount     int64             // -1 for non-float columns
	hasDict      bool
}

// encodings returns the encodings of the chunk's pages, in increasing
// order: the dictionary page's PLAIN, the data pages', and RLE, declared
// for the (absent) levels.
func (m *chunkMeta) encodings() []encoding {
	var out []encoding
	for e, n := range m.dataPages {
		if n > 0 || (e == int(encPlain) && m.hasDict) || e == int(encRLE) {
			out = append(out, encoding(e))
		}
	}
	return out
}

// columnWriter encodes one column into pages, row group by row group.
type columnWriter interface {
	// add appends rows lo…hi of col, the table's Go slice of the column.
	add(col any, lo, hi int) error
	// writeChunk ends the current row group's chunk: it writes the
	// dictionary page, if any, and the data pages to out, which is at file
	// offset off, and returns the chunk's metadata.
	writeChunk(out io.Writer, off int64) (chunkMeta, error)
}

// value is a column's Go value type.
type value interface {
	int32 | int64 | float32 | float64 | bool | string
}

// newColumnWriter returns the writer of column c with data pages in enc
// (encPlain, encRLEDict, encDelta or encBSS).
func newColumnWriter(pe *pageEncoder, c Column, enc encoding) (columnWriter, error) {
	ok := enc == encPlain || enc == encRLEDict && c.Type != Bool ||
		enc == encDelta && (c.Type == Int32 || c.Type == Int64) ||
		enc == encBSS && c.Type != Bool && c.Type != String
	if !ok {
		return nil, fmt.Errorf("column %s: encoding %d does not apply to %v", c.Name, enc, c.Type)
	}
	switch c.Type {
	case Int32:
		return newColWriter[int32](pe, c, enc, 4), nil
	case Int64:
		return newColWriter[int64](pe, c, enc, 8), nil
	case Float32:
		return newColWriter[float32](pe, c, enc, 4), nil
	case Float64:
		return newColWriter[float64](pe, c, enc, 8), nil
	case Bool:
		return newColWriter[bool](pe, c, enc, 1), nil
	case String:
		return newColWriter[string](pe, c, enc, 0), nil
	}
	return nil, fmt.Errorf("column %s: invalid type %v", c.Name, c.Type)
}

// colWriter is the columnWriter of a column of Go type T.
type colWriter[T value] struct {
	pe         *pageEncoder
	col        Column
	enc        encoding
	pageValues int // values per page of a fixed-width type

	pending      []T // the values of the page being filled
	pendingBytes int // their plain size (strings)

	dict     dictIndex[T] // nil unless enc is encRLEDict
	fallback bool         // the dictionary is full: PLAIN pages

	chunk []byte // the chunk's data pages with their headers
	meta  chunkMeta
	stats stats[T]
}

func newColWriter[T value](pe *pageEncoder, c Column, enc encoding, width int) *colWriter[T] {
	w := &colWriter[T]{pe: pe, col: c, enc: enc, pageValues: pageBytes / max(width, 1)}
	if enc == encRLEDict {
		w.dict = newDict[T]()
	}
	w.startChunk()
	return w
}

func (w *colWriter[T]) startChunk() {
	w.chunk = w.chunk[:0]
	w.meta = chunkMeta{dictOffset: -1, nanCount: -1}
	w.stats = stats[T]{}
	w.fallback = false
	if w.dict != nil {
		w.dict.reset()
	}
}

func (w *colWriter[T]) add(col any, lo, hi int) error {
	v := col.([]T)[lo:hi]
	if s, ok := any(v).([]string); ok {
		for _, x := range s {
			if len(x) > maxStringBytes {
				return fmt.Errorf("column %s: a string of %d bytes (at most %d)", w.col.Name, len(x), maxStringBytes)
			}
		}
		for len(v) > 0 {
			k := 0
			for k < len(s) && w.pendingBytes < pageBytes {
				w.pendingBytes += 4 + len(s[k])
				k++
			}
			w.pending = append(w.pending, v[:k]...)
			v, s = v[k:], s[k:]
			if w.pendingBytes >= pageBytes {
				w.flushPage()
			}
		}
		return nil
	}
	for len(v) > 0 {
		k := min(w.pageValues-len(w.pending), len(v))
		w.pending = append(w.pending, v[:k]...)
		v = v[k:]
		if len(w.pending) == w.pageValues {
			w.flushPage()
		}
	}
	return nil
}

// flushPage encodes, compresses and appends the pending values as a data
// page.
func (w *colWriter[T]) flushPage() {
	n := len(w.pending)
	if n == 0 {
		return
	}
	pe := w.pe
	w.stats.update(w.pending)
	raw := pe.raw[:0]
	enc := w.enc
	switch {
	case enc == encRLEDict && !w.fallback:
		pe.idx = w.dict.indices(w.pending, pe.idx[:0])
		width := uint(max(1, bits.Len(uint(w.dict.len()-1))))
		raw = append(raw, byte(width))
		raw = appendRLEHybrid(raw, pe.idx, width)
		if w.dict.plainBytes() > dictBytes {
			w.fallback = true
		}
	case enc == encDelta:
		switch p := any(w.pending).(type) {
		case []int32:
			raw = appendDelta(raw, p)
		case []int64:
			raw = appendDelta(raw, p)
		}
	case enc == encBSS:
		switch p := any(w.pending).(type) {
		case []int32:
			raw = appendByteStreamSplit(raw, p, &pe.scratch)
		case []int64:
			raw = appendByteStreamSplit(raw, p, &pe.scratch)
		case []float32:
			raw = appendByteStreamSplit(raw, p, &pe.scratch)
		case []float64:
			raw = appendByteStreamSplit(raw, p, &pe.scratch)
		}
	default:
		enc = encPlain
		raw = appendPlain(raw, w.pending)
	}
	pe.raw = raw
	header, page := pe.compressPage(raw, n, enc, false)
	w.chunk = append(w.chunk, header...)
	w.chunk = append(w.chunk, page...)
	w.meta.uncompressed += int64(len(header) + len(raw))
	w.meta.numValues += int64(n)
	w.meta.dataPages[enc]++
	clear(w.pending) // drop the strings
	w.pending, w.pendingBytes = w.pending[:0], 0
}

func (w *colWriter[T]) writeChunk(out io.Writer, off int64) (chunkMeta, error) {
	w.flushPage()
	m := w.meta
	var dictSize int64
	if w.dict != nil && w.dict.len() > 0 {
		pe := w.pe
		pe.raw = appendPlain(pe.raw[:0], w.dict.values())
		header, page := pe.compressPage(pe.raw, w.dict.len(), encPlain, true)
		if _, err := out.Write(header); err != nil {
			return m, err
		}
		if _, err := out.Write(page); err != nil {
			return m, err
		}
		dictSize = int64(len(header) + len(page))
		m.uncompressed += int64(len(header) + len(pe.raw))
		m.dictOffset, m.hasDict = off, true
	}
	if _, err := out.Write(w.chunk); err != nil {
		return m, err
	}
	m.dataOffset = off + dictSize
	m.compressed = dictSize + int64(len(w.chunk))
	m.min, m.max, m.nanCount = w.stats.encode()
	w.startChunk()
	return m, nil
}

// appendPlain appends v in the PLAIN encoding.
func appendPlain[T value](dst []byte, v []T) []byte {
	switch v := any(v).(type) {
	case []int32:
		return appendFixed(dst, v)
	case []int64:
		return appendFixed(dst, v)
	case []float32:
		return appendFixed(dst, v)
	case []float64:
		return appendFixed(dst, v)
	case []bool:
		return appendBits(dst, v)
	case []string:
		return appendPlainStrings(dst, v)
	}
	panic("unreachable")
}

// stats are a column chunk's statistics: the least and greatest value
// (NaNs left out), and the number of NaNs.
type stats[T value] struct {
	min, max T
	has      bool
	nan      int64
}

func (s *stats[T]) update(v []T) {
	switch v := any(v).(type) {
	case []int32:
		updateOrdered(any(s).(*stats[int32]), v)
	case []int64:
		updateOrdered(any(s).(*stats[int64]), v)
	case []float32:
		updateFloat(any(s).(*stats[float32]), v)
	case []float64:
		updateFloat(any(s).(*stats[float64]), v)
	case []string:
		updateOrdered(any(s).(*stats[string]), v)
	case []bool:
		s := any(s).(*stats[bool])
		for _, x := range v {
			if !s.has {
				s.min, s.max, s.has = x, x, true
			}
			s.min = s.min && x
			s.max = s.max || x
		}
	}
}

// updateOrdered folds v into s.
func updateOrdered[T int32 | int64 | string](s *stats[T], v []T) {
	if len(v) == 0 {
		return
	}
	if !s.has {
		s.min, s.max, s.has = v[0], v[0], true
	}
	lo, hi := s.min, s.max
	for _, x := range v {
		lo = min(lo, x)
		hi = max(hi, x)
	}
	s.min, s.max = lo, hi
}

// updateFloat folds v into s, counting and skipping NaNs.
func updateFloat[T float32 | float64](s *stats[T], v []T) {
	for _, x := range v {
		if math.IsNaN(float64(x)) {
			s.nan++
			continue
		}
		if !s.has {
			s.min, s.max, s.has = x, x, true
			continue
		}
		s.min = min(s.min, x)
		s.max = max(s.max, x)
	}
}

// encode returns the PLAIN-encoded min and max (nil if there are none, or
// if a string is too long to be worth storing) and the NaN count (-1 for
// non-float columns).
func (s *stats[T]) encode() (lo, hi []byte, nan int64) {
	nan = -1
	switch p := any(s).(type) {
	case *stats[float32]:
		nan = p.nan
		if p.has {
			// The format asks for -0 as a zero min and +0 as a zero max.
			if p.min == 0 {
				p.min = float32(math.Copysign(0, -1))
			}
			if p.max == 0 {
				p.max = 0
			}
		}
	case *stats[float64]:
		nan = p.nan
		if p.has {
			if p.min == 0 {
				p.min = math.Copysign(0, -1)
			}
			if p.max == 0 {
				p.max = 0
			}
		}
	case *stats[string]:
		if len(p.min) > maxStatBytes || len(p.max) > maxStatBytes {
			return nil, nil, nan
		}
		if p.has {
			return []byte(p.min), []byte(p.max), nan
		}
	}
	if !s.has {
		return nil, nil, nan
	}
	return appendPlain(nil, []T{s.min}), appendPlain(nil, []T{s.max}), nan
}

// dictIndex is the dictionary of a column chunk: the distinct values in
// order of first appearance.
type dictIndex[T value] interface {
	// indices appends the dictionary index of every value of v to idx,
	// adding the values not yet in the dictionary.
	indices(v []T, idx []uint32) []uint32
	values() []T
	len() int
	plainBytes() int // the size of the dictionary page's values
	reset()
}

func newDict[T value]() dictIndex[T] {
	var d any
	switch any(*new(T)).(type) {
	case int32:
		d = &int32Dict{}
	case int64:
		d = &mapDict[int64, int64]{key: func(x int64) int64 { return x }, width: 8}
	case float32:
		d = &mapDict[float32, uint32]{key: math.Float32bits, width: 4}
	case float64:
		d = &mapDict[float64, uint64]{key: math.Float64bits, width: 8}
	case string:
		d = &mapDict[string, string]{key: func(x string) string { return x }, width: 4}
	}
	return d.(dictIndex[T])
}

// mapDict is a dictionary of values of type T, keyed by K (the bits of
// floats, so that -0 and +0, and NaNs, stay apart).
type mapDict[T value, K comparable] struct {
	key   func(T) K
	width int // PLAIN bytes per value (per string, besides its bytes)
	m     map[K]uint32
	vals  []T
	bytes int
}

func (d *mapDict[T, K]) indices(v []T, idx []uint32) []uint32 {
	if d.m == nil {
		d.m = map[K]uint32{}
	}
	for _, x := range v {
		k := d.key(x)
		i, ok := d.m[k]
		if !ok {
			i = uint32(len(d.vals))
			d.m[k] = i
			d.vals = append(d.vals, x)
			d.bytes += d.width
			if s, ok := any(x).(string); ok {
				d.bytes += len(s)
			}
		}
		idx = append(idx, i)
	}
	return idx
}

func (d *mapDict[T, K]) values() []T     { return d.vals }
func (d *mapDict[T, K]) len() int        { return len(d.vals) }
func (d *mapDict[T, K]) plainBytes() int { return d.bytes }

func (d *mapDict[T, K]) reset() {
	clear(d.m)
	clear(d.vals)
	d.vals, d.bytes = d.vals[:0], 0
}

// int32Dict is the dictionary of an int32 column, with a direct table for
// the small non-negative values that trial, neuron and bin columns hold.
type int32Dict struct {
	dense []uint32 // index+1 of the values 0 … denseMax-1; 0: absent
	m     map[int32]uint32
	vals  []int32
}

const denseMax = 1 << 16

func (d *int32Dict) indices(v []int32, idx []uint32) []uint32 {
	last, lastIdx := int32(0), uint32(math.MaxUint32)
	for _, x := range v {
		if x == last && lastIdx != math.MaxUint32 {
			idx = append(idx, lastIdx)
			continue
		}
		var i uint32
		if uint32(x) < denseMax {
			if int(x) >= len(d.dense) {
				n := min(denseMax, max(int(x)+1, 2*len(d.dense), 256))
				d.dense = append(d.dense, make([]uint32, n-len(d.dense))...)
			}
			if i = d.dense[x]; i == 0 {
				d.vals = append(d.vals, x)
				i = uint32(len(d.vals))
				d.dense[x] = i
			}
			i--
		} else {
			if d.m == nil {
				d.m = map[int32]uint32{}
			}
			var ok bool
			if i, ok = d.m[x]; !ok {
				i = uint32(len(d.vals))
				d.m[x] = i
				d.vals = append(d.vals, x)
			}
		}
		last, lastIdx = x, i
		idx = append(idx, i)
	}
	return idx
}

func (d *int32Dict) values() []int32 { return d.vals }
func (d *int32Dict) len() int        { return len(d.vals) }
func (d *int32Dict) plainBytes() int { return 4 * len(d.vals) }
func (d *int32Dict) reset() {
	for _, x := range d.vals {
		if uint32(x) < denseMax {
			d.dense[x] = 0
		}
	}
	clear(d.m)
	d.vals = d.vals[:0]
}
