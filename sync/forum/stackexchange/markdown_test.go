package stackexchange

import "testing"

func TestTagLinks(t *testing.T) {
	const site = "https://french.meta.stackexchange.com"
	tests := []struct{ in, want string }{
		{"no tags here", "no tags here"},
		{"keep [tag:usage] and [meta-tag:discussion].", "keep [usage](" + site + "/questions/tagged/usage) and [discussion](" + site + "/questions/tagged/discussion)."},
		{"c [tag:c#] too", "c [c#](" + site + "/questions/tagged/c%23) too"},
		{"a `[tag:code]` span", "a `[tag:code]` span"},
		{"```\n[tag:fenced]\n```\n[tag:after]", "```\n[tag:fenced]\n```\n[after](" + site + "/questions/tagged/after)"},
		{"    [tag:indented]\n", "    [tag:indented]\n"},
		{"an `unclosed [tag:x]", "an `unclosed [tag:x]"},
	}
	for _, tt := range tests {
		if got := TagLinks(tt.in, site); got != tt.want {
			t.Errorf("TagLinks(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
