package api

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/verdant-baas/verdant/internal/apperr"
)

// MaxHeaderBytes is the request header limit the server is run with;
// net/http answers 431 past it (plus a little slack it allows).
const MaxHeaderBytes = 64 << 10

// Listener wraps ln so that the answers net/http writes on its own, before
// any handler runs, come in the family's envelope like every other error.
// net/http refuses a request line or header it cannot parse (a control
// byte in a header, a malformed %-escape in the path, a missing Host) with
// a canned "400 Bad Request" and headers over MaxHeaderBytes with "431",
// both as text/plain written straight to the connection. The wrapped
// connection keeps the start of each request it reads and, when it sees
// such a canned answer written, writes the envelope in its place. A
// request whose line cannot be read at all keeps net/http's answer.
func (s *Server) Listener(ln net.Listener) net.Listener { return &listener{Listener: ln, s: s} }

type listener struct {
	net.Listener
	s *Server
}

// Accept implements net.Listener.
func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &conn{Conn: c, s: l.s}, nil
}

// headCap is how much of a request's start a conn keeps: enough for the
// request line and the first headers (X-GD-RequestId for the retail
// family), not the whole header block.
const headCap = 4 << 10

// conn remembers the start of the current request: what was read since
// the last response was written.
type conn struct {
	net.Conn
	s *Server

	mu   sync.Mutex // Read and Write run on different goroutines
	head []byte
}

// Read implements net.Conn.
func (c *conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		if room := headCap - len(c.head); room > 0 {
			c.head = append(c.head, p[:min(n, room)]...)
		}
		c.mu.Unlock()
	}
	return n, err
}

// cannedHeaders is what net/http puts after the status line of its own
// answers (server.go's errorHeaders). A handler's response never has it:
// net/http writes handler headers sorted, Connection before Content-Type.
const cannedHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// Write implements net.Conn.
func (c *conn) Write(p []byte) (int, error) {
	canned := isCanned(p)
	c.mu.Lock()
	var head []byte
	if canned {
		head = bytes.Clone(c.head)
	}
	c.head = c.head[:0] // what is read next is the next request
	c.mu.Unlock()
	if canned {
		if out := c.s.envelope(head, p); out != nil {
			if _, err := c.Conn.Write(out); err != nil {
				return 0, err
			}
			return len(p), nil
		}
	}
	return c.Conn.Write(p)
}

// isCanned reports whether p is one of net/http's own 4xx answers: its
// status line followed by exactly cannedHeaders.
func isCanned(p []byte) bool {
	if !bytes.HasPrefix(p, []byte("HTTP/1.1 4")) {
		return false
	}
	i := bytes.Index(p, []byte("\r\n"))
	return i > 0 && bytes.HasPrefix(p[i:], []byte(cannedHeaders))
}

// envelope answers the response to write in place of net/http's canned
// answer, or nil to keep it (a status it has no kind for, or a request
// line it cannot read).
func (s *Server) envelope(head, canned []byte) []byte {
	status, detail := cannedStatus(canned)
	req, ok := parseHead(head)
	if !ok {
		return nil
	}
	var err *apperr.Error
	switch status {
	case http.StatusRequestHeaderFieldsTooLarge:
		err = apperr.E(apperr.HeadersTooLarge, "the request headers exceed %d bytes", MaxHeaderBytes)
	case http.StatusBadRequest:
		err = apperr.E(apperr.Invalid, "%s", malformedWhat(req, detail))
	default:
		return nil
	}
	info := &reqInfo{requestID: uuid.NewString(), err: err}
	if id := req.Header.Get("X-GD-RequestId"); id != "" && printable(id) && len(id) <= MaxRequestIDLen {
		info.requestID = id
	} else {
		req.Header.Del("X-GD-RequestId") // never echo what was not accepted
	}
	req = req.WithContext(context.WithValue(context.Background(), infoKey{}, info))
	rec := &bufferedResponse{header: http.Header{}}
	s.renderError(rec, req, familyOf(req.URL.Path), err)
	if info.requestID == req.Header.Get("X-GD-RequestId") {
		setExact(rec.header, "X-GD-RequestId", info.requestID)
	}
	if s.metrics != nil {
		s.metrics.observe("malformed", rec.status, 0)
	}
	s.Log.Info("request refused before routing", "request_id", info.requestID, "status", rec.status,
		"error", err.Message)
	return rec.bytes()
}

// cannedStatus reads the status and net/http's detail ("missing required
// Host header") from its canned answer's status line.
func cannedStatus(canned []byte) (int, string) {
	line, _, _ := bytes.Cut(canned, []byte("\r\n"))
	_, rest, _ := bytes.Cut(line, []byte(" ")) // "400 Bad Request: detail"
	code, text, _ := bytes.Cut(rest, []byte(" "))
	status := 0
	for _, d := range code {
		status = status*10 + int(d-'0')
	}
	_, detail, _ := bytes.Cut(text, []byte(": "))
	return status, string(detail)
}

// parseHead reads the method, path and the headers that could be read
// from the start of a request net/http refused. The path is kept raw when
// it does not parse, so its family is still found.
func parseHead(head []byte) (*http.Request, bool) {
	sc := bufio.NewScanner(bytes.NewReader(head))
	sc.Buffer(make([]byte, 0, headCap), headCap)
	if !sc.Scan() {
		return nil, false
	}
	method, rest, ok1 := strings.Cut(sc.Text(), " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || !strings.HasPrefix(proto, "HTTP/1.") || !strings.HasPrefix(target, "/") {
		return nil, false
	}
	path, _, _ := strings.Cut(target, "?")
	req := &http.Request{Method: method, URL: &url.URL{Path: path}, RequestURI: target, Header: http.Header{},
		Proto: proto, ProtoMajor: 1, ProtoMinor: 1}
	for sc.Scan() && sc.Text() != "" {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.EqualFold(name, "X-GD-RequestId") {
			req.Header.Set("X-GD-RequestId", strings.TrimSpace(value))
		}
	}
	return req, true
}

// malformedWhat says what net/http refused in a 400 it gave no detail for.
func malformedWhat(req *http.Request, detail string) string {
	if detail != "" {
		return "the request is malformed: " + detail
	}
	if _, err := url.ParseRequestURI(req.RequestURI); err != nil {
		return "the request path is not a valid URI (a malformed %-escape or a character that must be escaped)"
	}
	return "a request header is malformed (a control character, or a line that is not name: value)"
}

// bufferedResponse is an http.ResponseWriter that keeps the answer, to be
// written to a connection net/http has given up on.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// Header implements http.ResponseWriter.
func (b *bufferedResponse) Header() http.Header { return b.header }

// WriteHeader implements http.ResponseWriter.
func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

// Write implements http.ResponseWriter.
func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.WriteHeader(http.StatusOK)
	return b.body.Write(p)
}

// bytes answers the whole HTTP/1.1 response; the connection is closed
// after it, as net/http does after its own answer.
func (b *bufferedResponse) bytes() []byte {
	var out bytes.Buffer
	resp := &http.Response{StatusCode: b.status, ProtoMajor: 1, ProtoMinor: 1, Header: b.header,
		ContentLength: int64(b.body.Len()), Body: http.NoBody, Close: true}
	if b.body.Len() > 0 {
		resp.Body = io.NopCloser(&b.body)
	}
	resp.Write(&out)
	return out.Bytes()
}
