package tests

import (
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// proxy stands between a client and Temporal so that a test can make Temporal
// unreachable (down: connections refused and cut) or unresponsive (paused:
// bytes held back, as a stopped process would), and bring it back.
type proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	mode   string // "up", "down" or "paused"
	resume chan struct{}
	conns  map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &proxy{ln: ln, target: target, mode: "up", resume: make(chan struct{}), conns: map[net.Conn]bool{}}
	close(p.resume)
	go p.accept()
	t.Cleanup(func() {
		_ = ln.Close()
		p.set("down")
	})
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

// set switches the mode. Going down cuts every open connection.
func (p *proxy) set(mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mode == "paused" && mode != "paused" {
		close(p.resume)
	}
	if mode == "paused" && p.mode != "paused" {
		p.resume = make(chan struct{})
	}
	p.mode = mode
	if mode == "down" {
		for c := range p.conns {
			_ = c.Close()
		}
	}
}

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.mode == "down"
		p.mu.Unlock()
		if down {
			_ = c.Close()
			continue
		}
		go p.forward(c)
	}
}

func (p *proxy) forward(c net.Conn) {
	up, err := net.DialTimeout("tcp", p.target, time.Second)
	if err != nil {
		_ = c.Close()
		return
	}
	p.track(c, up)
	go p.pipe(up, c)
	p.pipe(c, up)
}

func (p *proxy) track(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		p.conns[c] = true
	}
}

// pipe copies from src to dst, holding each chunk while paused.
func (p *proxy) pipe(dst, src net.Conn) {
	defer func() { _ = dst.Close(); _ = src.Close() }()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			resume := p.resume
			p.mu.Unlock()
			<-resume
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
