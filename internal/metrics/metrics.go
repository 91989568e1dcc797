// Package metrics serves the worker's and the gateway's Prometheus metrics
// (IB_METRICS_ADDR, GET /metrics): the Temporal SDK's own, through its
// OpenTelemetry metrics handler, and the product's: calls to Slack and
// Zendesk by method and outcome with the time each asked to wait, the calls
// the worker held back to keep to Slack's tiers, the gateway's answer times,
// the incidents declared by severity, and the alerts taken, what the
// services' watches told people, and the suggestions dismissed by reason.
package metrics

import (
	"context"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.uber.org/zap"
)

// Metrics are one process's metrics.
type Metrics struct {
	registry     *prometheus.Registry
	meter        metric.Meter
	slackCalls   metric.Int64Counter
	slackWait    metric.Float64Counter
	slackPaced   metric.Float64Counter
	slackRefused metric.Int64Counter
	zendeskCalls metric.Int64Counter
	zendeskWait  metric.Float64Counter
	answers      metric.Float64Histogram
	declared     metric.Int64Counter
	alerts       metric.Int64Counter
	notices      metric.Int64Counter
	dismissed    metric.Int64Counter
}

// New makes the metrics of a process, registered in a registry of their own.
func New() (*Metrics, error) {
	registry := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry), otelprom.WithoutScopeInfo())
	if err != nil {
		return nil, err
	}
	meter := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter)).Meter("incident-buddy")
	m := &Metrics{registry: registry, meter: meter}
	if m.slackCalls, err = meter.Int64Counter("ib_slack_calls", metric.WithDescription("Calls to Slack's Web API, by method and outcome (ok, rate_limited, error)")); err != nil {
		return nil, err
	}
	if m.slackWait, err = meter.Float64Counter("ib_slack_rate_limit_wait", metric.WithUnit("s"),
		metric.WithDescription("Seconds Slack asked to wait (Retry-After), by method")); err != nil {
		return nil, err
	}
	if m.slackPaced, err = meter.Float64Counter("ib_slack_paced_wait", metric.WithUnit("s"),
		metric.WithDescription("Seconds calls waited in the worker for their turn under Slack's tiers, by method")); err != nil {
		return nil, err
	}
	if m.slackRefused, err = meter.Int64Counter("ib_slack_paced_refused", metric.WithDescription("Calls the worker held back for a later try, their turn under Slack's tiers beyond their try, by method")); err != nil {
		return nil, err
	}
	if m.zendeskCalls, err = meter.Int64Counter("ib_zendesk_calls", metric.WithDescription("Calls to Zendesk's API, by method and outcome (ok, rate_limited, error)")); err != nil {
		return nil, err
	}
	if m.zendeskWait, err = meter.Float64Counter("ib_zendesk_rate_limit_wait", metric.WithUnit("s"),
		metric.WithDescription("Seconds Zendesk asked to wait (Retry-After), by method")); err != nil {
		return nil, err
	}
	if m.answers, err = meter.Float64Histogram("ib_gateway_answer", metric.WithUnit("s"),
		metric.WithDescription("How long the gateway took to answer Slack, by route"),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 3)); err != nil {
		return nil, err
	}
	if m.declared, err = meter.Int64Counter("ib_incidents_declared", metric.WithDescription("Incidents declared, by severity")); err != nil {
		return nil, err
	}
	if m.alerts, err = meter.Int64Counter("ib_alerts_received", metric.WithDescription("Alerts taken at the alert endpoints, by whether a catalog service owns them (service, unknown)")); err != nil {
		return nil, err
	}
	if m.notices, err = meter.Int64Counter("ib_watch_notices", metric.WithDescription("What the services' watches told people, by kind (alert, flapping, suggest, suggestion, unknown)")); err != nil {
		return nil, err
	}
	if m.dismissed, err = meter.Int64Counter("ib_suggestions_dismissed", metric.WithDescription("Declare? suggestions dismissed, by reason")); err != nil {
		return nil, err
	}
	return m, nil
}

// Open makes and serves the metrics of a process on addr (IB_METRICS_ADDR);
// with no address it returns nil, and a nil *Metrics measures nothing, so that
// nobody pays for metrics nobody reads.
func Open(addr string, log *zap.Logger) (*Metrics, error) {
	if addr == "" {
		return nil, nil
	}
	m, err := New()
	if err != nil {
		return nil, err
	}
	m.serve(addr, log)
	return m, nil
}

// Temporal is the SDK's metrics handler (client.Options.MetricsHandler): its
// own metrics of workflows, activities, polls and requests.
func (m *Metrics) Temporal() client.MetricsHandler {
	if m == nil {
		return nil
	}
	return temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{Meter: m.meter, OnError: func(error) {}})
}

