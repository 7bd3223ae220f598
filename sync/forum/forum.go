// Package forum holds the one Thread model that every export reader yields,
// and the error type readers use for bad input.
//
// A reader is a streaming producer: it calls yield once per thread, in a
// deterministic order, and never holds a whole export in memory. Readers
// yield every thread they see, solved or not, so that selection can count
// what it skipped and the knowledge base can retire articles whose thread
// lost its accepted answer.
package forum

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Format names, as used in --from FORMAT:PATH and in the article front matter.
const (
	StackExchange = "stackexchange"
	Discourse     = "discourse"
	GitHub        = "github"
	Khoros        = "khoros"
	Zendesk       = "zendesk"
	JSONL         = "jsonl"
)

// Formats lists every supported format name, in the order detection tries them.
var Formats = []string{StackExchange, Discourse, GitHub, Khoros, Zendesk, JSONL}

// BodyFormat says how a post body is encoded.
type BodyFormat string

const (
	// HTML is rendered HTML (Stack Exchange Posts.xml, Discourse cooked, GitHub bodyHTML).
	HTML BodyFormat = "html"
	// Markdown is the author's own source (PostHistory.xml, Discourse raw, GitHub body).
	Markdown BodyFormat = "markdown"
)

// Status is why a thread must not be published, as the source states it.
type Status string

const (
	// Public threads may be published.
	Public Status = ""
	// Deleted threads were deleted at the source.
	Deleted Status = "deleted"
	// Private threads are private messages, restricted or hidden content.
	Private Status = "private"
)

// Skip reasons that readers set on threads they know cannot become articles.
// Selection adds its own (filtered, since, ...).
const (
	SkipNoAcceptedAnswer      = "no_accepted_answer"
	SkipAcceptedAnswerMissing = "accepted_answer_missing"
	SkipPrivate               = "private"
	SkipDeleted               = "deleted"
)

// Post is one message: the question or an answer.
type Post struct {
	ID       string     `json:"id"`
	URL      string     `json:"url,omitempty"`
	Author   string     `json:"author"` // display name, or a stable fallback; never empty
	AuthorID string     `json:"author_id,omitempty"`
	Body     string     `json:"body"`
	Format   BodyFormat `json:"format"`
	Created  time.Time  `json:"created"`
	Updated  time.Time  `json:"updated,omitzero"` // zero when never edited
	Score    int        `json:"score,omitempty"`  // votes, likes or kudos
	// Accepted is when the answer was accepted, when the source says.
	Accepted time.Time `json:"accepted,omitzero"`
	// AcceptedBy is who accepted it, when the source says.
	AcceptedBy string `json:"accepted_by,omitempty"`
}

// Ref points at another thread: a duplicate question, a linked topic.
type Ref struct {
	ID    string `json:"id"`
	Title string `json:"title,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Thread is a question with its accepted answer, in every format's terms.
type Thread struct {
	Source string `json:"source"` // a format name
	ID     string `json:"id"`     // the thread or question id, unique within Source
	Site   string `json:"site,omitempty"`
	URL    string `json:"url,omitempty"`
	Title  string `json:"title"`

	Question Post `json:"question"`
	// Answer is the accepted answer; nil when the thread has none.
	Answer *Post `json:"answer,omitempty"`
	// Solutions are further accepted answers (Khoros, Discourse with several
	// solutions), oldest first.
	Solutions []Post `json:"solutions,omitempty"`
	// Replies are answers without an accept mark. Readers of platforms that
	// have no accept mark fill them so that the trusted-answerers policy can
	// promote one.
	Replies []Post `json:"replies,omitempty"`

	Tags     []string `json:"tags,omitempty"`
	Category string   `json:"category,omitempty"`
	License  string   `json:"license,omitempty"`
	Lang     string   `json:"lang,omitempty"`
	Score    int      `json:"score,omitempty"`
	Views    int      `json:"views,omitempty"`

	Created time.Time `json:"created"`
	Updated time.Time `json:"updated,omitzero"`

	Closed        bool `json:"closed,omitempty"`
	Locked        bool `json:"locked,omitempty"`
	CommunityWiki bool `json:"community_wiki,omitempty"`

	// Duplicates are other wordings of the same question.
	Duplicates []Ref `json:"duplicates,omitempty"`
	// DuplicateOf is the id of the thread this one was closed as a
	// duplicate of (same source and site): its article merges into that
	// thread's.
	DuplicateOf string `json:"duplicate_of,omitempty"`

	Status Status `json:"status,omitempty"`
	// Skip is set by the reader when the thread cannot become an article
	// (one of the Skip* reasons).
	Skip string `json:"skip,omitempty"`
}

// LastModified is the latest change of the question or any accepted answer.
func (t *Thread) LastModified() time.Time {
	m := t.Created
	for _, ts := range []time.Time{t.Updated, t.Question.Created, t.Question.Updated} {
		if ts.After(m) {
			m = ts
		}
	}
	posts := t.Solutions
	if t.Answer != nil {
		posts = append([]Post{*t.Answer}, posts...)
	}
	for _, p := range posts {
		for _, ts := range []time.Time{p.Created, p.Updated} {
			if ts.After(m) {
				m = ts
			}
		}
	}
	return m.UTC()
}

// Reader is what every export package provides.
type Reader interface {
	Threads(ctx context.Context, yield func(*Thread) error) error
}

// InputError is bad input: a file that cannot be read or parsed, a record
// that breaks the format's rules. The command maps it to exit code 2.
type InputError struct {
	Format string // format name
	Path   string // the file
	Record string // e.g. "row 12", "topic 3785", "line 4"; empty when unknown
	Offset int64  // byte offset, or -1 when unknown
	Err    error
	Hint   string // what the user can do about it
}

func (e *InputError) Error() string {
	msg := e.Path
	if e.Format != "" && e.Path != "" {
		msg = e.Format + ": " + msg
	} else if e.Format != "" {
		msg = e.Format // an error of no one file: no empty path between colons
	}
	if e.Record != "" {
		msg += ": " + e.Record
	}
	if e.Offset >= 0 {
		msg += fmt.Sprintf(" (byte %d)", e.Offset)
	}
	msg += ": " + e.Err.Error()
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

func (e *InputError) Unwrap() error { return e.Err }

// IsInput reports whether err is bad input (exit code 2).
func IsInput(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
