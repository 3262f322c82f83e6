package api_test

import (
	"os"
	"strconv"
)

func init() {
	if v, err := strconv.Atoi(os.Getenv("XRATE")); err == nil {
		benchRate = v
	}
}
