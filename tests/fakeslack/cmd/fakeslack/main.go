// Command fakeslack is a FAKE of Slack for local runs without a workspace. It is
// not Slack: nothing reaches real people.
//
//	fakeslack [serve] [--addr 127.0.0.1:4390]
//	    serve the fake Web API (`make dev` starts it when SLACK_BOT_TOKEN is unset)
//	fakeslack command [--user alice] [--channel general] <text>
//	    send "/ib <text>" to the gateway as Slack would, signed, and print the answer
package main

import (
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
	case "command":
		err = command(args, os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q: use serve or command", cmd)
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
	if err := fs.Parse(args); err != nil {
		return err
	}
	srv := &http.Server{Addr: *addr, Handler: fakeslack.New(fakeslack.Options{Token: *token, Scale: *scale}), ReadHeaderTimeout: 5 * time.Second}
	fmt.Printf("FAKE Slack (not Slack: a stateful fake for local runs) on http://%s/api/ — state at http://%s/_fake/state\n", *addr, *addr)
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

// command plays Slack sending a slash command: it looks the user and channel
// up in the fake, signs the request with the gateway's signing secret, and
// prints the gateway's answer.
func command(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("command", flag.ContinueOnError)
	gateway := fs.String("gateway", "http://127.0.0.1:3000", "the gateway's base URL")
	fake := fs.String("fake", "http://127.0.0.1:4390", "the fake Slack's base URL")
	secret := fs.String("secret", envOr("SLACK_SIGNING_SECRET", "fake-signing-secret"), "the gateway's signing secret")
	user := fs.String("user", "alice", "who types the command (alice, bob or carol)")
	channel := fs.String("channel", "general", "channel it is typed in (a name)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	text := strings.Join(fs.Args(), " ")
	userID, channelID, err := lookUp(*fake, *user, *channel)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	key := fmt.Sprintf("cli-%d", time.Now().UnixNano())
	status, body, err := fakeslack.SendSlashCommand(ctx, *gateway+"/slack/commands", *secret, fakeslack.SlashCommand{
		Text: text, UserID: userID, UserName: *user, ChannelID: channelID,
		ResponseURL: fakeslack.ResponseURL(*fake, key),
	})
	if err != nil {
		return fmt.Errorf("is the gateway running at %s? %w", *gateway, err)
	}
	if status != http.StatusOK {
		return fmt.Errorf("the gateway answered %d: %s", status, strings.TrimSpace(body))
	}
	var msg struct{ Text string }
	if body != "" {
		if err := json.Unmarshal([]byte(body), &msg); err != nil {
			return err
		}
	} else if msg.Text, err = awaitResponse(ctx, *fake, key); err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, msg.Text)
	return err
}

// awaitResponse waits for the gateway's answer on the response_url, where it
// answers work slower than its acknowledgement.
func awaitResponse(ctx context.Context, fake, key string) (string, error) {
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fakeslack.ResponseURL(fake, key), nil)
		if err != nil {
			return "", err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		var texts []string
		err = json.NewDecoder(resp.Body).Decode(&texts)
		resp.Body.Close()
		if err == nil && len(texts) > 0 {
			return texts[0], nil
		}
	}
	return "(no message: in Slack a modal would open)", nil
}

// lookUp finds a user's and a channel's IDs in the running fake.
func lookUp(fake, user, channel string) (string, string, error) {
	resp, err := http.Get(fake + "/_fake/state")
	if err != nil {
		return "", "", fmt.Errorf("is the fake Slack running at %s? %w", fake, err)
	}
	defer resp.Body.Close()
	var state struct {
		Users    []fakeslack.User
		Channels []fakeslack.Channel
	}
	if err := json.NewDecoder(resp.Body).Decode(&state); err != nil {
		return "", "", err
	}
	var userID, channelID string
	for _, u := range state.Users {
		if u.Name == user {
			userID = u.ID
		}
	}
	for _, c := range state.Channels {
		if c.Name == strings.TrimPrefix(channel, "#") {
			channelID = c.ID
		}
	}
	switch {
	case userID == "":
		return "", "", fmt.Errorf("no user %q in the fake Slack (alice, bob, carol)", user)
	case channelID == "":
		return "", "", fmt.Errorf("no channel #%s in the fake Slack", channel)
	}
	return userID, channelID, nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
