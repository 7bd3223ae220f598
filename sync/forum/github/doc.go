// Package github reads GitHub Discussions exports: what GitHub's GraphQL API
// returns for a repository's discussions, and the flattened JSON that export
// scripts derive from it.
//
// # Producing an export
//
// With the GitHub CLI (run gh auth login first), replace OWNER and REPO:
//
//	gh api graphql --paginate -f owner=OWNER -f name=REPO -f query='
//	query($owner: String!, $name: String!, $endCursor: String) {
//	  repository(owner: $owner, name: $name) {
//	    discussions(first: 50, after: $endCursor, orderBy: {field: CREATED_AT, direction: ASC}) {
//	      pageInfo { hasNextPage endCursor }
//	      nodes {
//	        number
//	        id
//	        title
//	        body
//	        url
//	        createdAt
//	        updatedAt
//	        lastEditedAt
//	        locked
//	        closed
//	        upvoteCount
//	        author { login }
//	        category { name isAnswerable }
//	        labels(first: 20) { nodes { name } }
//	        answer { id body url createdAt updatedAt lastEditedAt upvoteCount author { login } }
//	        answerChosenAt
//	        answerChosenBy { login }
//	        comments(first: 50) {
//	          nodes { id body url createdAt updatedAt lastEditedAt upvoteCount isAnswer isMinimized author { login } }
//	        }
//	      }
//	    }
//	  }
//	}' > discussions.json
//
// --paginate follows pageInfo.endCursor and prints one whole GraphQL response
// per page, one after another; the reader takes that file as it is. With
// --slurp (a JSON array of responses) it works too. The query fetches the
// Markdown body (the authors' own words), at most 20 labels and the first 50
// comments of each discussion; comments only feed unaccepted replies.
//
// # Accepted shapes
//
// PATH is a file or a folder; in a folder every *.json, *.jsonl and *.ndjson
// file (dot files excepted) is read in name order. A file may hold:
//
//   - whole GraphQL responses, {"data":{"repository":{"discussions":{"nodes":[...]}}}},
//     or with edges[].node, or data.repository.discussion for one discussion;
//     several of them concatenated (gh --paginate) or in an array (gh --slurp);
//   - a JSON array of Discussion nodes;
//   - JSON Lines of Discussion nodes.
//
// A response that carries "errors" is bad input naming the GraphQL message.
//
// # Fields
//
// A node needs title, createdAt and number (or id). It may carry body
// (Markdown, preferred) or bodyHTML (cleaned with CleanHTML), url, updatedAt,
// lastEditedAt, author as {login}, a plain login or null (a deleted account,
// shown as "ghost"), category{name isAnswerable}, labels as {nodes{name}} or
// a list of names, answer (null: unanswered), answerChosenAt,
// answerChosenBy{login}, locked, closed, upvoteCount and comments{nodes}.
// Unknown fields are ignored.
//
// Every discussion is yielded, in file order. One without an answer gets
// Skip = forum.SkipNoAcceptedAnswer and its comments as Replies; one that
// says it is answered (isAnswered, answerChosenAt) but carries no answer
// gets forum.SkipAcceptedAnswerMissing. Minimized comments are left out.
// Duplicate discussion numbers, and an answer whose url points at another
// discussion, are bad input.
package github
