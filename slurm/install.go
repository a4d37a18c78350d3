package slurm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ExecutablePath returns where InstallExecutable puts the binary src:
// dir/bin/runpipe-<the first 12 hex digits of its SHA-256>. The name
// changes with the build, so installing a new build never replaces the
// binary that running jobs of an earlier submission execute.
func ExecutablePath(src, dir string) (string, error) {
	f, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("slurm: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("slurm: read %s: %w", src, err)
	}
	return filepath.Join(dir, "bin", "runpipe-"+hex.EncodeToString(h.Sum(nil))[:12]), nil
}

// InstallExecutable copies the binary src (the running runpipe, from
// os.Executable) to ExecutablePath(src, dir), through a temporary file and
// a rename, unless a copy is there already, and returns its path.
func InstallExecutable(src, dir string) (string, error) {
	dst, err := ExecutablePath(src, dir)
	if err != nil {
		return "", err
	}
	si, err := os.Stat(src)
	if err != nil {
		return "", fmt.Errorf("slurm: %w", err)
	}
	if di, err := os.Stat(dst); err == nil && di.Size() == si.Size() && di.Mode()&0o100 != 0 {
		return dst, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("slurm: %w", err)
	}
	in, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("slurm: %w", err)
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("slurm: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := io.Copy(tmp, in); err != nil {
		return "", fmt.Errorf("slurm: copy %s: %w", src, err)
	}
	if err := tmp.Chmod(0o755); err != nil {
		return "", fmt.Errorf("slurm: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return "", fmt.Errorf("slurm: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("slurm: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", fmt.Errorf("slurm: %w", err)
	}
	ok = true
	return dst, nil
}
