package rcc_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/tandem-sip/tandem/test/shellwords"
)

// curlExample is one curl command of README.md, parsed.
type curlExample struct {
	line    string
	method  string
	url     string
	headers [][2]string
	body    string
	stream  bool // -N: an event stream
}

// readmeExamples parses every curl command in the ```sh blocks of
// README.md's Examples section, expanding $RCC and $TOKEN from env.
func readmeExamples(t testing.TB, env map[string]string) []curlExample {
	t.Helper()
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Examples\n")
	if !ok {
		t.Fatal("README.md has no Examples section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var (
		out     []curlExample
		inBlock bool
		pending string
	)
	sc := bufio.NewScanner(strings.NewReader(section))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```"):
			inBlock = line == "```sh"
			continue
		case !inBlock:
			continue
		}
		if strings.HasSuffix(line, "\\") {
			pending += strings.TrimSuffix(line, "\\")
			continue
		}
		line, pending = pending+line, ""
		if !strings.HasPrefix(line, "curl ") {
			continue
		}
		ex, err := parseCurl(line, env)
		if err != nil {
			t.Fatalf("README.md: %s: %v", line, err)
		}
		out = append(out, ex)
	}
	return out
}

// parseCurl understands the curl options the examples use.
func parseCurl(line string, env map[string]string) (curlExample, error) {
	words, err := shellwords.Split(line, env)
	if err != nil {
		return curlExample{}, err
	}
	ex := curlExample{line: line}
	for i := 1; i < len(words); i++ {
		w := words[i]
		arg := func() (string, error) {
			if i+1 >= len(words) {
				return "", fmt.Errorf("%s without its value", w)
			}
			i++
			return words[i], nil
		}
		switch {
		case w == "-H":
			v, err := arg()
			if err != nil {
				return ex, err
			}
			name, value, ok := strings.Cut(v, ":")
			if !ok {
				return ex, fmt.Errorf("header %q", v)
			}
			ex.headers = append(ex.headers, [2]string{name, strings.TrimSpace(value)})
		case w == "-X":
			if ex.method, err = arg(); err != nil {
				return ex, err
			}
		case w == "--json":
			if ex.body, err = arg(); err != nil {
				return ex, err
			}
			ex.headers = append(ex.headers, [2]string{"Content-Type", "application/json"}, [2]string{"Accept", "application/json"})
		case strings.HasPrefix(w, "--"):
			return ex, fmt.Errorf("option %s is not understood by the test", w)
		case strings.HasPrefix(w, "-"):
			for _, c := range w[1:] {
				switch c {
				case 's':
				case 'N':
					ex.stream = true
				default:
					return ex, fmt.Errorf("option -%c is not understood by the test", c)
				}
			}
		case ex.url == "":
			ex.url = w
		default:
			return ex, fmt.Errorf("a second URL %q", w)
		}
	}
	if ex.method == "" {
		ex.method = "GET"
		if ex.body != "" {
			ex.method = "POST"
		}
	}
	if ex.url == "" {
		return ex, fmt.Errorf("no URL")
	}
	return ex, nil
}

// Every curl example of README.md runs, in order, against the gateway and
// a core that answers: each is authorized, routed, decoded and answered
// with 200 (event streams open and say they are subscribed).
func TestREADMEExamples(t *testing.T) {
	_, st, base := setup(t, nil)
	examples := readmeExamples(t, map[string]string{"RCC": base, "TOKEN": opsToken})
	if len(examples) < 15 {
		t.Fatalf("only %d examples", len(examples))
	}
	for _, ex := range examples {
		before := len(st.commands())
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		var body io.Reader
		if ex.body != "" {
			body = strings.NewReader(ex.body)
		}
		req, err := http.NewRequestWithContext(ctx, ex.method, ex.url, body)
		if err != nil {
			t.Fatalf("%s: %v", ex.line, err)
		}
		for _, h := range ex.headers {
			req.Header.Add(h[0], h[1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", ex.line, err)
		}
		if ex.stream {
			line, _ := bufio.NewReader(res.Body).ReadString('\n')
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" || !strings.HasPrefix(line, ": tandem events ") {
				t.Errorf("%s: %d %s %q", ex.line, res.StatusCode, res.Header.Get("Content-Type"), line)
			}
		} else {
			data, _ := io.ReadAll(res.Body)
			if res.StatusCode != 200 || len(st.commands()) != before+1 {
				t.Errorf("%s: %d %s", ex.line, res.StatusCode, data)
			}
		}
		res.Body.Close()
		cancel()
	}
}

func TestShellWords(t *testing.T) {
	env := map[string]string{"RCC": "http://h:1", "TOKEN": "t"}
	got, err := shellwords.Split(`curl -s -H "Authorization: Bearer $TOKEN" --json '{"a":"$b"}' "$RCC/v1/events?x=1" $RCC/v1`, env)
	want := []string{"curl", "-s", "-H", "Authorization: Bearer t", "--json", `{"a":"$b"}`, "http://h:1/v1/events?x=1", "http://h:1/v1"}
	if err != nil || strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("shellWords = %q, %v; want %q", got, err, want)
	}
}
