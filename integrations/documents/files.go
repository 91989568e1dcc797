// Package documents keeps postmortem drafts and channel exports. Files is the
// default store: a directory on the worker's disk (or a volume, or a mounted
// share). Another store (a wiki, a bucket) implements ib.Documents.
package documents

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Files writes documents under Dir.
type Files struct {
	Dir string
}

// Put writes a document atomically (a reader never sees half of it), replacing
// an earlier one of the same name, and returns its absolute path.
func (f Files) Put(_ context.Context, name string, content []byte) (string, error) {
	clean := filepath.Clean(filepath.FromSlash(name))
	if filepath.IsAbs(clean) || clean == "." || strings.HasPrefix(clean, "..") {
		return "", fmt.Errorf("document name %q must stay inside the documents directory", name)
	}
	path, err := filepath.Abs(filepath.Join(f.Dir, clean))
	if err != nil {
		return "", err
	}
	// Drafts and exports hold what people wrote in the incident: readable by
	// the worker's user only.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("documents directory: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".put-*")
	if err != nil {
		return "", err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(content); err != nil {
		_ = tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}
