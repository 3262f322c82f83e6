package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// server is a running verdant process.
type server struct {
	cmd    *exec.Cmd
	URL    string
	stdout *bytes.Buffer
	mu     *sync.Mutex
}

// startServer starts `verdant serve` on port 0 and waits for it to listen.
func startServer(t *testing.T, env []string, args ...string) *server {
	t.Helper()
	return startCommand(t, "", env, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
}

// startCommand starts the binary with args in dir ("" = here) and waits
// until it prints the address it listens on.
func startCommand(t *testing.T, dir string, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(verdantBin(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stdout: &bytes.Buffer{}, mu: &sync.Mutex{}}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.mu.Lock()
			s.stdout.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if u, ok := strings.CutPrefix(sc.Text(), "verdant listening on "); ok {
				ready <- u
			}
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); pw.Close() })
	select {
	case s.URL = <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	return s
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stdout.String()
}

// A request in flight when SIGTERM arrives is answered; new connections
// are refused meanwhile.
func TestBinaryGracefulShutdownFinishesInFlight(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const admin = "adm-0123456789abcdefghijklmnopqrstuvwxyz"
	srv := startServer(t, []string{"VERDANT_ADMIN_TOKEN=" + admin}, "--data-dir", dir)
	u, _ := url.Parse(srv.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"name":"Slow Partner"}`
	fmt.Fprintf(conn, "POST /admin/v1/partners HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", admin, len(body), body[:5])
	// A request on a second connection, answered: the server accepts
	// connections in the order they were made, so it has accepted the
	// first (and so waits for it when shutting down).
	later := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := later.Get(srv.URL + "/healthCheck"); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// New connections are refused while the in-flight request finishes.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("server still accepts connections after SIGTERM")
		}
	}
	fmt.Fprint(conn, body[5:])
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request lost: %v", err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("in-flight request answered %d", resp.StatusCode)
	}
	done := make(chan error, 1)
	go func() { done <- srv.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not exit")
	}
}

func TestCLIOperatorCommands(t *testing.T) {
	t.Parallel()
	cl := newCLI(t)
	ctx, dir, env := cl.ctx, cl.dir, cl.env
	partnerID, acct := cl.seed("CLI1")
	var prog struct {
		ProgramCode string   `json:"programCode"`
		Features    []string `json:"features"`
	}
	cl.json(&prog, "program", "create", "--code", "CLI2", "--partner", partnerID, "--name", "CLI 2", "--bin", "411111", "--features", "nb100,ucb1")
	if prog.ProgramCode != "CLI2" || strings.Join(prog.Features, ",") != "NB100,UCB1" {
		t.Fatalf("program features: %v", prog.Features)
	}
	var c map[string]any
	cl.json(&c, "card", "issue", "--program", "CLI1", "--account", acct)
	if pan, _ := c["pan"].(string); len(pan) != 16 || !strings.HasPrefix(pan, "411111") {
		t.Fatalf("card: %v", c)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate", "--data-dir", dir, "--log-level", "error"}, env, &out); err != nil || !strings.Contains(out.String(), "migrated to version") {
		t.Fatalf("migrate: %v %s", err, out.String())
	}
	if err := run(ctx, []string{"program", "create", "--code", "x", "--data-dir", dir, "--log-level", "error"}, env, io.Discard); err == nil {
		t.Fatal("invalid program accepted")
	}
	if err := run(ctx, []string{"nonsense"}, env, io.Discard); err == nil {
		t.Fatal("unknown command accepted")
	}
	out.Reset()
	if err := run(ctx, []string{"version"}, env, &out); err != nil || !strings.HasPrefix(out.String(), "verdant ") {
		t.Fatalf("version: %v %q", err, out.String())
	}
}
