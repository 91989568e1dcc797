package temporal

import (
	"context"
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/incident-buddy/ib/workflows"
)

// EnsureSearchAttributes registers the search attributes incidents use that
// the namespace lacks: a new version may add one, and an incident whose
// workflow sets an unknown attribute is stuck until it exists. Where the
// worker may not register them (Temporal Cloud, a locked-down cluster), the
// error gives the command for an operator.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) ([]string, error) {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return nil, fmt.Errorf("list the search attributes of namespace %s: %w", namespace, err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	var names, command []string
	for _, key := range workflows.SearchAttributeKeys {
		if _, ok := have.GetCustomAttributes()[key.GetName()]; !ok {
			missing[key.GetName()] = key.GetValueType()
			names = append(names, key.GetName())
			command = append(command, "--name "+key.GetName()+" --type "+key.GetValueType().String())
		}
	}
	if len(missing) == 0 {
		return nil, nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: missing})
	if err != nil {
		return nil, fmt.Errorf("namespace %s lacks the search attributes %s and they could not be added (%w); add them with: temporal operator search-attribute create --namespace %s %s",
			namespace, strings.Join(names, ", "), err, namespace, strings.Join(command, " "))
	}
	return names, nil
}
