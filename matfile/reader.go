package matfile

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// headerLen is the size of the level 5 file header.
const headerLen = 128

// Header is the 128-byte header of a level 5 MAT-file.
type Header struct {
	// Text is the descriptive text (at most 116 bytes), trailing blanks
	// and NULs removed, e.g. "MATLAB 5.0 MAT-file, Platform: GLNXA64, …".
	Text string
	// Version is the header version, 0x0100 for every level 5 file.
	Version uint16
	// ByteOrder is the byte order of the file: binary.LittleEndian for
	// files with the endian indicator "IM", binary.BigEndian for "MI".
	ByteOrder binary.ByteOrder
	// SubsysOffset is the offset of the subsystem data element (MATLAB
	// objects' hidden data), 0 when there is none. The reader skips it.
	SubsysOffset int64
}

// Reader reads the variables of a level 5 MAT-file one at a time, in file
// order, like archive/tar.Reader:
//
//	r, err := matfile.NewReader(f)
//	…
//	for {
//		v, err := r.Next()
//		if err == io.EOF {
//			break
//		}
//		if err != nil {
//			return err
//		}
//		…
//	}
//
// Each variable is decoded completely by Next; compressed variables are
// inflated once, straight from the input. Errors are *Error values. An
// error wrapping ErrUnsupported is about one variable MATLAB can write but
// this package cannot read (a function handle, a string or table object);
// the Reader has passed over it and the next call to Next goes on with the
// following variable. Any other error is sticky: after one, Next returns
// it again.
type Reader struct {
	// Name names the input in error messages; set it before calling Next.
	// Open sets it to the path.
	Name string

	hdr Header
	le  bool

	src io.Reader // stream input, nil when buf holds the whole input
	buf []byte    // whole input in memory, or nil
	pos int64     // offset of the next top-level element
	err error     // sticky error

	zr io.ReadCloser // reused zlib reader
	br *bufio.Reader // reused input buffer for zr on streams
}

