package tests

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/incident-buddy/ib"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/tests/fakeslack"
)

// burst is how many slash commands arrive at once in the benchmarks: a busy
// moment in a large workspace (people declaring, checking, changing status).
const burst = 50

// BenchmarkGatewayBurst measures how fast the gateway answers Slack while 50
// signed slash commands arrive at the same moment, end to end over HTTP into
// the real gateway, dev server and worker. Each iteration is one burst; the
// metrics are percentiles across iterations of two latencies per command:
// ack, until Slack has its HTTP answer; answer, until the person's answer is
// there (in the ack, or on response_url for slower work).
//
//	go test ./tests -run XXX -bench GatewayBurst -benchtime 10x
func BenchmarkGatewayBurst(b *testing.B) {
	gw := startGateway(&testing.T{}, &ibtemporal.Incidents{Client: tclient})
	bob, general := fake.UserByName("bob"), ""
	for _, ch := range fake.Channels() {
		if ch.Name == "general" {
			general = ch.ID
		}
	}
	open := declareForBench(b, "Benchmark incident for status queries")
	stop := profileCPU(b, "../.data/bench-gateway-cpu.pprof")
	defer stop()

	for _, kind := range []struct {
		name string
		text func(run, i int) string
	}{
		// Each create declares a new incident: a workflow start per command.
		{"create", func(run, i int) string { return fmt.Sprintf("create S3 Bench burst %d incident %d", run, i) }},
		// Each status reads an incident: a workflow query per command.
		{"status", func(int, int) string { return "status " + open }},
		{"help", func(int, int) string { return "help" }},
	} {
		b.Run(kind.name, func(b *testing.B) {
			var acks, answers []time.Duration
			run := 0
			for b.Loop() {
				run++
				a, n := fireBurst(b, gw.url, bob, general, func(i int) string { return kind.text(run, i) })
				acks, answers = append(acks, a...), append(answers, n...)
			}
			report(b, "ack", acks)
			report(b, "answer", answers)
		})
	}
}

// fireBurst sends burst commands at once and returns each one's ack and
// answer latencies.
func fireBurst(b *testing.B, gatewayURL, user, channel string, text func(i int) string) (acks, answers []time.Duration) {
	b.Helper()
	acks, answers = make([]time.Duration, burst), make([]time.Duration, burst)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range burst {
		wg.Go(func() {
			key := fmt.Sprintf("bench-%d", responseKeys.Add(1))
			cmd := fakeslack.SlashCommand{Text: text(i), UserID: user, UserName: "bob", ChannelID: channel,
				ResponseURL: fakeslack.ResponseURL(fakeBase, key)}
			<-start
			t0 := time.Now()
			status, body, err := fakeslack.SendSlashCommand(context.Background(), gatewayURL+"/slack/commands", signingSecret, cmd)
			acks[i] = time.Since(t0)
			if err != nil || status != http.StatusOK {
				b.Errorf("command %q: %d %s %v", cmd.Text, status, body, err)
			}
			answers[i] = acks[i]
			if body == "" {
				for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
					if at, ok := fake.FirstResponseAt(key); ok {
						answers[i] = at.Sub(t0)
						return
					}
				}
				b.Errorf("command %q: no answer on response_url", cmd.Text)
			}
		})
	}
	close(start)
	wg.Wait()
	return acks, answers
}

func declareForBench(b *testing.B, title string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := incidents.Declare(ctx, ibDeclaration(title))
	if err != nil {
		b.Fatal(err)
	}
	return res.ID
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	return sorted[int(p*float64(len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func ibDeclaration(title string) ib.Declaration { return ib.Declaration{Title: title, Severity: ib.S3} }

// profileCPU profiles this process's CPU into file until stop; the gateway's
// share carries the label component=gateway.
func profileCPU(b *testing.B, file string) (stop func()) {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		b.Log("no CPU profile:", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}
