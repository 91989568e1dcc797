package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicks is the kernel's USER_HZ, the unit of /proc/<pid>/stat's times
// (100 on Linux everywhere this runs).
const clockTicks = 100

// cpuByCommand is the CPU time (user and system, seconds) the processes of
// each command name have used so far: the worker binary, the Temporal
// server (the CLI's dev server or temporal-server) and PostgreSQL's
// processes, read from /proc. A process that ended since is not counted, so
// diffs are taken over the same long-lived processes.
func cpuByCommand(names ...string) map[string]float64 {
	out := map[string]float64{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		s := string(data)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		comm := s[open+1 : end]
		for _, name := range names {
			if comm != name {
				continue
			}
			fields := strings.Fields(s[end+2:]) // from the state, field 3
			if len(fields) > 12 {
				utime, _ := strconv.ParseFloat(fields[11], 64)
				stime, _ := strconv.ParseFloat(fields[12], 64)
				out[name] += (utime + stime) / clockTicks
			}
		}
	}
	return out
}