// NewReader reads the header of a level 5 MAT-file from r and returns a
// Reader for its variables. A level 4 file, a 7.3 (HDF5) file and input
// that is no MAT-file at all are refused with an *Error that says which.
func NewReader(r io.Reader) (*Reader, error) {
	rd := &Reader{src: r}
	var h [headerLen]byte
	n, err := io.ReadFull(r, h[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, rd.ioError(-1, "read header", err)
	}
	if err := rd.parseHeader(h[:n]); err != nil {
		return nil, err
	}
	rd.pos = headerLen
	return rd, nil
}

// newBytesReader returns a Reader over data held in memory, named name.
func newBytesReader(name string, data []byte) (*Reader, error) {
	rd := &Reader{Name: name, buf: data}
	if err := rd.parseHeader(data[:min(len(data), headerLen)]); err != nil {
		return nil, err
	}
	rd.pos = headerLen
	return rd, nil
}

// Header returns the file header.
func (r *Reader) Header() Header { return r.hdr }

func (r *Reader) errorf(off int64, varName string, kind error, format string, args ...any) error {
	return &Error{Path: r.Name, Var: varName, Offset: off, Msg: fmt.Sprintf(format, args...), Err: kind}
}

func (r *Reader) ioError(off int64, what string, err error) error {
	return &Error{Path: r.Name, Offset: off, Msg: what + ": " + err.Error(), Err: err}
}

const (
	v4Hint  = "this is a MATLAB level 4 MAT-file, which is not supported; re-save it as level 5: in MATLAB save(file, '-v7'), in scipy savemat(file, vars) (format='5' is the default)"
	v73Hint = "this is a MATLAB 7.3 MAT-file (HDF5), which is not supported; re-save it as version 7 in MATLAB with save(file, '-v7') (each variable must be under 2 GB), or read it with an HDF5 library"
)

var hdf5Signature = []byte("\x89HDF\r\n\x1a\n")

// parseHeader checks the header bytes h (fewer than 128 when the input is
// that short) and fills r.hdr.
func (r *Reader) parseHeader(h []byte) error {
	switch {
	case len(h) == 0:
		return r.errorf(-1, "", ErrFormat, "empty file, not a MAT-file")
	case bytes.HasPrefix(h, hdf5Signature):
		return r.errorf(-1, "", ErrUnsupported, "%s", v73Hint)
	case len(h) >= 4 && bytes.IndexByte(h[:4], 0) >= 0:
		// A level 5 header starts with text; a level 4 file starts with
		// the small integer MOPT, so one of its first 4 bytes is zero.
		// This is the test MATLAB's documentation and scipy use.
		return r.errorf(-1, "", ErrUnsupported, "%s", v4Hint)
	case len(h) < headerLen:
		return r.errorf(-1, "", ErrFormat, "truncated header: the input has %d bytes, a level 5 MAT-file header has %d", len(h), headerLen)
	}
	switch string(h[126:128]) {
	case "IM":
		r.le = true
		r.hdr.ByteOrder = binary.LittleEndian
	case "MI":
		r.hdr.ByteOrder = binary.BigEndian
	default:
		if bytes.HasPrefix(h, []byte("MATLAB 7.3")) {
			return r.errorf(-1, "", ErrUnsupported, "%s", v73Hint)
		}
		return r.errorf(-1, "", ErrFormat, "not a level 5 MAT-file: bytes 126-127 hold %q, not the endian indicator \"IM\" or \"MI\"", h[126:128])
	}
	r.hdr.Version = r.hdr.ByteOrder.Uint16(h[124:])
	switch r.hdr.Version {
	case 0x0100:
	case 0x0200:
		return r.errorf(-1, "", ErrUnsupported, "%s", v73Hint)
	default:
		return r.errorf(-1, "", ErrUnsupported, "unknown MAT-file version 0x%04x (level 5 files have 0x0100)", r.hdr.Version)
	}
	r.hdr.Text = strings.TrimRight(string(h[:116]), " \x00")
	sub := h[116:124]
	if !allBytes(sub, 0) && !allBytes(sub, ' ') {
		r.hdr.SubsysOffset = int64(r.hdr.ByteOrder.Uint64(sub) & (1<<63 - 1))
	}
	return nil
}

func allBytes(b []byte, c byte) bool {
	for _, x := range b {
		if x != c {
			return false
		}
	}
	return true
}

// Next decodes the next variable and returns it. At the end of the input it
// returns io.EOF. The subsystem data element of files that hold MATLAB
// objects is skipped.
func (r *Reader) Next() (*Var, error) {
	for {
		if r.err != nil {
			return nil, r.err
		}
		v, skip, err := r.next()
		if err != nil {
			if !errors.Is(err, ErrUnsupported) {
				r.err = err
			}
			return nil, err
		}
		if !skip {
			return v, nil
		}
	}
}

// next reads one top-level element; skip reports the subsystem element.
func (r *Reader) next() (v *Var, skip bool, err error) {
	off := r.pos
	var tag [8]byte
	n, err := r.readAt(tag[:])
	if n == 0 && (err == io.EOF || err == nil && r.buf != nil) {
		return nil, false, io.EOF
	}
	if n < len(tag) {
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return nil, false, r.ioError(off, "read element tag", err)
		}
		return nil, false, r.errorf(off, "", ErrFormat, "truncated: the file ends %d bytes into an 8-byte element tag", n)
	}
	w0, size := r.u32(tag[:]), r.u32(tag[4:])
	if w0>>16 != 0 {
		return nil, false, r.errorf(off, "", ErrFormat, "top-level element uses the small data element form (type %d); MAT-files hold only miMATRIX and miCOMPRESSED elements there", w0&0xffff)
	}
	typ := w0
	skip = r.hdr.SubsysOffset != 0 && off == r.hdr.SubsysOffset
	switch typ {
	case miMatrix:
		body, err := r.readBody(off, int64(size))
		if err != nil {
			return nil, false, err
		}
		if skip {
			return nil, true, nil
		}
		v, err = r.decodeTop(body, off)
		return v, false, err
	case miCompressed:
		body, err := r.inflate(off, int64(size), skip)
		if err != nil || skip {
			return nil, skip, err
		}
		v, err = r.decodeTop(body, off)
		return v, false, err
	}
	return nil, false, r.errorf(off, "", ErrFormat, "top-level element of type %s; MAT-files hold only miMATRIX and miCOMPRESSED elements there", miName(typ))
}

func (r *Reader) u32(b []byte) uint32 {
	if r.le {
		return binary.LittleEndian.Uint32(b)
	}
	return binary.BigEndian.Uint32(b)
}

// readAt reads len(p) bytes of the input at r.pos and advances r.pos.
func (r *Reader) readAt(p []byte) (int, error) {
	if r.buf != nil {
		if r.pos >= int64(len(r.buf)) {
			return 0, io.EOF
		}
		n := copy(p, r.buf[r.pos:])
		r.pos += int64(n)
		if n < len(p) {
			return n, io.ErrUnexpectedEOF
		}
		return n, nil
	}
	n, err := io.ReadFull(r.src, p)
	r.pos += int64(n)
	return n, err
}

// readBody returns the size bytes of an uncompressed element body.
func (r *Reader) readBody(off, size int64) ([]byte, error) {
	if r.buf != nil {
		left := int64(len(r.buf)) - r.pos
		if size > left {
			return nil, r.errorf(off, "", ErrFormat, "truncated: the element declares %d bytes but the file holds only %d more", size, left)
		}
		b := r.buf[r.pos : r.pos+size : r.pos+size]
		r.pos += size
		return b, nil
	}
	b, err := readBounded(r.src, size)
	r.pos += int64(len(b))
	if err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, r.errorf(off, "", ErrFormat, "truncated: the element declares %d bytes but the file holds only %d more", size, len(b))
		}
		return nil, r.ioError(off, "read element", err)
	}
	return b, nil
}

