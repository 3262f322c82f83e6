package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// maxURL bounds a subscription URL.
const maxURL = 2048

// ParseURL validates a receiver URL: absolute, https (http too when
// allowPrivate), a host, no credentials and no fragment. Where it
// resolves is checked separately (CheckHost) and again at every connect
// (Guard), because DNS may change after the URL was saved.
func ParseURL(s string, allowPrivate bool) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, apperr.Field("url", "url is required")
	}
	if len(s) > maxURL {
		return nil, apperr.Field("url", "url must be at most %d characters", maxURL)
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return nil, apperr.Field("url", "url must be an absolute URL such as https://hooks.example.com/verdant")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowPrivate:
	case u.Scheme == "http":
		return nil, apperr.Field("url", "url must use https")
	default:
		return nil, apperr.Field("url", "url must use https, not %s", u.Scheme)
	}
	if u.User != nil {
		return nil, apperr.Field("url", "url must not carry credentials")
	}
	if u.Fragment != "" || u.RawFragment != "" {
		return nil, apperr.Field("url", "url must not have a fragment")
	}
	if u.Hostname() == "" {
		return nil, apperr.Field("url", "url has no host")
	}
	return u, nil
}

// Resolver finds the addresses of a host (net.DefaultResolver does).
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// CheckHost resolves u's host and refuses a host that does not resolve
// or that resolves to an address Blocked refuses (unless allowPrivate).
func CheckHost(ctx context.Context, r Resolver, u *url.URL, allowPrivate bool) error {
	host := u.Hostname()
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ips, err := r.LookupIPAddr(ctx, host)
		if err != nil || len(ips) == 0 {
			return apperr.Field("url", "url host %s does not resolve", host)
		}
		for _, ip := range ips {
			if a, ok := netip.AddrFromSlice(ip.IP); ok {
				addrs = append(addrs, a)
			}
		}
	}
	if allowPrivate {
		return nil
	}
	for _, a := range addrs {
		if Blocked(a) {
			return apperr.Field("url", "url host %s resolves to a loopback, private, link-local or metadata address", host)
		}
	}
	return nil
}

var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),        // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),    // carrier-grade NAT (and a cloud metadata address)
	netip.MustParsePrefix("192.0.0.0/24"),     // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),    // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),      // reserved, and broadcast
	netip.MustParsePrefix("168.63.129.16/32"), // a cloud platform's host endpoint
	netip.MustParsePrefix("64:ff9b::/96"),     // NAT64: may reach an IPv4 private address
	netip.MustParsePrefix("2001:db8::/32"),    // documentation
}

// Blocked reports whether a webhook may not connect to ip: loopback,
// private (RFC 1918, unique local), link-local (which holds the
// 169.254.169.254 metadata address), unspecified, multicast, and a few
// reserved or metadata ranges.
func Blocked(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// ErrBlocked is the connect-time refusal of a blocked address.
var ErrBlocked = errors.New("webhook: address not allowed")

// guard is a net.Dialer Control function: it runs after DNS resolution,
// on the address actually being connected to, so a name that resolves
// to a private address later (or for only some lookups) is still refused.
func guard(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return ErrBlocked
	}
	if Blocked(ap.Addr()) {
		return ErrBlocked
	}
	return nil
}

// NewClient is the HTTP client deliveries are sent with: no proxy from
// the environment (it would bypass the guard), no redirects followed
// (a 3xx is a failed attempt), and unless allowPrivate the address
// guard on every connection.
func NewClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = guard
	}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:             nil,
			DialContext:       d.DialContext,
			ForceAttemptHTTP2: true,
			// As many idle connections as messages may be in flight
			// (Worker.MaxInFlight): a busy receiver's connections are
			// reused, not reopened every cycle.
			MaxIdleConns:          1024,
			MaxIdleConnsPerHost:   256,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 0, // the request's context bounds the whole attempt
			ExpectContinueTimeout: time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
