package fakeslack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Sign is Slack's request signature: "v0=" and the hex HMAC-SHA256, keyed with
// the signing secret, of "v0:<timestamp>:<body>".
func Sign(secret string, ts time.Time, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:%s", ts.Unix(), body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// NewSignedRequest is a request as Slack sends it to an app: signed now.
func NewSignedRequest(ctx context.Context, target, contentType, body, secret string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	now := time.Now()
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("X-Slack-Signature", Sign(secret, now, body))
	return req, nil
}

// SlashCommand is a slash command as Slack posts it (form-encoded).
type SlashCommand struct {
	Command, Text, UserID, UserName, ChannelID, ResponseURL string
	// TriggerID lets the app open a modal (a new one when empty).
	TriggerID string
}

// Form is the command's request body.
func (c SlashCommand) Form() string {
	if c.Command == "" {
		c.Command = "/ib"
	}
	if c.TriggerID == "" {
		c.TriggerID = TriggerID()
	}
	return url.Values{
		"command": {c.Command}, "text": {c.Text}, "team_id": {TeamID},
		"user_id": {c.UserID}, "user_name": {c.UserName}, "channel_id": {c.ChannelID},
		"response_url": {c.ResponseURL}, "trigger_id": {c.TriggerID},
	}.Encode()
}

// SendSlashCommand posts a slash command to an app's command endpoint, signed
// with its signing secret, and returns the app's answer.
func SendSlashCommand(ctx context.Context, endpoint, secret string, c SlashCommand) (int, string, error) {
	req, err := NewSignedRequest(ctx, endpoint, "application/x-www-form-urlencoded", c.Form(), secret)
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}
