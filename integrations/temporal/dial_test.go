package temporal

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.temporal.io/sdk/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// The SDK tells of a failed workflow task at the information level; an
// operator who logs warnings sees it, and nothing else of that level.
func TestTaskFailuresLoggedAsWarnings(t *testing.T) {
	core, logs := observer.New(zapcore.WarnLevel)
	l := log.With(Logger(zap.New(core)), "Namespace", "default")
	l.Info("Task processing failed with error", "Error", "UnhandledCommand")
	l.Info("Started Worker")
	l.Warn("a warning")
	if assert.Equal(t, 2, logs.Len()) {
		first := logs.All()[0]
		assert.Equal(t, zapcore.WarnLevel, first.Level)
		assert.Equal(t, "Task processing failed with error", first.Message)
		assert.Equal(t, "UnhandledCommand", first.ContextMap()["Error"])
		assert.Equal(t, "default", first.ContextMap()["Namespace"])
	}
}
