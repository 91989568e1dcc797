// Command benchreport turns the output of `make bench` (go test -bench,
// repeated runs, one or more persistence modes) into the "make bench"
// section of docs/benchmarks.md: every metric as the median and the worst of
// its runs, beside its target, with the machine and versions it ran on.
//
//	benchreport -out docs/benchmarks.md "memory=.data/bench-memory.txt" "SQLite=.data/bench-sqlite.txt"
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	begin = "<!-- make bench: begin -->"
	end   = "<!-- make bench: end -->"
)

// target is a figure's goal: below (or above, for higherBetter) a value.
type target struct {
	limit        float64
	higherBetter bool
	text         string
}

var targets = map[string]target{
	"GatewayBurst/create ack-p99-ms": {100, false, "< 100 ms"},
	"GatewayBurst/status ack-p99-ms": {100, false, "< 100 ms"},
	"GatewayBurst/help ack-p99-ms":   {100, false, "< 100 ms"},
	"Declare channel-p50-ms":         {300, false, "< 300 ms"},
	"Declare channel-p99-ms":         {1000, false, "< 1 s"},
	"Declare ready-p50-ms":           {300, false, "< 300 ms"},
	"Declare ready-p99-ms":           {1000, false, "< 1 s"},
	"Declare overhead-ratio":         {1.5, false, "≤ 1.5"},
	// The tier's floor is Slack's, nine minutes: the target holds for the
	// fake's clock ten times faster; sixty times faster, the backend's start
	// of the first incidents weighs sixty times what it does against Slack,
	// and only what pacing adds after it has a target (docs/benchmarks.md).
	"DeclareBurst200/clock-x10 floor-ratio":       {1.05, false, "≤ 1.05"},
	"DeclareBurst200/clock-x10 paced-floor-ratio": {1.05, false, "≤ 1.05"},
	"DeclareBurst200/clock-x60 paced-floor-ratio": {1.05, false, "≤ 1.05"},
	"DeclareBurst200/clock-x10 refused-creates":   {0, false, "= 0"},
	"DeclareBurst200/clock-x60 refused-creates":   {0, false, "= 0"},
	"DeclareBurst200/clock-x10 channels":          {200, true, "= 200"},
	"DeclareBurst200/clock-x60 channels":          {200, true, "= 200"},
	"OpenIncidents heap-bytes/incident":           {50 * 1024, false, "< 50 KB"},
	"QuietIncident timers-running":                {1, false, "≤ 1"},
	"Alerts answer-p99-ms":                        {100, false, "< 100 ms"},
	"Alerts told-p99-ms":                          {1000, false, "< 1 s"},
}

