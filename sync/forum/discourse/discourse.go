// Package discourse reads Discourse topic JSON exports (/t/{id}.json, one
// topic per file, pages possibly merged) and yields one forum.Thread per
// topic. The accepted answer comes from the discourse-solved plugin fields.
//
// Bodies are Markdown when the export has it (a post's "raw" field, or a
// "<name>.raw.md" file next to "<name>.json" holding the /raw/{id} dump),
// else the rendered "cooked" HTML cleaned of Discourse chrome by CleanCooked.
//
// Without a site (forum.Options.Site) the reader cannot build permalinks:
// Thread.URL and Post.URL stay empty and site-relative links in bodies are
// left as they are.
package discourse

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

// Export is an opened set of Discourse topic files.
type Export struct {
	root  string
	files []string // sorted by name
	opts  forum.Options
}

// Open checks PATH (a folder of *.json topic files, or one topic file) and
// lists the files to read. Nothing is parsed until Threads.
func Open(path string, opts forum.Options) (*Export, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &forum.InputError{
			Format: forum.Discourse, Path: path, Offset: -1, Err: err,
			Hint: "give a folder of Discourse topic files (/t/{id}.json) or one such file",
		}
	}
	e := &Export{root: path, opts: opts}
	if !fi.IsDir() {
		e.files = []string{path}
		return e, nil
	}
	files, err := topicFiles(path)
	if err != nil {
		return nil, &forum.InputError{Format: forum.Discourse, Path: path, Offset: -1, Err: err,
			Hint: "check that the folder is readable"}
	}
	if len(files) == 0 {
		return nil, &forum.InputError{
			Format: forum.Discourse, Path: path, Offset: -1,
			Err:  errors.New("no *.json topic files in the folder"),
			Hint: "save each topic as <name>.json from https://<forum>/t/{id}.json",
		}
	}
	e.files = files
	return e, nil
}

// Files lists the topic files Threads reads, in order.
func (e *Export) Files() []string { return append([]string(nil), e.files...) }

// topicFiles lists the regular *.json files of dir (not recursive), sorted by
// name so that the thread order is deterministic.
func topicFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir) // sorted by file name
	if err != nil {
		return nil, err
	}
	var files []string
	for _, de := range entries {
		name := de.Name()
		if !strings.HasSuffix(strings.ToLower(name), ".json") {
			continue
		}
		p := filepath.Join(dir, name)
		if de.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
		} else if !de.Type().IsRegular() {
			continue
		}
		files = append(files, p)
	}
	sort.Strings(files)
	return files, nil
}

// Threads parses the topic files one at a time and yields one thread per
// topic, in file-name order. A file that fails to parse yields nothing.
func (e *Export) Threads(ctx context.Context, yield func(*forum.Thread) error) error {
	seen := make(map[string]string) // topic id -> file
	for _, file := range e.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		t, err := e.readFile(ctx, file)
		if err != nil {
			return err
		}
		if prev, dup := seen[t.id]; dup {
			return &forum.InputError{
				Format: forum.Discourse, Path: file, Record: "topic " + t.id, Offset: -1,
				Err:  fmt.Errorf("duplicate topic id %s, also in %s", t.id, prev),
				Hint: "keep one file per topic (merge the pages of a topic into one file)",
			}
		}
		seen[t.id] = file
		th, err := e.build(t, file)
		if err != nil {
			return err
		}
		if err := yield(th); err != nil {
			return err
		}
	}
	return nil
}

func (e *Export) readFile(ctx context.Context, file string) (*topic, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, &forum.InputError{Format: forum.Discourse, Path: file, Offset: -1, Err: err,
			Hint: "check that the file exists and is readable"}
	}
	defer f.Close()
	return parseTopic(ctx, f, file, e.opts.PostLimit())
}

// sniffBytes is how much of a file Sniff reads at most.
const sniffBytes = 64 << 10

// Sniff reports whether path is a Discourse topic file, or a folder whose
// first *.json file is one. It reads at most a small prefix of one file.
func Sniff(path string) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, fmt.Errorf("discourse: sniff %s: %w", path, err)
	}
	file := path
	if fi.IsDir() {
		files, err := topicFiles(path)
		if err != nil {
			return false, fmt.Errorf("discourse: sniff %s: %w", path, err)
		}
		if len(files) == 0 {
			return false, nil
		}
		file = files[0]
	}
	f, err := os.Open(file)
	if err != nil {
		return false, fmt.Errorf("discourse: sniff %s: %w", file, err)
	}
	defer f.Close()
	return sniffJSON(io.LimitReader(f, sniffBytes)), nil
}

// topicKeys are top-level keys only Discourse topic JSON carries together.
var topicKeys = map[string]bool{
	"archetype": true, "fancy_title": true, "highest_post_number": true,
	"chunk_size": true, "posts_count": true, "draft_key": true,
}

// sniffJSON looks at the top-level keys of a JSON object prefix: post_stream
// decides at once; otherwise two of topicKeys are needed.
func sniffJSON(r io.Reader) bool {
	dec := json.NewDecoder(skipBOM(r))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return false
	}
	hits := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		key, _ := tok.(string)
		if key == "post_stream" {
			return true
		}
		if topicKeys[key] {
			hits++
			if hits >= 2 {
				return true
			}
		}
		if err := jsonstream.SkipValue(dec); err != nil {
			break // the prefix ended inside a value
		}
	}
	return false
}

// skipBOM drops a leading UTF-8 byte order mark, which encoding/json rejects.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	return br
}
