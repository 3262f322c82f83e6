package apitest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Raw sends raw bytes as one HTTP/1.1 request on a new connection and
// answers the response, for requests no HTTP client would send (a control
// byte in a header, a malformed %-escape). When as is not nil the
// response is validated against the OpenAPI document as an answer to as.
func (e *Env) Raw(raw string, as *http.Request) *Response {
	e.T.Helper()
	u, err := url.Parse(e.URL)
	if err != nil {
		e.T.Fatal(err)
	}
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		e.T.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		e.T.Fatal(err)
	}
	return e.ReadResponse(bufio.NewReader(c), as)
}

// ReadResponse reads one response from br, validated like Raw's.
func (e *Env) ReadResponse(br *bufio.Reader, as *http.Request) *Response {
	e.T.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		e.T.Fatalf("read response: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if as != nil {
		validate(e.T, as, r)
	}
	return r
}
