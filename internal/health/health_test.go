package health

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestProbes(t *testing.T) {
	down := errors.New("temporal: connection refused")
	var err error
	mux := http.NewServeMux()
	Routes(mux, func(context.Context) error { return err })
	probe := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code, rec.Body.String()
	}
	code, _ := probe("/readyz")
	assert.Equal(t, http.StatusOK, code)
	err = down
	code, body := probe("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Contains(t, body, "connection refused", "says why")
	code, _ = probe("/healthz")
	assert.Equal(t, http.StatusOK, code, "alive while not ready")
}
