package github

import (
	"bytes"
	"encoding/json"

	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

// nodeMarkers are Discussion fields that other formats' records do not use.
var nodeMarkers = []string{"bodyHTML", "answerChosenAt", "answerChosenBy", "isAnswered", "upvoteCount", "lastEditedAt"}

// sniffPrefix decides from the start of a file (possibly cut mid-value)
// whether it is a GitHub Discussions export. It looks at the keys of the
// first record: a GraphQL response with a discussions connection, or a
// Discussion node (title, number or id, and a GitHub-only field or a
// .../discussions/N url).
func sniffPrefix(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(jsonstream.TrimBOM(b)))
	dec.UseNumber()
	type frame struct {
		obj, wantKey bool
		key          string
	}
	var st []frame
	recDepth := 0 // depth of the first record object: 1 ({...}) or 2 ([{...}])
	rec := map[string]bool{}
	top := map[string]bool{}
	recURL := ""
	discussions, gqlMessage := false, false
loop:
	for {
		tok, err := dec.Token()
		if err != nil {
			break // the prefix ends mid-value, or it is not JSON at all
		}
		d := len(st)
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if recDepth == 0 && tok == json.Delim('{') && (d == 0 || (d == 1 && !st[0].obj)) {
				recDepth = d + 1
			}
			if recDepth == 0 && d >= 1 {
				break loop // an array of arrays, or of scalars
			}
			st = append(st, frame{obj: tok == json.Delim('{'), wantKey: true})
		case json.Delim('}'), json.Delim(']'):
			st = st[:d-1]
			if len(st) > 0 && st[len(st)-1].obj {
				st[len(st)-1].wantKey = true
			}
			if len(st) < recDepth {
				break loop // the first record is complete
			}
		default:
			if d == 0 {
				break loop // a bare scalar
			}
			f := &st[d-1]
			if f.obj && f.wantKey {
				key, _ := tok.(string)
				f.key, f.wantKey = key, false
				if d == recDepth {
					rec[key] = true
				}
				if d == 1 {
					top[key] = true
				}
				discussions = discussions || key == "discussions" || key == "discussion"
				gqlMessage = gqlMessage || (key == "message" && (top["errors"] || rec["errors"]))
				continue
			}
			if f.obj {
				if s, ok := tok.(string); ok && d == recDepth && f.key == "url" {
					recURL = s
				}
				f.wantKey = true
			}
		}
	}
	if discussions && (top["data"] || rec["data"]) {
		return true
	}
	if gqlMessage && (top["errors"] || rec["errors"]) && !rec["title"] {
		return true // a GraphQL error response: let the reader report it
	}
	if !rec["title"] || !(rec["number"] || rec["id"]) || rec["question"] {
		return false
	}
	if _, n := splitURL(recURL); n != "" {
		return true
	}
	for _, k := range nodeMarkers {
		if rec[k] {
			return true
		}
	}
	return false
}
