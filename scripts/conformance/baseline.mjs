// A target's expected failures: read from its file in Portico's shape (per revision, entry → reason), written
// out as the suite's own baseline, and judged for the scenarios the suite runs without scoring.
import { parse as parseYaml } from 'yaml';

/**
 * Parses an expected-failures document: per revision, a scenario (or `scenario:check-id`) → its one-line reason.
 * `requirements` maps each revision to `{ all, unscored }` scenario name sets. Throws with a sentence naming the
 * mistake, prefixed with `where`.
 */
export function parseExpectedFailures(text, requirements, where) {
  const revisions = [...requirements.keys()];
  const byRevision = new Map(revisions.map((revision) => [revision, new Map()]));
  const document = parseYaml(text) ?? {};
  if (typeof document !== 'object' || Array.isArray(document))
    throw new Error(`${where} must map revisions (${revisions.join(', ')}) to entries.`);
  for (const key of Object.keys(document)) {
    if (!requirements.has(key))
      throw new Error(`${where}: "${key}" is not a revision this runner runs (${revisions.join(', ')}).`);
  }
  for (const revision of revisions) {
    const entries = document[revision] ?? {};
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries))
      throw new Error(`${where}: ${revision} must map each scenario to its reason.`);
    const { all, unscored } = requirements.get(revision);
    for (const [entry, reason] of Object.entries(entries)) {
      if (typeof reason !== 'string' || reason.trim() === '' || reason.includes('\n'))
        throw new Error(`${where}: ${revision} ${entry} needs a one-line reason.`);
      const scenario = entry.split(':')[0];
      if (!all.has(scenario))
        throw new Error(
          `${where}: ${revision} ${entry}: ${scenario} is not a scenario of the ${revision} requirement set.`,
        );
      if (entry !== scenario && unscored.has(scenario)) {
        throw new Error(
          `${where}: ${revision} ${entry}: ${scenario} is run without being scored, so only the whole scenario can be listed.`,
        );
      }
      byRevision.get(revision).set(entry, reason.trim());
    }
  }
  return byRevision;
}

/** The suite's own `--expected-failures` file for one revision's entries. */
export function suiteBaseline(entries) {
  const names = [...entries];
  return names.length === 0
    ? 'server: []\n'
    : `server:\n${names.map((name) => `  - ${JSON.stringify(name)}`).join('\n')}\n`;
}

/**
 * What is wrong with the unscored scenarios of one run, judged from the suite's summary lines (`✓ name: …`),
 * since the suite never fails on them and prints no report of its own for them once given a baseline.
 */
export function unscoredProblems(output, unscored, expected) {
  const start = output.indexOf('=== SUMMARY ===');
  const verdicts = new Map();
  if (start >= 0) {
    for (const match of output.slice(start).matchAll(/^([✓✗]) (\S+): /gm))
      if (unscored.has(match[2])) verdicts.set(match[2], match[1] === '✓');
  }
  const problems = [];
  for (const scenario of unscored) {
    if (!verdicts.has(scenario)) problems.push(`${scenario} did not report a verdict`);
    else if (verdicts.get(scenario) && expected.has(scenario))
      problems.push(`${scenario} passes now: remove it from the expected failures`);
    else if (!verdicts.get(scenario) && !expected.has(scenario))
      problems.push(`${scenario} fails and is not an expected failure`);
  }
  return problems;
}
