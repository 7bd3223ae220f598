package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbsync/kbsync/kb"
	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonl"
	"github.com/kbsync/kbsync/sync/redact"
	"github.com/kbsync/kbsync/templates"
)

// modelThread is the test's own idea of one thread at the source.
type modelThread struct {
	id       string
	present  bool // in this night's export (a partial export leaves some out)
	solved   bool
	status   string // "", "deleted", "private"
	title    int    // title version
	answer   int    // answer version
	question int
}

func (m *modelThread) line() string {
	t := map[string]any{
		"id":       m.id,
		"title":    fmt.Sprintf("How do I fix problem %s (take %d)?", m.id, m.title),
		"url":      "https://forum.example.com/t/" + m.id,
		"question": map[string]any{"body": fmt.Sprintf("Problem %s happens, version %d.", m.id, m.question), "format": "markdown", "author": "asker" + m.id, "created": "2024-01-01T10:00:00Z"},
	}
	if m.status != "" {
		t["status"] = m.status
	}
	if m.solved {
		t["answer"] = map[string]any{"id": m.id + "0", "body": fmt.Sprintf("Fix it with step %d.\n\n```sh\nfix --id %s\n```", m.answer, m.id),
			"format": "markdown", "author": "helper", "created": "2024-01-02T10:00:00Z"}
	}
	b, _ := json.Marshal(t)
	return string(b)
}

// published reports whether the source lets the thread be an article.
func (m *modelThread) published() bool { return m.solved && m.status == "" }

func gitCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	// Auto gc (every 50 packs) runs in the foreground, so that a repack
	// happens between nights and never under a running sync.
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "gc.autoDetach=false"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Writer", "GIT_AUTHOR_EMAIL=w@example.com", "GIT_COMMITTER_NAME=Writer", "GIT_COMMITTER_EMAIL=w@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestLifecycleRandomized runs hundreds of nights of (the export changes,
// writers edit some articles, kbsync syncs) and checks after each night,
// against a model kept by the test, that no human edit was lost and that
// every other article is exactly what a from-scratch rendering of the
// current source gives.
func TestLifecycleRandomized(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("the git binary is needed as a referee")
	}
	cycles := 200
	if testing.Short() {
		cycles = 30
	}
	rng := rand.New(rand.NewPCG(7, 11))
	dir := t.TempDir()
	kbDir := filepath.Join(dir, "kb")
	export := filepath.Join(dir, "threads.jsonl")
	r, err := newRendererFor("", "", redact.Config{}, "")
	if err != nil {
		t.Fatal(err)
	}

	threads := map[string]*modelThread{}
	var order []string
	next := 1
	newThread := func() {
		id := fmt.Sprint(next)
		next++
		threads[id] = &modelThread{id: id, present: true, solved: rng.IntN(3) > 0}
		order = append(order, id)
	}
	for range 12 {
		newThread()
	}
	paths := map[string]string{}  // thread id -> article path, fixed once written
	human := map[string][]byte{}  // path -> bytes a person committed (nil: deleted)
	retired := map[string]bool{}  // thread id -> its article is a draft
	lastOK := map[string][]byte{} // path -> bytes kbsync last wrote

	for cycle := range cycles {
		// The source changes.
		for _, id := range order {
			m := threads[id]
			switch rng.IntN(12) {
			case 0:
				m.solved = !m.solved
			case 1:
				m.answer++
			case 2:
				m.title++
			case 3:
				m.question++
			case 4:
				m.status = []string{"", "deleted", "private"}[rng.IntN(3)]
			}
			m.present = rng.IntN(8) > 0 // some nights the export is partial
		}
		if rng.IntN(3) == 0 {
			newThread()
		}
		var lines []string
		for _, id := range order {
			if threads[id].present {
				lines = append(lines, threads[id].line())
			}
		}
		if err := os.WriteFile(export, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}

		// Writers edit, delete or rewrite the front matter of some articles.
		if cycle > 0 {
			edited := false
			for _, id := range order {
				p, ok := paths[id]
				if !ok || rng.IntN(10) != 0 {
					continue
				}
				if _, gone := human[p]; gone && human[p] == nil {
					continue
				}
				abs := filepath.Join(kbDir, p)
				if rng.IntN(4) == 0 {
					gitCLI(t, kbDir, "rm", "-q", p)
					human[p] = nil
				} else {
					b, err := os.ReadFile(abs)
					if err != nil {
						t.Fatal(err)
					}
					if rng.IntN(2) == 0 {
						b = bytes.Replace(b, []byte("---\n"), []byte("---\nweight: 10\n"), 1)
					} else {
						b = append(b, []byte(fmt.Sprintf("\nEdited by support on night %d.\n", cycle))...)
					}
					if err := os.WriteFile(abs, b, 0o644); err != nil {
						t.Fatal(err)
					}
					gitCLI(t, kbDir, "add", p)
					human[p] = b
				}
				edited = true
			}
			if edited {
				gitCLI(t, kbDir, "commit", "-q", "-m", fmt.Sprintf("night %d edits", cycle))
			}
		}

		rep, err := Run(context.Background(), Options{
			Sources: []Source{{Format: "jsonl", Path: export, Site: "https://forum.example.com"}},
			KB:      kb.Options{Path: kbDir, Now: func() time.Time { return time.Unix(1700000000+int64(cycle), 0) }},
			Workers: 1 + cycle%3,
		})
		if err != nil {
			t.Logf("status:\n%s", gitCLI(t, kbDir, "status", "--porcelain"))
			t.Logf("diff:\n%s", gitCLI(t, kbDir, "diff", "HEAD", "--", ".kbsync/manifest.json"))
			t.Logf("ls-files:\n%s", gitCLI(t, kbDir, "ls-files", "-s", "--debug", ".kbsync/manifest.json"))
			t.Logf("head:\n%s", gitCLI(t, kbDir, "rev-parse", "HEAD:.kbsync/manifest.json"))
			t.Logf("disk:\n%s", gitCLI(t, kbDir, "hash-object", ".kbsync/manifest.json"))
			t.Fatalf("night %d: %v", cycle, err)
		}
		rows, err := rep.Articles.List()
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range rows {
			if old, ok := paths[a.SourceID]; ok && old != a.Path {
				t.Fatalf("night %d: thread %s moved from %s to %s", cycle, a.SourceID, old, a.Path)
			}
			if a.Action == "added" {
				paths[a.SourceID] = a.Path
			}
		}

		// Check every article against the model.
		for _, id := range order {
			m := threads[id]
			p, ok := paths[id]
			if !ok {
				if m.present && m.published() {
					t.Fatalf("night %d: thread %s is solved but has no article", cycle, id)
				}
				continue
			}
			got, err := os.ReadFile(filepath.Join(kbDir, p))
			if hb, touched := human[p]; touched {
				if hb == nil {
					if err == nil {
						t.Fatalf("night %d: %s was deleted by a person but came back", cycle, p)
					}
				} else if !bytes.Equal(got, hb) {
					t.Fatalf("night %d: the person's edit of %s was lost:\n%s", cycle, p, got)
				}
				continue
			}
			if err != nil {
				t.Fatalf("night %d: %s: %v", cycle, p, err)
			}
			switch {
			case !m.present:
				// Absent from a partial export: left as it was.
				if !bytes.Equal(got, lastOK[p]) {
					t.Fatalf("night %d: %s changed although its thread was not in the export", cycle, p)
				}
			case m.published():
				art, err := r.render(parseLine(t, m.line()))
				if err != nil {
					t.Fatal(err)
				}
				if want := art.content; !bytes.Equal(got, want) {
					t.Fatalf("night %d: %s is not the rendering of thread %s:\n%s\nwant:\n%s", cycle, p, id, got, want)
				}
				retired[id] = false
			default:
				// Withdrawn at the source: retired, a draft of what it was.
				want := lastOK[p]
				if !retired[id] {
					want, err = templates.MarkDraft(lastOK[p])
					if err != nil {
						t.Fatal(err)
					}
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("night %d: %s should be the retired article:\n%s\nwant:\n%s", cycle, p, got, want)
				}
				retired[id] = true
			}
			lastOK[p] = got
		}
		if st := gitCLI(t, kbDir, "status", "--porcelain"); st != "" {
			t.Fatalf("night %d: working tree not clean:\n%s", cycle, st)
		}
	}
	gitCLI(t, kbDir, "fsck", "--strict", "--no-progress")
	t.Logf("%d nights, %d threads, %d articles, %d touched by people", cycles, len(order), len(paths), len(human))
}

// parseLine reads one interchange line with the real reader.
func parseLine(t *testing.T, line string) *forum.Thread {
	t.Helper()
	f := filepath.Join(t.TempDir(), "one.jsonl")
	if err := os.WriteFile(f, []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rd, err := jsonl.Open(f, forum.Options{Site: "https://forum.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	var th *forum.Thread
	if err := rd.Threads(context.Background(), func(x *forum.Thread) error { th = x; return nil }); err != nil {
		t.Fatal(err)
	}
	return th
}
