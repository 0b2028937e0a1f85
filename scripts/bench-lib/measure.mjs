// Measurement helpers shared by every package's bench/: medians, spawn→initialize timing, RSS.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

/** The median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Time from spawn to process exit of a command, in ms. */
export function timeSpawnToExit(command, args) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => resolve(performance.now() - started));
  });
}

/** Resident set size of a process in bytes, read from /proc (Linux). */
export function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    return kb * 1024;
  } catch {
    return 0;
  }
}

/** Peak resident set size (high-water mark) of a process in bytes. */
export function peakRssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * Spawns a stdio MCP server and connects a client (2025 handshake unless `era` is modern); returns the
 * connected client, the time from spawn to initialize result and the child's pid.
 */
export async function connectTimed({ command = process.execPath, args, env, era = 'legacy', cwd }) {
  const transport = new StdioClientTransport({
    command,
    args,
    env: { PATH: process.env.PATH, HOME: process.env.HOME ?? '/tmp', ...env },
    stderr: 'ignore',
    ...(cwd ? { cwd } : {}),
  });
  const client = new Client(
    { name: 'portico-bench', version: '0' },
    { versionNegotiation: { mode: era === 'modern' ? 'auto' : 'legacy' } },
  );
  const started = performance.now();
  await client.connect(transport);
  const initializeMs = performance.now() - started;
  return { client, initializeMs, pid: transport.pid, close: () => client.close() };
}

/** Calls `fn` `runs` times after `warmup` unmeasured calls; returns the median duration in ms. */
export async function medianMs(fn, { runs = 50, warmup = 5 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** Formats ms for tables. */
export function ms(value) {
  return value >= 100 ? `${value.toFixed(0)} ms` : value >= 10 ? `${value.toFixed(1)} ms` : `${value.toFixed(2)} ms`;
}

/** Formats bytes for tables. */
export function bytes(value) {
  if (value < 1000) return `${value} B`;
  if (value < 1_000_000) return `${(value / 1000).toFixed(1)} KB`;
  return `${(value / 1_000_000).toFixed(1)} MB`;
}
