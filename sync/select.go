package sync

import (
	"strings"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
)

// Policy narrows which solved threads become articles. The zero value
// accepts every thread with an accepted answer.
type Policy struct {
	// MinScore, when set, leaves out threads scored below it.
	MinScore    *int
	IncludeTags []string // when set, a thread needs one of these tags or its category
	ExcludeTags []string // a thread with one of these tags or category is left out
	Since       time.Time
	// NoSelfAnswers leaves out threads whose accepted answer is the asker's.
	NoSelfAnswers bool
	// Trusted answerers' replies qualify as the answer of a thread that has
	// no accepted answer on a platform with no accept mark.
	Trusted []string
}

// Skip reasons added by the policy.
const (
	SkipFiltered   = "filtered"
	SkipSince      = "before_since"
	SkipSelfAnswer = "self_answer"
	SkipLowScore   = "low_score"
	// SkipDuplicate: the thread was closed as a duplicate; its article, if
	// any, merges into the original's (retired here, an alias there).
	SkipDuplicate = "duplicate"
)

// apply decides whether a thread becomes an article; it may promote a
// trusted answerer's reply to the answer. It returns the skip reason, or "".
func (p *Policy) apply(t *forum.Thread) string {
	if t.Skip == forum.SkipNoAcceptedAnswer && t.Answer == nil && len(p.Trusted) > 0 {
		for i := range t.Replies {
			if p.trusted(t.Replies[i].Author) || p.trusted(t.Replies[i].AuthorID) {
				r := t.Replies[i]
				t.Answer, t.Skip = &r, ""
				break
			}
		}
	}
	if t.DuplicateOf != "" {
		return SkipDuplicate
	}
	if t.Skip != "" {
		return t.Skip
	}
	if t.Answer == nil {
		return forum.SkipNoAcceptedAnswer
	}
	if t.Status == forum.Private {
		return forum.SkipPrivate
	}
	if t.Status == forum.Deleted {
		return forum.SkipDeleted
	}
	if p.MinScore != nil && t.Score < *p.MinScore {
		return SkipLowScore
	}
	if !p.Since.IsZero() && t.LastModified().Before(p.Since) {
		return SkipSince
	}
	if p.NoSelfAnswers && t.Answer.Author == t.Question.Author && (t.Answer.AuthorID == t.Question.AuthorID) {
		return SkipSelfAnswer
	}
	labels := append([]string{t.Category}, t.Tags...)
	if len(p.IncludeTags) > 0 && !anyIn(labels, p.IncludeTags) {
		return SkipFiltered
	}
	if anyIn(labels, p.ExcludeTags) {
		return SkipFiltered
	}
	return ""
}

func (p *Policy) trusted(name string) bool {
	for _, t := range p.Trusted {
		if name != "" && strings.EqualFold(t, name) {
			return true
		}
	}
	return false
}

func anyIn(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h != "" && strings.EqualFold(h, w) {
				return true
			}
		}
	}
	return false
}

// retires reports whether a skip reason means the source withdrew the
// thread, so that an existing article must be retired. A thread merely
// filtered out by policy, or whose answer is missing from a partial export,
// keeps its article.
func retires(reason string) bool {
	switch reason {
	case forum.SkipNoAcceptedAnswer, forum.SkipDeleted, forum.SkipPrivate, SkipDuplicate:
		return true
	}
	return false
}