// readBounded reads exactly n bytes from src. It allocates as the bytes
// arrive, so a size declared by damaged input costs memory only for the
// bytes actually there.
func readBounded(src io.Reader, n int64) ([]byte, error) {
	const first = 64 << 10
	if n <= first {
		b := make([]byte, n)
		k, err := io.ReadFull(src, b)
		return b[:k], err
	}
	b := make([]byte, 0, first)
	for int64(len(b)) < n {
		if len(b) == cap(b) {
			c := min(int64(2*cap(b)), n)
			nb := make([]byte, len(b), c)
			copy(nb, b)
			b = nb
		}
		k, err := io.ReadFull(src, b[len(b):cap(b)])
		b = b[:len(b)+k]
		if err != nil {
			return b, err
		}
	}
	return b, nil
}

// countReader counts the bytes read through it and remembers whether the
// underlying input ended.
type countReader struct {
	r   io.Reader
	n   int64 // bytes left of the element
	eof bool  // the input ended before the element did
}

func (c *countReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	if err == io.EOF && c.n > 0 {
		c.eof = true
		err = io.ErrUnexpectedEOF
	}
	return k, err
}

// inflate decompresses a miCOMPRESSED element of size bytes at r.pos and
// returns the body of the miMATRIX element inside. The zlib stream is
// read to its end so that its checksum is verified; the stream is read
// once, straight from the input.
func (r *Reader) inflate(off, size int64, skip bool) ([]byte, error) {
	start := r.pos
	var in io.Reader
	var cr *countReader // stream input only
	if r.buf != nil {
		left := int64(len(r.buf)) - start
		if size > left {
			return nil, r.errorf(off, "", ErrFormat, "truncated: the compressed element declares %d bytes but the file holds only %d more", size, left)
		}
		// A bytes.Reader is an io.ByteReader, which flate reads
		// without a buffer of its own.
		in = bytes.NewReader(r.buf[start : start+size])
		r.pos = start + size
	} else {
		cr = &countReader{r: r.src, n: size}
		defer func() { r.pos = start + size - cr.n }()
		// flate buffers any other input; keep one buffer for all
		// elements instead of one each. It reads ahead only within the
		// element.
		if r.br == nil {
			r.br = bufio.NewReader(cr)
		} else {
			r.br.Reset(cr)
		}
		in = r.br
	}
	truncated := func() bool { return cr != nil && cr.eof }

	bad := func(err error) error {
		if truncated() {
			return r.errorf(off, "", ErrFormat, "truncated: the compressed element declares %d bytes but the file holds only %d more", size, size-cr.n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return r.errorf(off, "", ErrFormat, "corrupt zlib stream: it ends early")
		}
		return r.errorf(off, "", ErrFormat, "corrupt zlib stream: %v", err)
	}
	var err error
	if r.zr == nil {
		r.zr, err = zlib.NewReader(in)
	} else {
		err = r.zr.(zlib.Resetter).Reset(in, nil)
	}
	if err != nil {
		r.zr = nil
		return nil, bad(err)
	}
	var tag [8]byte
	if _, err := io.ReadFull(r.zr, tag[:]); err != nil {
		return nil, bad(err)
	}
	w0, n := r.u32(tag[:]), r.u32(tag[4:])
	if w0 != miMatrix {
		if w0>>16 != 0 {
			return nil, r.errorf(off, "", ErrFormat, "compressed element holds a small %s element, not miMATRIX", miName(w0&0xffff))
		}
		return nil, r.errorf(off, "", ErrFormat, "compressed element holds a %s element, not miMATRIX", miName(w0))
	}
	var body []byte
	if !skip {
		body, err = readBounded(r.zr, int64(n))
		if err != nil {
			if truncated() || !(err == io.EOF || err == io.ErrUnexpectedEOF) {
				return nil, bad(err)
			}
			return nil, r.errorf(off, "", ErrFormat, "truncated: the compressed miMATRIX element declares %d bytes but inflates to only %d", n, len(body))
		}
	}
	// Read the rest of the stream: it verifies the Adler-32 checksum.
	if _, err := io.Copy(io.Discard, r.zr); err != nil {
		return nil, bad(err)
	}
	// Bytes after the end of the zlib stream inside the element are
	// skipped.
	if cr != nil && cr.n > 0 {
		if _, err := io.Copy(io.Discard, cr); err != nil || cr.eof {
			return nil, bad(err)
		}
	}
	return body, nil
}

// decodeTop decodes the body of a top-level miMATRIX element at offset off.
func (r *Reader) decodeTop(body []byte, off int64) (*Var, error) {
	d := decoder{b: body, le: r.le}
	v := &Var{src: r.Name, offset: off}
	if err := d.matrix(v, 0); err != nil {
		var e *Error
		if errors.As(err, &e) {
			if e.Path == "" {
				e.Path = r.Name
			}
			if e.Offset < 0 {
				e.Offset = off
			}
			return nil, e
		}
		return nil, r.errorf(off, v.Name, ErrFormat, "%v", err)
	}
	return v, nil
}
