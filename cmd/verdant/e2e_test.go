package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
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
	cmd := exec.Command(verdantBin(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
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
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	return s
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stdout.String()
}

func TestBinaryDemoEndToEnd(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, nil, "--demo", "--data-dir", dir)
	out := srv.output()
	field := func(name string) string {
		m := regexp.MustCompile(name + `:\s+(\S+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("demo output lacks %s:\n%s", name, out)
		}
		return m[1]
	}
	clientID, secret, prog, acct := field("client id"), field("client secret"), field("program code"), field("account")

	req, _ := http.NewRequest("POST", srv.URL+"/authentication", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth(clientID, secret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 || tok.AccessToken == "" {
		t.Fatalf("token: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest("GET", srv.URL+"/programs/"+prog+"/accounts/"+acct, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"code":0`) {
		t.Fatalf("authenticated call: %d %s", resp.StatusCode, body)
	}
	// The demo's printed curl lines use these same values, and work as
	// printed: run them in a shell.
	if !strings.Contains(out, "curl -s -u '"+clientID+":"+secret+"'") {
		t.Fatalf("demo output lacks the curl sequence:\n%s", out)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	script := out[strings.Index(out, "Try it:")+len("Try it:"):]
	script = script[:strings.Index(script, "\n\n")]
	got, err := exec.Command("bash", "-c", "set -e\n"+script+"\n").CombinedOutput()
	if err != nil {
		t.Fatalf("demo curl sequence failed: %v\n%s", err, got)
	}
	for _, want := range []string{`"adjustmentStatus":"completed"`, `"postedBalance":"12.86"`, `"accountStatus":"normal"`} {
		if !strings.Contains(string(got), want) {
			t.Fatalf("demo curl output lacks %s:\n%s", want, got)
		}
	}
}

func TestBinaryGracefulShutdownFinishesInFlight(t *testing.T) {
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
	time.Sleep(200 * time.Millisecond)
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	// New connections are refused while the in-flight request finishes.
	if c, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
		c.Close()
		t.Fatal("server still accepts connections after SIGTERM")
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
