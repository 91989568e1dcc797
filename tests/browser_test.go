package tests

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/incident-buddy/ib"
)

// chromium is Debian's Chromium, which `make test` installs where missing.
const chromium = "/usr/bin/chromium"

// TestIncidentThroughTheFakeSlackPage plays one incident as a person would in
// a browser on the fake Slack's page: declared by typing /ib create, its
// status changed with the header's menu, a message marked for the papertrail
// with 🧾, and resolved with the header's button and the form it opens.
func TestIncidentThroughTheFakeSlackPage(t *testing.T) {
	path, err := exec.LookPath(chromium)
	require.NoError(t, err, "the browser test needs Chromium: `make test` installs Debian's chromium package")
	gw := startGateway(t, incidents)
	fake.ConnectApp(gw.url, signingSecret, fakeBase)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.UserDataDir(t.TempDir()))
	allocator, stopAllocator := chromedp.NewExecAllocator(context.Background(), opts...)
	defer stopAllocator()
	browser, stopBrowser := chromedp.NewContext(allocator, chromedp.WithLogf(t.Logf))
	defer stopBrowser()
	// The browser lives as long as the context of its first action: that one
	// has no deadline, the others share one.
	require.NoError(t, chromedp.Do(browser, chromedp.Navigate(fakeBase+"/#general")), "the page opens")
	ctx, cancel := context.WithTimeout(browser, 4*time.Minute)
	defer cancel()
	defer func() { // what the page showed, for a test that failed on it
		if t.Failed() {
			text, err := chromedp.Run(browser, chromedp.Evaluate[string](`document.body.innerText`))
			t.Logf("the page showed (%v):\n%s", err, text)
		}
	}()

	title := fmt.Sprintf("Browser walkthrough %d", time.Now().UnixNano()%100000)
	id := ib.IncidentID(title, today(t), 1)
	see := func(what string) chromedp.Action[chromedp.Void] { // text that shows on the page
		return chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById("messages").innerText.includes(%q)`, what),
			chromedp.WithPollingTimeout(time.Minute))
	}
	require.NoError(t, chromedp.Do(ctx,
		chromedp.WaitReady(chromedp.CSS(`#actor option`)),
		chromedp.SendKeys(chromedp.CSS(`#text`), "/ib create S3 "+title),
		chromedp.Click(chromedp.CSS(`#composer button`)),
		see(id+" declared"),
	), "declared by typing in #general")

	inc := roomReady(t, id)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(fakeBase+"/#"+inc.Channel.Name),
		chromedp.WaitVisible(chromedp.CSS(`select[data-action="ib_status"]`)),
		pick(`select[data-action="ib_status"]`, id+"|identified"),
		see("Status investigating → identified"),
	), "the status changed with the header's menu")
	waitFor(t, "the incident is identified", func() bool { return state(t, id).Status == ib.Identified })

	require.NoError(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#text`), "rolled back the deploy of the checkout API"),
		chromedp.Click(chromedp.CSS(`#composer button`)),
		see("rolled back the deploy"),
		chromedp.Click(chromedp.Search(`//div[contains(@class,"msg")][.//div[contains(., "rolled back the deploy")]]//button[@data-react="receipt"]`)),
	), "a message marked with 🧾")
	waitFor(t, "the message is in the papertrail", func() bool {
		inc := state(t, id)
		for _, item := range inc.Collected(ib.Papertrail) {
			if strings.Contains(item.Text, "rolled back the deploy") {
				return true
			}
		}
		return false
	})
	require.NoError(t, chromedp.Do(ctx, see("🧾 2")), "the bot's own 🧾 confirms it on the page")

	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[data-action="ib_resolve"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#modal.open textarea[name="summary"]`)),
		chromedp.SendKeys(chromedp.CSS(`#modal textarea[name="summary"]`), "rolled back the deploy"),
		chromedp.Click(chromedp.CSS(`#modal button.primary`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#modal.open`)),
		see("Resolved by"),
	), "resolved with the header's button and its form")
	require.Equal(t, ib.Resolved, state(t, id).Status)

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	if dir := os.Getenv("IB_SCREENSHOTS"); dir != "" {
		require.NoError(t, os.WriteFile(dir+"/fake-slack-incident.png", shot, 0o644))
	}
}

// pick chooses a menu's option by its value, as a person does with the
// mouse: the page hears the change.
func pick(selector, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const s = document.querySelector(%q);
		s.value = %q;
		s.dispatchEvent(new Event("change", { bubbles: true }));
	})()`, selector, value))
}
