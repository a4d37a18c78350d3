package sinks

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// fileBufSize is the write buffer in front of an output file.
const fileBufSize = 1 << 20

// atomicFile is an output file written under a temporary name in the
// destination's directory and renamed into place by commit, so that a
// reader never sees a half-written file under the final name.
type atomicFile struct {
	path string // final name
	f    *os.File
	buf  *bufio.Writer
}

// createAtomic creates the temporary file for path.
func createAtomic(path string) (*atomicFile, error) {
	dir, base := filepath.Split(path)
	if base == "" {
		return nil, fmt.Errorf("sinks: create %q: not a file name", path)
	}
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("sinks: create %s: %w", path, err)
	}
	return &atomicFile{path: path, f: f, buf: bufio.NewWriterSize(f, fileBufSize)}, nil
}

// Write writes to the buffer in front of the temporary file.
func (a *atomicFile) Write(p []byte) (int, error) { return a.buf.Write(p) }

// flush writes the buffer out to the temporary file.
func (a *atomicFile) flush() error { return a.buf.Flush() }

// commit flushes and fsyncs the temporary file, closes it, renames it to the
// final name and fsyncs the directory. On failure the temporary file is
// removed.
func (a *atomicFile) commit() error {
	if a.f == nil {
		return fmt.Errorf("sinks: commit %s: already closed", a.path)
	}
	tmp := a.f.Name()
	err := a.buf.Flush()
	if err == nil {
		err = a.f.Chmod(0o644)
	}
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	a.f = nil
	if err == nil {
		err = os.Rename(tmp, a.path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("sinks: commit %s: %w", a.path, err)
	}
	if err := syncDir(filepath.Dir(a.path)); err != nil {
		return fmt.Errorf("sinks: commit %s: %w", a.path, err)
	}
	return nil
}

// abort closes and removes the temporary file; it is a no-op after commit or
// abort.
func (a *atomicFile) abort() error {
	if a.f == nil {
		return nil
	}
	tmp := a.f.Name()
	err := a.f.Close()
	a.f = nil
	if rerr := os.Remove(tmp); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		err = errors.Join(err, rerr)
	}
	if err != nil {
		return fmt.Errorf("sinks: abort %s: %w", a.path, err)
	}
	return nil
}

// syncDir fsyncs a directory so that a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
