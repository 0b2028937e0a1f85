import { spawn } from 'node:child_process';

/** Polls `read` until it returns a value that is not undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(read: () => T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A server process started with --http on a free loopback port. */
export interface HttpServerProcess {
  /** The MCP endpoint URL the server reported. */
  url: string;
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts a built server with `--http --port 0` and waits for the URL in its ready log line. */
export async function startHttpServerProcess(options: {
  entry: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}): Promise<HttpServerProcess> {
  const child = spawn(process.execPath, [options.entry, '--http', '--port', '0', ...(options.args ?? [])], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let stderr = '';
  let exited = false;
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  const url = await waitFor(
    () => {
      if (exited) throw new Error(`${options.entry} exited before it was ready:\n${stderr}`);
      const line = stderr.split('\n').find((candidate) => candidate.includes('"msg":"ready"'));
      return line ? (JSON.parse(line) as { url?: string }).url : undefined;
    },
    15_000,
    `${options.entry} to report its URL`,
  );
  return {
    url,
    stderr: () => stderr,
    stop: () => {
      if (!exited) child.kill('SIGTERM');
      return exit;
    },
  };
}
