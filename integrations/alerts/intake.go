// Package alerts takes alerts from monitoring systems at the gateway:
// Prometheus Alertmanager's webhook (version 4), Grafana alerting's webhook
// contact point, and a small JSON form for anything else. Each request must
// carry the alerts token as a bearer token; its alerts are mapped to catalog
// services by their labels and handed to each service's watch.
package alerts

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/incident-buddy/ib"
	"github.com/incident-buddy/ib/oncall"
)

// Paths where the gateway takes alerts.
const (
	AlertmanagerPath = "/alerts/alertmanager"
	GrafanaPath      = "/alerts/grafana"
	JSONPath         = "/alerts/json"
)

// maxBody bounds one request: Alertmanager sends a group of alerts (its
// max_alerts, 0 = all), each a few hundred bytes.
const maxBody = 1 << 20

// Intake serves the three alert endpoints.
type Intake struct {
	Token   string // IB_ALERTS_TOKEN; without it every request is refused
	Catalog *oncall.LiveCatalog
	Watches ib.Watches
	Log     *zap.Logger
	// Received is told how many alerts were taken for services ("service")
	// and for none ("unknown"); nil: nobody.
	Received func(ctx context.Context, routed string, n int)
}

// Routes adds the endpoints to mux.
func (h *Intake) Routes(mux *http.ServeMux) {
	mux.Handle("POST "+AlertmanagerPath, h.serve(parseAlertmanager))
	mux.Handle("POST "+GrafanaPath, h.serve(parseAlertmanager)) // Grafana's webhook is Alertmanager's, with more fields
	mux.Handle("POST "+JSONPath, h.serve(parseJSON))
}

// parser reads a request's body into alerts with their labels.
type parser func(body []byte) ([]labelled, error)

// labelled is an alert with the labels that route it.
type labelled struct {
	ib.Alert
	labels map[string]string
}

func (h *Intake) serve(parse parser) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.authorized(r) {
			h.Log.Warn("refused alerts without the alerts token", zap.String("path", r.URL.Path), zap.String("remote", r.RemoteAddr))
			w.Header().Set("WWW-Authenticate", `Bearer realm="alerts"`)
			http.Error(w, "send Authorization: Bearer <IB_ALERTS_TOKEN>", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, fmt.Sprintf("request larger than %d bytes: send fewer alerts at a time", maxBody), http.StatusRequestEntityTooLarge)
			return
		}
		found, err := parse(body)
		if err == nil && len(found) > ib.MaxAlertsPerRequest {
			err = fmt.Errorf("%d alerts in one request; send at most %d", len(found), ib.MaxAlertsPerRequest)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		byService := map[string][]ib.Alert{}
		var refused []string
		catalog := h.Catalog.Get()
		for _, l := range found {
			l.Service, _ = catalog.ServiceOfAlert(l.labels)
			if l.Service == "" {
				l.Labels = describe(l.labels)
			}
			a, err := l.Bounded()
			if err != nil {
				refused = append(refused, err.Error())
				continue
			}
			byService[a.Service] = append(byService[a.Service], a)
		}
		if len(byService) == 0 && len(refused) > 0 {
			http.Error(w, strings.Join(refused, "; "), http.StatusBadRequest)
			return
		}
		for _, service := range slices.Sorted(maps.Keys(byService)) {
			err := h.Watches.Alerts(r.Context(), service, catalog.WatchRules(service), byService[service])
			if err == nil && h.Received != nil {
				routed := "service"
				if service == "" {
					routed = "unknown"
				}
				h.Received(r.Context(), routed, len(byService[service]))
			}
			if err != nil {
				// Alertmanager and Grafana send again what failed; the watch
				// counts a repeated alert once.
				h.Log.Warn("could not hand alerts to their watch", zap.String("service", service), zap.Error(err))
				http.Error(w, ib.ErrorMessage(err), http.StatusServiceUnavailable)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"services": slices.Sorted(maps.Keys(byService)), "refused": refused})
	})
}

func (h *Intake) authorized(r *http.Request) bool {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && h.Token != "" && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(h.Token)) == 1
}

// describe names an alert of no known service by its labels, for the
// catalog's owners to route it.
func describe(labels map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		if k != "alertname" {
			parts = append(parts, k+"="+labels[k])
		}
	}
	return strings.Join(parts, ", ")
}

// webhook is Alertmanager's webhook body, version 4; Grafana's contact point
// sends the same with more fields (dashboardURL, panelURL…).
type webhook struct {
	Version string `json:"version"`
	Alerts  []struct {
		Status       string            `json:"status"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
		StartsAt     time.Time         `json:"startsAt"`
		EndsAt       time.Time         `json:"endsAt"`
		GeneratorURL string            `json:"generatorURL"`
		Fingerprint  string            `json:"fingerprint"`
		PanelURL     string            `json:"panelURL"`
		DashboardURL string            `json:"dashboardURL"`
	} `json:"alerts"`
}

func parseAlertmanager(body []byte) ([]labelled, error) {
	var p webhook
	if err := json.Unmarshal(body, &p); err != nil || p.Alerts == nil {
		return nil, fmt.Errorf(`the body must be Alertmanager's webhook JSON: {"version": "4", "alerts": [{"status", "labels", "annotations", "startsAt", "endsAt", "fingerprint"}]}`)
	}
	if p.Version != "" && p.Version != "4" && p.Version != "1" { // Grafana says 1
		return nil, fmt.Errorf("webhook version %q: Alertmanager's version 4 is expected", p.Version)
	}
	var out []labelled
	for _, a := range p.Alerts {
		url := a.GeneratorURL
		for _, u := range []string{a.DashboardURL, a.PanelURL} {
			if u != "" {
				url = u
			}
		}
		out = append(out, labelled{labels: a.Labels, Alert: ib.Alert{
			Fingerprint: a.Fingerprint, Name: a.Labels["alertname"], Status: a.Status,
			StartsAt: a.StartsAt, EndsAt: a.EndsAt, Summary: first(a.Annotations["summary"], a.Annotations["description"]),
			Severity: a.Labels["severity"], URL: url,
		}})
	}
	return out, nil
}

// plain is the small JSON form (README: "Alerts").
type plain struct {
	Alerts []struct {
		Name        string            `json:"name"`
		Service     string            `json:"service"`
		Status      string            `json:"status"`
		Fingerprint string            `json:"fingerprint"`
		StartsAt    time.Time         `json:"starts_at"`
		EndsAt      time.Time         `json:"ends_at"`
		Summary     string            `json:"summary"`
		Severity    string            `json:"severity"`
		URL         string            `json:"url"`
		Labels      map[string]string `json:"labels"`
	} `json:"alerts"`
}

func parseJSON(body []byte) ([]labelled, error) {
	var p plain
	if err := json.Unmarshal(body, &p); err != nil || p.Alerts == nil {
		return nil, fmt.Errorf(`the body must be {"alerts": [{"name", "service", "status": "firing"|"resolved", "starts_at", "ends_at", "summary", "url"}]}`)
	}
	var out []labelled
	for _, a := range p.Alerts {
		labels := maps.Clone(a.Labels)
		if labels == nil {
			labels = map[string]string{}
		}
		if a.Service != "" {
			labels["service"] = a.Service
		}
		out = append(out, labelled{labels: labels, Alert: ib.Alert{
			Fingerprint: a.Fingerprint, Name: a.Name, Status: a.Status, StartsAt: a.StartsAt, EndsAt: a.EndsAt,
			Summary: a.Summary, Severity: a.Severity, URL: a.URL,
		}})
	}
	return out, nil
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
