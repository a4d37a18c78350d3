package sinks

// A Thrift compact protocol encoder, enough for the Parquet page headers
// and file footer (parquet.thrift in github.com/apache/parquet-format): the
// writer knows the structs it writes, so there is no generated code, only
// fields written in increasing id order.

// Compact protocol type codes.
const (
	tcTrue   = 1
	tcFalse  = 2
	tcI16    = 4
	tcI32    = 5
	tcI64    = 6
	tcBinary = 8
	tcList   = 9
	tcStruct = 12
)

// thriftWriter appends compact-protocol bytes to buf. Structs nest: begin
// one with structField (a field) or structElem (a list element, or the
// top level), write its fields, and end it with end.
type thriftWriter struct {
	buf   []byte
	last  int16   // id of the last field written in the current struct
	stack []int16 // last of the enclosing structs
}

func (w *thriftWriter) reset() {
	w.buf, w.last, w.stack = w.buf[:0], 0, w.stack[:0]
}

func (w *thriftWriter) uvarint(x uint64) { w.buf = appendUvarint(w.buf, x) }

// field writes the header of field id of type typ.
func (w *thriftWriter) field(id int16, typ byte) {
	if d := id - w.last; d > 0 && d <= 15 {
		w.buf = append(w.buf, byte(d)<<4|typ)
	} else {
		w.buf = append(w.buf, typ)
		w.uvarint(zigzag(int64(id)))
	}
	w.last = id
}

func (w *thriftWriter) i32(id int16, v int32) {
	w.field(id, tcI32)
	w.uvarint(zigzag(int64(v)))
}

func (w *thriftWriter) i64(id int16, v int64) {
	w.field(id, tcI64)
	w.uvarint(zigzag(v))
}

func (w *thriftWriter) i16(id int16, v int16) {
	w.field(id, tcI16)
	w.uvarint(zigzag(int64(v)))
}

func (w *thriftWriter) bool(id int16, v bool) {
	if v {
		w.field(id, tcTrue)
	} else {
		w.field(id, tcFalse)
	}
}

func (w *thriftWriter) binary(id int16, b []byte) {
	w.field(id, tcBinary)
	w.uvarint(uint64(len(b)))
	w.buf = append(w.buf, b...)
}

func (w *thriftWriter) string(id int16, s string) {
	w.field(id, tcBinary)
	w.uvarint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

// list writes the header of list field id of n elements of type elem; the
// elements follow (stringElem, i32Elem, structElem … end).
func (w *thriftWriter) list(id int16, elem byte, n int) {
	w.field(id, tcList)
	if n < 15 {
		w.buf = append(w.buf, byte(n)<<4|elem)
	} else {
		w.buf = append(w.buf, 0xf0|elem)
		w.uvarint(uint64(n))
	}
}

func (w *thriftWriter) i32Elem(v int32) { w.uvarint(zigzag(int64(v))) }

func (w *thriftWriter) stringElem(s string) {
	w.uvarint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

// structField begins a struct-valued field.
func (w *thriftWriter) structField(id int16) {
	w.field(id, tcStruct)
	w.structElem()
}

// structElem begins a struct that is a list element or the top level.
func (w *thriftWriter) structElem() {
	w.stack = append(w.stack, w.last)
	w.last = 0
}

// end ends the current struct.
func (w *thriftWriter) end() {
	w.buf = append(w.buf, 0) // stop
	w.last = w.stack[len(w.stack)-1]
	w.stack = w.stack[:len(w.stack)-1]
}
