// Preload (`node --import <this file> …`) that points a process's global fetch at the fake GitHub API: the
// archived reference server hard-codes https://api.github.com in about 30 places and has no base-URL
// setting, so this is how benchmarks and parity runs put it on the same local API as Portico.
// FAKE_GITHUB_URL is the fake's `url`.
const target = process.env.FAKE_GITHUB_URL;
if (!target) throw new Error('redirect-dotcom.mjs needs FAKE_GITHUB_URL (the fake GitHub API url)');
const original = globalThis.fetch;
const DOTCOM = 'https://api.github.com';

globalThis.fetch = (input, init) => {
  const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!href.startsWith(DOTCOM)) return original(input, init);
  const redirected = target + href.slice(DOTCOM.length);
  return original(
    typeof input === 'string' || input instanceof URL ? redirected : new Request(redirected, input),
    init,
  );
};