// Handler serves the metrics in Prometheus's format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// serve serves /metrics on addr in the background.
func (m *Metrics) serve(addr string, log *zap.Logger) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		log.Info("metrics", zap.String("addr", addr))
		if err := srv.ListenAndServe(); err != nil {
			log.Warn("metrics stopped", zap.Error(err))
		}
	}()
}

// SlackTransport counts each call to Slack's Web API by its method and
// outcome, and the time Slack asked to wait when it limited a call. It counts
// what reaches Slack: under the worker's pacer, not above it.
func (m *Metrics) SlackTransport(next http.RoundTripper) http.RoundTripper {
	if m == nil {
		return orDefault(next)
	}
	return m.counted(next, m.slackCalls, m.slackWait, func(r *http.Request) string { return path.Base(r.URL.Path) })
}

// ZendeskTransport counts each call to Zendesk's API by its method (the HTTP
// method and the path, its IDs as {id}) and outcome, and the time Zendesk
// asked to wait when it limited a call.
func (m *Metrics) ZendeskTransport(next http.RoundTripper) http.RoundTripper {
	if m == nil {
		return orDefault(next)
	}
	return m.counted(next, m.zendeskCalls, m.zendeskWait, func(r *http.Request) string {
		return r.Method + " " + pathIDs.ReplaceAllString(r.URL.Path, "/{id}")
	})
}

// pathIDs are the numbers a path's parts begin with (tickets, users: /tickets/42.json),
// which would make a method of every ticket.
var pathIDs = regexp.MustCompile(`/[0-9]+`)

// counted counts a system's calls by method and outcome (ok, rate_limited,
// error), and the waits it asked for with Retry-After.
func (m *Metrics) counted(next http.RoundTripper, calls metric.Int64Counter, waits metric.Float64Counter, methodOf func(*http.Request) string) http.RoundTripper {
	next = orDefault(next)
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		resp, err := next.RoundTrip(r)
		method := attribute.String("method", methodOf(r))
		outcome := "ok"
		switch {
		case err != nil || resp.StatusCode >= 500:
			outcome = "error"
		case resp.StatusCode == http.StatusTooManyRequests:
			outcome = "rate_limited"
			if wait, convErr := strconv.Atoi(resp.Header.Get("Retry-After")); convErr == nil {
				waits.Add(r.Context(), float64(wait), metric.WithAttributes(method))
			}
		}
		calls.Add(r.Context(), 1, metric.WithAttributes(method, attribute.String("outcome", outcome)))
		return resp, err
	})
}

func orDefault(t http.RoundTripper) http.RoundTripper {
	if t == nil {
		return http.DefaultTransport
	}
	return t
}

// SlackHeld counts a call the worker's pacer held back to keep to Slack's
// tiers (slack.Pacing.Held): the time it waited for its turn, or, when its
// turn was beyond its try, its refusal (the call is tried again at its turn).
func (m *Metrics) SlackHeld(ctx context.Context, method string, wait time.Duration, refused bool) {
	if m == nil {
		return
	}
	attrs := metric.WithAttributes(attribute.String("method", method))
	if refused {
		m.slackRefused.Add(ctx, 1, attrs)
		return
	}
	m.slackPaced.Add(ctx, wait.Seconds(), attrs)
}

// Answers times the gateway's answers by route.
func (m *Metrics) Answers(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		m.answers.Record(r.Context(), time.Since(start).Seconds(), metric.WithAttributes(attribute.String("route", r.URL.Path)))
	})
}

// Declared counts an incident declared.
func (m *Metrics) Declared(ctx context.Context, severity string) {
	if m == nil {
		return
	}
	m.declared.Add(ctx, 1, metric.WithAttributes(attribute.String("severity", severity)))
}

// AlertsReceived counts alerts taken, routed to a service or to none.
func (m *Metrics) AlertsReceived(ctx context.Context, routed string, n int) {
	if m == nil {
		return
	}
	m.alerts.Add(ctx, int64(n), metric.WithAttributes(attribute.String("routed", routed)))
}

// Noticed counts what a watch told people.
func (m *Metrics) Noticed(ctx context.Context, kind string) {
	if m == nil {
		return
	}
	m.notices.Add(ctx, 1, metric.WithAttributes(attribute.String("kind", kind)))
}

// Dismissed counts a suggestion dismissed; reasons beyond the menu's count
// as "other", so that nothing typed grows the metric.
func (m *Metrics) Dismissed(ctx context.Context, reason string, known []string) {
	if m == nil {
		return
	}
	if !slices.Contains(known, reason) {
		reason = "other"
	}
	m.dismissed.Add(ctx, 1, metric.WithAttributes(attribute.String("reason", reason)))
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
