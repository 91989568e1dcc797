// Command fakeslack is a FAKE of Slack for local runs without a workspace. It is
// not Slack: nothing reaches real people. It is a workspace you can work in:
// from a browser at its address, or from the terminal with the commands
// below, each acting as one person (alice, bob or carol).
//
//	fakeslack [serve] [--addr 127.0.0.1:4390] [--app http://127.0.0.1:3000]
//	    serve the fake Web API and its page (`make dev` starts it when
//	    SLACK_BOT_TOKEN is unset); people's commands, clicks, forms and
//	    messages go to the app, signed with SLACK_SIGNING_SECRET
//	fakeslack command [--user alice] [--channel general] <text>
//	    type "/ib <text>" and print the answer (and the form it opened)
//	fakeslack post [--user alice] [--channel general] [--thread TS] <text>
//	    post a message (in a thread with --thread); print its timestamp
//	fakeslack react [--user alice] --channel C [--ts TS] [--remove] <emoji>
//	    react to a message (receipt 🧾, pushpin 📌), or take the reaction back;
//	    without --ts, the newest message a person posted
//	fakeslack messages [--channel general]
//	    print a channel's messages with their timestamps, buttons and menus
//	fakeslack click [--user alice] --channel C [--ts TS] <action_id> [value]
//	    press a message's button, or pick a menu's option by its value;
//	    without --ts, the newest message that has it
//	fakeslack submit [--user alice] [--view V] block_id=value …
//	    fill in and submit a form (a list: block_id=a,b); without --view, the
//	    person's newest open form
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/incident-buddy/ib/tests/fakeslack"
)

func main() {
	args := os.Args[1:]
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(args)
	case "command", "post", "react", "click", "submit":
		err = act(cmd, args, os.Stdout)
	case "messages":
		err = messages(args, os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q: use serve, command, post, react, messages, click or submit", cmd)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakeslack:", err)
		os.Exit(1)
	}
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:4390", "listen address (loopback)")
	token := fs.String("token", "xoxb-fake", "bot token the fake accepts")
	scale := fs.Float64("scale", 1, "speed-up of the rate-limit clock")
	appURL := fs.String("app", "http://127.0.0.1:3000", "the app's base URL (the gateway): commands, clicks, forms and events go there")
	secret := fs.String("secret", envOr("SLACK_SIGNING_SECRET", "fake-signing-secret"), "the app's signing secret")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fake := fakeslack.New(fakeslack.Options{Token: *token, Scale: *scale})
	fake.ConnectApp(*appURL, *secret, "http://"+*addr)
	fake.DeliverEventsTo(*appURL+"/slack/events", *secret)
	srv := &http.Server{Addr: *addr, Handler: fake, ReadHeaderTimeout: 5 * time.Second}
	fmt.Printf("FAKE Slack (not Slack: a stateful fake for local runs): open http://%s/ to work in it; Web API at http://%s/api/\n", *addr, *addr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// act does what a person does in the fake, through its workspace endpoints,
// and prints the outcome.
func act(cmd string, args []string, out io.Writer) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fake := fs.String("fake", "http://127.0.0.1:4390", "the fake Slack's base URL")
	user := fs.String("user", "alice", "who acts (alice, bob or carol)")
	channel := fs.String("channel", "general", "the channel (a name or an ID)")
	thread := fs.String("thread", "", "post: the thread's timestamp")
	ts := fs.String("ts", "", "react, click: the message's timestamp (fakeslack messages shows them); default: the newest a person posted, or the newest with the button or menu")
	remove := fs.Bool("remove", false, "react: take the reaction back")
	view := fs.String("view", "", "submit: the form's ID (printed when it opened); default: the person's newest open form")
	if err := fs.Parse(args); err != nil {
		return err
	}
	words := fs.Args()
	body := map[string]any{"user": *user, "channel": strings.TrimPrefix(*channel, "#")}
	what := cmd
	switch cmd {
	case "command":
		what, body["text"] = "post", "/ib "+strings.Join(words, " ")
	case "post":
		body["text"], body["thread_ts"] = strings.Join(words, " "), *thread
	case "react":
		if len(words) != 1 {
			return fmt.Errorf("react --channel C [--ts TS] <emoji>")
		}
		body["ts"], body["emoji"], body["remove"] = *ts, strings.Trim(words[0], ":"), *remove
	case "click":
		if len(words) < 1 {
			return fmt.Errorf("click --channel C [--ts TS] <action_id> [value]")
		}
		body["ts"], body["action_id"] = *ts, words[0]
		if len(words) > 1 {
			body["value"] = words[1]
		}
	case "submit":
		values := map[string]any{}
		for _, w := range words {
			k, v, ok := strings.Cut(w, "=")
			if !ok {
				return fmt.Errorf("submit --view V block_id=value …: %q has no =", w)
			}
			values[k] = v
		}
		body["view"], body["values"] = *view, values
	}
	// A channel just declared takes a moment to exist: wait for it a little.
	var result map[string]any
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		result = nil
		if err := call(*fake, "/_fake/do/"+what, body, &result); err != nil {
			return err
		}
		e, failed := result["error"]
		if !failed {
			break
		}
		if !strings.HasPrefix(fmt.Sprint(e), "no channel") || time.Now().After(deadline) {
			return fmt.Errorf("%v", e)
		}
	}
	printed := false
	for _, k := range []string{"answer", "ts", "view", "errors"} {
		if v, ok := result[k]; ok && v != "" {
			// Slack shows &, < and > for the entities its text carries.
			fmt.Fprintf(out, "%s: %v\n", k, strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(fmt.Sprint(v)))
			printed = true
		}
	}
	if !printed {
		fmt.Fprintln(out, "done")
	}
	return nil
}

