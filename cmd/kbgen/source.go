package main

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// tpost is one real post used as a template.
type tpost struct {
	id                           int64
	score, views, comments, favs int
	body                         variant
	md                           variant // latest Markdown revision; raw == "" when unknown
	title                        string  // decoded, questions only
	tags                         []string
	edited, wiki, closed, owned  bool
	owner                        int64  // OwnerUserId in the source, when owned
	ownerName                    string // OwnerDisplayName (deleted or anonymous users)
}

// tpair is a question and its accepted answer.
type tpair struct {
	q, a *tpost
	self bool // the asker accepted their own answer
}

// source is the real dump that is scaled.
type source struct {
	dir      string
	pairs    []tpair
	unsolved []*tpost
	names    []string // display names from Users.xml, in file order
	history  bool     // PostHistory.xml was read
}

// ratio is the share of the source's questions that have no accepted answer.
func (s *source) ratio() float64 {
	return float64(len(s.unsolved)) / float64(len(s.unsolved)+len(s.pairs))
}

// defaultSource finds the default dump from the working directory or one
// of its parents, so that kbgen runs from the repository root or below it.
func defaultSource() (string, error) {
	const rel = "testdata/corpus/stackexchange/french-meta-2021"
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, rel)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no %s in this folder or its parents: pass -from DIR (a Stack Exchange dump folder)", rel)
		}
		dir = parent
	}
}

// loadSource reads the template posts of a dump folder. Source dumps are
// small (a few MB); they are streamed all the same.
func loadSource(dir string, withHistory bool) (*source, error) {
	src := &source{dir: dir}
	qs := map[int64]*tpost{}
	accepted := map[int64]int64{} // question -> accepted answer
	answers := map[int64]*tpost{}
	parent := map[int64]int64{}
	var order []int64 // questions in file order
	err := eachRow(filepath.Join(dir, "Posts.xml"), func(a map[string]string) error {
		id, err := strconv.ParseInt(a["Id"], 10, 64)
		if err != nil {
			return fmt.Errorf("row without a numeric Id: %q", a["Id"])
		}
		p := &tpost{
			id:        id,
			score:     atoi(a["Score"]),
			views:     atoi(a["ViewCount"]),
			comments:  atoi(a["CommentCount"]),
			favs:      atoi(a["FavoriteCount"]),
			title:     strings.Join(strings.Fields(a["Title"]), " "),
			tags:      parseTags(a["Tags"]),
			edited:    a["LastEditDate"] != "",
			wiki:      a["CommunityOwnedDate"] != "",
			closed:    a["ClosedDate"] != "",
			ownerName: a["OwnerDisplayName"],
		}
		if uid, err := strconv.ParseInt(a["OwnerUserId"], 10, 64); err == nil {
			p.owned, p.owner = true, uid
		}
		body := a["Body"]
		p.body = newVariant(body, htmlPoints(body))
		switch a["PostTypeId"] {
		case "1":
			qs[id] = p
			order = append(order, id)
			if aid, err := strconv.ParseInt(a["AcceptedAnswerId"], 10, 64); err == nil {
				accepted[id] = aid
			}
		case "2":
			answers[id] = p
			parent[id], _ = strconv.ParseInt(a["ParentId"], 10, 64)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, qid := range order {
		q := qs[qid]
		aid, ok := accepted[qid]
		if !ok {
			src.unsolved = append(src.unsolved, q)
			continue
		}
		a := answers[aid]
		if a == nil || parent[aid] != qid {
			continue // an accepted answer the dump lacks: not a usable template
		}
		src.pairs = append(src.pairs, tpair{q: q, a: a, self: q.owned && a.owned && q.owner == a.owner})
	}
	if len(src.pairs) == 0 {
		return nil, fmt.Errorf("%s: no question with an accepted answer to replicate", dir)
	}
	if err := src.loadUsers(); err != nil {
		return nil, err
	}
	if withHistory {
		if err := src.loadHistory(qs, answers); err != nil {
			return nil, err
		}
	}
	return src, nil
}

func (s *source) loadUsers() error {
	path := filepath.Join(s.dir, "Users.xml")
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil // names are generated instead
	}
	return eachRow(path, func(a map[string]string) error {
		if name := strings.Join(strings.Fields(a["DisplayName"]), " "); name != "" && a["Id"] != "-1" {
			s.names = append(s.names, name)
		}
		return nil
	})
}

// loadHistory keeps each template post's latest body revision (types 2, 5
// and 8), as the reader picks it.
func (s *source) loadHistory(qs, answers map[int64]*tpost) error {
	path := filepath.Join(s.dir, "PostHistory.xml")
	type rev struct {
		id   int64
		at   string
		text string
	}
	latest := map[int64]rev{}
	err := eachRow(path, func(a map[string]string) error {
		switch a["PostHistoryTypeId"] {
		case "2", "5", "8":
		default:
			return nil
		}
		post, _ := strconv.ParseInt(a["PostId"], 10, 64)
		id, _ := strconv.ParseInt(a["Id"], 10, 64)
		r := rev{id: id, at: a["CreationDate"], text: a["Text"]}
		if old, ok := latest[post]; !ok || r.at > old.at || (r.at == old.at && r.id > old.id) {
			latest[post] = r
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w (-history needs a source dump with PostHistory.xml)", err)
	}
	for _, m := range []map[int64]*tpost{qs, answers} {
		for id, p := range m {
			if r, ok := latest[id]; ok && r.text != "" {
				p.md = newVariant(r.text, markdownPoints(r.text))
			}
		}
	}
	s.history = true
	return nil
}

// eachRow streams the <row> elements of a dump table.
func eachRow(path string, fn func(map[string]string) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	attrs := map[string]string{}
	for n := 1; ; {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "row" {
			continue
		}
		clear(attrs)
		for _, a := range se.Attr {
			attrs[a.Name.Local] = a.Value
		}
		if err := fn(attrs); err != nil {
			return fmt.Errorf("%s: row %d: %w", path, n, err)
		}
		n++
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// parseTags reads "<a><b>" and "|a|b|".
func parseTags(s string) []string {
	s = strings.TrimSpace(s)
	var parts []string
	switch {
	case s == "":
		return nil
	case strings.HasPrefix(s, "<"):
		parts = strings.Split(strings.Trim(s, "<>"), "><")
	default:
		parts = strings.Split(strings.Trim(s, "|"), "|")
	}
	var tags []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			tags = append(tags, p)
		}
	}
	return tags
}