// A result line is "BenchmarkName-2 <tab> N <tab> X ns/op <tab> value unit …".
// A log line written while the benchmark ran can come between the name and
// its figures, which then start a line of their own.
var (
	named   = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s`)
	figures = regexp.MustCompile(`(?:^|\s)\d+\s+\S+ ns/op(.*)$`)
)

func main() {
	out := flag.String("out", "docs/benchmarks.md", "the file whose make bench section to rewrite")
	flag.Parse()
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n## make bench: the whole system, measured\n\n", begin)
	fmt.Fprintf(&b, "Written by `make bench` on %s. Machine: %s, %d cores, %s; %s; Temporal CLI dev server %s.\n",
		time.Now().UTC().Format("2006-01-02"), cpuModel(), runtime.NumCPU(), memTotal(), runtime.Version(), temporalVersion())
	b.WriteString("Each figure is the median of the runs, with the worst run beside it; each run's own\n" +
		"percentiles come from its samples. Everything runs on loopback: the dev server, the\n" +
		"real worker binary, the gateway, and the stateful fakes (Slack with its real tiers\n" +
		"where a figure says so, Zendesk).\n\n")
	for _, arg := range flag.Args() {
		mode, file, ok := strings.Cut(arg, "=") // the mode may contain spaces: "memory, 5 incidents/s"
		if !ok {
			fatal(`arguments are "mode=file", e.g. "memory=.data/bench-memory.txt"`)
		}
		runs, err := parse(file)
		if err != nil {
			fatal(err.Error())
		}
		fmt.Fprintf(&b, "### Persistence: %s\n\n| benchmark | figure | median | worst | runs | target |\n|---|---|---|---|---|---|\n", mode)
		keys := make([]string, 0, len(runs))
		for k := range runs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			vals := runs[k]
			slices.Sort(vals)
			bench, metric, _ := strings.Cut(k, " ")
			t, has := targets[k]
			med, worst := vals[len(vals)/2], vals[len(vals)-1]
			if has && t.higherBetter {
				worst = vals[0]
			}
			verdict := ""
			if has {
				met := med <= t.limit
				if t.higherBetter {
					met = med >= t.limit
				}
				verdict = t.text + " ✓"
				if !met {
					verdict = fmt.Sprintf("%s ✗ (missed by %s)", t.text, pct(med, t.limit))
				}
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %s |\n", bench, metric, num(med), num(worst), len(vals), verdict)
		}
		b.WriteString("\n")
	}
	if top := cpuTop(".data/bench-worker-cpu.pprof"); top != "" {
		b.WriteString("### Where the worker's CPU goes\n\nA CPU profile of the worker while it opens the 1,000 incidents of `OpenIncidents`\n" +
			"(`IB_PPROF_ADDR`; `go tool pprof -top .data/bench-worker-cpu.pprof`): the functions it spends its own time in:\n\n```\n" + top + "```\n\n")
	}
	if top := cpuTop(".data/bench-gateway-cpu.pprof", "-tagfocus=component=gateway"); top != "" {
		b.WriteString("### Where the gateway's CPU goes\n\nA CPU profile during `GatewayBurst`, its gateway's share (`go tool pprof -top\n" +
			"-tagfocus=component=gateway .data/bench-gateway-cpu.pprof`; the process also runs a worker and the fakes):\n\n```\n" + top + "```\n\n")
	}
	b.WriteString(end + "\n")
	doc, err := os.ReadFile(*out)
	if err != nil {
		fatal(err.Error())
	}
	text := string(doc)
	if i, j := strings.Index(text, begin), strings.Index(text, end); i >= 0 && j > i {
		text = text[:i] + b.String() + text[j+len(end)+1:]
	} else {
		text += "\n" + b.String()
	}
	if err := os.WriteFile(*out, []byte(text), 0o644); err != nil {
		fatal(err.Error())
	}
	fmt.Printf("wrote the make bench section of %s\n", *out)
}

// parse reads go test -bench output: every "value unit" pair of every run,
// keyed "Benchmark unit".
func parse(file string) (map[string][]float64, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	runs := map[string][]float64{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	name := ""
	for sc.Scan() {
		text := sc.Text()
		if m := named.FindStringSubmatch(text); m != nil {
			name = m[1]
		}
		m := figures.FindStringSubmatch(text)
		if m == nil || name == "" || strings.Contains(text, "level=") {
			continue
		}
		fields := strings.Fields(m[1])
		for i := 0; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err == nil {
				key := name + " " + fields[i+1]
				runs[key] = append(runs[key], v)
			}
		}
	}
	if len(runs) == 0 {
		return nil, fmt.Errorf("%s has no benchmark results", file)
	}
	return runs, sc.Err()
}

func num(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func pct(v, limit float64) string {
	if limit == 0 {
		return fmt.Sprintf("%g", v)
	}
	return fmt.Sprintf("%.0f%%", (v/limit-1)*100)
}

func cpuModel() string {
	data, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return runtime.GOARCH
}

func memTotal() string {
	data, _ := os.ReadFile("/proc/meminfo")
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return fmt.Sprintf("%.0f GiB", kb/(1<<20))
		}
	}
	return "unknown memory"
}

func temporalVersion() string {
	out, err := exec.Command("bin/temporal", "--version").Output()
	if err != nil {
		return "(bin/temporal not found)"
	}
	return strings.TrimSpace(string(out))
}

func fatal(msg string) {
	fmt.Fprintln(os.Stderr, "benchreport:", msg)
	os.Exit(1)
}

// cpuTop is the top of a CPU profile by time spent in each function (and its
// total), "" without one.
func cpuTop(file string, options ...string) string {
	if _, err := os.Stat(file); err != nil {
		return ""
	}
	args := append(append([]string{"tool", "pprof", "-top", "-nodecount=15"}, options...), file)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		return ""
	}
	var keep []string
	for _, l := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(l, "File:") && !strings.HasPrefix(l, "Build ID:") && !strings.HasPrefix(l, "Type:") && !strings.HasPrefix(l, "Time:") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