// messages prints a channel's messages: who, when (the timestamp other
// commands take), the text, and the buttons and menus one can use.
func messages(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("messages", flag.ContinueOnError)
	fake := fs.String("fake", "http://127.0.0.1:4390", "the fake Slack's base URL")
	channel := fs.String("channel", "general", "the channel (a name)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var state struct {
		Users    []fakeslack.User
		Channels []fakeslack.Channel
	}
	if err := call(*fake, "/_fake/state", nil, &state); err != nil {
		return err
	}
	names := map[string]string{}
	for _, u := range state.Users {
		names[u.ID] = u.Name
	}
	for _, c := range state.Channels {
		if c.Name != strings.TrimPrefix(*channel, "#") {
			continue
		}
		fmt.Fprintf(out, "#%s (%s)\n", c.Name, c.ID)
		for _, m := range c.Messages {
			thread := ""
			if m.ThreadTS != "" && m.ThreadTS != m.TS {
				thread = "  ↳ in the thread of " + m.ThreadTS
			}
			fmt.Fprintf(out, "%s %s: %s%s\n", m.TS, names[m.User], m.Text, thread)
			for _, a := range fakeslack.Actions(m.Blocks) {
				fmt.Fprintf(out, "    %s\n", a)
			}
			for emoji, who := range m.Reactions {
				var people []string
				for _, u := range who {
					people = append(people, names[u])
				}
				fmt.Fprintf(out, "    :%s: %s\n", emoji, strings.Join(people, ", "))
			}
		}
		return nil
	}
	return fmt.Errorf("no channel #%s in the fake Slack", *channel)
}

// call GETs (body nil) or POSTs JSON to the fake and decodes its answer.
func call(fake, path string, body, into any) error {
	var resp *http.Response
	var err error
	if body == nil {
		resp, err = http.Get(fake + path)
	} else {
		raw, _ := json.Marshal(body)
		resp, err = http.Post(fake+path, "application/json", bytes.NewReader(raw))
	}
	if err != nil {
		return fmt.Errorf("is the fake Slack running at %s? %w", fake, err)
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(into)
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
