package tests

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/incident-buddy/ib/integrations/alerts"
	ibtemporal "github.com/incident-buddy/ib/integrations/temporal"
	"github.com/incident-buddy/ib/oncall"
	"github.com/incident-buddy/ib/tests/fakeslack"
	"github.com/incident-buddy/ib/workflows"
)

// BenchmarkAlerts sends 500 alerts a minute (IB_BENCH_ALERTS_PER_MIN) for a
// minute, across 50 services, each alert firing and resolving, through the
// real alert endpoint to the services' watches on the worker binary. It
// measures the endpoint's answer and how long each alert takes to reach its
// owner's channel, and checks that every alert was told exactly once.
//
//	go test ./tests -run XXX -bench Alerts -benchtime 1x
func BenchmarkAlerts(b *testing.B) {
	const services, perMinute = 50, 500
	for b.Loop() {
		run := time.Now().UnixNano() % 1e6
		catalog := alertsCatalog(b, services, run)
		w := newBenchWorld(b, fakeslack.Options{NoLimits: true}, "IB_CATALOG="+catalog.file)
		for i := range services {
			w.fake.CreateChannelAs(fmt.Sprintf("alerts-%d-%d", run, i), fakeslack.BotUserID, "")
		}
		watches := &ibtemporal.Watches{Client: w.client}
		mux := http.NewServeMux()
		(&alerts.Intake{Token: "bench", Catalog: oncall.NewLiveCatalog(catalog.c), Watches: watches, Log: zap.NewNop()}).Routes(mux)
		intake := httptest.NewServer(mux)
		b.Cleanup(intake.Close)
		b.Cleanup(func() {
			for i := range services {
				_ = w.client.TerminateWorkflow(b.Context(), workflows.WatchID(fmt.Sprintf("svc-%d-%d", run, i)), "", "benchmark over")
			}
		})

		var mu sync.Mutex
		var answers []time.Duration
		sent := map[string]time.Time{} // alert name → when sent
		var wg sync.WaitGroup
		gap := time.Minute / perMinute
		start := time.Now()
		for i := range perMinute {
			time.Sleep(time.Until(start.Add(time.Duration(i) * gap)))
			name := fmt.Sprintf("Bench%d", i)
			service := fmt.Sprintf("svc-%d-%d", run, i%services)
			began := time.Now().UTC().Add(-time.Minute)
			wg.Go(func() {
				for _, resolved := range []bool{false, true} {
					status, ends := "firing", ""
					if resolved {
						status, ends = "resolved", `, "ends_at": "`+time.Now().UTC().Format(time.RFC3339Nano)+`"`
					}
					body := fmt.Sprintf(`{"alerts": [{"name": %q, "service": %q, "status": %q, "starts_at": %q%s}]}`,
						name, service, status, began.Format(time.RFC3339Nano), ends)
					req, _ := http.NewRequest(http.MethodPost, intake.URL+alerts.JSONPath, strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer bench")
					at := time.Now()
					resp, err := http.DefaultClient.Do(req)
					took := time.Since(at)
					if err != nil || resp.StatusCode != http.StatusOK {
						b.Errorf("alert %s refused: %v %v", name, err, resp)
						return
					}
					resp.Body.Close()
					mu.Lock()
					answers = append(answers, took)
					if !resolved {
						sent[name] = at
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		var lags []time.Duration
		deadline := time.Now().Add(5 * time.Minute)
		for {
			lags = lags[:0]
			told := map[string]int{}
			for i := range services {
				ch, _ := w.fake.ChannelByName(fmt.Sprintf("alerts-%d-%d", run, i))
				for _, m := range ch.Messages {
					// "🔔 firing alert for svc: Bench12", or "🔔 2 alerts for svc: Bench12, Bench13"
					for _, name := range strings.Split(m.Text[strings.LastIndex(m.Text, ": ")+2:], ", ") {
						told[name]++
						mu.Lock()
						lags = append(lags, m.PostedAt.Sub(sent[name]))
						mu.Unlock()
					}
				}
			}
			if len(told) == perMinute {
				for name, n := range told {
					if n != 1 {
						b.Errorf("alert %s told %d times", name, n)
					}
				}
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d alerts told after 5 minutes", len(told), perMinute)
			}
			time.Sleep(200 * time.Millisecond)
		}
		report(b, "answer", answers)
		report(b, "told", lags)
		b.ReportMetric(float64(perMinute), "alerts/min")
	}
}

type benchCatalog struct {
	c    *oncall.Catalog
	file string
}

// alertsCatalog has n services, each its team's, each team with its own
// alert channel.
func alertsCatalog(b *testing.B, n int, run int64) benchCatalog {
	var teams, services strings.Builder
	for i := range n {
		fmt.Fprintf(&teams, "  - {name: team-%d, alert_channel: alerts-%d-%d}\n", i, run, i)
		fmt.Fprintf(&services, "  - {name: svc-%d-%d, team: team-%d, rotation: r}\n", run, i, i)
	}
	yaml := fmt.Sprintf("teams:\n%sservices:\n%srotations:\n  - {name: r, members: [U1, U2, U3, U4, U5], handoff: {weekday: monday, hour: 9}, time_zone: UTC, start: %q}\n",
		teams.String(), services.String(), time.Now().AddDate(0, -1, 0).Format(time.DateOnly))
	c, err := oncall.ParseCatalog([]byte(yaml))
	if err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(b.TempDir(), "catalog.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		b.Fatal(err)
	}
	return benchCatalog{c: c, file: file}
}
