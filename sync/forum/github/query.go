package github

// ExportQuery is the GraphQL query whose paginated output this reader is
// built for. The package documentation quotes it through ExportCommand, and
// a test keeps the two, and the test fixture's shape, in step.
const ExportQuery = `query($owner: String!, $name: String!, $endCursor: String) {
  repository(owner: $owner, name: $name) {
    discussions(first: 50, after: $endCursor, orderBy: {field: CREATED_AT, direction: ASC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number
        id
        title
        body
        url
        createdAt
        updatedAt
        lastEditedAt
        locked
        closed
        upvoteCount
        author { login }
        category { name isAnswerable }
        labels(first: 20) { nodes { name } }
        answer { id body url createdAt updatedAt lastEditedAt upvoteCount author { login } }
        answerChosenAt
        answerChosenBy { login }
        comments(first: 50) {
          nodes { id body url createdAt updatedAt lastEditedAt upvoteCount isAnswer isMinimized author { login } }
        }
      }
    }
  }
}`

// ExportCommand is the GitHub CLI command that writes an export of one
// repository's discussions (replace OWNER and REPO).
const ExportCommand = "gh api graphql --paginate -f owner=OWNER -f name=REPO -f query='\n" +
	ExportQuery + "' > discussions.json"
