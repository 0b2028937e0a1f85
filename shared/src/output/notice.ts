/** What a truncation notice needs to say: what was shown, out of what, and how to get the rest. */
export interface TruncationInfo {
  /** What was shown, in words: "the first 100 KB", "1,000 of 52,113 rows". */
  shown: string;
  /** Why it stopped: usually the reply budget or a list cap. */
  reason: string;
  /** How to continue: "call again with offset: 1201", "pass cursor: …". */
  next: string;
}

/** Formats the one-line notice appended to a cut reply, so that a model sees the cut in words. */
export function truncationNotice(info: TruncationInfo): string {
  return `[Truncated: showing ${info.shown} (${info.reason}). To get more, ${info.next}.]`;
}

/** Formats a byte count for people: 999 B, 12.3 KB, 4.5 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} KB`;
  if (bytes < 1_000_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${(bytes / 1_000_000_000).toFixed(1)} GB`;
}
