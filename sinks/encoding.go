package sinks

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"unsafe"
)

// The low-level encodings shared by the Parquet and Arrow writers: values
// in little-endian byte order, bit packing, varints, and the Parquet
// encodings RLE/bit-packing hybrid, DELTA_BINARY_PACKED and
// BYTE_STREAM_SPLIT (https://github.com/apache/parquet-format,
// Encodings.md).

// nativeLittleEndian reports whether the machine stores numbers little
// endian, as both formats do; then fixed-width columns are copied as they
// lie in memory.
var nativeLittleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// fixed are the fixed-width column types.
type fixed interface {
	int32 | int64 | float32 | float64
}

// memoryBytes returns the memory of v as bytes, in the machine's order.
func memoryBytes[T fixed](v []T) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), len(v)*int(unsafe.Sizeof(v[0])))
}

// appendFixed appends the values of v to dst, little endian.
func appendFixed[T fixed](dst []byte, v []T) []byte {
	if len(v) == 0 {
		return dst
	}
	if nativeLittleEndian {
		return append(dst, memoryBytes(v)...)
	}
	switch v := any(v).(type) {
	case []int32:
		for _, x := range v {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(x))
		}
	case []int64:
		for _, x := range v {
			dst = binary.LittleEndian.AppendUint64(dst, uint64(x))
		}
	case []float32:
		for _, x := range v {
			dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(x))
		}
	case []float64:
		for _, x := range v {
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(x))
		}
	}
	return dst
}

// appendBits appends v bit-packed, least significant bit first, padded with
// zero bits to a whole byte (Parquet PLAIN booleans, Arrow boolean data).
func appendBits(dst []byte, v []bool) []byte {
	for i := 0; i < len(v); i += 8 {
		var b byte
		for j, x := range v[i:min(i+8, len(v))] {
			if x {
				b |= 1 << j
			}
		}
		dst = append(dst, b)
	}
	return dst
}

// appendPlainStrings appends v in Parquet's PLAIN encoding of BYTE_ARRAY:
// a 4-byte little-endian length before each value.
func appendPlainStrings(dst []byte, v []string) []byte {
	for _, s := range v {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(s)))
		dst = append(dst, s...)
	}
	return dst
}

// appendUvarint appends x as ULEB128.
func appendUvarint(dst []byte, x uint64) []byte { return binary.AppendUvarint(dst, x) }

// zigzag maps signed to unsigned integers, small magnitudes to small
// numbers.
func zigzag(x int64) uint64 { return uint64(x<<1) ^ uint64(x>>63) }

// bitPacker packs values of a few bits each into bytes, least significant
// bit first.
type bitPacker struct {
	acc uint64
	n   uint
}

// put appends the low w bits of v (w ≤ 64).
func (b *bitPacker) put(dst []byte, v uint64, w uint) []byte {
	for w > 32 {
		dst = b.put(dst, v&0xffffffff, 32)
		v >>= 32
		w -= 32
	}
	b.acc |= (v & (1<<w - 1)) << b.n
	b.n += w
	for b.n >= 8 {
		dst = append(dst, byte(b.acc))
		b.acc >>= 8
		b.n -= 8
	}
	return dst
}

// flush appends the bits left, padded with zeros to a byte.
func (b *bitPacker) flush(dst []byte) []byte {
	if b.n > 0 {
		dst = append(dst, byte(b.acc))
	}
	b.acc, b.n = 0, 0
	return dst
}

// maxBitPackedGroups is the most groups of 8 values in one bit-packed run:
// a one-byte run header, as in the common writers.
const maxBitPackedGroups = 63

