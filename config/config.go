package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/incident-buddy/ib"
)

// Config is every setting of Incident Buddy. Defaults come first; the environment
// overrides them in LoadConfig, the only place that reads it. The variable names
// are part of the product's interface: keep them stable.
type Config struct {
	TemporalAddress   string // TEMPORAL_ADDRESS
	TemporalNamespace string // TEMPORAL_NAMESPACE
	// Retention is how long the namespace keeps closed incidents
	// (IB_RETENTION); the worker lengthens a shorter one.
	Retention     time.Duration
	TemporalUIURL string // IB_TEMPORAL_UI_URL: links to incidents in the Temporal Web UI

	SlackBotToken      string // SLACK_BOT_TOKEN (xoxb-…)
	SlackSigningSecret string // SLACK_SIGNING_SECRET, checks requests from Slack
	SlackAppToken      string // SLACK_APP_TOKEN (xapp-…), turns on Socket Mode
	SlackAPIURL        string // SLACK_API_URL, base URL of the Slack Web API

	ChannelPrefix    string      // IB_CHANNEL_PREFIX: incident channels are <prefix>-<yyyymmdd>-<slug>
	IncidentsChannel string      // IB_INCIDENTS_CHANNEL: where declarations are announced (name or ID)
	DefaultSeverity  ib.Severity // IB_DEFAULT_SEVERITY: for `create` without a severity
	CustomerQuestion string      // IB_CUSTOMER_QUESTION: the first question of every declaration
	CatalogFile      string      // IB_CATALOG: the service catalog (YAML)
	PagerDutyURL     string      // PAGERDUTY_EVENTS_URL: PagerDuty's Events API v2
	// The public status page (Atlassian Statuspage): STATUSPAGE_URL,
	// STATUSPAGE_PAGE_ID, STATUSPAGE_API_KEY, STATUSPAGE_COMPONENT_IDS; and
	// IB_STATUSPAGE_REMINDER, how long an S1/S2 may leave it without update.
	StatusPageURL, StatusPageID, StatusPageKey string
	StatusPageComponents                       []string
	StatusPageReminder                         time.Duration
	// CollectionEmoji maps emoji names to the collection a reaction keeps its
	// message in (IB_PAPERTRAIL_EMOJI, IB_POSTMORTEM_EMOJI).
	CollectionEmoji map[string]ib.Collection
	Policy          ib.Policy // IB_ADMINS, IB_RESTRICTED_CHANGES, IB_RESTRICTED_TO: who may change what from Slack
	// Postmortem is how resolved incidents are carried through their postmortem
	// stage: IB_POSTMORTEM_START, IB_POSTMORTEM_REST, IB_WORKDAY_START, IB_POSTMORTEM_DRAFT_DAYS,
	// IB_REVIEW_AFTER, IB_DEFAULT_TIMEZONE.
	Postmortem         ib.PostmortemPolicy
	PostmortemTemplate string // IB_POSTMORTEM_TEMPLATE: a file replacing the draft's template
	// Zendesk: ZENDESK_URL (https://acme.zendesk.com), ZENDESK_EMAIL and
	// ZENDESK_API_TOKEN (an agent's API token), ZENDESK_WEBHOOK_SECRET (the
	// webhook's signing secret).
	ZendeskURL, ZendeskEmail, ZendeskToken, ZendeskWebhookSecret string
	ProblemTickets                                               []ib.Severity // IB_PROBLEM_TICKETS: severities that open a problem ticket
	FollowUpRotation                                             string        // IB_FOLLOWUP_ROTATION: follows up with customers after resolution
	SuggestTickets                                               time.Duration // IB_TICKET_SUGGESTIONS: how often to look for customer tickets; 0: never
	DocumentsDir                                                 string        // IB_DOCUMENTS_DIR: where drafts and channel exports are written
	AlertsToken                                                  string        // IB_ALERTS_TOKEN: the bearer token of the alert endpoints; "" refuses alerts
	SlackPace                                                    float64       // IB_SLACK_PACE: Slack's tiers sped up by this; 0: no pacing
	GatewayWorker                                                bool          // IB_GATEWAY_WORKER: the gateway runs a worker too, and the incidents it declares start in it
	LogLevel                                                     string        // IB_LOG_LEVEL: debug, info, warn, error
	LogFormat                                                    string        // IB_LOG_FORMAT: console or json
	HealthAddr                                                   string        // IB_HEALTH_ADDR: the worker's probes; "" off
	MetricsAddr                                                  string        // IB_METRICS_ADDR: Prometheus metrics; "" off
	PprofAddr                                                    string        // IB_PPROF_ADDR: serve pprof profiles here (loopback); "" off
	PprofAnyInterface                                            bool          // IB_PPROF_ANY_INTERFACE: allow IB_PPROF_ADDR beyond loopback
}

