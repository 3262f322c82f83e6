// Package loadtest drives the real verdant binary over HTTP: it starts
// `verdant serve` processes, seeds them through the operator API and
// posts adjustments from many concurrent clients. The load command
// (cmd/verdant-load) and the process-level tests (kill -9, several nodes
// on one PostgreSQL) are built on it.
package loadtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// AdminToken is the operator token the started servers use.
const AdminToken = "load-admin-token-0123456789abcdefghij"

// Server is a running `verdant serve` process.
type Server struct {
	URL  string
	Cmd  *exec.Cmd
	done chan error
}

// Node describes how to start a server.
type Node struct {
	Bin     string // the verdant binary
	DB      string // database URL
	DataDir string
	DataKey string // VERDANT_DATA_KEY
	Stderr  io.Writer
	Env     []string // more environment, VAR=value
}

// Start starts `verdant serve` on a free port and waits until it listens.
func Start(ctx context.Context, n Node) (*Server, error) {
	cmd := exec.Command(n.Bin, "serve", "--addr", "127.0.0.1:0", "--db", n.DB, "--data-dir", n.DataDir, "--log-level", "error")
	cmd.Env = append(append(os.Environ(), "VERDANT_ADMIN_TOKEN="+AdminToken, "VERDANT_DATA_KEY="+n.DataKey), n.Env...)
	cmd.Stderr = n.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &Server{Cmd: cmd, done: make(chan error, 1)}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "verdant listening on "); ok {
				ready <- strings.TrimSpace(u)
			}
		}
		io.Copy(io.Discard, out)
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.URL = <-ready:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("verdant serve exited before listening: %v", err)
	case <-time.After(30 * time.Second):
		s.Kill()
		return nil, errors.New("verdant serve did not start in 30s")
	case <-ctx.Done():
		s.Kill()
		return nil, ctx.Err()
	}
}

// Kill ends the process with SIGKILL (no graceful shutdown) and waits.
func (s *Server) Kill() {
	s.Cmd.Process.Kill()
	<-s.done
	s.done <- nil // a second Kill or Stop returns at once
}

// Stop ends the process gracefully (SIGTERM) and waits.
func (s *Server) Stop() error {
	s.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- nil
		return err
	case <-time.After(30 * time.Second):
		s.Kill()
		return errors.New("verdant serve did not stop in 30s")
	}
}

// CPU answers the process's CPU time so far (user and system; Linux).
func (s *Server) CPU() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.Cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The fields after the command name (which is in parentheses).
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100, nil // clock ticks (USER_HZ, 100 on Linux)
}
