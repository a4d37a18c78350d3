package sinks

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// A Thrift compact protocol decoder for the Parquet footer and page
// headers: it decodes any struct into a tree of field values, so that the
// reader picks the fields it knows and skips the rest, whatever writer
// made the file. Every size is checked against the bytes left, and nesting
// is bounded, so no input makes it allocate more than the input's size or
// recurse without end.

// tStruct is a decoded struct: field id → value. A value is an int64 (the
// integer types), a bool, a float64, a []byte (binary and string), a
// []any (list and set) or a tStruct; maps are skipped.
type tStruct map[int16]any

// errThrift is wrapped by the decoder's errors.
var errThrift = errors.New("malformed thrift")

// maxThriftDepth bounds the nesting of structs and lists.
const maxThriftDepth = 32

type thriftReader struct {
	b   []byte
	pos int
}

func (r *thriftReader) fail(what string) error {
	return fmt.Errorf("%w: %s at byte %d", errThrift, what, r.pos)
}

func (r *thriftReader) byte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, r.fail("unexpected end")
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

func (r *thriftReader) uvarint() (uint64, error) {
	x, n := binary.Uvarint(r.b[r.pos:])
	if n <= 0 {
		return 0, r.fail("bad varint")
	}
	r.pos += n
	return x, nil
}

func (r *thriftReader) varint() (int64, error) {
	u, err := r.uvarint()
	return int64(u>>1) ^ -int64(u&1), err
}

// readStruct decodes a struct at the reader's position.
func (r *thriftReader) readStruct(depth int) (tStruct, error) {
	if depth > maxThriftDepth {
		return nil, r.fail("structs nested too deep")
	}
	s := tStruct{}
	var last int16
	for {
		h, err := r.byte()
		if err != nil {
			return nil, err
		}
		if h == 0 {
			return s, nil
		}
		typ := h & 0x0f
		id := last + int16(h>>4)
		if h>>4 == 0 {
			v, err := r.varint()
			if err != nil {
				return nil, err
			}
			id = int16(v)
		}
		last = id
		v, err := r.value(typ, depth)
		if err != nil {
			return nil, err
		}
		if v != nil {
			s[id] = v
		}
	}
}

// value decodes one value of compact type typ.
func (r *thriftReader) value(typ byte, depth int) (any, error) {
	switch typ {
	case 1: // true
		return true, nil
	case 2: // false
		return false, nil
	case 3: // byte
		c, err := r.byte()
		return int64(int8(c)), err
	case 4, 5, 6: // i16, i32, i64
		return r.varint()
	case 7: // double
		if len(r.b)-r.pos < 8 {
			return nil, r.fail("short double")
		}
		x := math.Float64frombits(binary.LittleEndian.Uint64(r.b[r.pos:]))
		r.pos += 8
		return x, nil
	case 8: // binary
		n, err := r.uvarint()
		if err != nil {
			return nil, err
		}
		if n > uint64(len(r.b)-r.pos) {
			return nil, r.fail("binary longer than the data")
		}
		b := r.b[r.pos : r.pos+int(n)]
		r.pos += int(n)
		return b, nil
	case 9, 10: // list, set
		return r.list(depth)
	case 11: // map: skipped
		return nil, r.skipMap(depth)
	case 12:
		return r.readStruct(depth + 1)
	}
	return nil, r.fail(fmt.Sprintf("unknown type %d", typ))
}

func (r *thriftReader) list(depth int) ([]any, error) {
	if depth > maxThriftDepth {
		return nil, r.fail("lists nested too deep")
	}
	h, err := r.byte()
	if err != nil {
		return nil, err
	}
	n, elem := uint64(h>>4), h&0x0f
	if n == 15 {
		if n, err = r.uvarint(); err != nil {
			return nil, err
		}
	}
	if n > uint64(len(r.b)-r.pos) { // every element takes a byte at least
		return nil, r.fail("list longer than the data")
	}
	out := make([]any, 0, n)
	for range n {
		var v any
		if elem == 1 || elem == 2 { // a bool element is one byte
			c, err := r.byte()
			if err != nil {
				return nil, err
			}
			v = c == 1
		} else if v, err = r.value(elem, depth+1); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (r *thriftReader) skipMap(depth int) error {
	n, err := r.uvarint()
	if err != nil || n == 0 {
		return err
	}
	if n > uint64(len(r.b)-r.pos) {
		return r.fail("map longer than the data")
	}
	kv, err := r.byte()
	if err != nil {
		return err
	}
	for range n {
		for _, t := range []byte{kv >> 4, kv & 0x0f} {
			if t == 1 || t == 2 {
				if _, err := r.byte(); err != nil {
					return err
				}
				continue
			}
			if _, err := r.value(t, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// Field accessors; ok is false when the field is absent or of another
// type.

func (s tStruct) int(id int16) (int64, bool) {
	v, ok := s[id].(int64)
	return v, ok
}

func (s tStruct) str(id int16) string {
	b, _ := s[id].([]byte)
	return string(b)
}

func (s tStruct) bool(id int16, def bool) bool {
	if v, ok := s[id].(bool); ok {
		return v
	}
	return def
}

func (s tStruct) sub(id int16) (tStruct, bool) {
	v, ok := s[id].(tStruct)
	return v, ok
}

func (s tStruct) list(id int16) []any {
	v, _ := s[id].([]any)
	return v
}
