import { clean } from './text.js';

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z /;

/** A job log's lines without GitHub's per-line timestamps (a third of the bytes, and no help to a reader). */
export function logLines(log: string): string[] {
  const lines = log.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => clean(line.replace(TIMESTAMP, '')));
}

/**
 * The lines of the steps that failed: each step's output sits in a `##[group]Run <step>` … `##[endgroup]`
 * section named like the step, and `##[error]` lines (which GitHub writes after the group) are kept too.
 */
export function failedStepLines(lines: readonly string[], failedSteps: readonly string[]): string[] {
  const wanted = new Set(failedSteps.map((name) => name.trim()));
  const out: string[] = [];
  let inside = false;
  for (const line of lines) {
    const group = /^##\[group\](.*)$/.exec(line);
    if (group) {
      const title = group[1]!.trim();
      inside = wanted.has(title) || wanted.has(title.replace(/^Run /, ''));
    }
    if (inside || line.startsWith('##[error]')) out.push(line);
    if (line.startsWith('##[endgroup]')) inside = false;
  }
  return out;
}
