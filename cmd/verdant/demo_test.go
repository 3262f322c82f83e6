package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// quickStart answers the command of the README's quick start block (the
// one after the "quickstart" marker), as arguments to the verdant binary.
func quickStart(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(b), "<!-- quickstart")
	if !ok {
		t.Fatal("README.md has no quickstart marker")
	}
	_, block, _ = strings.Cut(block, "```sh\n")
	block, _, _ = strings.Cut(block, "```")
	lines := strings.Split(strings.TrimSpace(block), "\n")
	const build, run = "go build -v -o verdant ./cmd/verdant", "./verdant "
	if len(lines) != 2 || lines[0] != build || !strings.HasPrefix(lines[1], run) {
		t.Fatalf("the quick start is not %q then %q...: %q", build, run, block)
	}
	return strings.Fields(strings.TrimPrefix(lines[1], run)) // the binary is verdantBin's build of ./cmd/verdant
}

// tryIt answers the lines the demo printed under "Try it", up to the
// first empty line.
func tryIt(t *testing.T, out string) []string {
	t.Helper()
	i := strings.Index(out, "\nTry it")
	if i < 0 {
		t.Fatalf("the demo printed no Try it lines:\n%s", out)
	}
	block := out[i+1:]
	block = block[strings.Index(block, "\n")+1:]
	block, _, _ = strings.Cut(block, "\n\n")
	return strings.Split(block, "\n")
}

