/** The diff view of git_diff, git_diff_staged, git_diff_unstaged, git_show and git_compare (servers/git/app/diff.ts). */
export const DIFF_VIEW_URI = 'ui://git/diff.html';
