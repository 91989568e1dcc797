package documents_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib/integrations/documents"
)

func TestFilesPut(t *testing.T) {
	dir := t.TempDir()
	store := documents.Files{Dir: dir}
	path, err := store.Put(context.Background(), "INC-1/draft.md", []byte("one"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "INC-1", "draft.md"), path)
	_, err = store.Put(context.Background(), "INC-1/draft.md", []byte("two"))
	require.NoError(t, err)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "two", string(got), "a document is replaced, not duplicated")
	entries, err := os.ReadDir(filepath.Join(dir, "INC-1"))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left behind")

	for _, bad := range []string{"../escape.md", "/etc/passwd", "."} {
		_, err := store.Put(context.Background(), bad, []byte("x"))
		assert.Error(t, err, bad)
	}
}
