package khoros

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/kbsync/kbsync/sync/forum"
	"github.com/kbsync/kbsync/sync/forum/jsonstream"
)

// item is one message as a LiQL response gives it. Every field is optional
// except id, conversation.id and post_time.
type item struct {
	ID           jsonstream.FlexID   `json:"id"`
	Subject      string              `json:"subject"`
	Body         string              `json:"body"`
	Author       *user               `json:"author"`
	PostTime     string              `json:"post_time"`
	EditTime     string              `json:"edit_time"`
	LastEditTime string              `json:"last_edit_time"`
	Board        *ref                `json:"board"`
	Conversation *conversation       `json:"conversation"`
	Depth        *jsonstream.FlexInt `json:"depth"`
	Parent       *ref                `json:"parent"`
	Topic        *ref                `json:"topic"`
	IsSolution   bool                `json:"is_solution"`
	SolutionData *solutionData       `json:"solution_data"`
	Kudos        *struct {
		Sum struct {
			Weight jsonstream.FlexInt `json:"weight"`
		} `json:"sum"`
	} `json:"kudos"`
	ViewHref string    `json:"view_href"`
	ReadOnly bool      `json:"read_only"`
	Labels   *textList `json:"labels"`
	Tags     *textList `json:"tags"`
	Metrics  *struct {
		Views jsonstream.FlexInt `json:"views"`
	} `json:"metrics"`
}

type user struct {
	ID    jsonstream.FlexID `json:"id"`
	Login string            `json:"login"`
}

type ref struct {
	ID jsonstream.FlexID `json:"id"`
}

type conversation struct {
	ID     jsonstream.FlexID `json:"id"`
	Solved bool              `json:"solved"`
}

// solutionData says who accepted a solution and when. The field names are
// from the Community API v2 message reference as we know it, not from a
// saved response (see testdata/SOURCE.md).
type solutionData struct {
	Time string `json:"time"`
	User *user  `json:"user"`
}

// textList is a LiQL sub-collection such as labels or tags.
type textList struct {
	Items []struct {
		Text string `json:"text"`
	} `json:"items"`
}

// isTopic reports whether the message starts its conversation: depth 0, or
// no parent when the query did not select depth.
func (it *item) isTopic() bool {
	if it.Depth != nil && it.Depth.Set {
		return it.Depth.N == 0
	}
	return it.Parent == nil || it.Parent.ID == ""
}

type convIndex struct {
	id      string
	topic   int32 // index into locs of the depth 0 message, or -1
	topicID string
	locs    []jsonstream.Loc
}

type msgRef struct {
	conv int32
	file int32
}

// index is what the first pass keeps: no bodies, a few words a message.
type index struct {
	convs    []convIndex
	convByID map[string]int32
	msgs     map[string]msgRef
}

// index validates every item of every file and records where it is.
func (e *Export) index(ctx context.Context) (*index, error) {
	ix := &index{convByID: map[string]int32{}, msgs: map[string]msgRef{}}
	for fi, path := range e.files {
		if err := e.indexFile(ctx, ix, int32(fi), path); err != nil {
			return nil, err
		}
	}
	for _, c := range ix.convs {
		if c.topic < 0 {
			l := c.locs[0]
			return nil, &forum.InputError{Format: format, Path: e.files[l.File], Record: "conversation " + c.id, Offset: l.Off,
				Err:  errors.New("conversation has replies but no topic message (depth 0)"),
				Hint: "export whole conversations (all messages with this conversation.id), not a slice of them"}
		}
	}
	return ix, nil
}

func (e *Export) indexFile(ctx context.Context, ix *index, fi int32, path string) error {
	s, err := jsonstream.Open(format, path)
	if err != nil {
		return err
	}
	defer s.Close()
	w := &fileWalker{e: e, ix: ix, s: s, fi: fi, ctx: ctx}
	for {
		t, off, err := s.Next(fmt.Sprintf("response %d", w.resp+1))
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'):
			if err := w.response(off); err != nil {
				return err
			}
		case json.Delim('['): // a JSON array of responses
			for s.Dec.More() {
				off := s.Offset()
				t, ok, err := jsonstream.ExpectDelim(s.Dec, '{')
				if err != nil {
					return s.Fail(fmt.Sprintf("response %d", w.resp+1), off, err, "")
				}
				if !ok {
					return w.shape(fmt.Sprintf("response %d", w.resp+1), off, errf("array element is %s, want a LiQL response object", jsonstream.Describe(t)))
				}
				if err := w.response(off); err != nil {
					return err
				}
			}
			if err := s.End(""); err != nil {
				return err
			}
		default:
			return w.shape("", off, errf("top-level value is %s, want a LiQL response object", jsonstream.Describe(t)))
		}
	}
	if w.resp == 0 {
		return &forum.InputError{Format: format, Path: path, Offset: 0, Err: errors.New("no LiQL response in file"),
			Hint: "the file is empty: re-run the export"}
	}
	return nil
}

