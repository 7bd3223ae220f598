package forge_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kbsync/kbsync/kb/forge"
)

// canary is the token every test uses; it must never show in an error.
const canary = "kbsync-canary-7f3a9c1e5d"

// fakePR is the state a fake forge keeps per pull/merge request.
type fakePR struct {
	Number                              int
	Head, Base, Title, Body, State      string
	Draft, ForkHead                     bool
	Labels                              []string
	Reviewers, TeamReviewers, Assignees []string
	ReviewerIDs, AssigneeIDs            []int
}

type fakeLabel struct {
	ID          int
	Name, Color string
}

// injection answers matching requests with a canned response.
type injection struct {
	method, path string // path: a suffix of the escaped request path
	status       int
	header       http.Header
	body         string
	times        int
}

// core is the state and plumbing the three fakes share.
type core struct {
	t          *testing.T
	mu         sync.Mutex
	srv        *httptest.Server
	prs        []*fakePR
	next       int
	branches   map[string]bool
	labels     []fakeLabel
	users      map[string]int
	injections []*injection
	calls      []string // "METHOD /escaped/path"
	violations []string
	hideLists  int           // list calls that answer empty (a stale search index)
	hang       time.Duration // delay every answer (timeouts)
}

func newCore(t *testing.T) *core {
	return &core{t: t, next: 1,
		branches: map[string]bool{"main": true, "kbsync/nightly": true},
		users:    map[string]int{"alice": 11, "bob": 12, "carol": 13}}
}

// start serves mux behind auth, injection and recording; authorized says
// whether the request carries the canary in the platform's header, and
// unauthorized writes the platform's 401.
func (c *core) start(mux http.Handler, authorized func(*http.Request) bool, unauthorized func(http.ResponseWriter)) {
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.hang > 0 {
			select {
			case <-time.After(c.hang):
			case <-r.Context().Done():
				return
			}
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		path := r.URL.EscapedPath()
		c.calls = append(c.calls, r.Method+" "+path)
		if strings.Contains(r.URL.String(), canary) {
			c.violations = append(c.violations, "token in URL: "+r.Method+" "+path)
		}
		for _, in := range c.injections {
			if in.times != 0 && in.method == r.Method && strings.HasSuffix(path, in.path) {
				in.times--
				for k, v := range in.header {
					w.Header()[k] = v
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(in.status)
				io.WriteString(w, in.body)
				return
			}
		}
		if !authorized(r) {
			unauthorized(w)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	c.t.Cleanup(func() {
		c.srv.Close()
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, v := range c.violations {
			c.t.Errorf("fake forge: %s", v)
		}
	})
}

func (c *core) inject(method, path string, status int, header http.Header, body string, times int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.injections = append(c.injections, &injection{method, path, status, header, body, times})
}

// count returns how many requests matched method and a path suffix.
func (c *core) count(method, suffix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, call := range c.calls {
		m, p, _ := strings.Cut(call, " ")
		if m == method && strings.HasSuffix(p, suffix) {
			n++
		}
	}
	return n
}

func (c *core) open(head string) []*fakePR {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*fakePR
	for _, p := range c.prs {
		if p.State == "open" && p.Head == head && !p.ForkHead {
			out = append(out, p)
		}
	}
	return out
}

func (c *core) get(n int) *fakePR {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.prs {
		if p.Number == n {
			cp := *p
			return &cp
		}
	}
	return nil
}

func (c *core) seed(head, base, title, body string, fork bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := &fakePR{Number: c.next, Head: head, Base: base, Title: title, Body: body, State: "open", ForkHead: fork}
	c.next++
	c.prs = append(c.prs, p)
	return p.Number
}

func (c *core) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.prs)
}

func (c *core) hasBranch(name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.branches[name]
}

func (c *core) addBranch(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.branches[name] = true
}

func (c *core) callCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.calls)
}

func (c *core) setLabels(n int, labels ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.prs {
		if p.Number == n {
			p.Labels = labels
		}
	}
}

// findLocked returns the PR numbered n; the caller holds mu.
func (c *core) findLocked(n int) *fakePR {
	for _, p := range c.prs {
		if p.Number == n {
			return p
		}
	}
	return nil
}

