// Command verdant is the whole platform in one binary: `verdant serve`
// runs the partner and operator APIs; the other subcommands are operator
// tools that call the same code as the operator API.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "verdant:", err)
		os.Exit(1)
	}
}