// fileWalker walks the responses of one file.
type fileWalker struct {
	e    *Export
	ix   *index
	s    *jsonstream.Stream
	fi   int32
	ctx  context.Context
	resp int // responses read so far
}

const shapeHint = `want {"status":"success","data":{"type":"messages","items":[...]}} from a LiQL "SELECT … FROM messages" query`

func (w *fileWalker) shape(record string, off int64, err error) error {
	return &forum.InputError{Format: format, Path: w.s.Path, Record: record, Offset: off, Err: err, Hint: shapeHint}
}

// response reads one response object; its '{' is consumed.
func (w *fileWalker) response(start int64) error {
	w.resp++
	rec := fmt.Sprintf("response %d", w.resp)
	dec := w.s.Dec
	var status, message string
	sawData := false
	err := w.s.Object(rec, func(key string, off int64) error {
		switch key {
		case "status", "message":
			t, err := dec.Token()
			if err != nil {
				return w.s.Fail(rec, off, err, "")
			}
			str, _ := t.(string)
			if key == "status" {
				if _, ok := t.(string); !ok {
					return w.shape(rec, off, errf("status is %s, want a string", jsonstream.Describe(t)))
				}
				status = str
			} else {
				message = str
			}
			if _, isDelim := t.(json.Delim); isDelim { // message was an object or array: skip the rest
				if err := jsonstream.SkipRest(dec.Token); err != nil {
					return w.s.Fail(rec, off, err, "")
				}
			}
			return nil
		case "data":
			sawData = true
			if status != "" && status != "success" { // an error response: its data is not messages
				return w.s.Skip(rec, off)
			}
			return w.data(rec)
		}
		return w.s.Skip(rec, off)
	})
	if err != nil {
		return err
	}
	if status != "" && status != "success" {
		return &forum.InputError{Format: format, Path: w.s.Path, Record: rec, Offset: start,
			Err:  errf("LiQL response status %q: %s", jsonstream.Truncate(status, 40), jsonstream.Truncate(message, 200)),
			Hint: "the query failed: fix it and export again"}
	}
	if !sawData {
		return w.shape(rec, start, errors.New(`response has no "data"`))
	}
	return nil
}

