package verification

import (
	"strings"

	"github.com/verdant-baas/verdant/internal/apperr"
	"github.com/verdant-baas/verdant/internal/contact"
)

// ContactType is what is being verified.
type ContactType string

// Channel is how the code travels (the contract's communicationType).
type Channel string

// The contact types and channels.
const (
	Email ContactType = "email"
	Phone ContactType = "phone"

	ChannelEmail Channel = "email"
	ChannelSMS   Channel = "sms"
	ChannelVoice Channel = "voice"
)

// The BaaS validation codes (the contract's code tables: 400/200 missing,
// 400/400 too long, 400/640 invalid value).
const (
	codeMissing = 200
	codeTooLong = 400
	codeInvalid = 640
)

func missing(field string) error {
	return apperr.Field(field, "%s is required", field).WithCode(codeMissing, 0)
}

func invalid(field, format string, args ...any) error {
	return apperr.Field(field, format, args...).WithCode(codeInvalid, 0)
}

// ParseContact validates contactType, communicationType and
// contactHandle together and answers the normalised handle: an email
// address in lower case, or a US phone number in E.164.
func ParseContact(contactType, channel, handle string) (ContactType, Channel, string, error) {
	ct, ch := ContactType(strings.ToLower(strings.TrimSpace(contactType))), Channel(strings.ToLower(strings.TrimSpace(channel)))
	switch {
	case contactType == "":
		return "", "", "", missing("contactType")
	case ct != Email && ct != Phone:
		return "", "", "", invalid("contactType", "contactType must be email or phone")
	case channel == "":
		return "", "", "", missing("communicationType")
	case ch != ChannelEmail && ch != ChannelSMS && ch != ChannelVoice:
		return "", "", "", invalid("communicationType", "communicationType must be email, sms or voice")
	case ct == Email && ch != ChannelEmail:
		return "", "", "", invalid("communicationType", "an email contact is verified by communicationType email")
	case ct == Phone && ch == ChannelEmail:
		return "", "", "", invalid("communicationType", "a phone contact is verified by communicationType sms or voice")
	case strings.TrimSpace(handle) == "":
		return "", "", "", missing("contactHandle")
	case len(handle) > 254:
		return "", "", "", apperr.Field("contactHandle", "contactHandle must be at most 254 characters").WithCode(codeTooLong, 0)
	}
	var norm string
	var err error
	if ct == Email {
		norm, err = NormalizeEmail(handle)
	} else {
		norm, err = NormalizePhone(handle)
	}
	return ct, ch, norm, err
}

// NormalizeEmail validates a bare email address (contact.ValidEmail) and
// answers it in lower case.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !contact.ValidEmail(s) {
		return "", invalid("contactHandle", "contactHandle is not a valid email address")
	}
	return strings.ToLower(s), nil
}

// NormalizePhone validates a US phone number in any common notation
// ("(213) 373-4253", "+1 213 373 4253", "2133734253") and answers E.164.
func NormalizePhone(s string) (string, error) {
	p, err := contact.ParsePhone(s)
	if err != nil || !p.US() {
		return "", invalid("contactHandle", "contactHandle is not a valid US phone number")
	}
	return p.E164(), nil
}

// LimitHandle folds a normalised handle to the mailbox it reaches, for
// the rate limit only (codes still go to the handle as given): an email
// address loses its +tag ("ann+x@example.com" reaches ann@example.com at
// most providers), and a Gmail address its dots and the googlemail.com
// spelling, which Gmail ignores. Folding too much only makes the limit
// stricter for an address that does not fold at its provider. A phone
// number is already one number in E.164.
func LimitHandle(ct ContactType, handle string) string {
	if ct != Email {
		return handle
	}
	at := strings.LastIndexByte(handle, '@')
	if at < 0 {
		return handle
	}
	local, domain := handle[:at], handle[at+1:]
	if base, _, ok := strings.Cut(local, "+"); ok && base != "" {
		local = base
	}
	if domain == "gmail.com" || domain == "googlemail.com" {
		domain = "gmail.com"
		if dotless := strings.ReplaceAll(local, ".", ""); dotless != "" {
			local = dotless
		}
	}
	return local + "@" + domain
}

// Mask hides most of a handle for operator views and logs:
// "j***@example.com", "+1******4253".
func Mask(handle string) string {
	if local, domain, ok := strings.Cut(handle, "@"); ok {
		if len(local) > 0 {
			local = local[:1]
		}
		return local + "***@" + domain
	}
	if len(handle) > 6 {
		return handle[:2] + strings.Repeat("*", len(handle)-6) + handle[len(handle)-4:]
	}
	return "***"
}
