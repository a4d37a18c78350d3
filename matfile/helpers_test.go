package matfile

import (
	"io"
	"strings"
	"testing"
)

// wantIn fails unless err's message contains every part.
func wantIn(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

func errEOF() error { return io.EOF }
