package tests

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib/config"
	"github.com/incident-buddy/ib/workflows"
)

// No Docker engine runs where the tests do, so docker-compose.yml is checked by
// loading it with the Compose specification's own library: it must parse,
// validate, and wire the services together.
func loadCompose(t *testing.T, env ...string) (*types.Project, error) {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{"../docker-compose.yml"},
		cli.WithWorkingDirectory(".."), cli.WithEnv(env), cli.WithName("incident-buddy"))
	require.NoError(t, err)
	return opts.LoadProject(context.Background())
}

func TestComposeFile(t *testing.T) {
	p, err := loadCompose(t, "SLACK_BOT_TOKEN=xoxb-test")
	require.NoError(t, err)

	for _, name := range []string{"postgresql", "temporal", "temporal-setup", "temporal-ui", "worker", "gateway"} {
		assert.Contains(t, p.Services, name, "service %s", name)
	}
	assert.Contains(t, p.DisabledServices, "starter", "the CLI runs on demand (profile cli)")

	worker := p.Services["worker"]
	require.NotNil(t, worker.Build, "the worker is built from the repository")
	_, err = os.Stat(filepath.Join(worker.Build.Context, worker.Build.Dockerfile))
	assert.NoError(t, err, "its Dockerfile exists")
	assert.Equal(t, types.ServiceConditionCompletedSuccessfully, worker.DependsOn["temporal-setup"].Condition,
		"the worker starts once the search attributes exist")
	assert.Equal(t, "temporal:7233", *worker.Environment["TEMPORAL_ADDRESS"])
	assert.Equal(t, "xoxb-test", *worker.Environment["SLACK_BOT_TOKEN"])
	for _, e := range config.EnvVars {
		assert.Contains(t, worker.Environment, e.Name, "every configuration variable is passed to the worker")
	}

	assert.Equal(t, types.ServiceConditionHealthy, p.Services["temporal"].DependsOn["postgresql"].Condition)
	assert.Equal(t, "postgresql", *p.Services["temporal"].Environment["POSTGRES_SEEDS"])
	setup := strings.Join(p.Services["temporal-setup"].Command, " ")
	for _, key := range workflows.SearchAttributeKeys {
		assert.Contains(t, setup, "--name "+key.GetName()+" --type "+key.GetValueType().String(), "search attribute %s is registered", key.GetName())
	}
	gateway := p.Services["gateway"]
	assert.Equal(t, []string{"/usr/local/bin/starter", "serve", "--addr", ":3000"}, []string(gateway.Entrypoint))
	require.Len(t, gateway.Ports, 1)
	assert.Equal(t, "3000", gateway.Ports[0].Published)
	assert.Equal(t, worker.Environment, gateway.Environment, "the gateway reads the same configuration")

	ui := p.Services["temporal-ui"]
	require.Len(t, ui.Ports, 1)
	assert.Equal(t, "8233", ui.Ports[0].Published)
}

func TestComposeNeedsBotToken(t *testing.T) {
	_, err := loadCompose(t)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SLACK_BOT_TOKEN")
}