// The README's quick start, then every line the demo prints, run as
// printed by bash against the real binary (SQLite): every command
// succeeds, and each capability answers what the demo world promises.
// A restart keeps the credentials, and the printed token line still works.
func TestBinaryQuickStartAndDemoLines(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	dir := t.TempDir()
	args := quickStart(t)
	srv := startCommand(t, dir, []string{"VERDANT_ADDR=127.0.0.1:0"}, args...)
	out := srv.output()
	lines := tryIt(t, out)
	var commands []string
	for _, l := range lines {
		if !strings.HasPrefix(l, "#") {
			commands = append(commands, l)
		}
	}
	answers := runLines(t, commands)
	checkAnswers(t, commands, answers)

	field := func(out, name string) string {
		m := regexp.MustCompile(name + `:\s+(\S+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("demo output lacks %s:\n%s", name, out)
		}
		return m[1]
	}
	id, secret, acct := field(out, "client id"), field(out, "client secret"), field(out, "account")
	srv.cmd.Process.Kill()
	srv.cmd.Wait()

	again := startCommand(t, dir, []string{"VERDANT_ADDR=127.0.0.1:0"}, args...).output()
	if field(again, "client id") != id || field(again, "client secret") != secret || field(again, "account") != acct ||
		field(again, "operator token") != field(out, "operator token") {
		t.Fatalf("credentials changed across a restart:\n%s\n---\n%s", out, again)
	}
	next := tryIt(t, again)
	checkAnswers(t, []string{next[1], next[3]}, runLines(t, []string{next[1], next[3]})) // token, then the customer profile

	// Without the kept credentials the demo finds its world again and
	// makes the partner a new secret (the old one is stored nowhere).
	if err := os.Remove(filepath.Join(dir, demoStateFile)); err != nil {
		t.Fatal(err)
	}
	third := startCommand(t, dir, []string{"VERDANT_ADDR=127.0.0.1:0"}, args...).output()
	if field(third, "client secret") == secret || field(third, "account") != acct || field(third, "card") != field(out, "card") {
		t.Fatalf("recovered world:\n%s", third)
	}
	lines = tryIt(t, third)
	checkAnswers(t, []string{lines[1], lines[3]}, runLines(t, []string{lines[1], lines[3]}))
}

// runLines runs the commands in one bash (set -e, so variables carry
// over) and answers each command's output, in order.
func runLines(t *testing.T, commands []string) []string {
	t.Helper()
	const sep = "@@end-of-answer@@"
	script := "set -euo pipefail\n" + strings.Join(commands, "\necho "+sep+"\n") + "\necho " + sep + "\n"
	got, err := exec.Command("bash", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("the printed lines failed: %v\n%s\nscript:\n%s", err, got, script)
	}
	answers := strings.Split(string(got), sep+"\n")
	return answers[:len(answers)-1]
}

// checkAnswers fails on any answer that is not a success in its family,
// and checks what the demo world promises.
func checkAnswers(t *testing.T, commands, answers []string) {
	t.Helper()
	if len(answers) != len(commands) {
		t.Fatalf("%d answers for %d commands: %q", len(answers), len(commands), answers)
	}
	for i, cmd := range commands {
		a := strings.TrimSpace(answers[i])
		if a == "" {
			if !strings.Contains(cmd, "=$(") {
				t.Errorf("no answer to %s", cmd)
			}
			continue
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(a), &v); err != nil {
			t.Errorf("%s\nanswered %s", cmd, a)
			continue
		}
		if why := failure(v); why != "" {
			t.Errorf("%s\nfailed (%s): %s", cmd, why, a)
		}
		for _, want := range promised(cmd) {
			if !strings.Contains(a, want) {
				t.Errorf("%s\nanswered %s\nwithout %s", cmd, a, want)
			}
		}
	}
}

// failure says why an answer is not a success in its API family, or "".
func failure(v map[string]any) string {
	num := func(x any) float64 { f, _ := x.(float64); return f }
	if d, ok := v["responseDetails"].([]any); ok && len(d) > 0 && num(d[0].(map[string]any)["code"]) != 0 {
		return "BaaS code"
	}
	if c, ok := v["responsecode"]; ok && num(c) != 0 {
		return "profile responsecode"
	}
	if m, ok := v["metadata"].(map[string]any); ok && num(m["responseCode"]) != 0 {
		return "retail responseCode"
	}
	if _, ok := v["errorCode"]; ok {
		return "lookup errorCode"
	}
	if _, ok := v["type"].(string); ok && v["status"] != nil {
		return "problem"
	}
	return ""
}

// promised is what an answer must contain, by the path it calls.
func promised(cmd string) []string {
	for suffix, want := range map[string][]string{
		"/customers/demo-customer-1":  {`"status":"Verified"`},
		"/customers/accounts/search":  {`"customerId":"demo-customer-1"`, `"firstName":"Nancy"`},
		"/deliveryStatus":             {`"deliveryStatusCode":"shipped"`, `"trackingNumber":"9400100000000000000001"`},
		"/verification/status/$VID\"": {`"contactVerificationStatus":2`},
		"/card/details":               {`"responseCode":0`, `"reloadFee":"3.95"`, `"merchantFee":"1.00"`},
		"/healthCheck":                {`"mode":"sandbox"`},
		"/features":                   {`"NB100"`},
		"/balances":                   {`"262.86"`},
		"/admin/v1/partners":          {`"name":"Demo Fintech"`},
		"/admin/v1/programs":          {`"programCode":"DEMO"`},
		"limit=1'":                    {`"code":"`},
	} {
		if strings.HasSuffix(cmd, suffix) {
			return want
		}
	}
	return nil
}

// The getting-started pages work as written against the demo: every sh
// block without a <placeholder> runs in order in one bash, after the
// variables the page asks for are set from what the demo printed, and
// every answer is a success.
func TestBinaryGettingStartedPages(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	srv := startCommand(t, t.TempDir(), []string{"VERDANT_ADDR=127.0.0.1:0"}, "serve", "--demo")
	out := srv.output()
	field := func(name string) string {
		m := regexp.MustCompile(name + `:\s+(\S+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("demo output lacks %s", name)
		}
		return m[1]
	}
	for page, vars := range map[string]string{
		"../../docs/getting-started-partner.md": "BASE=" + srv.URL + " CLIENT_ID=" + field("client id") + " CLIENT_SECRET=" +
			field("client secret") + " PROGRAM=DEMO ACCOUNT=" + field("account") + " CARD=" + field("card") +
			" PAN=" + field("card number"),
		"../../docs/getting-started-operator.md": "BASE=" + srv.URL + " ADMIN=" + field("operator token"),
	} {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		script := "set -euo pipefail\n" + vars + "\n"
		blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(b), -1)
		ran := 0
		for _, blk := range blocks {
			if !strings.Contains(blk[1], "<") {
				script += blk[1]
				ran++
			}
		}
		if ran < 5 {
			t.Fatalf("%s: only %d blocks to run", page, ran)
		}
		got, err := exec.Command("bash", "-c", script).CombinedOutput()
		if err != nil {
			t.Fatalf("%s failed: %v\n%s", page, err, got)
		}
		answers := 0
		for _, line := range strings.Split(strings.TrimSpace(string(got)), "\n") {
			var v map[string]any
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				t.Errorf("%s: not an answer: %s", page, line)
				continue
			}
			if why := failure(v); why != "" {
				t.Errorf("%s: %s: %s", page, why, line)
			}
			answers++
		}
		if answers < 10 {
			t.Errorf("%s: only %d answers", page, answers)
		}
	}
}
