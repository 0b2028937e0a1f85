/** The 26 tools of @modelcontextprotocol/server-github 2025.4.8, the drop-in contract. */
export const REFERENCE_TOOLS = [
  'create_or_update_file', 'search_repositories', 'create_repository', 'get_file_contents', 'push_files', 'create_issue',
  'create_pull_request', 'fork_repository', 'create_branch', 'list_commits', 'list_issues', 'update_issue',
  'add_issue_comment', 'search_code', 'search_issues', 'search_users', 'get_issue', 'get_pull_request',
  'list_pull_requests', 'create_pull_request_review', 'merge_pull_request', 'get_pull_request_files',
  'get_pull_request_status', 'update_pull_request_branch', 'get_pull_request_comments', 'get_pull_request_reviews',
] as const;

export const READ_TOOLS = [
  'search_repositories', 'get_file_contents', 'list_commits', 'list_issues', 'search_code', 'search_issues', 'search_users',
  'get_issue', 'get_pull_request', 'list_pull_requests', 'get_pull_request_files', 'get_pull_request_status',
  'get_pull_request_comments', 'get_pull_request_reviews',
] as const;
