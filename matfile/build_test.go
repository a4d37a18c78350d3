package matfile

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
)

// mb builds MAT-file bytes by hand, in either byte order, for inputs our
// writer never makes: big-endian files, values stored in types narrower
// than their class, old char encodings, and damaged files.
type mb struct{ o binary.ByteOrder }

var (
	le = mb{binary.LittleEndian}
	be = mb{binary.BigEndian}
)

func (b mb) u32(x uint32) []byte { return b.o.(binary.AppendByteOrder).AppendUint32(nil, x) }

// raw encodes a slice of fixed-size numbers.
func (b mb) raw(data any) []byte {
	out, err := binary.Append(nil, b.o, data)
	if err != nil {
		panic(err)
	}
	return out
}

// elem is a regular data element: tag, data, padding to 8 bytes.
func (b mb) elem(typ uint32, data []byte) []byte {
	out := append(b.u32(typ), b.u32(uint32(len(data)))...)
	out = append(out, data...)
	for len(out)%8 != 0 {
		out = append(out, 0)
	}
	return out
}

// small is a small data element (at most 4 bytes of data).
func (b mb) small(typ uint32, data []byte) []byte {
	out := b.u32(uint32(len(data))<<16 | typ)
	out = append(out, data...)
	for len(out) < 8 {
		out = append(out, 0)
	}
	return out
}

func (b mb) flags(mx, fl uint8, nzmax uint32) []byte {
	return b.elem(miUint32, append(b.u32(uint32(mx)|uint32(fl)<<8), b.u32(nzmax)...))
}

func (b mb) dims(d ...int32) []byte { return b.elem(miInt32, b.raw(d)) }

func (b mb) name(s string) []byte {
	if len(s) > 0 && len(s) <= 4 {
		return b.small(miInt8, []byte(s))
	}
	return b.elem(miInt8, []byte(s))
}

// matrix is a miMATRIX element holding parts.
func (b mb) matrix(parts ...[]byte) []byte {
	return b.elem(miMatrix, bytes.Join(parts, nil))
}

// compressed is a miCOMPRESSED element holding elem.
func (b mb) compressed(elem []byte) []byte {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(elem)
	w.Close()
	out := append(b.u32(miCompressed), b.u32(uint32(z.Len()))...)
	return append(out, z.Bytes()...)
}

// file is a header followed by elems.
func (b mb) file(elems ...[]byte) []byte {
	h := make([]byte, headerLen)
	copy(h, "MATLAB 5.0 MAT-file, hand-built test file")
	for i := len("MATLAB 5.0 MAT-file, hand-built test file"); i < 116; i++ {
		h[i] = ' '
	}
	b.o.PutUint16(h[124:], 0x0100)
	if b.o == binary.LittleEndian {
		h[126], h[127] = 'I', 'M'
	} else {
		h[126], h[127] = 'M', 'I'
	}
	return append(h, bytes.Join(elems, nil)...)
}

// double is a double array var with its values stored as typ.
func (b mb) double(name string, dims []int32, typ uint32, vals any) []byte {
	return b.matrix(b.flags(mxDouble, 0, 0), b.dims(dims...), b.name(name), b.elem(typ, b.raw(vals)))
}
