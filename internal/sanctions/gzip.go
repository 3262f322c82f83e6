package sanctions

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

// MaxFileBytes bounds one list file once decompressed: OFAC's sdn.csv is
// a few megabytes, so this leaves ample room while a gzip bomb (a few
// kilobytes inflating to gigabytes) is refused before it exhausts memory.
const MaxFileBytes = 64 << 20

// ErrTooLarge is Gunzip's answer for output over its cap.
var ErrTooLarge = errors.New("sanctions: decompressed file over the size limit")

// Gunzip decompresses gz, refusing (ErrTooLarge) output over max bytes
// rather than truncating it.
func Gunzip(gz []byte, max int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(zr, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w (%d bytes)", ErrTooLarge, max)
	}
	return b, nil
}

// GunzipBase64 is Gunzip of base64 (standard encoding) text; "" answers
// nil, an absent file.
func GunzipBase64(s string, max int64) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	return Gunzip(raw, max)
}
