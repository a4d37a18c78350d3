package pipeline

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// canonicalJSON encodes v as compact JSON with sorted map keys and no HTML
// escaping: the form hashed into cache keys and compared in settings diffs.
func canonicalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// nonce returns a random hex string for temporary names.
func nonce() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("pipeline: crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b[:])
}

// tmpSuffix marks temporary files of published outputs, so leftovers of a
// killed run can be recognised and removed.
const tmpSuffix = ".runpipe-tmp"

// WriteFileAtomic writes data to path atomically: it writes a temporary file
// in the same directory, syncs it, renames it over path and syncs the
// directory. A reader sees either the old file or the new one, never a
// partial one, even if the process is killed. Use it for the per-item
// results a resumable stage saves into its partial directory.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return WriteAtomic(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// WriteAtomic is [WriteFileAtomic] with the content produced by write.
// When write fails, path is left untouched.
func WriteAtomic(path string, perm os.FileMode, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*"+tmpSuffix)
	if err != nil {
		return fmt.Errorf("pipeline: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		return fmt.Errorf("pipeline: write %s: %w", path, err)
	}
	if err = f.Chmod(perm); err != nil {
		return fmt.Errorf("pipeline: write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("pipeline: sync %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("pipeline: write %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes the entries of directory dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("pipeline: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("pipeline: sync %s: %w", dir, err)
	}
	return nil
}

// FileInfo describes a file written by a stage.
type FileInfo struct {
	// Path is relative to the stage's data directory (artifacts) or to
	// the pipeline directory (published outputs), with '/' separators.
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// MTime is the file's modification time (Unix nanoseconds) when it
	// was described: a file of the same size and time is trusted without
	// hashing it again; otherwise its SHA-256 is compared.
	MTime int64 `json:"mtime_ns,omitempty"`
}

// describeFile syncs a file and returns its size and SHA-256.
func describeFile(path, rel string) (FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return FileInfo{}, fmt.Errorf("pipeline: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return FileInfo{}, fmt.Errorf("pipeline: sync %s: %w", path, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return FileInfo{}, fmt.Errorf("pipeline: read %s: %w", path, err)
	}
	st, err := f.Stat()
	if err != nil {
		return FileInfo{}, fmt.Errorf("pipeline: %w", err)
	}
	return FileInfo{Path: filepath.ToSlash(rel), Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), MTime: st.ModTime().UnixNano()}, nil
}

// verifyFile reports whether the file at path is still the one fi
// describes: same size, and same modification time or, when the time
// differs (or was not recorded), same SHA-256. what is "" when it is, else
// "missing" or "changed".
func verifyFile(path string, fi FileInfo) (what string) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "missing"
	}
	if err != nil || !st.Mode().IsRegular() || st.Size() != fi.Size {
		return "changed"
	}
	if fi.MTime != 0 && st.ModTime().UnixNano() == fi.MTime {
		return ""
	}
	sum, err := hashFile(path)
	if err != nil || sum != fi.SHA256 {
		return "changed"
	}
	return ""
}

// sealDir syncs every file and directory under root and describes the
// files, in lexical order.
func sealDir(root string) ([]FileInfo, error) {
	var files []FileInfo
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return syncDir(path)
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("pipeline: %s: not a regular file", path)
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		fi, err := describeFile(path, rel)
		if err != nil {
			return err
		}
		files = append(files, fi)
		return nil
	})
	return files, err
}

// insideDir reports an error when dir, a directory under root that may not
// exist yet, resolves (its symbolic links followed) to a place outside
// root: its deepest existing ancestor is resolved and compared with root
// resolved.
func insideDir(root, dir string) error {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return err
	}
	existing := dir
	for {
		if _, err := os.Lstat(existing); err == nil {
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			break
		}
		existing = parent
	}
	real, err := filepath.EvalSymlinks(existing)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(realRoot, real)
	if err != nil || !filepath.IsLocal(rel) && rel != "." {
		return fmt.Errorf("%s leads outside the pipeline directory %s through a symbolic link (to %s)", existing, root, real)
	}
	return nil
}
