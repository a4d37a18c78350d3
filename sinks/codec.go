package sinks

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
)

// codec is a compression codec; its value is Parquet's CompressionCodec.
type codec int32

const (
	codecNone   codec = 0
	codecSnappy codec = 1
	codecGzip   codec = 2
	codecZstd   codec = 6
)

// compressor compresses whole buffers (Parquet pages, Arrow IPC body
// buffers) with one codec at one level. It is not safe for concurrent use,
// but the zstd encoders behind it are shared.
type compressor struct {
	codec codec
	zstd  *zstd.Encoder
	gzip  *gzip.Writer
	gzbuf bytes.Buffer
}

// newCompressor returns the compressor of a Parquet compression name
// ("zstd", the default, "snappy", "gzip" or "none") and level (0: the
// codec's default; zstd's levels map onto the encoder's speeds, gzip's are
// compress/gzip's, snappy has none).
func newCompressor(name string, level int) (*compressor, error) {
	switch name {
	case "", "zstd":
		enc, err := zstdEncoder(level)
		if err != nil {
			return nil, err
		}
		return &compressor{codec: codecZstd, zstd: enc}, nil
	case "snappy":
		return &compressor{codec: codecSnappy}, nil
	case "gzip":
		if level == 0 {
			level = gzip.DefaultCompression
		}
		c := &compressor{codec: codecGzip}
		gw, err := gzip.NewWriterLevel(&c.gzbuf, level)
		if err != nil {
			return nil, fmt.Errorf("gzip compression level %d: %w", level, err)
		}
		c.gzip = gw
		return c, nil
	case "none":
		return &compressor{codec: codecNone}, nil
	}
	return nil, fmt.Errorf("unknown compression %q (want zstd, snappy, gzip or none)", name)
}

// compress appends src, compressed, to dst.
func (c *compressor) compress(dst, src []byte) []byte {
	switch c.codec {
	case codecZstd:
		return c.zstd.EncodeAll(src, dst)
	case codecSnappy:
		n, m := len(dst), snappy.MaxEncodedLen(len(src))
		dst = slices.Grow(dst, m)[:n+m]
		return dst[:n+len(snappy.Encode(dst[n:], src))]
	case codecGzip:
		c.gzbuf.Reset()
		c.gzip.Reset(&c.gzbuf)
		c.gzip.Write(src) // a bytes.Buffer does not fail
		c.gzip.Close()
		return append(dst, c.gzbuf.Bytes()...)
	}
	return append(dst, src...)
}

// zstdEncoders are the zstd encoders, one per speed, shared by every
// writer: EncodeAll may be called concurrently, each call on one of
// GOMAXPROCS internal encoders, so their memory is allocated once per
// process and never re-created. A window of 1 MiB, the size of a page,
// holds an encoder at about 4 MiB instead of 18 MiB with the default 8 MiB
// window, for the same output on pages up to 1 MiB.
var zstdEncoders struct {
	sync.Mutex
	m map[zstd.EncoderLevel]*zstd.Encoder
}

// zstdWindow is the zstd encoders' window.
const zstdWindow = 1 << 20

// zstdEncoder returns the shared encoder of a zstd level (0: the default,
// 3).
func zstdEncoder(level int) (*zstd.Encoder, error) {
	speed := zstd.SpeedDefault
	if level != 0 {
		speed = zstd.EncoderLevelFromZstd(level)
	}
	zstdEncoders.Lock()
	defer zstdEncoders.Unlock()
	if enc := zstdEncoders.m[speed]; enc != nil {
		return enc, nil
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(speed), zstd.WithZeroFrames(true),
		zstd.WithAllLitEntropyCompression(true), zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)),
		zstd.WithWindowSize(zstdWindow))
	if err != nil {
		return nil, fmt.Errorf("zstd level %d: %w", level, err)
	}
	if zstdEncoders.m == nil {
		zstdEncoders.m = map[zstd.EncoderLevel]*zstd.Encoder{}
	}
	zstdEncoders.m[speed] = enc
	return enc, nil
}
