package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// LockName is the lock file of a workspace.
const LockName = ".lock"

// A Lock is the exclusive right to run in a workspace.
type Lock struct {
	fl   *flock.Flock
	path string
}

// LockedError is returned by [LockWorkspace] when another run holds the
// workspace.
type LockedError struct {
	// Path is the lock file.
	Path string
	// PID is the process holding it, 0 when unknown.
	PID int
	// Waited is how long LockWorkspace waited.
	Waited time.Duration
}

func (e *LockedError) Error() string {
	holder := "another run"
	if e.PID > 0 {
		holder = fmt.Sprintf("another run (pid %d)", e.PID)
	}
	wait := "; wait for it to finish or pass --wait DURATION"
	if e.Waited > 0 {
		wait = fmt.Sprintf("; gave up after waiting %v", e.Waited)
	}
	return fmt.Sprintf("workspace %s is in use by %s: lock file %s is held%s", filepath.Dir(e.Path), holder, e.Path, wait)
}

// LockWorkspace takes the workspace's lock file (<workspace>/.lock, created
// if needed) so that only one run at a time uses the workspace, and writes
// the process id into it. When another process holds it, LockWorkspace
// retries for up to wait (0: fail at once) and then returns a
// [*LockedError] naming the lock file and the holder's PID. The lock is
// released by [Lock.Unlock] or when the process exits, however it exits.
func LockWorkspace(ctx context.Context, workspace string, wait time.Duration) (*Lock, error) {
	if err := os.MkdirAll(workspace, 0o755); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	path := filepath.Join(workspace, LockName)
	fl := flock.New(path, flock.SetPermissions(0o644))
	start := time.Now()
	ok, err := fl.TryLock()
	if err == nil && !ok && wait > 0 {
		wctx, cancel := context.WithTimeout(ctx, wait)
		ok, err = fl.TryLockContext(wctx, 50*time.Millisecond)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			err = nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("pipeline: lock %s: %w", path, err)
	}
	if !ok {
		pid := 0
		if b, err := os.ReadFile(path); err == nil {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
		le := &LockedError{Path: path, PID: pid}
		if wait > 0 {
			le.Waited = time.Since(start).Round(time.Millisecond)
		}
		return nil, le
	}
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		fl.Unlock()
		return nil, fmt.Errorf("pipeline: write %s: %w", path, err)
	}
	return &Lock{fl: fl, path: path}, nil
}

// Path returns the lock file's path.
func (l *Lock) Path() string { return l.path }

// Unlock releases the lock. The lock file stays, emptied.
func (l *Lock) Unlock() error {
	os.WriteFile(l.path, nil, 0o644)
	if err := l.fl.Unlock(); err != nil {
		return fmt.Errorf("pipeline: unlock %s: %w", l.path, err)
	}
	return nil
}