// data reads the "data" object of a response.
func (w *fileWalker) data(rec string) error {
	dec := w.s.Dec
	off := w.s.Offset()
	t, ok, err := jsonstream.ExpectDelim(dec, '{')
	if err != nil {
		return w.s.Fail(rec, off, err, "")
	}
	if !ok {
		return w.shape(rec, off, errf("data is %s, want an object", jsonstream.Describe(t)))
	}
	size, items := -1, 0
	err = w.s.Object(rec, func(key string, off int64) error {
		switch key {
		case "type", "list_item_type":
			t, err := dec.Token()
			if err != nil {
				return w.s.Fail(rec, off, err, "")
			}
			want := "messages"
			if key == "list_item_type" {
				want = "message"
			}
			if t != want {
				return w.shape(rec, off, errf("data.%s is %v, want %q", key, jsonstream.Truncate(fmt.Sprint(t), 40), want))
			}
		case "size":
			t, err := dec.Token()
			if err != nil {
				return w.s.Fail(rec, off, err, "")
			}
			n, ok := t.(json.Number)
			i, err := n.Int64()
			if !ok || err != nil || i < 0 {
				return w.shape(rec, off, errf("data.size is %v, want a count", jsonstream.Truncate(fmt.Sprint(t), 40)))
			}
			size = int(i)
		case "items":
			t, ok, err := jsonstream.ExpectDelim(dec, '[')
			if err != nil {
				return w.s.Fail(rec, off, err, "")
			}
			if !ok {
				return w.shape(rec, off, errf("data.items is %s, want an array", jsonstream.Describe(t)))
			}
			for dec.More() {
				items++
				if err := w.item(rec, items); err != nil {
					return err
				}
			}
			return w.s.End(rec)
		default:
			return w.s.Skip(rec, off)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if size >= 0 && size != items {
		return w.shape(rec, off, errf("data.size is %d but data.items holds %d messages", size, items))
	}
	return nil
}

// item reads, validates and indexes one message.
func (w *fileWalker) item(rec string, n int) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	rec = fmt.Sprintf("%s item %d", rec, n)
	raw, start, err := w.s.Record(rec, "message", w.e.limit)
	if err != nil {
		return err
	}
	var it item
	if err := json.Unmarshal(raw, &it); err != nil {
		return w.shape(jsonstream.RecordName(rec, "message", raw), start, jsonstream.FieldError(err, "message"))
	}
	if jsonstream.ValidID(string(it.ID)) {
		rec += " (message " + string(it.ID) + ")"
	}
	if err := w.e.validate(&it); err != nil {
		return &forum.InputError{Format: format, Path: w.s.Path, Record: rec, Offset: start, Err: err,
			Hint: "select id, conversation, depth and post_time in the LiQL query"}
	}
	id := string(it.ID)
	if prev, dup := w.ix.msgs[id]; dup {
		return &forum.InputError{Format: format, Path: w.s.Path, Record: rec, Offset: start,
			Err:  errf("duplicate message id %s (first seen in %s)", id, w.e.files[prev.file]),
			Hint: "the same message was exported twice: remove the overlapping page"}
	}
	cid := string(it.Conversation.ID)
	ci, ok := w.ix.convByID[cid]
	if !ok {
		ci = int32(len(w.ix.convs))
		w.ix.convByID[cid] = ci
		w.ix.convs = append(w.ix.convs, convIndex{id: cid, topic: -1})
	}
	c := &w.ix.convs[ci]
	w.ix.msgs[id] = msgRef{conv: ci, file: w.fi}
	c.locs = append(c.locs, jsonstream.Loc{File: w.fi, Off: start, N: int32(len(raw))})
	if it.isTopic() {
		if c.topic >= 0 {
			return &forum.InputError{Format: format, Path: w.s.Path, Record: rec, Offset: start,
				Err:  errf("conversation %s has two topic messages (%s and %s)", cid, c.topicID, id),
				Hint: "a conversation has one depth 0 message: check conversation.id and depth"}
		}
		c.topic = int32(len(c.locs) - 1)
		c.topicID = id
	}
	return nil
}

// validate checks what every message needs, so that the second pass only
// fails on thread-level problems.
func (e *Export) validate(it *item) error {
	if !jsonstream.ValidID(string(it.ID)) {
		return errf("message id %q is missing or not an id", jsonstream.Truncate(string(it.ID), 40))
	}
	if it.Conversation == nil || !jsonstream.ValidID(string(it.Conversation.ID)) {
		return errors.New("conversation.id is missing or not an id")
	}
	if it.Parent != nil && it.Parent.ID != "" && !jsonstream.ValidID(string(it.Parent.ID)) {
		return errf("parent.id %q is not an id", jsonstream.Truncate(string(it.Parent.ID), 40))
	}
	if it.Topic != nil && it.Topic.ID != "" && !jsonstream.ValidID(string(it.Topic.ID)) {
		return errf("topic.id %q is not an id", jsonstream.Truncate(string(it.Topic.ID), 40))
	}
	if it.Depth != nil && it.Depth.Set && it.Depth.N < 0 {
		return errf("depth %d is negative", it.Depth.N)
	}
	if it.Parent != nil && it.Parent.ID == it.ID {
		return errors.New("message is its own parent")
	}
	if len(it.Body) > e.limit {
		return errf("body is %d bytes, over the %d byte limit", len(it.Body), e.limit)
	}
	if it.PostTime == "" {
		return errors.New("post_time is missing")
	}
	for _, ts := range []string{it.PostTime, it.EditTime, it.LastEditTime} {
		if _, err := parseTime(ts); err != nil {
			return err
		}
	}
	if it.SolutionData != nil {
		if _, err := parseTime(it.SolutionData.Time); err != nil {
			return fmt.Errorf("solution_data: %w", err)
		}
	}
	return nil
}
