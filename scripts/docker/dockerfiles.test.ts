// Static rules for the servers' Dockerfiles, checked in the fast loop; the Docker step (images.docker.test.ts)
// builds and runs them.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const servers = readdirSync(`${root}/servers`);
const dockerfile = (name: string) => readFileSync(`${root}/servers/${name}/Dockerfile`, 'utf8');
/** From the build stage's FROM to its workspace build: the part every image shares through the layer cache. */
const sharedStage = (text: string) =>
  text.slice(text.indexOf('FROM node:20-slim AS build'), text.indexOf(' run build\n') + ' run build\n'.length);

describe("the servers' Dockerfiles", () => {
  it('exist for every server', () => {
    expect(servers.sort()).toEqual(['browser', 'fetch', 'filesystem', 'git', 'github', 'sqlite']);
  });

  it('share one build stage word for word, so the layer cache installs and builds the workspace once', () => {
    const stages = new Set(servers.map((name) => sharedStage(dockerfile(name))));
    expect(stages.size).toBe(1);
    expect([...stages][0]).toContain('pnpm install --frozen-lockfile --offline');
  });

  it('install exactly the pnpm that packageManager names', () => {
    const pinned = (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { packageManager: string })
      .packageManager;
    for (const name of servers) {
      const installs = [...dockerfile(name).matchAll(/npm install -g (\S+)/g)].map((match) => match[1]);
      expect(installs, name).toEqual([pinned]);
    }
  });

  it('end in a runtime stage on the same base that runs the bundle as the node user over stdio', () => {
    for (const name of servers) {
      const runtime = dockerfile(name)
        .split(/^FROM /m)
        .at(-1)!;
      expect(runtime.startsWith('node:20-slim\n'), name).toBe(true);
      expect(runtime, name).toMatch(/^USER node$/m);
      expect(runtime.trimEnd().split('\n').at(-1), name).toBe('ENTRYPOINT ["node", "/app/dist/index.js"]');
      expect(runtime, name).not.toMatch(/pnpm/);
    }
  });
});
