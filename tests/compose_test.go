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

	for _, name := range []string{"postgresql", "temporal-schema", "temporal", "temporal-setup", "temporal-ui", "worker", "gateway"} {
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

	// What make dev-postgres runs: Temporal Server 1.29 on PostgreSQL 15, the
	// schemas set up by Temporal's SQL tool from the server's schema files,
	// the namespace created with the retention.
	assert.Equal(t, "postgres:15", p.Services["postgresql"].Image)
	schema := p.Services["temporal-schema"]
	assert.Equal(t, types.ServiceConditionHealthy, schema.DependsOn["postgresql"].Condition)
	steps := strings.Join(schema.Command, " ")
	for _, step := range []string{"create-database", "setup-schema -v 0.0", "update-schema -d /etc/temporal/schema/postgresql/v12/$schema/versioned",
		"temporal:temporal temporal_visibility:visibility", "--plugin postgres12"} {
		assert.Contains(t, steps, step)
	}
	temporal := p.Services["temporal"]
	assert.Equal(t, "temporalio/server:1.29.1", temporal.Image, "the server image, not the deprecated auto-setup")
	assert.Equal(t, types.ServiceConditionCompletedSuccessfully, temporal.DependsOn["temporal-schema"].Condition)
	assert.Equal(t, "postgres12", *temporal.Environment["DB"])
	assert.Equal(t, "postgresql", *temporal.Environment["POSTGRES_SEEDS"])
	require.Len(t, temporal.Configs, 1, "the server reads a dynamic configuration")
	assert.Equal(t, *temporal.Environment["DYNAMIC_CONFIG_FILE_PATH"], temporal.Configs[0].Target)
	assert.Contains(t, p.Configs[temporal.Configs[0].Source].Content, "system.enableActivityEagerExecution:\n  - value: true",
		"eager activities, as make dev-postgres has them")
	assert.Contains(t, strings.Join(p.Services["temporal-setup"].Command, " "), "namespace create --namespace default --retention 720h")
	for _, svc := range []string{"worker", "gateway"} {
		var mounts []string
		for _, v := range p.Services[svc].Volumes {
			mounts = append(mounts, v.Target)
		}
		assert.Contains(t, mounts, "/etc/incident-buddy/catalog.yaml", "%s reads the mounted catalog", svc)
		assert.Contains(t, mounts, "/etc/incident-buddy/postmortem.md.tmpl", "%s reads the mounted template", svc)
	}
	assert.Equal(t, "/etc/incident-buddy/catalog.yaml", *worker.Environment["IB_CATALOG"])
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

// The CLI needs no Slack token: the file loads without one, and the worker,
// which needs it, says so when it starts (worker/main.go).
func TestComposeWithoutBotToken(t *testing.T) {
	p, err := loadCompose(t)
	require.NoError(t, err)
	assert.Empty(t, *p.Services["worker"].Environment["SLACK_BOT_TOKEN"])
	_, err = os.Stat("../.dockerignore")
	assert.NoError(t, err, "the image's build leaves bin/ and .data/ out")
}
