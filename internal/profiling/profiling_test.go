package profiling

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/zap"
)

// Profiles hold the process's secrets: they are served on loopback only,
// unless the operator says otherwise.
func TestServeRefusesBeyondLoopback(t *testing.T) {
	for _, addr := range []string{":6060", "0.0.0.0:6060", "10.1.2.3:6060", "[::]:6060", "example.com:6060", "nonsense"} {
		assert.ErrorContains(t, Serve(addr, false, zap.NewNop()), "beyond loopback", addr)
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		assert.True(t, loopback(addr), addr)
	}
	assert.NoError(t, Serve("", false, zap.NewNop()), "off")
}