// appendRLEHybrid appends v, values of width bits each, in the
// RLE/bit-packing hybrid encoding without length prefix (dictionary indices
// of a data page): runs of 8 or more equal values as RLE runs, the rest
// bit-packed in groups of 8, the last group padded with zeros.
func appendRLEHybrid(dst []byte, v []uint32, width uint) []byte {
	valueBytes := int(width+7) / 8
	n := len(v)
	runAt := func(i int) int { // length of the run of equal values at i
		j := i + 1
		for j < n && v[j] == v[i] {
			j++
		}
		return j - i
	}
	run8At := func(i int) bool { // whether a run of 8 or more starts at i
		if i+8 > n {
			return false
		}
		for _, x := range v[i+1 : i+8] {
			if x != v[i] {
				return false
			}
		}
		return true
	}
	var bp bitPacker
	for i := 0; i < n; {
		if r := runAt(i); r >= 8 {
			dst = appendUvarint(dst, uint64(r)<<1)
			for k := range valueBytes {
				dst = append(dst, byte(v[i]>>(8*k)))
			}
			i += r
			continue
		}
		// Bit-pack groups of 8 until a run of 8 starts at a group
		// boundary or the values end.
		j := i
		for groups := 0; j < n && groups < maxBitPackedGroups; groups++ {
			j += 8
			if run8At(j) {
				break
			}
		}
		groups := (min(j, n) - i + 7) / 8
		dst = appendUvarint(dst, uint64(groups)<<1|1)
		if width == 8 { // one byte a value, the common case of up to 256 distinct values
			for k := i; k < i+8*groups; k++ {
				if k < n {
					dst = append(dst, byte(v[k]))
				} else {
					dst = append(dst, 0)
				}
			}
			i = min(j, n)
			continue
		}
		for k := i; k < i+8*groups; k++ {
			var x uint32
			if k < n {
				x = v[k]
			}
			dst = bp.put(dst, uint64(x), width)
		}
		dst = bp.flush(dst)
		i = min(j, n)
	}
	return dst
}

// Parameters of DELTA_BINARY_PACKED, those of the common writers.
const (
	deltaBlockSize     = 128
	deltaMiniblocks    = 4
	deltaMiniblockSize = deltaBlockSize / deltaMiniblocks
)

// deltaInt is an integer type that DELTA_BINARY_PACKED encodes.
type deltaInt interface{ int32 | int64 }

// appendDelta appends v in the DELTA_BINARY_PACKED encoding. Differences
// wrap around in T's two's complement arithmetic, as the format requires,
// so that INT32 data never needs more than 32 bits per value.
func appendDelta[T deltaInt](dst []byte, v []T) []byte {
	size := uint(unsafe.Sizeof(T(0))) * 8
	mask := uint64(1)<<(size-1)<<1 - 1 // all ones in the low size bits
	dst = appendUvarint(dst, deltaBlockSize)
	dst = appendUvarint(dst, deltaMiniblocks)
	dst = appendUvarint(dst, uint64(len(v)))
	if len(v) == 0 {
		return appendUvarint(dst, 0)
	}
	dst = appendUvarint(dst, zigzag(int64(v[0])))
	var deltas [deltaBlockSize]T
	var bp bitPacker
	prev := v[0]
	for lo := 1; lo < len(v); lo += deltaBlockSize {
		block := v[lo:min(lo+deltaBlockSize, len(v))]
		minDelta := block[0] - prev
		for i, x := range block {
			d := x - prev // wraps in T
			deltas[i] = d
			minDelta = min(minDelta, d)
			prev = x
		}
		dst = appendUvarint(dst, zigzag(int64(minDelta)))
		var widths [deltaMiniblocks]uint
		for m := range deltaMiniblocks {
			lo, hi := m*deltaMiniblockSize, min((m+1)*deltaMiniblockSize, len(block))
			var or uint64
			for _, d := range deltas[lo:max(lo, hi)] {
				or |= uint64(d-minDelta) & mask
			}
			widths[m] = uint(bits.Len64(or))
			dst = append(dst, byte(widths[m]))
		}
		for m := range deltaMiniblocks {
			lo := m * deltaMiniblockSize
			if lo >= len(block) {
				break
			}
			for i := lo; i < lo+deltaMiniblockSize; i++ {
				var u uint64
				if i < len(block) {
					u = uint64(deltas[i]-minDelta) & mask
				}
				dst = bp.put(dst, u, widths[m])
			}
			dst = bp.flush(dst)
		}
	}
	return dst
}

// appendByteStreamSplit appends v in the BYTE_STREAM_SPLIT encoding: byte
// k of every value, then byte k+1 of every value, and so on. scratch holds
// the plain bytes.
func appendByteStreamSplit[T fixed](dst []byte, v []T, scratch *[]byte) []byte {
	width := int(unsafe.Sizeof(T(0)))
	n := len(v)
	plain := appendFixed((*scratch)[:0], v)
	*scratch = plain
	start := len(dst)
	dst = slices.Grow(dst, n*width)[:start+n*width]
	out := dst[start:]
	for k := range width {
		stream := out[k*n : (k+1)*n]
		for i := range stream {
			stream[i] = plain[i*width+k]
		}
	}
	return dst
}
