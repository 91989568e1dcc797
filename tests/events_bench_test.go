package tests

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/incident-buddy/ib"
)

// BenchmarkChannelEvents measures how many channel events (reactions, messages)
// one incident takes in per second, sustained, and what each costs in workflow
// history, continue-as-new included.
//
//	go test ./tests -run XXX -bench ChannelEvents -benchtime 3000x
func BenchmarkChannelEvents(b *testing.B) {
	ctx := context.Background()
	res, err := incidents.Declare(ctx, ib.Declaration{Title: fmt.Sprintf("Benchmark events %d", time.Now().UnixNano()), Severity: ib.S3})
	if err != nil {
		b.Fatal(err)
	}
	id := res.ID
	for {
		inc, err := incidents.Get(ctx, id)
		if err == nil && inc.Channel.HeaderTS != "" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	start := historyEvents(b, id)

	b.ResetTimer()
	t0 := time.Now()
	const senders = 4
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := s; i < b.N; i += senders {
				e := ib.ChannelEvent{ID: fmt.Sprintf("EvBENCH%08d", i), Kind: ib.MessagePosted, User: fmt.Sprintf("U%07d", i%50), At: time.Now()}
				if err := incidents.Notify(ctx, id, e); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for {
		inc, err := incidents.Get(ctx, id)
		if err == nil && inc.Activity.Messages >= b.N {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	elapsed := time.Since(t0)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(historyEvents(b, id)-start)/float64(b.N), "history-events/event")
}

// historyEvents sums the history lengths of all of an incident's runs.
func historyEvents(b *testing.B, id string) int64 {
	runs, err := tclient.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowId = '" + id + "'"})
	if err != nil {
		b.Fatal(err)
	}
	var n int64
	for _, run := range runs.Executions {
		desc, err := tclient.DescribeWorkflowExecution(context.Background(), id, run.Execution.RunId)
		if err != nil {
			b.Fatal(err)
		}
		n += desc.WorkflowExecutionInfo.HistoryLength
	}
	return n
}