// EnvVar documents one configuration variable (for --help and the README).
type EnvVar struct{ Name, Default, Meaning string }

// EnvVars lists every variable LoadConfig reads.
var EnvVars = []EnvVar{
	{"TEMPORAL_ADDRESS", "localhost:7233", "host:port of the Temporal frontend"},
	{"TEMPORAL_NAMESPACE", "default", "Temporal namespace of the incidents"},
	{"IB_TEMPORAL_UI_URL", "http://localhost:8233", "base URL of the Temporal Web UI, for links to incidents"},
	{"IB_RETENTION", "720h", "how long Temporal keeps closed incidents (in the Web UI, `starter list --all`, the on-call report, `starter replay`); the worker lengthens a shorter retention of the namespace"},
	{"SLACK_BOT_TOKEN", "", "bot token (xoxb-…); the worker needs it to act in Slack"},
	{"SLACK_SIGNING_SECRET", "", "signing secret; the gateway refuses unsigned requests"},
	{"SLACK_APP_TOKEN", "", "app-level token (xapp-…); when set the gateway uses Socket Mode"},
	{"SLACK_API_URL", "https://slack.com/api/", "base URL of the Slack Web API (a proxy, or the fake Slack)"},
	{"IB_CHANNEL_PREFIX", "inc", "incident channels are named <prefix>-<yyyymmdd>-<slug>"},
	{"IB_INCIDENTS_CHANNEL", "incidents", "channel (name or ID) where new incidents are announced"},
	{"IB_DEFAULT_SEVERITY", "S3", "severity of `create` when none is given"},
	{"IB_CUSTOMER_QUESTION", "Does this affect customers' running workloads?", "the yes/no/unknown question every declaration answers first"},
	{"IB_CATALOG", "", "path of the service catalog (YAML; see catalog.example.yaml)"},
	{"PAGERDUTY_EVENTS_URL", "https://events.pagerduty.com/v2/enqueue", "PagerDuty's Events API v2, for rotations with a pagerduty_routing_key in the catalog"},
	{"IB_PAPERTRAIL_EMOJI", "receipt", "emoji names (comma-separated) whose reaction keeps a message in the papertrail"},
	{"IB_POSTMORTEM_EMOJI", "pushpin", "emoji names (comma-separated) whose reaction keeps a message for the postmortem"},
	{"STATUSPAGE_URL", "https://api.statuspage.io/v1", "base URL of the Statuspage API (or a proxy, or a fake)"},
	{"STATUSPAGE_PAGE_ID", "", "the status page's ID; with STATUSPAGE_API_KEY, turns on /ib statuspage"},
	{"STATUSPAGE_API_KEY", "", "Statuspage API key"},
	{"STATUSPAGE_COMPONENT_IDS", "", "components an incident marks as affected, comma-separated"},
	{"IB_STATUSPAGE_REMINDER", "30m", "remind an active S1/S2 incident's channel when its status page has had no update this long (0: never)"},
	{"IB_ADMINS", "", "Slack user IDs allowed every change, comma-separated"},
	{"IB_RESTRICTED_CHANGES", ib.DefaultRestrictions(), "who may make which change from Slack, by the change's name (`starter help` lists the changes): a name alone restricts it to IB_RESTRICTED_TO (or the stricter role the command table gives it), name=role to a role of anyone, responders, owner or commander; the changes not named are anyone's; admins may make every change"},
	{"IB_RESTRICTED_TO", "responders", "the role of a name without one in IB_RESTRICTED_CHANGES: responders (the commander, those on call for the incident, paged for it, acting in its channel, and its postmortem's owner), owner (the postmortem's owner and the commander) or commander"},
	{"IB_POSTMORTEM_START", "next-morning", "when a resolved incident enters its postmortem stage: next-morning (the commander's first working morning after IB_POSTMORTEM_REST and after the recovery of anyone paged off-hours), now, or a duration such as 2h"},
	{"IB_POSTMORTEM_REST", "12h", "with next-morning, the rest people get after the resolution before the postmortem stage begins"},
	{"IB_WORKDAY_START", "9", "the hour working mornings begin, in each commander's time zone"},
	{"IB_POSTMORTEM_DRAFT_DAYS", "S1=3,S2=5,S3=10,S4=10", "working days the owner has for the postmortem draft, by severity"},
	{"IB_REVIEW_AFTER", "168h", "how long after resolution the postmortem review meeting is (moved to a working morning)"},
	{"IB_DEFAULT_TIMEZONE", "UTC", "time zone for working days when the commander's Slack profile has none"},
	{"IB_POSTMORTEM_TEMPLATE", "", "a Go text/template file replacing the postmortem draft's (see postmortem.md.tmpl)"},
	{"IB_DOCUMENTS_DIR", "postmortems", "directory where the worker writes postmortem drafts and channel exports"},
	{"ZENDESK_URL", "", "your Zendesk account (https://acme.zendesk.com, or the fake); with ZENDESK_EMAIL and ZENDESK_API_TOKEN, turns on tickets"},
	{"ZENDESK_EMAIL", "", "the agent the bot acts as in Zendesk"},
	{"ZENDESK_API_TOKEN", "", "that agent's API token"},
	{"ZENDESK_WEBHOOK_SECRET", "", "signing secret of the Zendesk webhook that posts ticket news to /zendesk/webhook"},
	{"IB_ALERTS_TOKEN", "", "the bearer token Alertmanager, Grafana and other monitoring send to /alerts/alertmanager, /alerts/grafana and /alerts/json; alerts are refused while it is empty"},
	{"IB_PROBLEM_TICKETS", "S1,S2", "severities whose declaration opens a Zendesk problem ticket (others open one when a ticket is first linked)"},
	{"IB_FOLLOWUP_ROTATION", "customer-reliability", "the catalog rotation whose on-call follows up with customers after resolution (else the commander)"},
	{"IB_TICKET_SUGGESTIONS", "10m", "how often an active incident looks in Zendesk for new customer tickets about its services (0: never)"},
	{"IB_SLACK_PACE", "1", "the worker paces each Slack Web API method at its documented tier (20, 50 calls a minute…) times this: 1 for Slack; a larger number for a test Slack on a faster clock; 0 turns pacing off"},
	{"IB_GATEWAY_WORKER", "false", "true: the gateway (`starter serve`) runs a worker of the incidents too, and each incident it declares starts in that worker at once (Temporal's eager workflow start) instead of waiting in the task queue behind the work of incidents already open: declarations stay quick when the Temporal backend is overloaded. Give the gateway the worker's whole configuration (Zendesk, status page, PagerDuty, IB_DOCUMENTS_DIR, IB_POSTMORTEM_TEMPLATE)"},
	{"IB_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"IB_LOG_FORMAT", "console", "console or json"},
	{"IB_METRICS_ADDR", "", "host:port where the worker and the gateway serve Prometheus metrics at /metrics (give each its own); off when empty"},
	{"IB_HEALTH_ADDR", "", "host:port where the worker answers /healthz and /readyz (ready once it polls and Temporal answers); off when empty (the gateway answers both on its own address)"},
	{"IB_PPROF_ADDR", "", "host:port for Go's pprof endpoints (CPU and heap profiles), e.g. 127.0.0.1:6060; off when empty; loopback only unless IB_PPROF_ANY_INTERFACE"},
	{"IB_PPROF_ANY_INTERFACE", "false", "true lets IB_PPROF_ADDR listen beyond loopback (profiles hold the process's secrets: only behind a firewall)"},
}

// LoadConfig reads the configuration through getenv (os.Getenv in main) and
// checks it, naming every bad variable at once.
func LoadConfig(getenv func(string) string) (Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, e := range EnvVars {
			if e.Name == name {
				return e.Default
			}
		}
		return ""
	}
	c := Config{
		TemporalAddress:      get("TEMPORAL_ADDRESS"),
		TemporalNamespace:    get("TEMPORAL_NAMESPACE"),
		TemporalUIURL:        strings.TrimSuffix(get("IB_TEMPORAL_UI_URL"), "/"),
		SlackBotToken:        get("SLACK_BOT_TOKEN"),
		SlackSigningSecret:   get("SLACK_SIGNING_SECRET"),
		SlackAppToken:        get("SLACK_APP_TOKEN"),
		SlackAPIURL:          get("SLACK_API_URL"),
		ChannelPrefix:        get("IB_CHANNEL_PREFIX"),
		IncidentsChannel:     strings.TrimPrefix(get("IB_INCIDENTS_CHANNEL"), "#"),
		CustomerQuestion:     get("IB_CUSTOMER_QUESTION"),
		CatalogFile:          get("IB_CATALOG"),
		PagerDutyURL:         get("PAGERDUTY_EVENTS_URL"),
		StatusPageURL:        get("STATUSPAGE_URL"),
		StatusPageID:         get("STATUSPAGE_PAGE_ID"),
		StatusPageKey:        get("STATUSPAGE_API_KEY"),
		StatusPageComponents: ib.SplitList(get("STATUSPAGE_COMPONENT_IDS")),
		PostmortemTemplate:   get("IB_POSTMORTEM_TEMPLATE"),
		ZendeskURL:           strings.TrimSuffix(get("ZENDESK_URL"), "/"),
		ZendeskEmail:         get("ZENDESK_EMAIL"),
		ZendeskToken:         get("ZENDESK_API_TOKEN"),
		ZendeskWebhookSecret: get("ZENDESK_WEBHOOK_SECRET"),
		AlertsToken:          get("IB_ALERTS_TOKEN"),
		FollowUpRotation:     get("IB_FOLLOWUP_ROTATION"),
		DocumentsDir:         get("IB_DOCUMENTS_DIR"),
		LogLevel:             strings.ToLower(get("IB_LOG_LEVEL")),
		LogFormat:            strings.ToLower(get("IB_LOG_FORMAT")),
		PprofAddr:            get("IB_PPROF_ADDR"),
		HealthAddr:           get("IB_HEALTH_ADDR"),
		MetricsAddr:          get("IB_METRICS_ADDR"),
		PprofAnyInterface:    get("IB_PPROF_ANY_INTERFACE") == "true",
		GatewayWorker:        get("IB_GATEWAY_WORKER") == "true",
	}
	if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/" // slack-go appends method names to it
	}
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	sev, err := ib.ParseSeverity(get("IB_DEFAULT_SEVERITY"))
	if err != nil {
		bad("IB_DEFAULT_SEVERITY", "%v", err)
	}
	c.DefaultSeverity = sev
	if c.Retention, err = time.ParseDuration(get("IB_RETENTION")); err != nil || c.Retention < 24*time.Hour {
		bad("IB_RETENTION", "%q must be a duration of a day or more, such as 720h (30 days)", get("IB_RETENTION"))
	}
	if _, err := fmt.Sscan(get("IB_SLACK_PACE"), &c.SlackPace); err != nil || c.SlackPace < 0 {
		bad("IB_SLACK_PACE", "%q must be a number such as 1, or 0 to turn pacing off", get("IB_SLACK_PACE"))
	}
	if v := get("IB_GATEWAY_WORKER"); v != "true" && v != "false" {
		bad("IB_GATEWAY_WORKER", "%q must be true or false", v)
	}
	if c.StatusPageReminder, err = time.ParseDuration(get("IB_STATUSPAGE_REMINDER")); err != nil || c.StatusPageReminder < 0 {
		bad("IB_STATUSPAGE_REMINDER", "%q must be a duration such as 30m, or 0", get("IB_STATUSPAGE_REMINDER"))
	}
	c.Postmortem = ib.PostmortemPolicy{Start: strings.ToLower(get("IB_POSTMORTEM_START")), Zone: get("IB_DEFAULT_TIMEZONE")}
	if _, err := fmt.Sscan(get("IB_WORKDAY_START"), &c.Postmortem.WorkdayStart); err != nil || c.Postmortem.WorkdayStart < 1 || c.Postmortem.WorkdayStart > 23 {
		bad("IB_WORKDAY_START", "%q must be an hour, 1–23", get("IB_WORKDAY_START"))
	}
	if c.Postmortem.DraftDays, err = ib.ParseDraftDays(get("IB_POSTMORTEM_DRAFT_DAYS")); err != nil {
		bad("IB_POSTMORTEM_DRAFT_DAYS", "%v", err)
	}
	if c.Postmortem.Rest, err = time.ParseDuration(get("IB_POSTMORTEM_REST")); err != nil || c.Postmortem.Rest < 0 {
		bad("IB_POSTMORTEM_REST", "%q must be a duration such as 12h, or 0", get("IB_POSTMORTEM_REST"))
	}
	if c.Postmortem.ReviewAfter, err = time.ParseDuration(get("IB_REVIEW_AFTER")); err != nil || c.Postmortem.ReviewAfter <= 0 {
		bad("IB_REVIEW_AFTER", "%q must be a duration such as 168h", get("IB_REVIEW_AFTER"))
	}
	if err := c.Postmortem.Check(); err != nil {
		bad("IB_POSTMORTEM_START/IB_DEFAULT_TIMEZONE", "%v", err)
	}
	if (c.ZendeskURL == "") != (c.ZendeskEmail == "") || (c.ZendeskURL == "") != (c.ZendeskToken == "") {
		bad("ZENDESK_URL/ZENDESK_EMAIL/ZENDESK_API_TOKEN", "set all three to use Zendesk, or none")
	} else if c.ZendeskURL != "" && !strings.HasPrefix(c.ZendeskURL, "https://") && !strings.HasPrefix(c.ZendeskURL, "http://") {
		bad("ZENDESK_URL", "%q must be a URL such as https://acme.zendesk.com", c.ZendeskURL)
	}
	for _, name := range ib.SplitList(get("IB_PROBLEM_TICKETS")) {
		sev, err := ib.ParseSeverity(name)
		if err != nil {
			bad("IB_PROBLEM_TICKETS", "%v", err)
			continue
		}
		c.ProblemTickets = append(c.ProblemTickets, sev)
	}
	if c.SuggestTickets, err = time.ParseDuration(get("IB_TICKET_SUGGESTIONS")); err != nil || c.SuggestTickets < 0 ||
		c.SuggestTickets > 0 && c.SuggestTickets < time.Second {
		bad("IB_TICKET_SUGGESTIONS", "%q must be a duration of at least 1s, such as 10m, or 0", get("IB_TICKET_SUGGESTIONS"))
	}
	if (c.StatusPageID == "") != (c.StatusPageKey == "") {
		bad("STATUSPAGE_PAGE_ID/STATUSPAGE_API_KEY", "set both to use a status page, or neither")
	}
	c.CollectionEmoji = map[string]ib.Collection{}
	for _, col := range []struct {
		env        string
		collection ib.Collection
	}{{"IB_PAPERTRAIL_EMOJI", ib.Papertrail}, {"IB_POSTMORTEM_EMOJI", ib.PostmortemItems}} {
		for _, name := range ib.SplitList(get(col.env)) {
			name = strings.Trim(name, ":")
			if other, taken := c.CollectionEmoji[name]; taken {
				bad(col.env, "%q already keeps messages in the %s", name, other)
			}
			c.CollectionEmoji[name] = col.collection
		}
	}
	if c.Policy, err = ib.ParsePolicy(get("IB_ADMINS"), get("IB_RESTRICTED_CHANGES"), get("IB_RESTRICTED_TO")); err != nil {
		bad("IB_RESTRICTED_CHANGES/IB_RESTRICTED_TO", "%v", err)
	}
	if !ib.ValidChannelPrefix(c.ChannelPrefix) {
		bad("IB_CHANNEL_PREFIX", "%q must be 1–20 lowercase letters, digits, - or _, starting with a letter or digit", c.ChannelPrefix)
	}
	if !strings.HasPrefix(c.SlackAPIURL, "http://") && !strings.HasPrefix(c.SlackAPIURL, "https://") {
		bad("SLACK_API_URL", "%q must be an http:// or https:// URL", c.SlackAPIURL)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("IB_LOG_LEVEL", "%q must be debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "console", "json":
	default:
		bad("IB_LOG_FORMAT", "%q must be console or json", c.LogFormat)
	}
	return c, errors.Join(errs...)
}

// IncidentURL is an incident's page in the Temporal Web UI.
func (c Config) IncidentURL(id string) string {
	return c.TemporalUIURL + "/namespaces/" + c.TemporalNamespace + "/workflows/" + id
}

// ZendeskEnabled says whether Zendesk is configured.
func (c Config) ZendeskEnabled() bool { return c.ZendeskURL != "" }

// StatusPageEnabled says whether a status page is configured.
func (c Config) StatusPageEnabled() bool { return c.StatusPageID != "" }
