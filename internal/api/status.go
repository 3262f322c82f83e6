package api

import (
	"net/http"

	"github.com/verdant-baas/verdant/internal/apperr"
)

// statusOf is the one table from error Kind to HTTP status. Declined is a
// business outcome answered with 200 and a non-zero code in the envelope.
var statusOf = map[apperr.Kind]int{
	apperr.Internal:         http.StatusInternalServerError,
	apperr.Invalid:          http.StatusBadRequest,
	apperr.Unauthorized:     http.StatusUnauthorized,
	apperr.Forbidden:        http.StatusForbidden,
	apperr.NotFound:         http.StatusNotFound,
	apperr.Conflict:         http.StatusConflict,
	apperr.TooLarge:         http.StatusRequestEntityTooLarge,
	apperr.UnsupportedMedia: http.StatusUnsupportedMediaType,
	apperr.RateLimited:      http.StatusTooManyRequests,
	apperr.Declined:         http.StatusOK,
	apperr.Unavailable:      http.StatusServiceUnavailable,
	apperr.MethodNotAllowed: http.StatusMethodNotAllowed,
	apperr.HeadersTooLarge:  http.StatusRequestHeaderFieldsTooLarge,
}

func httpStatus(k apperr.Kind) int {
	if s, ok := statusOf[k]; ok {
		return s
	}
	return http.StatusInternalServerError
}