// openLocked returns the open PR for head and base; the caller holds mu.
func (c *core) openLocked(head, base string) *fakePR {
	for _, p := range c.prs {
		if p.State == "open" && p.Head == head && p.Base == base && !p.ForkHead {
			return p
		}
	}
	return nil
}

func (c *core) addLabelLocked(p *fakePR, name string) {
	for _, l := range p.Labels {
		if strings.EqualFold(l, name) {
			return
		}
	}
	p.Labels = append(p.Labels, name)
}

// --- request body schemas, as the platforms document them ---

type kind int

const (
	kString kind = iota
	kBool
	kInt
	kStrings
	kInts
	kTime
)

type field struct {
	kind     kind
	required bool
	nullable bool
	enum     []string
}

type schema map[string]field

// check decodes body as a JSON object and validates it: required fields
// present (non-empty strings), no unknown fields, types right. The error
// is what the fake answers; it is also recorded as a violation, since
// kbsync must never send a body the platform would refuse.
func (c *core) check(r *http.Request, s schema) (map[string]any, error) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	obj, err := validate(raw, s)
	if err != nil {
		c.violations = append(c.violations, fmt.Sprintf("%s %s: %v (body %s)", r.Method, r.URL.EscapedPath(), err, raw))
	}
	return obj, err
}

func validate(raw []byte, s schema) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("body is not a JSON object: %v", err)
	}
	for k := range obj {
		if _, ok := s[k]; !ok {
			return nil, fmt.Errorf("unknown field %q", k)
		}
	}
	for name, f := range s {
		v, ok := obj[name]
		if !ok {
			if f.required {
				return nil, fmt.Errorf("missing required field %q", name)
			}
			continue
		}
		if v == nil {
			if f.required || !f.nullable {
				return nil, fmt.Errorf("field %q is null", name)
			}
			continue
		}
		if err := checkKind(name, v, f); err != nil {
			return nil, err
		}
	}
	return obj, nil
}

func checkKind(name string, v any, f field) error {
	bad := func(want string) error { return fmt.Errorf("field %q is %T, want %s", name, v, want) }
	switch f.kind {
	case kString, kTime:
		s, ok := v.(string)
		if !ok {
			return bad("string")
		}
		if f.required && strings.TrimSpace(s) == "" {
			return fmt.Errorf("required field %q is empty", name)
		}
		if f.enum != nil && !slices.Contains(f.enum, s) {
			return fmt.Errorf("field %q is %q, want one of %v", name, s, f.enum)
		}
		if f.kind == kTime {
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				return bad("RFC 3339 time")
			}
		}
	case kBool:
		if _, ok := v.(bool); !ok {
			return bad("boolean")
		}
	case kInt:
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return bad("integer")
		}
	case kStrings, kInts:
		arr, ok := v.([]any)
		if !ok {
			return bad("array")
		}
		for _, e := range arr {
			if f.kind == kStrings {
				if _, ok := e.(string); !ok {
					return fmt.Errorf("field %q holds %T, want strings", name, e)
				}
			} else if n, ok := e.(json.Number); !ok {
				return fmt.Errorf("field %q holds %T, want integers", name, e)
			} else if _, err := n.Int64(); err != nil {
				return fmt.Errorf("field %q holds %v, want integers", name, n)
			}
		}
	}
	return nil
}

func str(obj map[string]any, k string) (string, bool) {
	s, ok := obj[k].(string)
	return s, ok
}

func strs(v any) []string {
	arr, _ := v.([]any)
	var out []string
	for _, e := range arr {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func ints(v any) []int {
	arr, _ := v.([]any)
	var out []int
	for _, e := range arr {
		if n, ok := e.(json.Number); ok {
			i, _ := n.Int64()
			out = append(out, int(i))
		}
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// sleeps records the waits between retries instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

func (s *sleeps) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.d)
}

// fake is one platform's fake server, seen by the shared tests.
type fake interface {
	core() *core
	config() forge.Config
	kind() string // "pull request" or "merge request", for messages
}

func newProvider(t *testing.T, f fake, opts ...forge.Option) (forge.Provider, *sleeps) {
	t.Helper()
	s := &sleeps{}
	opts = append([]forge.Option{forge.WithSleep(s.sleep)}, opts...)
	p, err := forge.New(f.config(), canary, f.core().srv.Client(), opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p, s
}
