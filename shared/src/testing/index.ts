export { ERAS, resultText, spawnServer } from './spawn.js';
export type { Era, SpawnOptions, SpawnedServer } from './spawn.js';
export { makeTempDir } from './temp.js';
export type { TempDir } from './temp.js';
export { startTestHttpServer } from './http-server.js';
export type { TestHttpServer } from './http-server.js';
export { startHttpServerProcess, waitFor } from './process.js';
export type { HttpServerProcess } from './process.js';
