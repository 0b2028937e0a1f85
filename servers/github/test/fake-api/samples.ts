import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** A job log in GitHub Actions' format: timestamped lines, groups, and one failed step. */
export const SAMPLE_JOB_LOG = [
  '2025-01-15T10:00:00.0000000Z ##[group]Run actions/checkout@v4',
  '2025-01-15T10:00:00.1000000Z with:',
  '2025-01-15T10:00:00.1000000Z   repository: octocat/Hello-World',
  '2025-01-15T10:00:01.0000000Z ##[endgroup]',
  '2025-01-15T10:00:02.0000000Z Syncing repository: octocat/Hello-World',
  '2025-01-15T10:00:05.0000000Z ##[group]Run npm test',
  '2025-01-15T10:00:05.1000000Z > hello-world@1.0.0 test',
  '2025-01-15T10:00:06.0000000Z PASS test/greeting.test.js',
  '2025-01-15T10:00:06.2000000Z FAIL test/farewell.test.js',
  '2025-01-15T10:00:06.3000000Z   ● says goodbye › expected "Goodbye" but received "Bye"',
  '2025-01-15T10:00:06.4000000Z Tests: 1 failed, 1 passed, 2 total',
  '2025-01-15T10:00:06.5000000Z ##[endgroup]',
  '2025-01-15T10:00:06.6000000Z ##[error]Process completed with exit code 1.',
  '',
].join('\n');

/**
 * The run-logs archive GitHub serves: a zip with one text file per job step. Written by hand (stored, no
 * compression) because a zip library for one fixture is not worth a dependency.
 */
export function runLogsZip(files: Record<string, string> = { 'build/1_Run npm test.txt': SAMPLE_JOB_LOG }): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.from(text, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  const count = Object.keys(files).length;
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** The default file text of repos/get-content: its markup must survive a round trip untouched. */
export const SAMPLE_README =
  '# Hello-World\n\nMy first repository on GitHub.\nKeep <workspace_id> and Promise<string> as written.\n';

/** A pull request's diff as GitHub sends it for `Accept: application/vnd.github.diff`. */
export const SAMPLE_DIFF = [
  'diff --git a/README.md b/README.md',
  'index 3d21ec5..9c8f1a2 100644',
  '--- a/README.md',
  '+++ b/README.md',
  '@@ -1,3 +1,4 @@',
  ' # Hello-World',
  '-My first repository on GitHub!',
  '+My first repository on GitHub.',
  '+Generic types such as Promise<string> stay as written.',
  ' ',
  'diff --git a/src/greeting.js b/src/greeting.js',
  'new file mode 100644',
  'index 0000000..e69de29',
  '--- /dev/null',
  '+++ b/src/greeting.js',
  '@@ -0,0 +1,3 @@',
  '+export function greet(name) {',
  '+  return `Hello, ${name}!`;',
  '+}',
  '',
].join('\n');

/**
 * A contents-API file object for `text` at `path`, shaped like the description's file example: base64 in
 * 60-character lines as GitHub sends it, and the git blob sha of the text.
 */
export function contentFile(
  example: Record<string, unknown>,
  path: string,
  text: string | Uint8Array,
): Record<string, unknown> {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text);
  const sha = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
  const base64 = bytes.toString('base64').replace(/.{60}/g, '$&\n');
  return {
    ...example,
    type: 'file',
    encoding: 'base64',
    name: path.split('/').at(-1),
    path,
    size: bytes.length,
    sha,
    content: `${base64}\n`,
  };
}

/** The decoded bytes of a contents-API file object, or undefined when `body` is not one. */
export function decodedFile(body: unknown): Buffer | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const file = body as { type?: unknown; encoding?: unknown; content?: unknown };
  if (file.type !== 'file' || file.encoding !== 'base64' || typeof file.content !== 'string') return undefined;
  return Buffer.from(file.content, 'base64');
}
